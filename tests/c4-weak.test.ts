/**
 * Connect Four perfect play off the opening book by weak solving (win/draw/loss only): the moves
 * keep the value, a won position is won, a drawn one never lost. No timing here: the speed is
 * measured by `npm run bench`.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Rng as RngType } from "../core/rng.js";
import { Rng } from "../core/rng.js";
import { BUILTIN_BOOK, Connect4Book } from "../games/connect4/book.js";
import { valueTablePositions } from "../games/connect4/book-build.js";
import { VALUE_LINES, VALUE_TABLE_PLIES } from "../games/connect4/values.js";
import { Connect4Game } from "../games/connect4/game.js";
import { Connect4Solver, RESIST_EXACTLY_FROM, type SolveProgress } from "../games/connect4/solver.js";
import { connect4FromMoves, Connect4State } from "../games/connect4/state.js";
import { createPlayer, type MatchPlayer } from "../selfplay/players.js";
import { itNeeds, needs } from "./helpers/needs.js";
import { sharedFile } from "./helpers/paths.js";

const sign = (x: number): number => (x > 0 ? 1 : x < 0 ? -1 : 0);

/** Shared test lines `<moves> <exact score>`. */
function testLines(file: string, count: number): { moves: string; score: number }[] {
  return readFileSync(sharedFile(`connect4/${file}`), "utf8")
    .trim()
    .split("\n")
    .slice(0, count)
    .map((line) => {
      const [moves, score] = line.trim().split(/\s+/);
      return { moves: moves!, score: Number(score) };
    });
}

const legalColumns = (state: Connect4State): number[] => [0, 1, 2, 3, 4, 5, 6].filter((col) => state.canPlay(col));

/**
 * Plays `state` out between the `solver` player (to move first) and `opponent`; returns the
 * solver's result: 1 win, 0 draw, -1 loss.
 */
async function playOut(state: Connect4State, solver: MatchPlayer, opponent: MatchPlayer, rng: RngType): Promise<number> {
  const solverSide = state.toPlay;
  while (!state.ended) {
    const mover = state.toPlay === solverSide ? solver : opponent;
    const move = await mover.chooseMove(state.clone(), rng);
    if (move === "resign" || typeof move === "object") throw new Error(`${mover.spec} resigned or chose at random`);
    state.play(move);
  }
  const winner = state.outcome()!.winner;
  return winner === null ? 0 : winner === solverSide ? 1 : -1;
}

describe("Connect Four weak solving", () => {
  const solver = new Connect4Solver(20);

  itNeeds(needs.sharedData)("gives the sign of the exact score of every shared test position", () => {
    for (const file of ["Test_L3_R1", "Test_L2_R1"]) {
      const wrong = testLines(file, 1000).filter(({ moves, score }) => solver.solveWeak(connect4FromMoves(moves)) !== sign(score));
      expect(wrong.slice(0, 5)).toEqual([]);
    }
  });

  itNeeds(needs.sharedData)("chooses only columns that keep the value, as the exact analysis of every column shows", () => {
    const exact = new Connect4Solver(20);
    let all = 0, positions = 0;
    for (const file of ["Test_L3_R1", "Test_L2_R1"]) {
      for (const { moves, score } of testLines(file, 80)) {
        const state = connect4FromMoves(moves);
        const scores = exact.analyze(state);
        const value = sign(score);
        const keeping = scores.flatMap((s, col) => (s !== null && sign(s) === value ? [col] : []));
        const weak = solver.bestMovesWeak(state);
        expect(weak.value, moves).toBe(value);
        expect(weak.moves.length, moves).toBeGreaterThan(0);
        for (const col of weak.moves) expect(keeping, `${moves}: column ${col + 1}`).toContain(col);
        if (value === -1 && state.moveCount >= RESIST_EXACTLY_FROM) expect(weak.moves, moves).toEqual(exact.bestMoves(state).moves);
        if (value === -1) continue;
        positions++;
        if (weak.moves.length === keeping.length) all++;
      }
    }
    // Columns beyond the first are added when their proof is cheap, which it is this late.
    expect(all).toBe(positions);
  });

  it("resists in a lost position before the exact search is quick: no column that loses at once", () => {
    // The second player to move has lost (the first wins), and column 3 lets it complete four at once.
    const rng = Rng.fromSeed("c4-lost");
    let checked = 0;
    for (let tries = 0; checked < 3 && tries < 400; tries++) {
      const state = new Connect4State();
      while (!state.ended && state.moveCount < 10) state.playLegal(legalColumns(state)[rng.int(legalColumns(state).length)]!);
      if (state.ended || Connect4Book.builtin().lookup(state)) continue;
      const losingAtOnce = legalColumns(state).filter((col) => {
        const next = state.clone();
        next.playLegal(col);
        return !next.won && legalColumns(next).some((reply) => {
          const after = next.clone();
          after.playLegal(reply);
          return after.won;
        });
      });
      if (losingAtOnce.length === 0 || losingAtOnce.length === legalColumns(state).length) continue;
      const weak = solver.bestMovesWeak(state);
      if (weak.value !== -1) continue;
      for (const col of weak.moves) expect(losingAtOnce).not.toContain(col);
      checked++;
    }
    expect(checked).toBe(3);
  });

  it("reports each null-window step of an exact solve, narrowing to the score", () => {
    const steps: SolveProgress[] = [];
    const exact = new Connect4Solver(20);
    exact.onProgress = (step) => steps.push(step);
    const state = connect4FromMoves("4455321");
    const score = exact.solve(state);
    expect(steps.length).toBeGreaterThan(1);
    for (let i = 1; i < steps.length; i++) {
      expect(steps[i]!.low).toBeGreaterThanOrEqual(steps[i - 1]!.low);
      expect(steps[i]!.high).toBeLessThanOrEqual(steps[i - 1]!.high);
      expect(steps[i]!.nodes).toBeGreaterThanOrEqual(steps[i - 1]!.nodes);
    }
    expect(steps.at(-1)).toMatchObject({ low: score, high: score });
  });
});

