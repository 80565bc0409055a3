/**
 * Piscina worker: plays a chunk of self-play games with its own ONNX Runtime session (one
 * intra-op thread by default; workers give the parallelism) and returns them to the main thread,
 * which stores them. Sessions are cached per model file for the worker's lifetime.
 */
import { parseGameSpec } from "../games/index.js";
import { OnnxModel } from "../models/inference.js";
import { Rng } from "../core/rng.js";
import { playSelfPlay, type PlayedGame, type SelfPlayParams } from "./selfplay.js";

export interface SelfPlayTask {
  model: string;
  /** The full game spec ("go:9:chinese:7.5"): the worker plays under exactly these rules. */
  game: string;
  params: SelfPlayParams;
  /** Run seed; game i draws from Rng.fromSeed(seed).split("selfplay", i). */
  seed: number | string;
  /** The indices (in the run) of the games to play. */
  games: number[];
  threads: number;
}

export interface SelfPlayChunk {
  /** The spec the games were played under (the worker's own reading of the task's). */
  game: string;
  games: PlayedGame[];
  evaluations: number;
  batches: number;
  /** Seconds spent waiting for the network and in total. */
  networkSeconds: number;
  seconds: number;
}

const sessions = new Map<string, Promise<OnnxModel>>();

export default async function playChunk(task: SelfPlayTask): Promise<SelfPlayChunk> {
  const game = parseGameSpec(task.game);
  const key = `${task.model}#${task.threads}`;
  if (!sessions.has(key)) sessions.set(key, OnnxModel.load(task.model, { threads: task.threads, expect: game }));
  const model = await sessions.get(key)!;
  const root = Rng.fromSeed(task.seed);
  const games: PlayedGame[] = [];
  let networkSeconds = 0;
  const start = performance.now();
  const { evaluations, batches } = await playSelfPlay(
    game,
    task.games.length,
    task.params,
    async (planes, count) => {
      const t = performance.now();
      const out = await model.evaluate(planes, count);
      networkSeconds += (performance.now() - t) / 1000;
      return out;
    },
    (i) => root.split("selfplay", task.games[i]!),
    (g) => {
      games.push({ ...g, index: task.games[g.index]! });
    },
  );
  return { game: game.spec, games, evaluations, batches, networkSeconds, seconds: (performance.now() - start) / 1000 };
}
