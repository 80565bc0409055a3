/**
 * Matches between two players: games one after another, colours alternating with `swap`,
 * openings varied by a few random moves drawn from each game's own Rng stream (so repeated games
 * are not copies, and the same seed gives the same openings). An external engine's crash,
 * timeout or illegal move ends that game with the reason recorded and no result; the match goes on.
 */
import { resultText, type Outcome, type Player } from "../core/player.js";
import type { Rng } from "../core/rng.js";
import type { Game } from "../games/game.js";
import { GtpError } from "./gtp.js";
import { playsConcurrently, type MatchPlayer } from "./players.js";

export interface MatchGame {
  index: number;
  /** Spec of the player with Black (the first player) and White. */
  black: string;
  white: string;
  actions: number[];
  /** The plies (0-based) of moves chosen at random: opening moves and players' random choices. */
  random: number[];
  /** Null when the game ended without a result (engine failure). */
  outcome: Outcome | null;
  result: string;
  endReason: string;
  /** What went wrong, for games without a result. */
  error?: string;
}

export interface MatchOptions {
  games: number;
  /** The indices of the games to play (default: 0 to games - 1); game i draws from `rngFor(i)`. */
  indices?: readonly number[];
  /** Alternate colours: odd games give Black to the second player. */
  swap: boolean;
  /** Random opening moves before the players take over. */
  openingMoves: number;
  /** A fixed opening set instead: game i starts with openings[i % openings.length]. */
  openings?: number[][];
  rngFor: (index: number) => Rng;
  /** Games played at once (network players batch their leaves across them); 1 with GTP engines. */
  concurrency?: number;
  /** Starts no new game once aborted (the games in progress finish). */
  signal?: AbortSignal;
}

export async function playMatch(game: Game, first: MatchPlayer, second: MatchPlayer, options: MatchOptions, onGame: (g: MatchGame) => void | Promise<void>): Promise<void> {
  const concurrency = playsConcurrently(first) && playsConcurrently(second) ? Math.max(1, options.concurrency ?? 1) : 1;
  const indices = options.indices ?? Array.from({ length: options.games }, (_, i) => i);
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, indices.length) }, async () => {
    for (let k = next++; k < indices.length && !options.signal?.aborted; k = next++) await playOne(game, first, second, options, indices[k]!, onGame);
  });
  await Promise.all(lanes);
}

async function playOne(game: Game, first: MatchPlayer, second: MatchPlayer, options: MatchOptions, index: number, onGame: (g: MatchGame) => void | Promise<void>): Promise<void> {
  const swapped = options.swap && index % 2 === 1;
  const players: [MatchPlayer, MatchPlayer] = swapped ? [second, first] : [first, second];
  const rng = options.rngFor(index);
  const state = game.newState();
  const actions: number[] = [];
  const random: number[] = [];
  let outcome: Outcome | null = null;
  let endReason = "";
  let error: string | undefined;
  try {
    await players[0].startGame(rng);
    if (players[1] !== players[0]) await players[1].startGame(rng);
    const play = async (action: number, own: MatchPlayer | null): Promise<void> => {
      const mover = state.toPlay;
      state.play(action);
      actions.push(action);
      for (const p of new Set(players)) await p.observe(action, mover, p === own);
    };
    const playRandom = async (action: number, own: MatchPlayer | null): Promise<void> => {
      random.push(actions.length);
      await play(action, own);
    };
    if (options.openings && options.openings.length > 0) {
      for (const a of options.openings[index % options.openings.length]!) await playRandom(a, null);
    } else {
      for (let k = 0; k < options.openingMoves && state.outcome() === null; k++) await playRandom(game.randomMove(state, rng), null);
    }
    while (state.outcome() === null) {
      const mover = players[state.toPlay]!;
      let choice = await mover.chooseMove(state, rng);
      if (typeof choice === "object") {
        random.push(actions.length);
        choice = choice.random;
      }
      if (choice === "resign") {
        outcome = { winner: (1 - state.toPlay) as Player, score: NaN, reason: "resign" };
        break;
      }
      if (!state.isLegal(choice)) {
        endReason = "illegal";
        error = `${mover.spec} played an illegal move (${game.actionText(choice)}) at move ${actions.length + 1}`;
        break;
      }
      await play(choice, mover);
    }
    outcome ??= endReason ? null : state.outcome();
    endReason ||= outcome!.reason;
  } catch (e) {
    if (!(e instanceof GtpError)) throw e;
    endReason = e.kind === "failure" ? "engine-error" : e.kind;
    error = e.message;
    outcome = null;
    // A crashed engine is restarted by its next startGame.
    for (const p of players) await p.close().catch(() => undefined);
  }
  await onGame({
    index,
    black: players[0].spec,
    white: players[1].spec,
    actions,
    random,
    outcome,
    result: outcome ? resultText(outcome) : "Void",
    endReason,
    error,
  });
}
