/**
 * Exact Connect Four solver: negamax with alpha-beta pruning, a transposition table, move
 * ordering (centre first, then by the number of threats a move creates), pruning of moves that
 * lose at once, and a null-window binary search over the score — the design of Pascal Pons's
 * solver (blog.gamesolver.org), written here for two-word bitboards. Weak solving (win, draw or
 * loss only: null windows around 0) finds the moves a perfect player needs (`bestMovesWeak`).
 *
 * Scores follow Pons's convention: for the side to move, 0 is a draw; a win with its k-th own
 * stone scores 22 - k (positive, larger = sooner); a loss the negative of the winner's score.
 */
import { BOARD_HI, BOARD_LO, BOTTOM_HI, BOTTOM_LO, CELLS, COLUMN_HI, COLUMN_LO, popcount32, WIDTH, winningCells } from "./bitboard.js";
import * as bits from "./bitboard.js";
import type { Connect4Book } from "./book.js";
import type { Connect4State } from "./state.js";

export const MIN_SCORE = -(CELLS / 2) + 3;
export const MAX_SCORE = (CELLS + 1) / 2 - 3 | 0;

/** Centre-first column order. */
const COLUMN_ORDER = [3, 2, 4, 1, 5, 0, 6];

const div2 = (x: number): number => Math.trunc(x / 2);
const sign = (score: number): Value => (score > 0 ? 1 : score < 0 ? -1 : 0);
/** The value for the other side (null stays null). */
const opposite = (value: Value | null): Value | null => (value === null ? null : value === 0 ? 0 : (-value as Value));

/**
 * From this many stones on, `bestMovesWeak` picks the slowest loss in a lost position by exact
 * search (a few seconds at most there); before it only moves that lose at once are avoided.
 */
export const RESIST_EXACTLY_FROM = 12;

/** Most positions `bestMovesWeak` visits to show that one more column keeps the value. */
export const WEAK_EXTRA_NODES = 500_000;

/** Thrown by `negamax` when a bounded search runs out of its budget. */
const OUT_OF_NODES = { outOfNodes: true };

/** One column of `bestMovesWeak`: the position after it and bounds on its value for the mover. */
interface WeakColumn {
  col: number;
  next: Connect4State;
  low: number;
  high: number;
}

export interface SolverStats {
  /** Positions visited by the last `solve`, `solveWeak`, `bestMoves` or `bestMovesWeak`. */
  nodes: number;
}

/** The best columns (0-6, ascending) for the side to move and the score they reach. */
export interface BestMoves {
  score: number;
  moves: number[];
}

/** Game-theoretic value for the side to move: 1 win, 0 draw, -1 loss. */
export type Value = -1 | 0 | 1;

/**
 * The columns (0-6, ascending) that keep the value of the position for the side to move, and that
 * value. A loss keeps its value whatever the move: then the moves are those that resist (see
 * `bestMovesWeak`).
 */
export interface ValueMoves {
  value: Value;
  moves: number[];
}

/** Progress of an exact solve, reported after each null-window step (see `onProgress`). */
export interface SolveProgress {
  /** The score is known to lie in [low, high]. */
  low: number;
  high: number;
  /** Positions visited and seconds spent since the solve began. */
  nodes: number;
  seconds: number;
}

export class Connect4Solver {
  /**
   * Transposition table: 2^tableBits slots of two words, in buckets of two slots (16 bytes, one
   * cache line). Word 0: low key word (28 bits) | stones on the board / 4 << 28; word 1: high key
   * word (21 bits) << 8 | stored bound (0 = empty). The first slot of a bucket keeps the position
   * nearer the root (more work behind it), the second the latest other one.
   */
  private readonly table: Uint32Array;
  private readonly bucketShift: number;
  readonly stats: SolverStats = { nodes: 0 };
  /** Exact answers (and values) for positions near the start, consulted before any search (see book.ts). */
  book: Connect4Book | null = null;
  /** Called after each null-window step of an exact search (`solve`, the exact parts of `bestMoves`). */
  onProgress: ((progress: SolveProgress) => void) | null = null;
  /** Visited positions at which a bounded search stops (see `bounded`). */
  private nodeLimit = Infinity;
  private readonly moveLo = new Int32Array((CELLS + 1) * 8);
  private readonly moveHi = new Int32Array((CELLS + 1) * 8);
  private readonly moveScore = new Int32Array((CELLS + 1) * 8);

