/**
 * Players and outcomes, shared by every game.
 *
 * The value convention (DESIGN.md §3): network values are from the side to move, in [-1, 1];
 * stored results are absolute (the winner's colour, the score from the first player's — Black's —
 * view). `valueFor` is the one helper that converts; nothing else flips signs.
 */

/** 0 moves first (Black in Go, the first player in Connect Four); 1 moves second (White). */
export type Player = 0 | 1;
export const BLACK: Player = 0;
export const WHITE: Player = 1;

export function otherPlayer(player: Player): Player {
  return (1 - player) as Player;
}

/** "B" or "W", as in SGF. */
export function playerLetter(player: Player): "B" | "W" {
  return player === 0 ? "B" : "W";
}

/** How a finished game ended. */
export type EndReason = "score" | "connect" | "full-board" | "resign" | "move-cap" | "forfeit" | "timeout";

export interface Outcome {
  /** The winner, or null for a draw (a real 0). */
  readonly winner: Player | null;
  /**
   * Final score from the first player's view (Go: Black's area minus White's area minus komi;
   * Connect Four: +1, -1 or 0). NaN when there is no score (resignation, forfeit).
   */
  readonly score: number;
  readonly reason: EndReason;
}

/** Builds an outcome from a score seen by the first player: positive wins for player 0. */
export function outcomeFromScore(score: number, reason: EndReason): Outcome {
  return { winner: score > 0 ? 0 : score < 0 ? 1 : null, score, reason };
}

/** The outcome as a value for `player`: 1 win, -1 loss, 0 draw. The one place that flips signs. */
export function valueFor(outcome: Outcome, player: Player): 1 | -1 | 0 {
  if (outcome.winner === null) return 0;
  return outcome.winner === player ? 1 : -1;
}

/**
 * The result in SGF `RE` form: `B+3.5`, `W+12`, `B+R` (no score), `0` for a draw. With
 * `withScore` false a decided game is `B+` / `W+`.
 */
export function resultText(outcome: Outcome, withScore = true): string {
  if (outcome.winner === null) return "0";
  const letter = playerLetter(outcome.winner);
  if (!withScore) return `${letter}+`;
  if (Number.isNaN(outcome.score)) return `${letter}+${outcome.reason === "resign" ? "R" : "F"}`;
  return `${letter}+${formatNumber(Math.abs(outcome.score))}`;
}

/** Shortest decimal text of a number: 3.5, 12, 0.25. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(6)));
}

/**
 * The outcome an SGF result stands for: `B+3.5` (score 3.5), `W+R` (resignation), `0` / `Draw`
 * (draw); null for anything else (void, unknown). The inverse of `resultText`.
 */
export function parseResultText(result: string): Outcome | null {
  const t = result.trim().toUpperCase();
  if (t === "0" || t === "DRAW" || t === "JIGO" || t === "D") return { winner: null, score: 0, reason: "score" };
  const m = /^([BW])\+(.*)$/.exec(t);
  if (!m) return null;
  const winner: Player = m[1] === "B" ? 0 : 1;
  const tail = m[2]!;
  if (/^\d+(\.\d+)?$/.test(tail)) {
    // A zero margin ("B+0", written by some programs for a tie) is a draw, whoever it names.
    if (Number(tail) === 0) return { winner: null, score: 0, reason: "score" };
    return { winner, score: (winner === 0 ? 1 : -1) * Number(tail), reason: "score" };
  }
  if (tail === "") return { winner, score: NaN, reason: "score" }; // margin not recorded
  // SGF: B+R / B+Resign, B+T / B+Time, B+F / B+Forfeit; anything else says no result we can read.
  const reason: EndReason | null = /^R(ESIGN)?$/.test(tail) ? "resign" : /^T(IME)?$/.test(tail) ? "timeout" : /^F(ORFEIT)?$/.test(tail) ? "forfeit" : null;
  return reason === null ? null : { winner, score: NaN, reason };
}
