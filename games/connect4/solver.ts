/**
 * Exact Connect Four solver: negamax with alpha-beta pruning, a transposition table, move
 * ordering (centre first, then by the number of threats a move creates), pruning of moves that
 * lose at once, and a null-window binary search over the score — the design of Pascal Pons's
 * solver (blog.gamesolver.org), written here for two-word bitboards.
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

export interface SolverStats {
  /** Positions visited by the last `solve` or `bestMoves`. */
  nodes: number;
}

/** The best columns (0-6, ascending) for the side to move and the score they reach. */
export interface BestMoves {
  score: number;
  moves: number[];
}

export class Connect4Solver {
  private readonly tableBits: number;
  private readonly keyLo: Uint32Array;
  /** hi key word << 8 | stored value (0 = empty slot). */
  private readonly entry: Uint32Array;
  readonly stats: SolverStats = { nodes: 0 };
  /** Exact answers for positions near the start, consulted before any search (see book.ts). */
  book: Connect4Book | null = null;
  private readonly moveLo = new Int32Array((CELLS + 1) * 8);
  private readonly moveHi = new Int32Array((CELLS + 1) * 8);
  private readonly moveScore = new Int32Array((CELLS + 1) * 8);

  /** `tableBits`: log2 of the transposition-table entries (8 bytes each); 2^22 = 32 MiB. */
  constructor(tableBits = 22) {
    this.tableBits = tableBits;
    this.keyLo = new Uint32Array(1 << tableBits);
    this.entry = new Uint32Array(1 << tableBits);
  }

  /** Forgets every stored position. */
  reset(): void {
    this.keyLo.fill(0);
    this.entry.fill(0);
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
    while (min < max) {
      let med = min + div2(max - min);
      if (med <= 0 && div2(min) < med) med = div2(min);
      else if (med >= 0 && div2(max) > med) med = div2(max);
      const r = this.negamax(curLo, curHi, maskLo, maskHi, moveCount, med, med + 1);
      if (r <= med) max = r;
      else min = r;
    }
    return min | 0; // never -0
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
    this.stats.nodes++;
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
    const slot = (Math.imul(keyLo ^ Math.imul(keyHi, 0x2c1b3c6d), 0x9e3779b1) ^ Math.imul(keyHi + 0x632be5ab, 0x85ebca77)) >>> (32 - this.tableBits);
    const stored = this.entry[slot]!;
    if (stored !== 0 && this.keyLo[slot] === keyLo && stored >>> 8 === keyHi) {
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
        this.store(slot, keyLo, keyHi, score + MAX_SCORE - 2 * MIN_SCORE + 2);
        return score;
      }
      if (score > alpha) alpha = score;
    }
    this.store(slot, keyLo, keyHi, alpha - MIN_SCORE + 1);
    return alpha;
  }

  private store(slot: number, keyLo: number, keyHi: number, value: number): void {
    this.keyLo[slot] = keyLo;
    this.entry[slot] = ((keyHi << 8) | value) >>> 0;
  }
}

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