  /** `tableBits`: log2 of the transposition-table slots (8 bytes each); 2^22 = 32 MiB. */
  constructor(tableBits = 22) {
    if (!Number.isInteger(tableBits) || tableBits < 2 || tableBits > 28) throw new RangeError(`tableBits must be a whole number in 2..28, got ${tableBits}`);
    this.table = new Uint32Array(2 << tableBits);
    this.bucketShift = 33 - tableBits;
  }

  /** Forgets every stored position. */
  reset(): void {
    this.table.fill(0);
  }

  /** The exact score of a position that is not over, for the side to move. */
  solve(state: Connect4State): number {
    if (state.ended) throw new RangeError("solve: the game is over");
    this.stats.nodes = 0;
    return this.book?.lookup(state)?.score ?? this.exact(state);
  }

  private exact(state: Connect4State): number {
    const { curLo, curHi, maskLo, maskHi, moveCount } = state;
    if (canWinNext(curLo, curHi, maskLo, maskHi)) return div2(CELLS + 1 - moveCount);
    let min = -div2(CELLS - moveCount);
    let max = div2(CELLS + 1 - moveCount);
    const start = this.onProgress ? performance.now() : 0;
    while (min < max) {
      let med = min + div2(max - min);
      if (med <= 0 && div2(min) < med) med = div2(min);
      else if (med >= 0 && div2(max) > med) med = div2(max);
      const r = this.negamax(curLo, curHi, maskLo, maskHi, moveCount, med, med + 1);
      if (r <= med) max = r;
      else min = r;
      this.onProgress?.({ low: min | 0, high: max | 0, nodes: this.stats.nodes, seconds: (performance.now() - start) / 1000 });
    }
    return min | 0; // never -0
  }

  /**
   * The value of a position that is not over, for the side to move: 1 win, 0 draw, -1 loss. A weak
   * solve: one search with the window (-1, 1) instead of `solve`'s several null windows.
   */
  solveWeak(state: Connect4State): Value {
    if (state.ended) throw new RangeError("solveWeak: the game is over");
    this.stats.nodes = 0;
    return this.weak(state);
  }

  private weak(state: Connect4State): Value {
    const known = this.book?.value(state);
    if (known != null) return known;
    if (canWinNext(state.curLo, state.curHi, state.maskLo, state.maskHi)) return 1;
    return sign(this.negamax(state.curLo, state.curHi, state.maskLo, state.maskHi, state.moveCount, -1, 1));
  }

  /**
   * Columns that keep the value of the position (a win stays a win, a draw a draw) — all a perfect
   * player needs — found by weak solving, without exact scores: "does this column win?", then
   * "does it draw?", each a null-window search, column by column (centre first) until one does;
   * a won position can stop at its first winning column. The other columns that keep the value
   * are added when proving so takes at most `WEAK_EXTRA_NODES` positions. The table is cleared before searching,
   * so the answer depends on the position alone. In the opening book: the book's best columns;
   * the book's values (values.ts) settle columns without search.
   *
   * Keeping a win wins: the opponent only ever faces lost positions, and the game is finite and
   * cannot end in a draw then. In a lost position every move keeps the value (-1); the columns
   * returned resist: from `RESIST_EXACTLY_FROM` stones on those of the slowest loss (exact
   * `bestMoves`, quick there), before it those that do not lose at once.
   */
  bestMovesWeak(state: Connect4State): ValueMoves {
    if (state.ended) throw new RangeError("bestMovesWeak: the game is over");
    this.stats.nodes = 0;
    const known = this.book?.lookup(state);
    if (known) return { value: sign(known.score), moves: known.moves };
    const columns = this.weakColumns(state);
    const wins = columns.filter((c) => c.next.won);
    if (wins.length > 0) return { value: 1, moves: wins.map((c) => c.col).sort((a, b) => a - b) };
    // The answer depends on the position alone: budgets count visited positions, so start empty.
    if (columns.some((c) => c.low < c.high)) this.reset();
    let value: Value = -1;
    for (const target of [1, 0] as const) {
      if (columns.some((c) => c.low >= target) || this.proveSome(columns, target)) {
        value = target;
        break;
      }
    }
    if (value === -1) {
      if (state.moveCount >= RESIST_EXACTLY_FROM) {
        const nodes = this.stats.nodes;
        const { moves } = this.bestMoves(state);
        this.stats.nodes += nodes;
        return { value, moves };
      }
      const resisting = columns.filter((c) => c.next.ended || !canWinNext(c.next.curLo, c.next.curHi, c.next.maskLo, c.next.maskHi));
      return { value, moves: (resisting.length > 0 ? resisting : columns).map((c) => c.col).sort((a, b) => a - b) };
    }
    for (const column of columns) {
      if (column.low < value && column.high >= value && this.bounded(column.next, -value, WEAK_EXTRA_NODES) === true) column.low = value;
    }
    return { value, moves: columns.filter((c) => c.low >= value).map((c) => c.col).sort((a, b) => a - b) };
  }

