/**
 * Self-play over a Piscina pool of worker threads: the requested games are cut into chunks (game
 * index ranges), each played by one worker with its own ONNX Runtime session; finished chunks
 * come back to the main thread in completion order. Because every game draws from its own Rng
 * stream and every chunk is played alone, the same seed gives the same games whatever the
 * number of workers.
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
  games: number;
  params: SelfPlayParams;
  seed: number | string;
  /** Worker threads (default: cores). */
  workers?: number;
  /** ONNX Runtime intra-op threads per worker (default 1). */
  threads?: number;
  /** Games per chunk (default: 4 x concurrent games, so that the tail of a chunk, when fewer games than a batch are left, stays short). */
  chunk?: number;
}

export async function runSelfPlayPool(options: PoolOptions, onChunk: (chunk: SelfPlayChunk) => void | Promise<void>): Promise<void> {
  const workers = options.workers ?? cpus().length;
  const pool = new Piscina({ filename: builtFile("selfplay", "worker.js"), minThreads: workers, maxThreads: workers, idleTimeout: 1000 });
  const size = options.chunk ?? 4 * options.params.concurrentGames;
  const tasks: Promise<void>[] = [];
  try {
    for (let first = 0; first < options.games; first += size) {
      const task: SelfPlayTask = {
        model: options.model,
        game: options.game,
        params: options.params,
        seed: options.seed,
        first,
        count: Math.min(size, options.games - first),
        threads: options.threads ?? 1,
      };
      tasks.push((pool.run(task) as Promise<SelfPlayChunk>).then(onChunk));
    }
    await Promise.all(tasks);
  } finally {
    await pool.destroy();
  }
}
