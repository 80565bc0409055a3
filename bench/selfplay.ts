/**
 * Self-play benchmark (`npm run bench:selfplay`), measured in this run with the 7x7 net of the
 * network benchmark (4 blocks x 32 filters): ONNX Runtime's raw batched positions/s on one
 * thread at the self-play batch size (the limit), network evaluations/s achieved during
 * self-play with one worker and their ratio (target: at least 80%), self-play positions/s, and
 * the speed-up from 1 to 2 workers (target: at least 1.7x). Then the same with the net's int8
 * model (models/onnx/quantize.ts, calibrated on 256 positions): its evaluations/s during self-play
 * against fp32's, with 1 and 2 workers (target: at least 2.5x).
 *
 * This machine's speed drifts by a fifth within minutes, so the two precisions are measured in
 * alternating rounds (`BENCH_ROUNDS`, default 3: fp32 and int8 on one worker, then on two) and
 * every ratio is taken within a round; the figures printed are the medians over the rounds.
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
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error(`BENCH_ROUNDS must be a whole number of at least 1, got ${process.env.BENCH_ROUNDS}`);
  process.exit(2);
}
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

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const rate = (x: number): string => Math.round(x).toLocaleString("en-US");
const ratios = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(", ");

/** ONNX Runtime alone on one thread at the self-play batch size: positions/s over `ms`. */
async function rawRate(onnx: OnnxModel, ms: number): Promise<number> {
  const data = randomBatch(game, params.concurrentGames, Rng.fromSeed(1));
  for (let i = 0; i < 20; i++) await onnx.evaluate(data.planes, params.concurrentGames);
  let runs = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    await onnx.evaluate(data.planes, params.concurrentGames);
    runs++;
  }
  return (runs * params.concurrentGames * 1000) / (performance.now() - t0);
}

/**
 * Evaluations/s by wall clock (pool start and model loading included) and inside the workers
 * (their busy time: what self-play achieves once running).
 */
async function measure(workers: number, file: string): Promise<{ evalRate: number; workerRate: number; positions: number; seconds: number }> {
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

// The limit: ONNX Runtime alone on one thread at the self-play batch size, fp32 and int8 in
// alternating 1-second rounds.
const sessions = [await OnnxModel.load(model, { threads: 1 }), await OnnxModel.load(int8Model, { threads: 1 })];
const rawFp32: number[] = [], rawInt8: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  rawFp32.push(await rawRate(sessions[0]!, 1000));
  rawInt8.push(await rawRate(sessions[1]!, 1000));
}
for (const s of sessions) await s.close();
const raw = median(rawFp32);
console.log(`  ONNX Runtime alone, 1 thread, batch ${params.concurrentGames}: ${rate(raw)} positions/s (the limit)`);

type Measured = Awaited<ReturnType<typeof measure>>;
const rounds: { one: Measured; oneInt8: Measured; two: Measured; twoInt8: Measured }[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const one = await measure(1, model);
  const oneInt8 = await measure(1, int8Model);
  const two = await measure(2, model);
  const twoInt8 = await measure(2, int8Model);
  rounds.push({ one, oneInt8, two, twoInt8 });
  console.log(`  round ${r + 1}/${ROUNDS}: 1 worker fp32 ${rate(one.evalRate)}, int8 ${rate(oneInt8.evalRate)}; 2 workers fp32 ${rate(two.evalRate)}, int8 ${rate(twoInt8.evalRate)} evaluations/s`);
}
/** The median over the rounds of one figure. */
const mid = (pick: (r: (typeof rounds)[number]) => number): number => median(rounds.map(pick));
const one = { workerRate: mid((r) => r.one.workerRate), evalRate: mid((r) => r.one.evalRate), positions: mid((r) => r.one.positions), seconds: mid((r) => r.one.seconds) };
const ratio = one.workerRate / raw;
console.log(`  self-play, 1 worker: ${rate(one.workerRate)} evaluations/s while playing = ${(100 * ratio).toFixed(1)}% of the limit   target >= 80%: ${ratio >= 0.8 ? "met" : "NOT met"}`);
console.log(`                       ${rate(one.evalRate)} evaluations/s by wall clock (${(100 * one.evalRate / raw).toFixed(1)}%; worker start and model loading included)`);
console.log(`                       ${rate(one.positions)} self-play positions/s (moves played), ${GAMES} games in ${one.seconds.toFixed(1)} s`);
const speedups = rounds.map((r) => r.two.evalRate / r.one.evalRate);
const speedup = median(speedups);
console.log(`  self-play, 2 workers: ${rate(mid((r) => r.two.evalRate))} evaluations/s, ${rate(mid((r) => r.two.positions))} positions/s by wall clock; speed-up ${speedup.toFixed(2)}x (rounds: ${ratios(speedups)})   target >= 1.7x: ${speedup >= 1.7 ? "met" : "NOT met"}`);

// int8: the same net quantised.
const rawGains = rawInt8.map((x, r) => x / rawFp32[r]!);
console.log(`\n  int8, ONNX Runtime alone, 1 thread, batch ${params.concurrentGames}: ${rate(median(rawInt8))} positions/s, ${median(rawGains).toFixed(2)}x fp32 (rounds: ${ratios(rawGains)})`);
for (const [workers, key, fp32] of [[1, "oneInt8", "one"], [2, "twoInt8", "two"]] as const) {
  const gains = rounds.map((r) => r[key].evalRate / r[fp32].evalRate);
  const gain = median(gains);
  console.log(`  int8 self-play, ${workers} worker${workers > 1 ? "s" : ""}: ${rate(mid((r) => r[key].evalRate))} evaluations/s by wall clock, ${gain.toFixed(2)}x fp32 (rounds: ${ratios(gains)})   target >= 2.5x: ${gain >= 2.5 ? "met" : "NOT met"}`);
}