  /**
   * Whether `bestMovesWeak` answers without searching: the game is over, the book holds the
   * position or the value of every position after it, or a column wins at once.
   */
  answersAtOnce(state: Connect4State): boolean {
    if (state.ended || this.book?.lookup(state)) return true;
    const columns = this.weakColumns(state);
    return columns.some((c) => c.next.won) || columns.every((c) => c.low === c.high);
  }

  /** Every open column with the position after it and what is known of its value without search. */
  private weakColumns(state: Connect4State): WeakColumn[] {
    const columns: WeakColumn[] = [];
    for (const col of COLUMN_ORDER) {
      if (!state.canPlay(col)) continue;
      const next = state.clone();
      next.playLegal(col);
      const known = next.won ? 1 : next.ended ? 0 : canWinNext(next.curLo, next.curHi, next.maskLo, next.maskHi) ? -1 : this.book ? opposite(this.book.value(next)) : null;
      columns.push({ col, next, low: known ?? -1, high: known ?? 1 });
    }
    return columns;
  }

  /**
   * Proves for one column that its value reaches `target` (true), or for every column that it
   * does not (false), updating their bounds. Columns in centre-first order, each searched to the
   * end: the first columns are the likely ones (rounds over all columns with growing node budgets,
   * cheapest proof first, visited 40-50% more positions on positions of 4 stones).
   */
  private proveSome(columns: WeakColumn[], target: 0 | 1): boolean {
    for (const column of columns) {
      if (column.high < target) continue;
      if (this.atMost(column.next, -target)) {
        column.low = target;
        return true;
      }
      column.high = target - 1;
    }
    return false;
  }

  /** `atMost` within a budget of visited positions; null when the budget runs out first. */
  private bounded(state: Connect4State, bound: number, budget: number): boolean | null {
    this.nodeLimit = this.stats.nodes + budget;
    try {
      return this.atMost(state, bound);
    } catch (error) {
      if (error === OUT_OF_NODES) return null;
      throw error;
    } finally {
      this.nodeLimit = Infinity;
    }
  }

  /**
   * The score of every column for the side to move (null for a full column): the score the mover
   * gets by playing there.
   */
  analyze(state: Connect4State): (number | null)[] {
    const scores: (number | null)[] = [];
    for (let col = 0; col < WIDTH; col++) {
      if (!state.isLegal(col)) {
        scores.push(null);
        continue;
      }
      const next = state.clone();
      next.playLegal(col);
      scores.push(next.won ? div2(CELLS + 1 - state.moveCount) : next.ended ? 0 : 0 - this.solve(next));
    }
    return scores;
  }

