/**
 * The history layer above the raw board: whose turn it is, passes, the end of the game, the
 * move cap, and ko / positional superko against every earlier position of the game.
 *
 * Superko bookkeeping: every position reached after a stone move is recorded as (hash, stone
 * total). A move can only repeat a position that had the same number of stones, so the recorded
 * positions of each stone total are chained (the latest first): the common case (no such
 * position) is a single array read, and otherwise only the positions with that total are
 * compared on the full 64-bit hash, not the whole history. The history is one array of
 * (hash low, hash high, total, previous with that total) entries: a copy is one memcpy.
 */
import { IllegalMoveError, type IllegalReason } from "../../core/errors.js";
import { outcomeFromScore, type Outcome, type Player } from "../../core/player.js";
import type { GameState } from "../game.js";
import { Board, EMPTY, type StoneColor } from "./board.js";
import { makeRules, rulesText, type GoRules } from "./rules.js";

/** Move cap for self-play when none is given: 2·N² moves (AlphaGo Zero used 722 = 2·19² on 19x19). */
export function defaultMoveCap(size: number): number {
  return 2 * size * size;
}

export interface GoStateOptions {
  rules?: GoRules;
  /** Plies after which the game ends and is scored as it stands; Infinity for none (replays). */
  moveCap?: number;
}

const scratch = new Int32Array(2);

/** What an empty point is for the side to move (`GoState.pointKinds`); 0 for a stone. */
export const PLAYABLE = 1;
export const SUICIDE = 2;
/** Not suicide, but it would repeat an earlier position (ko or superko). */
export const REPEATS = 3;

/** Stamps of positions: a state takes a new one whenever it changes (`pointKinds` caches by it). */
let stamps = 0;

/** Hash keys of things outside the board (side to move, passes, rules). */
const TO_PLAY_KEY = 0x5bd1e995n * 0x1000193n;
const rulesKeys = new Map<string, bigint>();
/** FNV-1a hash of the rules text, cached per text. */
function rulesKey(rules: GoRules): bigint {
  const text = rulesText(rules);
  let h = rulesKeys.get(text);
  if (h === undefined) {
    h = 0xcbf29ce484222325n;
    for (const ch of text) h = BigInt.asUintN(64, (h ^ BigInt(ch.charCodeAt(0))) * 0x100000001b3n);
    rulesKeys.set(text, h);
  }
  return h;
}

export class GoState implements GameState {
  readonly board: Board;
  readonly rules: GoRules;
  readonly moveCap: number;
  toPlay: Player = 0;
  moveCount = 0;
  /** Consecutive passes just played (2 ends the game). */
  passes = 0;
  /** Last action played, -1 at the start. */
  lastAction = -1;
  /** The last four actions, most recent first (-1 where none). */
  recentActions = new Int16Array([-1, -1, -1, -1]);
  /** Set when the game ended by resignation or forfeit rather than by the board. */
  private decided: Outcome | null = null;
  /**
   * The positions after stone moves, for superko: entry i is hist[4i .. 4i + 3] = the board hash's
   * low and high halves, its stone total, and the previous entry with the same total (-1: none).
   */
  private hist: Int32Array;
  private histLength = 0;
  /** The latest recorded position with each stone total (-1: none). */
  private lastOfTotal: Int32Array;
  /**
   * This position's stamp, and `pointKinds`' answer with the stamp and side to move it was
   * computed for (`toPlay` is public: replays and GTP set it directly).
   */
  private stamp = ++stamps;
  private kinds: Uint8Array | null = null;
  private kindsStamp = 0;
  private kindsToPlay: Player = 0;

  /** A new game, or (with `source`) a copy of `source`: every state is built here, so all share one shape. */
  constructor(size: number, options: GoStateOptions = {}, source?: GoState) {
    this.board = source ? source.board.clone() : new Board(size);
    this.rules = source ? source.rules : options.rules ?? makeRules("tromp-taylor", undefined, size);
    this.moveCap = source ? source.moveCap : options.moveCap ?? defaultMoveCap(size);
    if (source) {
      this.hist = source.hist.slice();
      this.lastOfTotal = source.lastOfTotal.slice();
      this.copyScalars(source);
      return;
    }
    const capacity = Math.min(Number.isFinite(this.moveCap) ? this.moveCap + 2 : 64, 1 << 16);
    this.hist = new Int32Array(4 * capacity);
    this.lastOfTotal = new Int32Array(size * size + 1).fill(-1);
    this.record();
  }

  get size(): number {
    return this.board.size;
  }
  /** Action index of a pass. */
  get passAction(): number {
    return this.board.size * this.board.size;
  }

  clone(): this {
    return new GoState(this.board.size, {}, this) as this;
  }

