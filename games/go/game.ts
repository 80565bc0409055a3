/**
 * Go as a `Game`: square boards 2x2 to 19x19, actions y·N + x for points (row y from the top,
 * column x from the left, the SGF order) and N² for pass.
 */
import { InputError } from "../../core/errors.js";
import type { Player } from "../../core/player.js";
import type { Rng } from "../../core/rng.js";
import type { Game, GtpSettings, RulesColumns, SgfHeader, SgfSupport, StoredGame } from "../game.js";
import { MAX_SIZE, MIN_SIZE } from "./board.js";
import { heavyPlayout } from "./heavy.js";
import { playout, playoutMove } from "./playout.js";
import { readGoRecords, replay, startState, writeGoRecords } from "./record.js";
import { goSpec, makeRules, rulesText, type GoRules } from "./rules.js";
import { goActionText, parseGoAction } from "./coords.js";
import { encodeGo, GO_PLANE_VERSION, GO_PLANES } from "./encode.js";
import { defaultMoveCap, GoState } from "./state.js";
import { encodeGoMoves, recordOfStored } from "./stored.js";

export interface GoParams {
  /** Board size N (N x N), 2..19. */
  size: number;
  /** Rules, komi included. Default: tromp-taylor, komi 7. */
  rules: GoRules;
  /** Plies after which a game is scored as it stands. Default 2·N² (AlphaGo Zero: 722 on 19x19). */
  moveCap: number;
}

export class GoGame implements Game<GoState> {
  readonly id: string;
  readonly spec: string;
  readonly openingMoves = 2;
  readonly hasExpertPlayouts = true;
  readonly boardStyle = "points";
  readonly gtp: GtpSettings;
  readonly sgf: SgfSupport<GoState>;
  readonly height: number;
  readonly width: number;
  readonly actionCount: number;
  readonly symmetries: readonly Int32Array[];
  readonly cellSymmetries: readonly Int32Array[];
  readonly planes = GO_PLANES;
  readonly planeVersion = GO_PLANE_VERSION;
  readonly params: GoParams;

  constructor(size: number, params: Partial<Omit<GoParams, "size">> = {}) {
    if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) {
      throw new InputError(`Go board size must be an integer from ${MIN_SIZE} to ${MAX_SIZE}, got ${size}`);
    }
    this.params = { size, rules: params.rules ?? makeRules("tromp-taylor", undefined, size), moveCap: params.moveCap ?? defaultMoveCap(size) };
    if (!(this.params.moveCap >= 1)) throw new InputError(`move cap must be at least 1, got ${this.params.moveCap}`);
    this.id = `go:${size}`;
    this.spec = goSpec(size, this.params.rules);
    this.gtp = { boardSize: size, komi: this.params.rules.komi };
    this.sgf = { write: (stored, header) => this.writeSgf(stored, header), position: (text, file, number, moves) => this.sgfPosition(text, file, number, moves) };
    this.height = size;
    this.width = size;
    this.actionCount = size * size + 1;
    this.symmetries = squareSymmetries(size);
    // Cells are numbered like point actions; drop the pass entry.
    this.cellSymmetries = this.symmetries.map((sym) => sym.slice(0, size * size));
  }

  get size(): number {
    return this.params.size;
  }

  newState(): GoState {
    return new GoState(this.params.size, { rules: this.params.rules, moveCap: this.params.moveCap });
  }

  encode(state: GoState, out: Float32Array, offset = 0): void {
    encodeGo(state, out, offset);
  }

  actionText(action: number): string {
    return goActionText(action, this.params.size);
  }

  parseAction(text: string): number {
    return parseGoAction(text, this.params.size);
  }

  parseMoves(text: string): number[] {
    return text.trim() === "" ? [] : text.trim().split(/[\s,]+/).map((t) => this.parseAction(t));
  }

  sideName(player: Player): string {
    return player === 0 ? "Black" : "White";
  }

  randomMove(state: GoState, rng: Rng): number {
    // The playout policy reorders the board's empty-point list: draw on a copy.
    return playoutMove(state.clone(), rng);
  }

  playout(state: GoState, rng: Rng, expert = false): void {
    (expert ? heavyPlayout : playout)(state, rng);
  }

  movesText(actions: readonly number[]): string {
    return encodeGoMoves(actions, this.params.size);
  }

  replay(stored: StoredGame, visit?: (state: GoState, action: number, index: number) => void): GoState {
    const record = recordOfStored(stored, this.params.size, this.params.rules);
    return replay(record, visit && ((state, move, index) => visit(state, move.action, index)));
  }

  rulesColumns(): RulesColumns {
    const rules = this.params.rules;
    return { game: this.id, spec: this.spec, boardSize: this.params.size, rules: rulesText(rules), komi: rules.komi };
  }

  private writeSgf(stored: StoredGame, header: SgfHeader): string {
    return writeGoRecords([recordOfStored(stored, this.params.size, this.params.rules, header)]);
  }

  private sgfPosition(text: string, file: string, number: number, moves?: number): { state: GoState; moves: number; games: number } {
    const records = readGoRecords(text, file);
    if (!Number.isInteger(number) || number < 1 || number > records.length) {
      throw new InputError(`there is no game ${number}: the file holds ${records.length} game${records.length === 1 ? "" : "s"}`, { file });
    }
    const record = records[number - 1]!;
    const size = this.params.size;
    const where = { file, game: records.length > 1 ? number : undefined };
    if (record.size !== size) throw new InputError(`the game is ${record.size}x${record.size}, not ${size}x${size}`, where);
    const upTo = moves ?? record.moves.length;
    if (!Number.isInteger(upTo) || upTo < 0 || upTo > record.moves.length) throw new InputError(`the move number must be 0 to ${record.moves.length} (the game's moves)`, where);
    const state = upTo === 0 ? startState({ ...record, moves: [] }) : replay({ ...record, moves: record.moves.slice(0, upTo) });
    return { state, moves: upTo, games: records.length };
  }
}

/**
 * The 8 symmetries of a square board as action permutations (pass fixed), identity first:
 * rotations by 0/90/180/270 degrees, then the same after a left-right mirror.
 */
export function squareSymmetries(size: number): Int32Array[] {
  const result: Int32Array[] = [];
  for (let mirror = 0; mirror < 2; mirror++) {
    for (let rot = 0; rot < 4; rot++) {
      const perm = new Int32Array(size * size + 1);
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          let u = mirror ? size - 1 - x : x;
          let v = y;
          for (let r = 0; r < rot; r++) {
            const t = u;
            u = size - 1 - v;
            v = t;
          }
          perm[y * size + x] = v * size + u;
        }
      }
      perm[size * size] = size * size;
      result.push(perm);
    }
  }
  return result;
}
