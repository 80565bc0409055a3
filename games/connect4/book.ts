/**
 * Connect Four opening book: for positions near the start, the best columns and their exact
 * score. Searching a position a few moves in takes the solver minutes; with the book the
 * `solver` player moves at once until the search is fast.
 *
 * Text format, one position per line, `#` starts a comment:
 *
 *     <moves> <score> <best columns>
 *
 * `moves`: the columns played from the empty board, 1-7 (`-` for the empty board); `score`: the
 * exact score for the side to move (solver.ts's convention: 0 draw, positive a win, larger
 * sooner); `best columns`: every column reaching that score, digits 1-7 ascending. A position
 * and its mirror image share one entry.
 *
 * `fossil c4 book` computes it (resumable, one line appended per position): every position up
 * to a ply that a perfect player of either colour meets on its turn when it plays only best
 * moves and the opponent plays anything — the positions the `solver` player asks about.
 *
 * A book may also hold values alone (win, draw or loss for the side to move, `addValue`): the
 * shipped one takes values.ts's, every position with 3 stones that book.txt lacks, so that the
 * `solver` player, which only needs moves that keep the value (`Connect4Solver.bestMovesWeak`),
 * answers at once after any two opening moves.
 */
import { existsSync } from "node:fs";
import { InputError } from "../../core/errors.js";
import { packagePath, readTextFile } from "../../core/files.js";
import { CELLS, WIDTH } from "./bitboard.js";
import type { BestMoves, Value } from "./solver.js";
import { columnsText, connect4FromMoves, type Connect4State } from "./state.js";
import { VALUE_LINES } from "./values.js";

/** The book shipped with fossil (regenerate with `npm run book:c4`). */
export const BUILTIN_BOOK = packagePath("games", "connect4", "book.txt");

const COLUMN_WEIGHT = Array.from({ length: WIDTH }, (_, c) => 2 ** (7 * c));

/**
 * A position's key (Pons's cur + mask as a 49-bit number) in the orientation that makes it
 * smaller, and whether that is the mirror image.
 */
export function canonicalKey(state: Connect4State): { key: number; mirrored: boolean } {
  const lo = (state.curLo + state.maskLo) >>> 0, hi = (state.curHi + state.maskHi) >>> 0;
  let key = 0, mirror = 0;
  for (let col = 0; col < WIDTH; col++) {
    const bits = col < 4 ? (lo >>> (7 * col)) & 127 : (hi >>> (7 * (col - 4))) & 127;
    key += bits * COLUMN_WEIGHT[col]!;
    mirror += bits * COLUMN_WEIGHT[WIDTH - 1 - col]!;
  }
  return mirror < key ? { key: mirror, mirrored: true } : { key, mirrored: false };
}


const flip = (moves: readonly number[], mirrored: boolean): number[] => (mirrored ? moves.map((c) => WIDTH - 1 - c) : [...moves]).sort((a, b) => a - b);

export class Connect4Book {
  /** Best moves in the canonical orientation, by canonical key. */
  private readonly entries = new Map<number, BestMoves>();
  /** Values alone (win, draw or loss for the side to move) of further positions, by canonical key. */
  private readonly values = new Map<number, Value>();
  /** Most stones in a position of the book (-1 when empty). */
  maxPly = -1;
  /** Most stones in a position with a value alone (-1 when none). */
  private maxValuePly = -1;

  /** Positions with best columns and score. */
  get size(): number {
    return this.entries.size;
  }

  add(state: Connect4State, best: BestMoves): void {
    const { key, mirrored } = canonicalKey(state);
    this.entries.set(key, { score: best.score, moves: flip(best.moves, mirrored) });
    this.maxPly = Math.max(this.maxPly, state.moveCount);
  }

  /** Records the value alone of a position (for the side to move: 1 win, 0 draw, -1 loss). */
  addValue(state: Connect4State, value: Value): void {
    this.values.set(canonicalKey(state).key, value);
    this.maxValuePly = Math.max(this.maxValuePly, state.moveCount);
  }

