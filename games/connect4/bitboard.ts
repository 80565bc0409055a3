/**
 * Connect Four bitboards (7 columns x 6 rows) in the layout of Pascal Pons's solver: bit
 * col·7 + row, row 0 at the bottom, one spare bit on top of each column. That is 49 bits, more
 * than JavaScript's 32-bit integer operations hold, so every bitboard is a pair of words split
 * at a column boundary: `lo` holds columns 0-3 (bits 0-27), `hi` columns 4-6 (bits 0-20). As a
 * 49-bit number a bitboard is lo + hi·2^28. Vertical operations stay inside one word; sideways
 * shifts move bits between the words.
 */

export const WIDTH = 7;
export const HEIGHT = 6;
export const CELLS = WIDTH * HEIGHT;
/** Bits per column (HEIGHT plus the spare bit). */
export const COLUMN_BITS = HEIGHT + 1;
export const LO_COLUMNS = 4;

function columnBits(col: number, rowMask: number): [lo: number, hi: number] {
  return col < LO_COLUMNS ? [(rowMask << (col * COLUMN_BITS)) >>> 0, 0] : [0, (rowMask << ((col - LO_COLUMNS) * COLUMN_BITS)) >>> 0];
}

/** Bottom cell of each column. */
export const BOTTOM_LO = 0x204081; // bits 0, 7, 14, 21
export const BOTTOM_HI = 0x4081; // bits 0, 7, 14
/** Every playable cell (no spare bits). */
export const BOARD_LO = BOTTOM_LO * 0x3f;
export const BOARD_HI = BOTTOM_HI * 0x3f;

/** Bits of column `col` in the lo/hi word. */
export const COLUMN_LO = new Int32Array(WIDTH);
export const COLUMN_HI = new Int32Array(WIDTH);
/** Top playable cell of each column. */
export const TOP_LO = new Int32Array(WIDTH);
export const TOP_HI = new Int32Array(WIDTH);
for (let col = 0; col < WIDTH; col++) {
  [COLUMN_LO[col], COLUMN_HI[col]] = columnBits(col, 0x3f);
  [TOP_LO[col], TOP_HI[col]] = columnBits(col, 1 << (HEIGHT - 1));
}

/** Output registers of `winningCells` (two words returned without allocating). */
export let winLo = 0;
export let winHi = 0;

/**
 * The empty cells that would complete four in a row for the stones `p` (Pons's
 * compute_winning_position), restricted to the board and to cells not in `m` (occupied). Writes
 * the result to `winLo`/`winHi`.
 */
export function winningCells(pLo: number, pHi: number, mLo: number, mHi: number): void {
  // vertical: three stones below.
  let rLo = (pLo << 1) & (pLo << 2) & (pLo << 3);
  let rHi = (pHi << 1) & (pHi << 2) & (pHi << 3);
  // horizontal (shift 7), diagonals (shifts 6 and 8).
  for (let d = 6; d <= 8; d++) {
    const d2 = 2 * d, d3 = 3 * d;
    const l1Lo = pLo << d, l1Hi = (pHi << d) | (pLo >>> (28 - d));
    const l2Lo = pLo << d2, l2Hi = (pHi << d2) | (pLo >>> (28 - d2));
    const l3Lo = pLo << d3, l3Hi = (pHi << d3) | (pLo >>> (28 - d3));
    const r1Lo = (pLo >>> d) | (pHi << (28 - d)), r1Hi = pHi >>> d;
    const r2Lo = (pLo >>> d2) | (pHi << (28 - d2)), r2Hi = pHi >>> d2;
    const r3Lo = (pLo >>> d3) | (pHi << (28 - d3)), r3Hi = pHi >>> d3;
    let aLo = l1Lo & l2Lo, aHi = l1Hi & l2Hi;
    rLo |= aLo & (l3Lo | r1Lo);
    rHi |= aHi & (l3Hi | r1Hi);
    aLo = r1Lo & r2Lo;
    aHi = r1Hi & r2Hi;
    rLo |= aLo & (l1Lo | r3Lo);
    rHi |= aHi & (l1Hi | r3Hi);
  }
  winLo = rLo & (BOARD_LO ^ mLo);
  winHi = rHi & (BOARD_HI ^ mHi);
}

/** Whether the stones `p` contain four in a row. */
export function hasFour(pLo: number, pHi: number): boolean {
  // vertical
  let m = pLo & (pLo >>> 1);
  if (m & (m >>> 2)) return true;
  m = pHi & (pHi >>> 1);
  if (m & (m >>> 2)) return true;
  for (let d = 6; d <= 8; d++) {
    // m = p & (p >> d); four if m & (m >> 2d)
    const mLo = pLo & ((pLo >>> d) | (pHi << (28 - d)));
    const mHi = pHi & (pHi >>> d);
    const d2 = 2 * d;
    if ((mLo & ((mLo >>> d2) | (mHi << (28 - d2))) & BOARD_LO) !== 0) return true;
    if ((mHi & (mHi >>> d2)) !== 0) return true;
  }
  return false;
}

export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}
