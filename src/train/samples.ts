/**
 * Training positions from stored self-play samples, the self-play preset's data: a replay window
 * of a run's latest games (KataGo's growing window), each game replayed once to its sampled plies
 * and kept encoded while it stays in the window. A sample's policy target is its full search's
 * visit counts normalised, its legal moves the mask, its value target the game's result from the
 * side to move (a resigner loses; the resigning position, after the last move, is a sample too).
 */
import { InputError } from "../../core/errors.js";
import { parseResultText, valueFor } from "../../core/player.js";
import type { Rng } from "../../core/rng.js";
import type { Db } from "../../db/schema.js";
import type { Game, GameState } from "../../games/game.js";
import type { Batch } from "../../models/tfnet.js";
import { gameOf } from "./dataset.js";

/**
 * The replay window after `total` samples of a run: all of them up to `min`, then growing
 * sublinearly — min·(1 + β((total/min)^α − 1)/α) with α = 0.75, β = 0.4 (KataGo's rule, its
 * c = 250,000 scaled down to `min`) — so that early, weak games leave the window as the run
 * goes on, and a long run still trains on more than its last generations.
 */
export function windowSize(total: number, min: number): number {
  if (total <= min) return total;
  const alpha = 0.75, beta = 0.4;
  return Math.min(total, Math.round(min * (1 + (beta * (Math.pow(total / min, alpha) - 1)) / alpha)));
}

interface WindowGame {
  id: number;
  spec: string;
  moves: string;
  setup: string | null;
  result: string;
  samples: number;
}

/** The encoded samples of stored self-play games, kept while they are in a run's window. */
export class SampleCache {
  private readonly byGame = new Map<number, Batch>();
  constructor(private readonly game: Game) {}

  /**
   * The samples of the latest games of loop run `runId` (by generation, then index: the same
   * whatever order they were stored in) that hold at least `size` samples together (all of them
   * when fewer), encoded; games that left the window are dropped.
   */
  window(db: Db, runId: number, size: number): { games: number; samples: number; batches: Batch[] } {
    const rows = db
      .prepare(
        `SELECT g.id, g.spec, g.moves, g.setup, g.result, (SELECT count(*) FROM samples s WHERE s.game_id = g.id) AS samples
         FROM selfplay_games p JOIN games g ON g.id = p.game_id WHERE g.run_id = ? AND g.moves IS NOT NULL ORDER BY p.generation DESC, p.game_index DESC`,
      )
      .iterate(runId) as IterableIterator<WindowGame>;
    const kept = new Map<number, Batch>();
    let samples = 0;
    for (const row of rows) {
      if (samples >= size) break;
      if (row.samples === 0) continue;
      const batch = this.byGame.get(row.id) ?? this.encode(db, row);
      kept.set(row.id, batch);
      samples += batch.size;
    }
    this.byGame.clear();
    for (const [id, batch] of kept) this.byGame.set(id, batch);
    return { games: kept.size, samples, batches: [...kept.values()] };
  }

  private encode(db: Db, stored: WindowGame): Batch {
    const game = this.game;
    const cells = game.planes * game.height * game.width, a = game.actionCount;
    const samples = db.prepare("SELECT ply, to_play AS toPlay, visits FROM samples WHERE game_id = ? ORDER BY ply").all(stored.id) as { ply: number; toPlay: number; visits: Buffer }[];
    const outcome = parseResultText(stored.result);
    if (!outcome) throw new InputError(`self-play game ${stored.id} has no readable result (${stored.result})`);
    const batch: Batch = { size: samples.length, planes: new Float32Array(samples.length * cells), policy: new Float32Array(samples.length * a), mask: new Uint8Array(samples.length * a), value: new Float32Array(samples.length) };
    let next = 0;
    const take = (state: GameState, ply: number): void => {
      const sample = samples[next];
      if (!sample || sample.ply !== ply) return;
      if (sample.toPlay !== state.toPlay) throw new InputError(`self-play game ${stored.id}: the sample at move ${ply + 1} is for the other side to move`);
      const visits = new Float32Array(sample.visits.buffer.slice(sample.visits.byteOffset, sample.visits.byteOffset + sample.visits.byteLength));
      if (visits.length !== a) throw new InputError(`self-play game ${stored.id}: the sample at move ${ply + 1} has ${visits.length} visit counts, not ${a}`);
      let total = 0;
      for (const v of visits) total += v;
      if (!(total > 0)) throw new InputError(`self-play game ${stored.id}: the sample at move ${ply + 1} has no visits`);
      for (let k = 0; k < a; k++) batch.policy[next * a + k] = visits[k]! / total;
      game.encode(state, batch.planes, next * cells);
      batch.mask.set(state.legalMask(), next * a);
      batch.value[next] = valueFor(outcome, state.toPlay);
      next++;
    };
    const end = gameOf(stored.spec).replay(stored, (state, _action, index) => take(state, index));
    // A resigned game's last sample is the position its loser resigned in, after the last move.
    if (!end.outcome()) take(end, end.moveCount);
    if (next !== samples.length) throw new InputError(`self-play game ${stored.id}: ${samples.length - next} samples lie beyond its ${stored.moves.length > 0 ? "moves" : "empty move list"}`);
    return batch;
  }
}

/**
 * `count` positions of the window in mini-batches of `batchSize`, drawn without repetition
 * while the window lasts (then it is drawn again), shuffled by `rng`.
 */
export function* windowBatches(game: Game, window: readonly Batch[], count: number, batchSize: number, rng: Rng): Generator<Batch> {
  const rows: [number, number][] = [];
  window.forEach((b, k) => {
    for (let i = 0; i < b.size; i++) rows.push([k, i]);
  });
  if (rows.length === 0) return;
  const cells = game.planes * game.height * game.width, a = game.actionCount;
  let order: [number, number][] = [];
  for (let drawn = 0; drawn + batchSize <= count; drawn += batchSize) {
    const out: Batch = { size: batchSize, planes: new Float32Array(batchSize * cells), policy: new Float32Array(batchSize * a), mask: new Uint8Array(batchSize * a), value: new Float32Array(batchSize) };
    for (let i = 0; i < batchSize; i++) {
      if (order.length === 0) order = rng.shuffle([...rows]);
      const [k, row] = order.pop()!;
      const b = window[k]!;
      out.planes.set(b.planes.subarray(row * cells, (row + 1) * cells), i * cells);
      out.policy.set(b.policy.subarray(row * a, (row + 1) * a), i * a);
      out.mask.set(b.mask.subarray(row * a, (row + 1) * a), i * a);
      out.value[i] = b.value[row]!;
    }
    yield out;
  }
}