  lookup(state: Connect4State): BestMoves | null {
    if (state.moveCount > this.maxPly) return null;
    const { key, mirrored } = canonicalKey(state);
    const entry = this.entries.get(key);
    return entry ? { score: entry.score, moves: flip(entry.moves, mirrored) } : null;
  }

  /** The value of a position for the side to move (1 win, 0 draw, -1 loss) when the book knows it. */
  value(state: Connect4State): Value | null {
    if (state.moveCount > this.maxPly && state.moveCount > this.maxValuePly) return null;
    const key = canonicalKey(state).key;
    const entry = this.entries.get(key);
    if (entry) return entry.score > 0 ? 1 : entry.score < 0 ? -1 : 0;
    return this.values.get(key) ?? null;
  }

  /** Reads value lines `<moves> <value>` (value -1, 0 or 1 for the side to move; see values.ts). */
  addValues(text: string, file = "<values>"): void {
    text.split(/\r?\n/).forEach((raw, index) => {
      const where = { file, line: index + 1 };
      const content = raw.replace(/#.*/, "").trim();
      if (content === "") return;
      const fields = content.split(/\s+/);
      if (fields.length !== 2 || !/^(-1|0|1)$/.test(fields[1]!)) throw new InputError(`expected "<moves> <value: -1, 0 or 1>", found "${content}"`, where);
      let state: Connect4State;
      try {
        state = connect4FromMoves(fields[0]!);
      } catch (error) {
        throw error instanceof InputError ? error.at(where) : error;
      }
      if (state.ended) throw new InputError(`the game is over after ${fields[0]}`, where);
      this.addValue(state, Number(fields[1]) as Value);
    });
  }

  /** The book's line for a position reached by `moves` (0-based columns). */
  static line(moves: readonly number[], best: BestMoves): string {
    return `${moves.length === 0 ? "-" : columnsText(moves)} ${best.score} ${columnsText(best.moves)}`;
  }

  /** Reads a book; a malformed line is an InputError naming the file and line. */
  static parse(text: string, file = "<book>"): Connect4Book {
    const book = new Connect4Book();
    text.split(/\r?\n/).forEach((raw, index) => {
      const where = { file, line: index + 1 };
      const content = raw.replace(/#.*/, "").trim();
      if (content === "") return;
      const fields = content.split(/\s+/);
      if (fields.length !== 3) throw new InputError(`expected "<moves> <score> <best columns>", found ${fields.length} field(s)`, where);
      const [moves, scoreText, bestText] = fields as [string, string, string];
      let state: Connect4State;
      try {
        state = connect4FromMoves(moves === "-" ? "" : moves);
      } catch (error) {
        throw error instanceof InputError ? error.at(where) : error;
      }
      if (state.ended) throw new InputError(`the game is over after ${moves}`, where);
      const limit = Math.trunc((CELLS + 1 - state.moveCount) / 2);
      if (!/^-?\d+$/.test(scoreText) || Math.abs(Number(scoreText)) > limit) throw new InputError(`score "${scoreText}" is not a whole number within ±${limit}`, where);
      if (!/^[1-7]+$/.test(bestText)) throw new InputError(`best columns "${bestText}" are not digits 1-7`, where);
      const best = [...new Set([...bestText].map((ch) => Number(ch) - 1))];
      for (const col of best) if (!state.canPlay(col)) throw new InputError(`best column ${col + 1} is full`, where);
      book.add(state, { score: Number(scoreText), moves: best });
    });
    return book;
  }

  static load(file: string): Connect4Book {
    return Connect4Book.parse(readTextFile(file), file);
  }

  private static builtinBook: Connect4Book | undefined;

  /**
   * The shipped book (read once; empty if the file is missing) with the shipped value table
   * (values.ts: the values of the positions one stone past the book's first moves).
   */
  static builtin(): Connect4Book {
    if (!Connect4Book.builtinBook) {
      const book = existsSync(BUILTIN_BOOK) ? Connect4Book.load(BUILTIN_BOOK) : new Connect4Book();
      book.addValues(VALUE_LINES, "games/connect4/values.ts");
      Connect4Book.builtinBook = book;
    }
    return Connect4Book.builtinBook;
  }
}