  copyFrom(other: this): void {
    const o = other as GoState;
    if (o.board.size !== this.board.size) throw new RangeError("copyFrom: board sizes differ");
    this.board.copyFrom(o.board);
    if (this.hist.length < 4 * o.histLength) this.hist = new Int32Array(o.hist.length);
    this.hist.set(o.hist.subarray(0, 4 * o.histLength));
    this.lastOfTotal.set(o.lastOfTotal);
    this.stamp = ++stamps;
    (this as { rules: GoRules }).rules = o.rules;
    (this as { moveCap: number }).moveCap = o.moveCap;
    this.copyScalars(o);
  }

  /** The turn, passes, recent moves, decision and history length of `o`. */
  private copyScalars(o: GoState): void {
    this.recentActions.set(o.recentActions);
    this.histLength = o.histLength;
    this.toPlay = o.toPlay;
    this.moveCount = o.moveCount;
    this.passes = o.passes;
    this.lastAction = o.lastAction;
    this.decided = o.decided;
  }

  /** True once two consecutive passes, the move cap, a resignation or a forfeit ended the game. */
  get ended(): boolean {
    return this.decided !== null || this.passes >= 2 || this.moveCount >= this.moveCap;
  }

  outcome(): Outcome | null {
    if (this.decided) return this.decided;
    if (!this.ended) return null;
    return outcomeFromScore(this.score(), this.passes >= 2 ? "score" : "move-cap");
  }

  /** Area score from Black's view: Black's area minus White's area minus komi. */
  score(): number {
    const [black, white] = this.board.area();
    return black - white - this.rules.komi;
  }

  /** Resumes a game that two passes ended (servers do so when the players dispute the count). */
  resume(): void {
    if (this.passes >= 2) this.passes = 0;
  }

  /** Ends the game by resignation of `loser` (or a forfeit). */
  resign(loser: Player, reason: "resign" | "forfeit" = "resign"): void {
    this.decided = { winner: (1 - loser) as Player, score: NaN, reason };
  }

  /** Why `action` is illegal for the side to move, or null if it is legal. */
  illegalReason(action: number): IllegalReason | null {
    const n2 = this.board.size * this.board.size;
    if (!Number.isInteger(action) || action < 0 || action > n2) return "off-board";
    if (this.ended) return "game-over";
    if (action === n2) return null;
    const b = this.board;
    const p = b.pointOfAction(action);
    if (b.color[p] !== EMPTY) return "occupied";
    const color = (this.toPlay + 1) as StoneColor;
    if (b.isSuicide(p, color)) return "suicide";
    const repeated = this.repeatedIndex(p, color);
    if (repeated < 0) return null;
    // An immediate recapture is "ko"; any other repetition (after a pass, or longer cycles) "superko".
    return repeated === this.histLength - 2 && this.lastAction !== this.passAction ? "ko" : "superko";
  }

  isLegal(action: number): boolean {
    return this.illegalReason(action) === null;
  }

  /**
   * Per action index, what each point is for the side to move: 0 (a stone), PLAYABLE, SUICIDE or
   * REPEATS. Computed once per position and kept until the state changes: the search encodes a
   * leaf (its ko plane) and then expands it (its legal moves) from the same answer. Read-only.
   */
  pointKinds(): Uint8Array {
    const b = this.board;
    if (this.kinds === null) this.kinds = new Uint8Array(b.size * b.size);
    const kinds = this.kinds;
    if (this.kindsStamp === this.stamp && this.kindsToPlay === this.toPlay) return kinds;
    kinds.fill(0);
    const color = (this.toPlay + 1) as StoneColor;
    for (let i = 0; i < b.emptyCount; i++) {
      const p = b.empties[i]!;
      kinds[b.actionOf(p)] = b.isSuicide(p, color) ? SUICIDE : this.repeatedIndex(p, color) >= 0 ? REPEATS : PLAYABLE;
    }
    this.kindsStamp = this.stamp;
    this.kindsToPlay = this.toPlay;
    return kinds;
  }

  /** Whether the side to move may play at empty cell p (not suicide, no ko or superko repetition). */
  isLegalPoint(p: number): boolean {
    return !this.board.isSuicide(p, (this.toPlay + 1) as StoneColor) && !this.repeats(p);
  }

  /** Whether the side to move playing at empty, non-suicidal cell p would repeat an earlier position (ko or superko). */
  repeats(p: number): boolean {
    return this.repeatedIndex(p, (this.toPlay + 1) as StoneColor) >= 0;
  }

  /**
   * Index in the history of the position that `color` playing at empty, non-suicidal cell p would
   * repeat, or -1. Under simple ko only an immediate recapture counts: the position before the
   * opponent's last move, when that move was not a pass.
   */
  private repeatedIndex(p: number, color: StoneColor): number {
    const b = this.board;
    const captured = b.hashAfter(p, color, scratch);
    const total = b.stones[1]! + b.stones[2]! + 1 - captured;
    let i = this.lastOfTotal[total]!;
    if (i < 0) return -1;
    const lo = scratch[0]!, hi = scratch[1]!, hist = this.hist;
    if (this.rules.ko === "simple") {
      if (this.lastAction === this.passAction) return -1;
      i = this.histLength - 2;
      return i >= 0 && hist[4 * i + 2] === total && hist[4 * i] === lo && hist[4 * i + 1] === hi ? i : -1;
    }
    for (; i >= 0; i = hist[4 * i + 3]!) if (hist[4 * i] === lo && hist[4 * i + 1] === hi) return i;
    return -1;
  }

