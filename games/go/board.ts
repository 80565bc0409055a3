/**
 * The raw Go board: stones, chains with exact liberty counts, and a Zobrist hash, all updated
 * incrementally. It knows nothing of whose turn it is, ko, passes or history (see state.ts).
 *
 * Layout: a padded 1-D array. With N the board size and stride S = N + 1, point (x, y)
 * (x = column from the left, y = row from the top, both 0-based) lives at (y + 1) * S + x + 1.
 * Column 0 of every row and rows 0 and N + 1 are border, so the four neighbours of a point are
 * p - 1, p + 1, p - S, p + S and never fall outside the array.
 */
import { Rng } from "../../core/rng.js";

export const EMPTY = 0;
export const BLACK_STONE = 1;
export const WHITE_STONE = 2;
export const BORDER = 3;
/** 1 (black) or 2 (white). */
export type StoneColor = 1 | 2;

export const MIN_SIZE = 2;
export const MAX_SIZE = 19;

const MAX_CELLS = (MAX_SIZE + 2) * (MAX_SIZE + 1) + 1;

/** Zobrist keys, 64 bits as two 32-bit halves per (colour, cell); fixed forever (hashes are stored). */
const ZOBRIST_LO = new Int32Array(3 * MAX_CELLS);
const ZOBRIST_HI = new Int32Array(3 * MAX_CELLS);
{
  const rng = Rng.fromSeed("fossil go zobrist v1");
  for (let i = 0; i < ZOBRIST_LO.length; i++) {
    ZOBRIST_LO[i] = rng.u32() | 0;
    ZOBRIST_HI[i] = rng.u32() | 0;
  }
}
/** Keys of a stone of `color` at padded cell `p` (same cell numbering for every board size). */
export function zobristLo(color: StoneColor, p: number): number {
  return ZOBRIST_LO[color * MAX_CELLS + p]!;
}
export function zobristHi(color: StoneColor, p: number): number {
  return ZOBRIST_HI[color * MAX_CELLS + p]!;
}

/** The arrays a board keeps, all views of one buffer (`carve`). */
interface BoardArrays {
  color: Uint8Array;
  head: Int16Array;
  next: Int16Array;
  libs: Int16Array;
  chainSize: Int16Array;
  chainHashLo: Int32Array;
  chainHashHi: Int32Array;
  empties: Int16Array;
  emptyIndex: Int16Array;
  stones: Int32Array;
  mark: Int32Array;
}

/**
 * Per board size: the cell of each action index (the pass, N², reads a border cell) and the action
 * index of each cell (-1: border). Shared by every board.
 */
const indexTables = new Map<number, { pointAt: Int16Array; actionAt: Int16Array }>();
function indexTable(size: number): { pointAt: Int16Array; actionAt: Int16Array } {
  let table = indexTables.get(size);
  if (!table) {
    const stride = size + 1;
    const pointAt = new Int16Array(size * size + 1);
    pointAt[size * size] = (size + 1) * stride + 1;
    const actionAt = new Int16Array((size + 2) * stride + 1).fill(-1);
    for (let a = 0; a < size * size; a++) {
      const x = a % size, y = (a - x) / size;
      pointAt[a] = (y + 1) * stride + x + 1;
      actionAt[pointAt[a]!] = a;
    }
    table = { pointAt, actionAt };
    indexTables.set(size, table);
  }
  return table;
}

/** Bytes of a board's buffer: its 32-bit arrays first, then the 16-bit ones, then the colours. */
function boardBytes(cells: number, area: number): number {
  return 4 * (3 * cells + 3) + 2 * (5 * cells + area) + cells;
}

/**
 * A board's arrays as views of one buffer: a clone is one allocation and one copy, `copyFrom`
 * one copy (V8 gives every typed array of over 64 bytes its own buffer, about 1 µs each).
 */