describe("the value table (values.ts)", () => {
  const book = Connect4Book.builtin();
  const value = (state: Connect4State): number | null => (state.won ? -1 : state.ended ? 0 : book.value(state));
  /** The value of a position from the values after every move, or null if one is unknown. */
  const fromChildren = (state: Connect4State): number | null => {
    let best = -1;
    for (const col of legalColumns(state)) {
      const next = state.clone();
      next.playLegal(col);
      const v = value(next);
      if (v === null) return null;
      best = Math.max(best, -v);
    }
    return best;
  };

  it("holds every position with 3 stones that book.txt lacks, one of each mirror pair", () => {
    const lines = VALUE_LINES.trim().split("\n");
    expect(lines.map((line) => line.split(" ")[0])).toEqual(valueTablePositions(VALUE_TABLE_PLIES, Connect4Book.load(BUILTIN_BOOK)));
    expect(lines.length).toBe(72);
  });

  it("agrees with the book: every position with 2 stones has the value its moves lead to, as do those with 3 whose moves the book holds", () => {
    let checked = 0;
    const check = (state: Connect4State): void => {
      const expected = value(state);
      const got = fromChildren(state);
      if (expected === null || got === null) return;
      expect(got, state.toString()).toBe(expected);
      checked++;
    };
    for (const a of [0, 1, 2, 3, 4, 5, 6]) {
      for (const b of [0, 1, 2, 3, 4, 5, 6]) {
        const two = connect4FromMoves(`${a + 1}${b + 1}`);
        expect(fromChildren(two), `${a + 1}${b + 1}`).not.toBeNull(); // answered at once
        check(two);
        for (const c of [0, 1, 2, 3, 4, 5, 6]) check(connect4FromMoves(`${a + 1}${b + 1}${c + 1}`));
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});

describe("the solver player (perfect play: the book, then moves that keep the value)", () => {
  const game = new Connect4Game();

  it("as the first player wins from the empty board against random and rollout players", async () => {
    const solver = await createPlayer("solver", game);
    for (const spec of ["random", "rollout:200"]) {
      const opponent = await createPlayer(spec, game);
      const rng = Rng.fromSeed(`c4-first-${spec}`);
      expect(await playOut(new Connect4State(), solver, opponent, rng.split("game"))).toBe(1);
    }
  });

  itNeeds(needs.sharedData)("wins the won shared test positions and never loses the drawn ones, against random and rollout players", async () => {
    const solver = await createPlayer("solver", game);
    const lines = testLines("Test_L2_R1", 1000);
    const won = lines.filter((l) => l.score > 0).slice(0, 8);
    const drawn = lines.filter((l) => l.score === 0).slice(0, 4);
    expect(won.length).toBe(8);
    expect(drawn.length).toBe(4);
    for (const spec of ["random", "rollout:200"]) {
      const opponent = await createPlayer(spec, game);
      const rng = Rng.fromSeed(`c4-won-${spec}`);
      for (const [i, { moves }] of won.entries()) expect(await playOut(connect4FromMoves(moves), solver, opponent, rng.split("won", i)), moves).toBe(1);
      for (const [i, { moves }] of drawn.entries()) expect(await playOut(connect4FromMoves(moves), solver, opponent, rng.split("drawn", i)), moves).toBeGreaterThanOrEqual(0);
    }
  });
});
