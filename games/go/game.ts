/**
 * Go as a `Game`: square boards 2x2 to 19x19, actions y·N + x for points (row y from the top,
 * column x from the left, the SGF order) and N² for pass.
 */
import { InputError } from "../../core/errors.js";
import type { Game } from "../game.js";
import { MAX_SIZE, MIN_SIZE } from "./board.js";
import { makeRules, type GoRules } from "./rules.js";
import { encodeGo, GO_PLANE_VERSION, GO_PLANES } from "./encode.js";
import { defaultMoveCap, GoState } from "./state.js";

/** GTP column letters: A..T without I. */
const COLUMNS = "ABCDEFGHJKLMNOPQRST";

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
    this.params = { size, rules: params.rules ?? makeRules(), moveCap: params.moveCap ?? defaultMoveCap(size) };
    if (!(this.params.moveCap >= 1)) throw new InputError(`move cap must be at least 1, got ${this.params.moveCap}`);
    this.id = `go:${size}`;
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
}

/** GTP text of an action: "C3" (column letter, row counted from the bottom), "pass". */
export function goActionText(action: number, size: number): string {
  if (action === size * size) return "pass";
  if (!Number.isInteger(action) || action < 0 || action > size * size) return `?${action}`;
  const x = action % size, y = Math.floor(action / size);
  return `${COLUMNS[x]}${size - y}`;
}

/** Parses GTP text ("c3", "D10", "pass") into an action. */
export function parseGoAction(text: string, size: number): number {
  const t = text.trim().toUpperCase();
  if (t === "PASS") return size * size;
  const m = /^([A-HJ-T])(\d{1,2})$/.exec(t);
  if (m) {
    const x = COLUMNS.indexOf(m[1]!);
    const row = Number(m[2]);
    if (x < size && row >= 1 && row <= size) return (size - row) * size + x;
  }
  throw new InputError(`"${text}" is not a point of a ${size}x${size} board (e.g. C3, or pass)`);
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
