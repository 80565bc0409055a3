/**
 * Self-play benchmark (`npm run bench:selfplay`), measured in this run with the 7x7 net of the
 * network benchmark (4 blocks x 32 filters): ONNX Runtime's raw batched positions/s on one
 * thread at the self-play batch size (the limit), network evaluations/s achieved during
 * self-play with one worker and their ratio (target: at least 80%), self-play positions/s, and
 * the speed-up from 1 to 2 workers (target: at least 1.7x). Then the same with the net's int8
 * model (models/onnx/quantize.ts, calibrated on 256 positions): its evaluations/s during self-play
 * against fp32's, with 1 and 2 workers (target: at least 2.5x).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseGameSpec } from "../games/index.js";
import { architectureFor, buildGraph } from "../models/arch.js";
import { OnnxModel } from "../models/inference.js";
import { exportOnnx } from "../models/onnx/export.js";
import { calibrate, exportQuantisedOnnx } from "../models/onnx/quantize.js";
import { randomBatch } from "../models/synthetic.js";
import { initWeights } from "../models/weights.js";
import { Rng } from "../core/rng.js";
import { runSelfPlayPool } from "../selfplay/pool.js";
import { DEFAULT_SELFPLAY, type SelfPlayParams } from "../selfplay/selfplay.js";

const GAMES = Number(process.env.BENCH_GAMES ?? 128);
const game = parseGameSpec("go:7");
const arch = architectureFor(game, 4, 32);
const dir = mkdtempSync(join(tmpdir(), "fossil-bench-sp-"));
const model = join(dir, "go7.onnx");
const weights = initWeights(buildGraph(arch), Rng.fromSeed("bench-sp"));
writeFileSync(model, exportOnnx(arch, weights, { step: 0, run: "bench" }));
const int8Model = join(dir, "go7-int8.onnx");
const calibration = randomBatch(game, 256, Rng.fromSeed("bench-sp calibration"), 40);
writeFileSync(int8Model, exportQuantisedOnnx(arch, weights, { step: 0, run: "bench" }, await calibrate(arch, weights, calibration.planes, calibration.size)));
const params: SelfPlayParams = { ...DEFAULT_SELFPLAY, fullSimulations: 64, cheapSimulations: 16, concurrentGames: 32 };

console.log(`fossil self-play benchmark — node ${process.version}, go:7 resnet 4x32, ${params.concurrentGames} games per worker batch, ${params.fullSimulations}/${params.cheapSimulations} simulations`);

/** ONNX Runtime alone on one thread at the self-play batch size: positions/s. */
async function rawRate(file: string): Promise<number> {
  const onnx = await OnnxModel.load(file, { threads: 1 });
  const data = randomBatch(game, params.concurrentGames, Rng.fromSeed(1));
  for (let i = 0; i < 20; i++) await onnx.evaluate(data.planes, params.concurrentGames);
  let runs = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 3000) {
    await onnx.evaluate(data.planes, params.concurrentGames);
    runs++;
  }
  await onnx.close();
  return (runs * params.concurrentGames * 1000) / (performance.now() - t0);
}

// The limit: ONNX Runtime alone on one thread at the self-play batch size.
const raw = await rawRate(model);
console.log(`  ONNX Runtime alone, 1 thread, batch ${params.concurrentGames}: ${Math.round(raw).toLocaleString("en-US")} positions/s (the limit)`);

/**
 * Evaluations/s by wall clock (pool start and model loading included) and inside the workers
 * (their busy time: what self-play achieves once running).
 */
async function measure(workers: number, file = model): Promise<{ evalRate: number; workerRate: number; positions: number; seconds: number }> {
  let evaluations = 0, positions = 0, busy = 0;
  const start = performance.now();
  await runSelfPlayPool({ model: file, game: game.spec, games: Array.from({ length: GAMES * workers }, (_, i) => i), params, seed: "bench", workers }, (chunk) => {
    evaluations += chunk.evaluations;
    busy += chunk.seconds;
    positions += chunk.games.reduce((s, g) => s + g.actions.length, 0);
  });
  const seconds = (performance.now() - start) / 1000;
  return { evalRate: evaluations / seconds, workerRate: (evaluations * workers) / busy, positions: positions / seconds, seconds };
}

const one = await measure(1);
const ratio = one.workerRate / raw;
console.log(`  self-play, 1 worker: ${Math.round(one.workerRate).toLocaleString("en-US")} evaluations/s while playing = ${(100 * ratio).toFixed(1)}% of the limit   target >= 80%: ${ratio >= 0.8 ? "met" : "NOT met"}`);
console.log(`                       ${Math.round(one.evalRate).toLocaleString("en-US")} evaluations/s by wall clock (${(100 * one.evalRate / raw).toFixed(1)}%; worker start and model loading included)`);
console.log(`                       ${Math.round(one.positions).toLocaleString("en-US")} self-play positions/s (moves played), ${GAMES} games in ${one.seconds.toFixed(1)} s`);
const two = await measure(2);
const speedup = two.evalRate / one.evalRate;
console.log(`  self-play, 2 workers: ${Math.round(two.evalRate).toLocaleString("en-US")} evaluations/s, ${Math.round(two.positions).toLocaleString("en-US")} positions/s by wall clock; speed-up ${speedup.toFixed(2)}x   target >= 1.7x: ${speedup >= 1.7 ? "met" : "NOT met"}`);

// int8: the same net quantised.
const rawInt8 = await rawRate(int8Model);
console.log(`\n  int8, ONNX Runtime alone, 1 thread, batch ${params.concurrentGames}: ${Math.round(rawInt8).toLocaleString("en-US")} positions/s (${(rawInt8 / raw).toFixed(2)}x fp32)`);
const oneInt8 = await measure(1, int8Model);
const twoInt8 = await measure(2, int8Model);
const gain1 = oneInt8.evalRate / one.evalRate, gain2 = twoInt8.evalRate / two.evalRate;
console.log(`  int8 self-play, 1 worker: ${Math.round(oneInt8.evalRate).toLocaleString("en-US")} evaluations/s by wall clock, ${gain1.toFixed(2)}x fp32   target >= 2.5x: ${gain1 >= 2.5 ? "met" : "NOT met"}`);
console.log(`  int8 self-play, 2 workers: ${Math.round(twoInt8.evalRate).toLocaleString("en-US")} evaluations/s by wall clock, ${gain2.toFixed(2)}x fp32   target >= 2.5x: ${gain2 >= 2.5 ? "met" : "NOT met"}`);
