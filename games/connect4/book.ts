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
 */
import { existsSync } from "node:fs";
import { InputError } from "../../core/errors.js";
import { packagePath, readTextFile } from "../../core/files.js";
import { CELLS, WIDTH } from "./bitboard.js";
import type { BestMoves } from "./solver.js";
import { columnsText, connect4FromMoves, type Connect4State } from "./state.js";

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
  /** Most stones in a position of the book (-1 when empty). */
  maxPly = -1;

  get size(): number {
    return this.entries.size;
  }

  add(state: Connect4State, best: BestMoves): void {
    const { key, mirrored } = canonicalKey(state);
    this.entries.set(key, { score: best.score, moves: flip(best.moves, mirrored) });
    this.maxPly = Math.max(this.maxPly, state.moveCount);
  }

  lookup(state: Connect4State): BestMoves | null {
    if (state.moveCount > this.maxPly) return null;
    const { key, mirrored } = canonicalKey(state);
    const entry = this.entries.get(key);
    return entry ? { score: entry.score, moves: flip(entry.moves, mirrored) } : null;
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

  /** The shipped book (read once); an empty book if the file is missing. */
  static builtin(): Connect4Book {
    Connect4Book.builtinBook ??= existsSync(BUILTIN_BOOK) ? Connect4Book.load(BUILTIN_BOOK) : new Connect4Book();
    return Connect4Book.builtinBook;
  }
}
