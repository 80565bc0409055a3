/**
 * Self-play over a Piscina pool of worker threads: the games to play (their indices in the run)
 * are cut into chunks, each played by one worker with its own ONNX Runtime session; finished
 * chunks come back to the main thread in completion order. Chunks are queued as workers take
 * them (a few ahead), so a run of any length starts storing at once and holds little memory.
 * Because every game draws from its own Rng stream (by its index) and every chunk is played
 * alone, the same seed gives the same games whatever the number of workers.
 */
import { cpus } from "node:os";
import { Piscina } from "piscina";
import { builtFile } from "../core/files.js";
import type { SelfPlayParams } from "./selfplay.js";
import type { SelfPlayChunk, SelfPlayTask } from "./worker.js";

export interface PoolOptions {
  model: string;
  /** The full game spec (`Game.spec`): workers play under these rules. */
  game: string;
  /** Indices (in the run) of the games to play, in order; may be long, read as chunks are queued. */
  games: Iterable<number>;
  params: SelfPlayParams;
  seed: number | string;
  /** Worker threads (default: cores). */
  workers?: number;
  /** ONNX Runtime intra-op threads per worker (default 1). */
  threads?: number;
  /** How many indices `games` holds, when known: the default chunks are then balanced over the workers (`chunkSize`). */
  count?: number;
  /** Games per chunk (default: `chunkSize`). */
  chunk?: number;
  /** Stops queueing chunks: the pool ends when the chunks in progress are done. */
  signal?: AbortSignal;
}

/** The indices in chunks of `size`, read lazily. */
function* chunksOf(indices: Iterable<number>, size: number): Generator<number[]> {
  let chunk: number[] = [];
  for (const index of indices) {
    chunk.push(index);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * Games per chunk: at most 4 x concurrent games, so that the tail of a chunk (fewer live games
 * than a batch) stays short against the whole. With `count` games known, the chunks split them
 * evenly, in a multiple of `workers` chunks: 200 games on 2 workers are 2 chunks of 100, not 128
 * and 72 (with which one worker would wait for the other for a third of the time).
 */
export function chunkSize(concurrentGames: number, workers: number, count?: number): number {
  const most = 4 * concurrentGames;
  if (count === undefined || count <= 0) return most;
  const chunks = workers * Math.ceil(count / (workers * most));
  return Math.max(1, Math.ceil(count / chunks));
}

export async function runSelfPlayPool(options: PoolOptions, onChunk: (chunk: SelfPlayChunk) => void | Promise<void>): Promise<void> {
  const workers = options.workers ?? cpus().length;
  const chunks = chunksOf(options.games, options.chunk ?? chunkSize(options.params.concurrentGames, workers, options.count));
  let first = chunks.next();
  if (first.done) return;
  const pool = new Piscina({ filename: builtFile("selfplay", "worker.js"), minThreads: 1, maxThreads: workers, idleTimeout: 1000 });
  const task = (games: number[]): SelfPlayTask => ({ model: options.model, game: options.game, params: options.params, seed: options.seed, games, threads: options.threads ?? 1 });
  try {
    // Two lanes per worker (one chunk played, one waiting, so a worker never waits for the main
    // thread to store), each queueing its next chunk when the last one is stored: a failed chunk
    // stops its lane at once and the others after their current chunk.
    let failed = false;
    const lane = async (): Promise<void> => {
      while (!failed && !first.done && !options.signal?.aborted) {
        const games = first.value;
        first = chunks.next();
        try {
          await onChunk((await pool.run(task(games))) as SelfPlayChunk);
        } catch (e) {
          failed = true;
          throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: 2 * workers }, lane));
  } finally {
    await pool.destroy();
  }
}
