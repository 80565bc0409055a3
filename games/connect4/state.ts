/**
 * Connect Four positions: 7 columns x 6 rows, actions 0..6 = columns from the left (shown and
 * parsed 1-based, "1".."7", as in Pons's move strings). The first player (0) wins by making four
 * in a row first; a full board without four is a draw.
 */
import { IllegalMoveError, InputError, type IllegalReason } from "../../core/errors.js";
import { outcomeFromScore, type Outcome, type Player } from "../../core/player.js";
import type { GameState } from "../game.js";
import { CELLS, hasFour, HEIGHT, LO_COLUMNS, TOP_HI, TOP_LO, WIDTH } from "./bitboard.js";

export class Connect4State implements GameState {
  /** Stones of the player to move. */
  curLo = 0;
  curHi = 0;
  /** All stones. */
  maskLo = 0;
  maskHi = 0;
  moveCount = 0;
  /** True when the player who just moved made four in a row. */
  won = false;

  get toPlay(): Player {
    return (this.moveCount & 1) as Player;
  }

  clone(): this {
    const copy = new Connect4State();
    copy.curLo = this.curLo;
    copy.curHi = this.curHi;
    copy.maskLo = this.maskLo;
    copy.maskHi = this.maskHi;
    copy.moveCount = this.moveCount;
    copy.won = this.won;
    return copy as this;
  }

  copyFrom(other: this): void {
    this.curLo = other.curLo;
    this.curHi = other.curHi;
    this.maskLo = other.maskLo;
    this.maskHi = other.maskHi;
    this.moveCount = other.moveCount;
    this.won = other.won;
  }

  get ended(): boolean {
    return this.won || this.moveCount === CELLS;
  }

  outcome(): Outcome | null {
    if (this.won) return outcomeFromScore(this.toPlay === 1 ? 1 : -1, "connect");
    if (this.moveCount === CELLS) return outcomeFromScore(0, "full-board");
    return null;
  }

  /** Whether column `col` has room. */
  canPlay(col: number): boolean {
    return col < LO_COLUMNS ? (this.maskLo & TOP_LO[col]!) === 0 : (this.maskHi & TOP_HI[col]!) === 0;
  }

  illegalReason(action: number): IllegalReason | null {
    if (!Number.isInteger(action) || action < 0 || action >= WIDTH) return "off-board";
    if (this.ended) return "game-over";
    return this.canPlay(action) ? null : "full-column";
  }

  isLegal(action: number): boolean {
    return this.illegalReason(action) === null;
  }

  legalMask(out?: Uint8Array): Uint8Array {
    const mask = out ?? new Uint8Array(WIDTH);
    const open = !this.ended;
    for (let col = 0; col < WIDTH; col++) mask[col] = open && this.canPlay(col) ? 1 : 0;
    return mask;
  }

  play(action: number): void {
    const reason = this.illegalReason(action);
    if (reason !== null) throw new IllegalMoveError(reason);
    this.playLegal(action);
  }

  playLegal(col: number): void {
    // The mover's stones become "opponent of the side to move" after the move.
    this.curLo ^= this.maskLo;
    this.curHi ^= this.maskHi;
    if (col < LO_COLUMNS) this.maskLo |= this.maskLo + (1 << (col * 7));
    else this.maskHi |= this.maskHi + (1 << ((col - LO_COLUMNS) * 7));
    this.moveCount++;
    // The mover's stones are now mask ^ cur.
    this.won = hasFour(this.curLo ^ this.maskLo, this.curHi ^ this.maskHi);
  }

  /** Number of stones in column `col`. */
  columnHeight(col: number): number {
    const bits = col < LO_COLUMNS ? this.maskLo >>> (col * 7) : this.maskHi >>> ((col - LO_COLUMNS) * 7);
    let h = 0;
    while (h < HEIGHT && (bits >>> h) & 1) h++;
    return h;
  }

  /** 0 empty, 1 first player, 2 second player at (col, row from the bottom). */
  cell(col: number, row: number): number {
    const shift = (col < LO_COLUMNS ? col : col - LO_COLUMNS) * 7 + row;
    const m = col < LO_COLUMNS ? this.maskLo : this.maskHi;
    if (((m >>> shift) & 1) === 0) return 0;
    const cur = col < LO_COLUMNS ? this.curLo : this.curHi;
    const mine = ((cur >>> shift) & 1) === 1;
    return (mine ? this.toPlay : 1 - this.toPlay) + 1;
  }

  /** Pons's unique key: position + mask as a 49-bit integer. */
  hash(): bigint {
    const lo = (this.curLo + this.maskLo) >>> 0, hi = (this.curHi + this.maskHi) >>> 0;
    return (BigInt(hi) << 28n) + BigInt(lo);
  }

  cells(): Uint8Array {
    const out = new Uint8Array(HEIGHT * WIDTH);
    for (let row = 0; row < HEIGHT; row++) for (let col = 0; col < WIDTH; col++) out[row * WIDTH + col] = this.cell(col, HEIGHT - 1 - row);
    return out;
  }

  toString(): string {
    const rows: string[] = [];
    for (let row = HEIGHT - 1; row >= 0; row--) {
      let line = "";
      for (let col = 0; col < WIDTH; col++) line += ".XO"[this.cell(col, row)];
      rows.push(line);
    }
    return rows.join("\n");
  }
}

/** Columns (0-6) as Pons's move text: digits 1-7, "4453". The one writer of column text. */
export function columnsText(cols: readonly number[]): string {
  return cols.map((c) => c + 1).join("");
}

/**
 * The position after a move string (columns 1-7 from the empty board), calling `visit` before
 * each move. The one reader of column text: an invalid column, a full column or a move after four
 * in a row is an InputError naming the move.
 */
export function connect4FromMoves(moves: string, visit?: (state: Connect4State, col: number, index: number) => void): Connect4State {
  const state = new Connect4State();
  for (let i = 0; i < moves.length; i++) {
    const ch = moves[i]!;
    const move = i + 1;
    if (ch < "1" || ch > "7") throw new InputError(`invalid column '${ch}' at move ${move} (columns are 1-7)`);
    if (state.won) throw new InputError(`move ${move} (column ${ch}) comes after the game ended with four in a row at move ${move - 1}`);
    const col = ch.charCodeAt(0) - 49;
    if (!state.canPlay(col)) throw new InputError(`column ${ch} is full at move ${move}`);
    visit?.(state, col, i);
    state.playLegal(col);
  }
  return state;
}
