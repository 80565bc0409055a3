/**
 * Training positions from games stored in the database: each game is replayed from its compact
 * moves, and every position before a move becomes a sample (planes, the played move as the
 * policy target, the legal moves, the game's result for the side to move). Games are split into
 * training and validation by game, never by position.
 */
import { InputError } from "../../core/errors.js";
import type { Rng } from "../../core/rng.js";
import { parseResultText, valueFor } from "../../core/player.js";
import type { Db } from "../../db/schema.js";
import type { Game, StoredGame } from "../../games/game.js";
import { parseGameSpec } from "../../games/index.js";
import type { Batch } from "../../models/tfnet.js";

/** A stored game with its result: what training reads of a `games` row. */
export interface TrainingGame extends StoredGame {
  id: number;
  result: string;
  /** Plies of moves chosen at random (`games.random_moves`): no policy target there. */
  random_moves?: string | null;
}

/** The plies of a stored game's moves chosen at random. */
export function randomPlies(text: string | null | undefined): Set<number> {
  return new Set(text ? text.trim().split(/\s+/).map(Number) : []);
}

export interface GameSelection {
  games: TrainingGame[];
  /** Games of the source skipped because they are of another game or board size. */
  otherGames: number;
}

/** Games of one source for one game family (with moves and a result), each with the spec it was played under. */
export function selectGames(db: Db, game: Game, source: string, maxGames?: number, only?: ReadonlySet<number>): GameSelection {
  // 0 would read as "no limit" below.
  if (maxGames !== undefined && !(Number.isInteger(maxGames) && maxGames >= 1)) throw new InputError(`--max-games must be a whole number of at least 1, got ${maxGames}`);
  const all = db.prepare("SELECT count(*) FROM games WHERE source = ? AND moves IS NOT NULL").pluck().get(source) as number;
  const others = db.prepare("SELECT count(*) FROM games WHERE source = ? AND moves IS NOT NULL AND game <> ?").pluck().get(source, game.id) as number;
  const games = db
    .prepare(`SELECT id, spec, moves, setup, result, random_moves FROM games WHERE source = ? AND game = ? AND moves IS NOT NULL ORDER BY id${maxGames ? " LIMIT ?" : ""}`)
    .all(...(maxGames ? [source, game.id, maxGames] : [source, game.id])) as TrainingGame[];
  const usable = games.filter((g) => parseResultText(g.result) !== null && (!only || only.has(g.id)));
  if (usable.length === 0) throw new InputError(`no ${source} games of ${game.id} with moves and a result in the database (${all} ${source} games in all): nothing to train on`);
  return { games: usable, otherGames: others };
}

/** Splits games into training and validation sets by game (seeded shuffle). */
export function splitByGame<T>(games: readonly T[], validationShare: number, rng: Rng): { train: T[]; validation: T[] } {
  const shuffled = rng.shuffle([...games]);
  const count = Math.min(shuffled.length - 1, Math.max(validationShare > 0 ? 1 : 0, Math.round(shuffled.length * validationShare)));
  return { validation: shuffled.slice(0, count), train: shuffled.slice(count) };
}

const gamesBySpec = new Map<string, Game>();
/** The game of a spec, made once. */
export function gameOf(spec: string): Game {
  let game = gamesBySpec.get(spec);
  if (!game) {
    game = parseGameSpec(spec);
    gamesBySpec.set(spec, game);
  }
  return game;
}

/**
 * All positions of some games as one batch (for validation or a shuffled chunk). A move chosen at
 * random (a teacher's opening move or error) is no policy target: its row's policy is all zero,
 * which the loss and the validation skip; its value target stays.
 */
export function positionsOf(game: Game, games: readonly TrainingGame[]): Batch {
  const cells = game.planes * game.height * game.width;
  const planes: Float32Array[] = [], policy: number[] = [], masks: Uint8Array[] = [], values: number[] = [];
  for (const stored of games) {
    const outcome = parseResultText(stored.result)!;
    const random = randomPlies(stored.random_moves);
    // Each game replays under its own rules (a family mixes komi and ko rules); the network's planes are the family's.
    gameOf(stored.spec).replay(stored, (state, action, index) => {
      const p = new Float32Array(cells);
      game.encode(state, p);
      planes.push(p);
      policy.push(random.has(index) ? -1 : action);
      masks.push(state.legalMask());
      values.push(valueFor(outcome, state.toPlay));
    });
  }
  const size = planes.length;
  const batch: Batch = { size, planes: new Float32Array(size * cells), policy: new Float32Array(size * game.actionCount), mask: new Uint8Array(size * game.actionCount), value: Float32Array.from(values) };
  for (let i = 0; i < size; i++) {
    batch.planes.set(planes[i]!, i * cells);
    if (policy[i]! >= 0) batch.policy[i * game.actionCount + policy[i]!] = 1;
    batch.mask.set(masks[i]!, i * game.actionCount);
  }
  return batch;
}

/** The positions (one per move) of some games, counted up to `enough` (replays without encoding). */
export function countPositions(games: readonly TrainingGame[], enough = Infinity): number {
  let count = 0;
  for (const stored of games) {
    if (count >= enough) break;
    gameOf(stored.spec).replay(stored, () => count++);
  }
  return count;
}

/** Rows [from, to) of a batch as a new batch, in the order given by `order`. */
export function takeRows(game: Game, batch: Batch, order: readonly number[]): Batch {
  const cells = game.planes * game.height * game.width, a = game.actionCount;
  const out: Batch = { size: order.length, planes: new Float32Array(order.length * cells), policy: new Float32Array(order.length * a), mask: new Uint8Array(order.length * a), value: new Float32Array(order.length) };
  order.forEach((row, i) => {
    out.planes.set(batch.planes.subarray(row * cells, (row + 1) * cells), i * cells);
    out.policy.set(batch.policy.subarray(row * a, (row + 1) * a), i * a);
    out.mask.set(batch.mask.subarray(row * a, (row + 1) * a), i * a);
    out.value[i] = batch.value[row]!;
  });
  return out;
}