  legalMask(out?: Uint8Array): Uint8Array {
    const n2 = this.board.size * this.board.size;
    const mask = out ?? new Uint8Array(n2 + 1);
    mask.fill(0);
    if (this.ended) return mask;
    const kinds = this.pointKinds();
    for (let a = 0; a < n2; a++) if (kinds[a] === PLAYABLE) mask[a] = 1;
    mask[n2] = 1;
    return mask;
  }

  /**
   * The moves a search considers (GameState.searchMask): the legal moves that do not fill a
   * one-point own eye (as the playout policy), and the pass only when there is none.
   */
  searchMask(out?: Uint8Array): Uint8Array {
    const n2 = this.board.size * this.board.size;
    const mask = out ?? new Uint8Array(n2 + 1);
    mask.fill(0);
    if (this.ended) return mask;
    const b = this.board;
    const color = (this.toPlay + 1) as StoneColor;
    const kinds = this.pointKinds();
    let open = false;
    for (let a = 0; a < n2; a++) {
      if (kinds[a] === PLAYABLE && !b.isOwnEye(b.pointOfAction(a), color)) {
        mask[a] = 1;
        open = true;
      }
    }
    if (!open) mask[n2] = 1;
    return mask;
  }

  /** Plays `action` (a point index y·N + x, or N² for pass); throws IllegalMoveError if illegal. */
  play(action: number): void {
    const reason = this.illegalReason(action);
    if (reason !== null) throw new IllegalMoveError(reason);
    this.playLegal(action);
  }

  /** Plays an action already known to be legal (hot paths: playouts, search). */
  playLegal(action: number): void {
    const b = this.board;
    if (action === b.size * b.size) {
      this.passes++;
    } else {
      b.play(b.pointOfAction(action), (this.toPlay + 1) as StoneColor);
      this.passes = 0;
      this.record();
    }
    this.lastAction = action;
    this.recentActions.copyWithin(1, 0, 3);
    this.recentActions[0] = action;
    this.toPlay = (1 - this.toPlay) as Player;
    this.moveCount++;
    this.stamp = ++stamps;
  }

  /** Records the current board in the superko history. */
  private record(): void {
    if (4 * this.histLength === this.hist.length) {
      const bigger = new Int32Array(2 * this.hist.length);
      bigger.set(this.hist);
      this.hist = bigger;
    }
    const b = this.board;
    const total = b.stones[1]! + b.stones[2]!;
    const at = 4 * this.histLength;
    this.hist[at] = b.hashLo;
    this.hist[at + 1] = b.hashHi;
    this.hist[at + 2] = total;
    this.hist[at + 3] = this.lastOfTotal[total]!;
    this.lastOfTotal[total] = this.histLength;
    this.histLength++;
  }

  /**
   * Replaces the position with setup stones (SGF AB/AW/AE), per action index EMPTY, BLACK_STONE
   * or WHITE_STONE. The new position starts the superko history afresh. Returns false if some
   * chain would have no liberty (nothing changes then).
   */
  setup(stones: ArrayLike<number>): boolean {
    if (!this.board.setPosition(stones)) return false;
    this.histLength = 0;
    this.lastOfTotal.fill(-1);
    this.passes = 0;
    this.record();
    this.stamp = ++stamps;
    return true;
  }

  /**
   * 64-bit hash of the board, side to move, consecutive passes and rules. Positions that differ
   * only in their superko history share a hash.
   */
  hash(): bigint {
    let h = (BigInt(this.board.hashHi >>> 0) << 32n) | BigInt(this.board.hashLo >>> 0);
    if (this.toPlay === 1) h ^= TO_PLAY_KEY;
    h ^= BigInt(Math.min(this.passes, 2)) * 0x9e3779b97f4a7c15n;
    h ^= rulesKey(this.rules);
    return BigInt.asUintN(64, h);
  }

  /** Colour of the stone at action index a: 0 empty, 1 black, 2 white. */
  stoneAt(action: number): number {
    return this.board.color[this.board.pointOfAction(action)]!;
  }

  cells(): Uint8Array {
    const n2 = this.board.size * this.board.size;
    const out = new Uint8Array(n2);
    for (let a = 0; a < n2; a++) out[a] = this.stoneAt(a);
    return out;
  }

  toString(): string {
    return `${this.board.toString()}\n${this.toPlay === 0 ? "Black" : "White"} to play, move ${this.moveCount + 1}`;
  }
}