function carve(buffer: ArrayBufferLike, cells: number, area: number): BoardArrays {
  let at = 0;
  const take = <T>(make: { new (b: ArrayBufferLike, at: number, n: number): T; BYTES_PER_ELEMENT: number }, n: number): T => {
    const view = new make(buffer, at, n);
    at += n * make.BYTES_PER_ELEMENT;
    return view;
  };
  const arrays = {
    chainHashLo: take(Int32Array, cells),
    chainHashHi: take(Int32Array, cells),
    mark: take(Int32Array, cells),
    stones: take(Int32Array, 3),
    head: take(Int16Array, cells),
    next: take(Int16Array, cells),
    libs: take(Int16Array, cells),
    chainSize: take(Int16Array, cells),
    emptyIndex: take(Int16Array, cells),
    empties: take(Int16Array, area),
    color: take(Uint8Array, cells),
  };
  if (at !== buffer.byteLength) throw new RangeError(`board buffer of ${buffer.byteLength} bytes for arrays of ${at}`);
  return arrays;
}

export class Board {
  readonly size: number;
  readonly stride: number;
  /** Length of the padded arrays. */
  readonly cells: number;
  /** EMPTY, BLACK_STONE, WHITE_STONE or BORDER per cell. */
  readonly color: Uint8Array;
  /** Chain representative ("head") of each stone. */
  readonly head: Int16Array;
  /** Next stone of the same chain (circular list). */
  readonly next: Int16Array;
  /** Per chain head: number of distinct empty points adjacent to the chain. */
  readonly libs: Int16Array;
  /** Per chain head: number of stones. */
  readonly chainSize: Int16Array;
  /** Per chain head: XOR of the Zobrist keys of its stones. */
  readonly chainHashLo: Int32Array;
  readonly chainHashHi: Int32Array;
  /** The empty points, in no particular order, and each empty point's index in that list. */
  readonly empties: Int16Array;
  readonly emptyIndex: Int16Array;
  emptyCount: number;
  /** Stones on the board per colour (index 1 and 2). */
  readonly stones: Int32Array;
  hashLo = 0;
  hashHi = 0;
  /** Scratch marks for liberty counting and flood fills. */
  private readonly mark: Int32Array;
  private markGen = 0;
  /** The buffer behind every array above, as bytes. */
  private readonly bytes: Uint8Array;
  /** indexTable(size), shared by every board of the size. */
  private readonly pointAt: Int16Array;
  private readonly actionAt: Int16Array;