  /**
   * Every column that reaches the best score for the side to move, and that score. Cheaper than
   * `analyze`: one column is solved exactly, each other one is first only tested against the best
   * score so far with a null-window search (is it at least as good? better?), and solved exactly
   * only when it is better.
   */
  bestMoves(state: Connect4State): BestMoves {
    if (state.ended) throw new RangeError("bestMoves: the game is over");
    this.stats.nodes = 0;
    const known = this.book?.lookup(state);
    if (known) return known;
    const children: [number, Connect4State][] = [];
    const wins: number[] = [];
    for (const col of COLUMN_ORDER) {
      if (!state.canPlay(col)) continue;
      const next = state.clone();
      next.playLegal(col);
      if (next.won) wins.push(col);
      children.push([col, next]);
    }
    if (wins.length > 0) return { score: div2(CELLS + 1 - state.moveCount), moves: wins.sort((a, b) => a - b) };
    let best = -Infinity;
    let moves: number[] = [];
    for (const [col, next] of children) {
      let value: number;
      const inBook = this.book?.lookup(next);
      if (next.ended) value = 0;
      else if (inBook) value = -inBook.score;
      else if (best === -Infinity || canWinNext(next.curLo, next.curHi, next.maskLo, next.maskHi)) value = -this.exact(next);
      else if (!this.atMost(next, -best)) continue; // worse than the best so far
      else value = this.atMost(next, -best - 1) ? -this.exact(next) : best;
      if (value > best) {
        best = value;
        moves = [];
      }
      if (value === best) moves.push(col);
    }
    return { score: best + 0, moves: moves.sort((a, b) => a - b) }; // never -0
  }

  /** Whether the score of `state` (not over; the mover cannot win at once) is at most `bound`. */
  private atMost(state: Connect4State, bound: number): boolean {
    return this.negamax(state.curLo, state.curHi, state.maskLo, state.maskHi, state.moveCount, bound, bound + 1) <= bound;
  }

  private negamax(curLo: number, curHi: number, maskLo: number, maskHi: number, moves: number, alpha: number, beta: number): number {
    if (++this.stats.nodes > this.nodeLimit) throw OUT_OF_NODES;
    // Moves that do not hand the opponent an immediate win.
    const possLo0 = (maskLo + BOTTOM_LO) & BOARD_LO;
    const possHi0 = (maskHi + BOTTOM_HI) & BOARD_HI;
    winningCells(curLo ^ maskLo, curHi ^ maskHi, maskLo, maskHi);
    const oppLo = bits.winLo, oppHi = bits.winHi;
    let possLo = possLo0, possHi = possHi0;
    const forcedLo = possLo & oppLo, forcedHi = possHi & oppHi;
    if ((forcedLo | forcedHi) !== 0) {
      // Two forced blocks: lost.
      if ((forcedLo & (forcedLo - 1)) !== 0 || (forcedHi & (forcedHi - 1)) !== 0 || (forcedLo !== 0 && forcedHi !== 0)) {
        return -div2(CELLS - moves);
      }
      possLo = forcedLo;
      possHi = forcedHi;
    }
    // Never play just below a cell where the opponent would complete four.
    possLo &= ~(oppLo >>> 1);
    possHi &= ~(oppHi >>> 1);
    if ((possLo | possHi) === 0) return -div2(CELLS - moves);
    if (moves >= CELLS - 2) return 0;

    let min = -div2(CELLS - 2 - moves);
    if (alpha < min) {
      alpha = min;
      if (alpha >= beta) return alpha;
    }
    let max = div2(CELLS - 1 - moves);
    if (beta > max) {
      beta = max;
      if (alpha >= beta) return beta;
    }

    // Transposition table: key = cur + mask (unique per position).
    const keyLo = (curLo + maskLo) >>> 0, keyHi = (curHi + maskHi) >>> 0;
    const table = this.table;
    const bucket = ((Math.imul(keyLo ^ Math.imul(keyHi, 0x2c1b3c6d), 0x9e3779b1) ^ Math.imul(keyHi + 0x632be5ab, 0x85ebca77)) >>> this.bucketShift) << 2;
    const stored =
      (table[bucket]! & KEY_LO_MASK) === keyLo && table[bucket + 1]! >>> 8 === keyHi ? table[bucket + 1]!
      : (table[bucket + 2]! & KEY_LO_MASK) === keyLo && table[bucket + 3]! >>> 8 === keyHi ? table[bucket + 3]!
      : 0;
    if (stored !== 0) {
      const val = stored & 0xff;
      if (val > MAX_SCORE - MIN_SCORE + 1) {
        min = val + 2 * MIN_SCORE - MAX_SCORE - 2;
        if (alpha < min) {
          alpha = min;
          if (alpha >= beta) return alpha;
        }
      } else {
        max = val + MIN_SCORE - 1;
        if (beta > max) {
          beta = max;
          if (alpha >= beta) return beta;
        }
      }
    }

    // Order the candidate moves by the threats they create, centre first among equals.
    // One 8-slot row of the move buffers per ply (each recursion level has its own move count).
    const moveLo = this.moveLo, moveHi = this.moveHi, moveScore = this.moveScore;
    const base = moves * 8;
    let count = 0;
    for (let i = WIDTH - 1; i >= 0; i--) {
      const col = COLUMN_ORDER[i]!;
      const mLo = possLo & COLUMN_LO[col]!, mHi = possHi & COLUMN_HI[col]!;
      if ((mLo | mHi) === 0) continue;
      winningCells(curLo | mLo, curHi | mHi, maskLo, maskHi);
      const score = popcount32(bits.winLo) + popcount32(bits.winHi);
      let pos = base + count++;
      while (pos > base && moveScore[pos - 1]! > score) {
        moveLo[pos] = moveLo[pos - 1]!;
        moveHi[pos] = moveHi[pos - 1]!;
        moveScore[pos] = moveScore[pos - 1]!;
        pos--;
      }
      moveLo[pos] = mLo;
      moveHi[pos] = mHi;
      moveScore[pos] = score;
    }

    const nextLo = curLo ^ maskLo, nextHi = curHi ^ maskHi;
    while (count > 0) {
      count--;
      const mLo = moveLo[base + count]!, mHi = moveHi[base + count]!;
      const score = -this.negamax(nextLo, nextHi, maskLo | mLo, maskHi | mHi, moves + 1, -beta, -alpha);
      if (score >= beta) {
        this.store(bucket, keyLo, keyHi, moves, score + MAX_SCORE - 2 * MIN_SCORE + 2);
        return score;
      }
      if (score > alpha) alpha = score;
    }
    this.store(bucket, keyLo, keyHi, moves, alpha - MIN_SCORE + 1);
    return alpha;
  }

