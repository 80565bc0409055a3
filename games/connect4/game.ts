/**
 * Connect Four as a `Game`: the position (state.ts), its planes, its move text (columns 1-7,
 * Pons's format, also the stored form) and perfect play by the solver with its opening book.
 */
import { InputError } from "../../core/errors.js";
import type { Player } from "../../core/player.js";
import type { Rng } from "../../core/rng.js";
import type { Game, PerfectPlay, RulesColumns, StoredGame } from "../game.js";
import { CELLS, HEIGHT, WIDTH } from "./bitboard.js";
import { Connect4Book } from "./book.js";
import { Connect4Solver } from "./solver.js";
import { columnsText, connect4FromMoves, Connect4State } from "./state.js";

/** Version of the Connect Four feature planes (see `Connect4Game.encode`). */
export const C4_PLANE_VERSION = "c4-v1";

/**
 * From this many stones on, the solver finds a best move in well under a second, exactly or by
 * weak solving (`npm run bench`); before it, only positions that the opening book answers.
 */
export const QUICK_SOLVE_FROM = 12;

/** One solver per thread for every perfect player (its table is cleared for each answer). */
let sharedSolver: Connect4Solver | undefined;

export class Connect4Game implements Game<Connect4State> {
  readonly id = "connect4";
  readonly spec = "connect4";
  readonly height = HEIGHT;
  readonly width = WIDTH;
  readonly actionCount = WIDTH;
  readonly symmetries: readonly Int32Array[] = [Int32Array.from([0, 1, 2, 3, 4, 5, 6]), Int32Array.from([6, 5, 4, 3, 2, 1, 0])];
  readonly cellSymmetries: readonly Int32Array[] = [
    Int32Array.from({ length: CELLS }, (_, c) => c),
    Int32Array.from({ length: CELLS }, (_, c) => c - (c % WIDTH) + (WIDTH - 1 - (c % WIDTH))),
  ];
  readonly planes = 5;
  readonly planeVersion = C4_PLANE_VERSION;
  readonly openingMoves = 1;
  readonly hasExpertPlayouts = false;
  readonly boardStyle = "cells";

  /**
   * Planes "c4-v1", cells row-major with the top row first: 0 stones of the side to move,
   * 1 opponent stones, 2 the playable cell of each open column, 3 all ones if the first player
   * is to move, 4 all ones.
   */
  encode(state: Connect4State, out: Float32Array, offset = 0): void {
    out.fill(0, offset, offset + this.planes * CELLS);
    for (let col = 0; col < WIDTH; col++) {
      const height = state.columnHeight(col);
      for (let row = 0; row < height; row++) {
        const cell = (HEIGHT - 1 - row) * WIDTH + col;
        const who = state.cell(col, row) - 1; // 0 first player, 1 second
        out[offset + (who === state.toPlay ? 0 : 1) * CELLS + cell] = 1;
      }
      if (height < HEIGHT && !state.ended) out[offset + 2 * CELLS + (HEIGHT - 1 - height) * WIDTH + col] = 1;
    }
    if (state.toPlay === 0) out.fill(1, offset + 3 * CELLS, offset + 4 * CELLS);
    out.fill(1, offset + 4 * CELLS, offset + 5 * CELLS);
  }

  newState(): Connect4State {
    return new Connect4State();
  }

  actionText(action: number): string {
    return columnsText([action]);
  }

  parseAction(text: string): number {
    const t = text.trim();
    if (!/^[1-7]$/.test(t)) throw new InputError(`"${text}" is not a Connect Four column (1-7)`);
    return Number(t) - 1;
  }

  parseMoves(text: string): number[] {
    const t = text.trim();
    if (t === "") return [];
    // "4453" (Pons's format) or separated columns "4 4 5 3".
    return (/^\d+$/.test(t) ? [...t] : t.split(/[\s,]+/)).map((c) => this.parseAction(c));
  }

  sideName(player: Player): string {
    return player === 0 ? "first player" : "second player";
  }

  randomMove(state: Connect4State, rng: Rng): number {
    const legal: number[] = [];
    for (let col = 0; col < WIDTH; col++) if (state.canPlay(col)) legal.push(col);
    return legal[rng.int(legal.length)]!;
  }

  playout(state: Connect4State, rng: Rng): void {
    while (!state.ended) state.playLegal(this.randomMove(state, rng));
  }

  movesText(actions: readonly number[]): string {
    return columnsText(actions);
  }

  replay(stored: StoredGame, visit?: (state: Connect4State, action: number, index: number) => void): Connect4State {
    return connect4FromMoves(stored.moves, visit);
  }

  rulesColumns(): RulesColumns {
    return { game: this.id, spec: this.spec, boardSize: null, rules: null, komi: null };
  }

  /**
   * Perfect play in the game-theoretic sense: the opening book's best columns where it has the
   * position, elsewhere the columns that keep the value, found by weak solving
   * (`Connect4Solver.bestMovesWeak`: a win stays a win and is won, a draw stays a draw; not
   * necessarily the fastest win). Quick: late enough, or answered without search (the book holds
   * the position or the value of every position after it).
   */
  perfectPlay(): PerfectPlay<Connect4State> {
    if (!sharedSolver) {
      sharedSolver = new Connect4Solver();
      sharedSolver.book = Connect4Book.builtin();
    }
    const solver = sharedSolver;
    return {
      bestMoves: (state) => solver.bestMovesWeak(state).moves,
      isQuick: (state) => state.moveCount >= QUICK_SOLVE_FROM || solver.answersAtOnce(state),
    };
  }
}