  /** An empty board, or (with `source`) a copy of `source`: every board is built here, so all share one shape. */
  constructor(size: number, source?: Board) {
    if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) {
      throw new RangeError(`board size must be an integer from ${MIN_SIZE} to ${MAX_SIZE}, got ${size}`);
    }
    this.size = size;
    this.stride = size + 1;
    this.cells = (size + 2) * this.stride + 1;
    const n = this.cells;
    ({ pointAt: this.pointAt, actionAt: this.actionAt } = indexTable(size));
    this.bytes = source ? source.bytes.slice() : new Uint8Array(boardBytes(n, size * size));
    const arrays = carve(this.bytes.buffer, n, size * size);
    this.color = arrays.color;
    this.head = arrays.head;
    this.next = arrays.next;
    this.libs = arrays.libs;
    this.chainSize = arrays.chainSize;
    this.chainHashLo = arrays.chainHashLo;
    this.chainHashHi = arrays.chainHashHi;
    this.empties = arrays.empties;
    this.emptyIndex = arrays.emptyIndex;
    this.stones = arrays.stones;
    this.mark = arrays.mark;
    this.emptyCount = 0;
    if (source) {
      this.emptyCount = source.emptyCount;
      this.hashLo = source.hashLo;
      this.hashHi = source.hashHi;
      // The marks were copied too: carry on from the generation they were left at.
      this.markGen = source.markGen;
      return;
    }
    this.color.fill(BORDER);
    this.emptyIndex.fill(-1);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const p = this.point(x, y);
        this.color[p] = EMPTY;
        this.emptyIndex[p] = this.emptyCount;
        this.empties[this.emptyCount++] = p;
      }
    }
  }


  /** Padded cell of (x, y). */
  point(x: number, y: number): number {
    return (y + 1) * this.stride + x + 1;
  }
  /** Column (0-based, from the left) of cell p. */
  xOf(p: number): number {
    return (p % this.stride) - 1;
  }
  /** Row (0-based, from the top) of cell p. */
  yOf(p: number): number {
    return Math.floor(p / this.stride) - 1;
  }
  /** Action index (y * size + x) of cell p (a point on the board). */
  actionOf(p: number): number {
    return this.actionAt[p]!;
  }
  /** Cell of action index a (a < size * size). */
  pointOfAction(a: number): number {
    return this.pointAt[a]!;
  }

  clone(): Board {
    return new Board(this.size, this);
  }

  /** Makes this board a copy of `other` (same size) without allocating. */
  copyFrom(other: Board): void {
    if (other.size !== this.size) throw new RangeError("copyFrom: board sizes differ");
    this.bytes.set(other.bytes);
    this.emptyCount = other.emptyCount;
    this.hashLo = other.hashLo;
    this.hashHi = other.hashHi;
    // The marks were copied too: carry on from the generation they were left at.
    this.markGen = other.markGen;
  }

  /**
   * Whether `color` may play at empty cell p as far as the board alone decides: false if the
   * move would be suicide (no liberty after capturing). Ko and superko are the history's concern.
   */
  isSuicide(p: number, color: StoneColor): boolean {
    const c = this.color, head = this.head, libs = this.libs, s = this.stride;
    const opp = 3 - color;
    let q = p - 1;
    for (let k = 0; k < 4; k++) {
      const cq = c[q]!;
      if (cq === EMPTY) return false;
      if (cq === color) {
        if (libs[head[q]!]! > 1) return false;
      } else if (cq === opp) {
        if (libs[head[q]!]! === 1) return false;
      }
      q = k === 0 ? p + 1 : k === 1 ? p - s : p + s;
    }
    return true;
  }

  /**
   * Hash of the board after `color` plays at empty cell p (captures included), as two halves
   * written to `out[0]` (lo) and `out[1]` (hi); returns the number of stones it would capture.
   */
  hashAfter(p: number, color: StoneColor, out: Int32Array): number {
    const c = this.color, head = this.head, s = this.stride;
    const opp = 3 - color;
    let lo = this.hashLo ^ ZOBRIST_LO[color * MAX_CELLS + p]!;
    let hi = this.hashHi ^ ZOBRIST_HI[color * MAX_CELLS + p]!;
    let captured = 0;
    let h0 = -1, h1 = -1, h2 = -1;
    for (let k = 0; k < 4; k++) {
      const q = k === 0 ? p - 1 : k === 1 ? p + 1 : k === 2 ? p - s : p + s;
      if (c[q] !== opp) continue;
      const h = head[q]!;
      if (this.libs[h] !== 1 || h === h0 || h === h1 || h === h2) continue;
      if (h0 < 0) h0 = h;
      else if (h1 < 0) h1 = h;
      else h2 = h;
      lo ^= this.chainHashLo[h]!;
      hi ^= this.chainHashHi[h]!;
      captured += this.chainSize[h]!;
    }
    out[0] = lo;
    out[1] = hi;
    return captured;
  }

  /**
   * Whether empty cell p is a one-point eye of `color`: every neighbour is that colour (or the
   * edge) and the diagonals hold at most one enemy stone (none on the edge), so filling it
   * would only hurt. The playout policy never fills such points.
   */
  isOwnEye(p: number, color: StoneColor): boolean {
    const c = this.color, s = this.stride;
    let edge = 0;
    let q = c[p - 1]!;
    if (q !== color) { if (q !== BORDER) return false; edge = 1; }
    q = c[p + 1]!;
    if (q !== color) { if (q !== BORDER) return false; edge = 1; }
    q = c[p - s]!;
    if (q !== color) { if (q !== BORDER) return false; edge = 1; }
    q = c[p + s]!;
    if (q !== color) { if (q !== BORDER) return false; edge = 1; }
    const opp = 3 - color;
    const bad = (c[p - s - 1] === opp ? 1 : 0) + (c[p - s + 1] === opp ? 1 : 0) + (c[p + s - 1] === opp ? 1 : 0) + (c[p + s + 1] === opp ? 1 : 0);
    return bad + edge < 2;
  }

  /**
   * Places a stone of `color` at empty cell p, merging chains and removing captured enemy chains.
   * The caller guarantees the move is not suicide. Returns the number of stones captured; when
   * exactly one stone was captured, `lastCapturePoint` is where it stood.
   */
  play(p: number, color: StoneColor): number {
    const c = this.color, head = this.head, next = this.next, libs = this.libs, s = this.stride;
    const opp = (3 - color) as StoneColor;
    this.lastCapturePoint = -1;
    this.removeEmpty(p);
    c[p] = color;
    const zlo = ZOBRIST_LO[color * MAX_CELLS + p]!, zhi = ZOBRIST_HI[color * MAX_CELLS + p]!;
    this.hashLo ^= zlo;
    this.hashHi ^= zhi;
    this.stones[color]!++;
    head[p] = p;
    next[p] = p;
    this.chainSize[p] = 1;
    this.chainHashLo[p] = zlo;
    this.chainHashHi[p] = zhi;

    // Enemy chains lose the liberty p (once per distinct chain); remember those left with none.
    let cap0 = -1, cap1 = -1, cap2 = -1, cap3 = -1;
    let seen0 = -1, seen1 = -1, seen2 = -1;
    let ownChains = 0;
    let emptyNeighbours = 0;
    for (let k = 0; k < 4; k++) {
      const q = k === 0 ? p - 1 : k === 1 ? p + 1 : k === 2 ? p - s : p + s;
      const cq = c[q]!;
      if (cq === EMPTY) {
        emptyNeighbours++;
      } else if (cq === opp) {
        const h = head[q]!;
        if (h === seen0 || h === seen1 || h === seen2) continue;
        if (seen0 < 0) seen0 = h;
        else if (seen1 < 0) seen1 = h;
        else seen2 = h;
        if (--libs[h]! === 0) {
          if (cap0 < 0) cap0 = h;
          else if (cap1 < 0) cap1 = h;
          else if (cap2 < 0) cap2 = h;
          else cap3 = h;
        }
      } else if (cq === color) {
        ownChains++;
      }
    }

    // Own chains: join them into one chain with p, then count its liberties.
    if (ownChains === 0) {
      libs[p] = emptyNeighbours;
    } else {
      let ownLibs = 0;
      let merges = 0;
      for (let k = 0; k < 4; k++) {
        const q = k === 0 ? p - 1 : k === 1 ? p + 1 : k === 2 ? p - s : p + s;
        if (c[q] !== color) continue;
        const hq = head[q]!, hp = head[p]!;
        if (hq === hp) continue;
        if (merges === 0) ownLibs = libs[hq]!;
        this.merge(hp, hq);
        merges++;
      }
      if (merges === 1) {
        // p joined one chain: it gains the empty neighbours of p that were not already its liberties.
        const h = head[p]!;
        let gained = 0;
        for (let k = 0; k < 4; k++) {
          const e = k === 0 ? p - 1 : k === 1 ? p + 1 : k === 2 ? p - s : p + s;
          if (c[e] !== EMPTY) continue;
          if (
            (e - 1 === p || c[e - 1] !== color || head[e - 1] !== h) &&
            (e + 1 === p || c[e + 1] !== color || head[e + 1] !== h) &&
            (e - s === p || c[e - s] !== color || head[e - s] !== h) &&
            (e + s === p || c[e + s] !== color || head[e + s] !== h)
          ) gained++;
        }
        libs[h] = ownLibs - 1 + gained;
      } else {
        this.recountLiberties(head[p]!);
      }
    }

    if (cap0 < 0) return 0;
    let captured = this.removeChain(cap0, color);
    if (cap1 >= 0) captured += this.removeChain(cap1, color);
    if (cap2 >= 0) captured += this.removeChain(cap2, color);
    if (cap3 >= 0) captured += this.removeChain(cap3, color);
    this.lastCapturePoint = captured === 1 ? cap0 : -1;
    return captured;
  }

  /** Where the single stone captured by the last `play` stood, or -1. */
  lastCapturePoint = -1;

  /** Merges chain b into chain a or a into b (the smaller into the larger). */
  private merge(a: number, b: number): void {
    const head = this.head, next = this.next;
    if (this.chainSize[a]! < this.chainSize[b]!) {
      const t = a;
      a = b;
      b = t;
    }
    // Relabel the stones of b.
    let q = b;
    do {
      head[q] = a;
      q = next[q]!;
    } while (q !== b);
    // Splice the two circular lists.
    const t = next[a]!;
    next[a] = next[b]!;
    next[b] = t;
    this.chainSize[a]! += this.chainSize[b]!;
    this.chainHashLo[a]! ^= this.chainHashLo[b]!;
    this.chainHashHi[a]! ^= this.chainHashHi[b]!;
    // a's liberty count is fixed up by the caller.
  }

  /** Recounts the liberties of the chain with head h from scratch. */
  private recountLiberties(h: number): void {
    const c = this.color, next = this.next, mark = this.mark, s = this.stride;
    const gen = this.nextMark();
    let count = 0;
    let q = h;
    do {
      if (c[q - 1] === EMPTY && mark[q - 1] !== gen) { mark[q - 1] = gen; count++; }
      if (c[q + 1] === EMPTY && mark[q + 1] !== gen) { mark[q + 1] = gen; count++; }
      if (c[q - s] === EMPTY && mark[q - s] !== gen) { mark[q - s] = gen; count++; }
      if (c[q + s] === EMPTY && mark[q + s] !== gen) { mark[q + s] = gen; count++; }
      q = next[q]!;
    } while (q !== h);
    this.libs[h] = count;
  }

  /** Removes the chain with head h (captured by `capturer`); returns its size. */
  private removeChain(h: number, capturer: StoneColor): number {
    const c = this.color, head = this.head, next = this.next, libs = this.libs, s = this.stride;
    const victim = (3 - capturer) as StoneColor;
    const size = this.chainSize[h]!;
    this.hashLo ^= this.chainHashLo[h]!;
    this.hashHi ^= this.chainHashHi[h]!;
    this.stones[victim]! -= size;
    let q = h;
    do {
      const nq = next[q]!;
      c[q] = EMPTY;
      this.addEmpty(q);
      // Each distinct neighbouring chain of the capturer gains the liberty q.
      let g0 = -1, g1 = -1, g2 = -1;
      for (let k = 0; k < 4; k++) {
        const r = k === 0 ? q - 1 : k === 1 ? q + 1 : k === 2 ? q - s : q + s;
        if (c[r] !== capturer) continue;
        const hr = head[r]!;
        if (hr === g0 || hr === g1 || hr === g2) continue;
        if (g0 < 0) g0 = hr;
        else if (g1 < 0) g1 = hr;
        else g2 = hr;
        libs[hr]!++;
      }
      q = nq;
    } while (q !== h);
    return size;
  }

  private removeEmpty(p: number): void {
    const i = this.emptyIndex[p]!;
    const last = this.empties[--this.emptyCount]!;
    this.empties[i] = last;
    this.emptyIndex[last] = i;
    this.emptyIndex[p] = -1;
  }

  private addEmpty(p: number): void {
    this.emptyIndex[p] = this.emptyCount;
    this.empties[this.emptyCount++] = p;
  }

  private nextMark(): number {
    if (++this.markGen === 0x7fffffff) {
      this.mark.fill(0);
      this.markGen = 1;
    }
    return this.markGen;
  }

  /**
   * Replaces the whole position (setup stones, SGF AB/AW/AE). `stones[a]` is EMPTY, BLACK_STONE or
   * WHITE_STONE per action index. Chains, liberties and the hash are rebuilt from scratch. Returns
   * false, leaving the board unchanged, if some chain would have no liberty.
   */
  setPosition(stones: ArrayLike<number>): boolean {
    const n = this.size;
    const trial = new Board(n);
    for (let a = 0; a < n * n; a++) {
      const v = stones[a]!;
      if (v === EMPTY) continue;
      const p = trial.point(a % n, Math.floor(a / n));
      trial.placeRaw(p, v as StoneColor);
    }
    trial.rebuildChains();
    for (let a = 0; a < n * n; a++) {
      const p = trial.pointOfAction(a);
      if (trial.color[p] !== EMPTY && trial.libs[trial.head[p]!] === 0) return false;
    }
    this.copyFrom(trial);
    return true;
  }

  private placeRaw(p: number, color: StoneColor): void {
    this.removeEmpty(p);
    this.color[p] = color;
    this.stones[color]!++;
    this.hashLo ^= ZOBRIST_LO[color * MAX_CELLS + p]!;
    this.hashHi ^= ZOBRIST_HI[color * MAX_CELLS + p]!;
  }

  /** Rebuilds every chain, liberty count and chain hash from the colours alone. */
  private rebuildChains(): void {
    const c = this.color, s = this.stride;
    const done = this.nextMark();
    const stack: number[] = [];
    for (let p = 0; p < this.cells; p++) {
      const col = c[p]!;
      if ((col !== BLACK_STONE && col !== WHITE_STONE) || this.mark[p] === done) continue;
      // Flood fill the chain from p; p becomes its head.
      stack.length = 0;
      stack.push(p);
      this.mark[p] = done;
      let prev = p;
      let size = 0, lo = 0, hi = 0;
      while (stack.length > 0) {
        const q = stack.pop()!;
        this.head[q] = p;
        if (q !== p) {
          this.next[prev] = q;
          prev = q;
        }
        size++;
        lo ^= ZOBRIST_LO[col * MAX_CELLS + q]!;
        hi ^= ZOBRIST_HI[col * MAX_CELLS + q]!;
        for (const r of [q - 1, q + 1, q - s, q + s]) {
          if (c[r] === col && this.mark[r] !== done) {
            this.mark[r] = done;
            stack.push(r);
          }
        }
      }
      this.next[prev] = p;
      this.chainSize[p] = size;
      this.chainHashLo[p] = lo;
      this.chainHashHi[p] = hi;
    }
    for (let p = 0; p < this.cells; p++) {
      const col = c[p]!;
      if ((col === BLACK_STONE || col === WHITE_STONE) && this.head[p] === p) this.recountLiberties(p);
    }
  }

  /**
   * Tromp–Taylor area count: each colour's stones plus the empty regions that reach only that
   * colour. Returns [blackArea, whiteArea].
   */
  area(): [number, number] {
    const c = this.color, s = this.stride, mark = this.mark;
    let black = this.stones[BLACK_STONE]!, white = this.stones[WHITE_STONE]!;
    const gen = this.nextMark();
    const stack = new Int16Array(this.size * this.size);
    for (let i = 0; i < this.emptyCount; i++) {
      const start = this.empties[i]!;
      if (mark[start] === gen) continue;
      let top = 0;
      stack[top++] = start;
      mark[start] = gen;
      let region = 0;
      let reaches = 0; // bit 1: black, bit 2: white
      while (top > 0) {
        const q = stack[--top]!;
        region++;
        for (let k = 0; k < 4; k++) {
          const r = k === 0 ? q - 1 : k === 1 ? q + 1 : k === 2 ? q - s : q + s;
          const cr = c[r]!;
          if (cr === EMPTY) {
            if (mark[r] !== gen) {
              mark[r] = gen;
              stack[top++] = r;
            }
          } else if (cr !== BORDER) {
            reaches |= cr;
          }
        }
      }
      if (reaches === BLACK_STONE) black += region;
      else if (reaches === WHITE_STONE) white += region;
    }
    return [black, white];
  }

  /** The board as text, one row per line from the top: X black, O white, . empty. */
  toString(): string {
    const rows: string[] = [];
    for (let y = 0; y < this.size; y++) {
      let row = "";
      for (let x = 0; x < this.size; x++) row += ".XO"[this.color[this.point(x, y)]!];
      rows.push(row);
    }
    return rows.join("\n");
  }
}