  private store(bucket: number, keyLo: number, keyHi: number, moves: number, value: number): void {
    const table = this.table;
    let at: number;
    if ((table[bucket]! & KEY_LO_MASK) === keyLo && table[bucket + 1]! >>> 8 === keyHi) at = bucket;
    else if ((table[bucket + 2]! & KEY_LO_MASK) === keyLo && table[bucket + 3]! >>> 8 === keyHi) at = bucket + 2;
    else if (table[bucket + 1] === 0 || moves >>> 2 <= table[bucket]! >>> 28) {
      // Nearer the root than the first slot's position (or as near): that one moves to the second slot.
      table[bucket + 2] = table[bucket]!;
      table[bucket + 3] = table[bucket + 1]!;
      at = bucket;
    } else at = bucket + 2;
    table[at] = (keyLo | ((moves >>> 2) << 28)) >>> 0;
    table[at + 1] = ((keyHi << 8) | value) >>> 0;
  }
}

/** Bits of the low key word (4 columns of 7 bits). */
const KEY_LO_MASK = (1 << 28) - 1;

/** Whether the side to move can complete four with its next stone. */
function canWinNext(curLo: number, curHi: number, maskLo: number, maskHi: number): boolean {
  winningCells(curLo, curHi, maskLo, maskHi);
  return ((bits.winLo & ((maskLo + BOTTOM_LO) & BOARD_LO)) | (bits.winHi & ((maskHi + BOTTOM_HI) & BOARD_HI))) !== 0;
}

/** Score of a position for the side to move; a finished game scores as the loss it is. */
export function scorePosition(state: Connect4State, solver: Connect4Solver): number {
  if (state.won) return -Math.trunc((CELLS + 2 - state.moveCount) / 2);
  if (state.ended) return 0;
  return solver.solve(state);
}
