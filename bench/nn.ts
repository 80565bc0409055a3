/**
 * Network benchmark (`npm run bench:nn`), all measured in this run: for a 7x7 net (4 blocks,
 * 32 filters) and a 9x9 net (6 blocks, 64 filters), ONNX Runtime positions/s at batch 1, 8 and
 * 64 with 1 and 2 threads; TensorFlow.js forward positions/s and training samples/s at batch 128
 * on the active backend, and their ratio (target: training at least 25% of forward); on wasm
 * also training with batch norm and ReLU as plain tf operations, the baseline of the fused
 * kernels (fused-bn.ts). Then the int8 model of the same net (models/onnx/quantize.ts, calibrated
 * on 256 positions): positions/s at batch 1, 8 and 64 on one thread and its speed-up over fp32
 * (target at least 2.5x at batch 64), and how far its answers are from fp32's on 512 other
 * positions. `BENCH_MODEL=FILE.onnx` (a trained checkpoint, its .state beside it) adds the same
 * figures for that network. Last, the ONNX Runtime training backend on the same batch: samples/s
 * on 1 and 2 threads, against TensorFlow.js (target at least 3x on one thread) and against ONNX
 * Runtime's forward pass (target at least 60% of forward / 3).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseGameSpec } from "../games/index.js";
import { architectureFor, buildGraph } from "../models/arch.js";
import { OnnxModel } from "../models/inference.js";
import { exportOnnx } from "../models/onnx/export.js";
import { calibrate, compareModels, exportQuantisedOnnx, type ModelGap } from "../models/onnx/quantize.js";
import { loadState } from "../models/checkpoint.js";
import { OrtTrainer } from "../models/ort-trainer.js";
import type { Architecture } from "../models/arch.js";
import type { Weights } from "../models/weights.js";
import type { Game } from "../games/game.js";
import { randomBatch } from "../models/synthetic.js";
import { canFuseBatchNorm, setFusedBatchNorm } from "../models/fused-bn.js";
import { DEFAULT_TRAINING, TfNetwork, Trainer } from "../models/tfnet.js";
import { loadTf } from "../models/tf.js";
import { initWeights } from "../models/weights.js";
import { Rng } from "../core/rng.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const TRAIN_BATCH = 128;

/** Calls `once` (which handles `per` items) for about `seconds` after a warm-up; items per second. */
async function rate(once: () => unknown, per: number, seconds = SECONDS): Promise<number> {
  const warm = performance.now() + 300;
  while (performance.now() < warm) await once();
  let runs = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await once();
    runs++;
  }
  return (runs * per * 1000) / (performance.now() - start);
}

const fmt = (x: number): string => Math.round(x).toLocaleString("en-US").padStart(8);

const gapText = (g: ModelGap): string =>
  `|value difference| mean ${g.valueMean.toFixed(4)}, largest ${g.valueMax.toFixed(4)}; policy KL ${g.policyKl.toFixed(4)} nats; same first move ${(100 * g.top1Agreement).toFixed(1)}% (${g.positions} positions)`;

/** The int8 model of a network: its speed against fp32 at batch 1, 8 and 64 on one thread, and its distance from fp32. */
async function int8Figures(game: Game, arch: Architecture, weights: Weights, label: string, rng: Rng): Promise<boolean> {
  const calibration = randomBatch(game, 256, rng.split("calibration"), 40);
  const held = randomBatch(game, 512, rng.split("held out"), 40);
  const ranges = await calibrate(arch, weights, calibration.planes, calibration.size);
  const fp32 = await OnnxModel.load({ bytes: exportOnnx(arch, weights, { step: 0, run: "bench" }), file: `${label} fp32` }, { threads: 1 });
  const int8 = await OnnxModel.load({ bytes: exportQuantisedOnnx(arch, weights, { step: 0, run: "bench" }, ranges), file: `${label} int8` }, { threads: 1 });
  const row: string[] = [];
  let ratio = 0;
  for (const batch of [1, 8, 64]) {
    const a = await rate(() => fp32.evaluate(held.planes, batch), batch);
    const b = await rate(() => int8.evaluate(held.planes, batch), batch);
    row.push(`batch ${String(batch).padStart(2)} ${fmt(b)}/s (${(b / a).toFixed(2)}x fp32's ${Math.round(a).toLocaleString("en-US")})`);
    ratio = b / a;
  }
  console.log(`  int8, 1 thread, ${label}: ${row.join("   ")}`);
  console.log(`    speed-up at batch 64: ${ratio.toFixed(2)}x   target >= 2.5x: ${ratio >= 2.5 ? "met" : "NOT met"}`);
  console.log(`    against fp32: ${gapText(await compareModels(fp32, int8, held.planes, held.mask, held.size, game.actionCount))}`);
  await fp32.close();
  await int8.close();
  return ratio >= 2.5;
}

/**
 * The ONNX Runtime training backend (models/ort-trainer.ts) on the same batch: samples/s on 1 and
 * 2 threads against TensorFlow.js's `tfjs` (target at least 3x on one thread), and against ONNX
 * Runtime's own forward pass at the same batch (target: at least 60% of forward / 3).
 */
async function ortTraining(game: Game, arch: Architecture, weights: Weights, tfjs: number, rng: Rng): Promise<boolean> {
  const data = randomBatch(game, TRAIN_BATCH, rng.split("data"), 30);
  const speeds: number[] = [];
  for (const threads of [1, 2]) {
    const trainer = new OrtTrainer(arch, DEFAULT_TRAINING, game, rng.split("train", threads), weights, threads);
    speeds.push(await rate(() => trainer.trainStep(data), TRAIN_BATCH));
    await trainer.dispose();
  }
  const model = await OnnxModel.load({ bytes: exportOnnx(arch, weights, { step: 0, run: "bench" }), file: "forward" }, { threads: 1 });
  const forward = await rate(() => model.evaluate(data.planes, TRAIN_BATCH), TRAIN_BATCH);
  await model.close();
  const [one, two] = speeds as [number, number];
  const speedUp = one / tfjs, share = one / (forward / 3);
  console.log(`  ONNX Runtime training, batch ${TRAIN_BATCH}: 1 thread ${fmt(one)} samples/s, 2 threads ${fmt(two)} samples/s; its forward pass ${fmt(forward)} positions/s (1 thread)`);
  console.log(`    1 thread against TensorFlow.js: ${speedUp.toFixed(2)}x   target >= 3x: ${speedUp >= 3 ? "met" : "NOT met"}`);
  console.log(`    against forward / 3: ${(100 * share).toFixed(1)}%   target >= 60%: ${share >= 0.6 ? "met" : "NOT met"}`);
  return speedUp >= 3 && share >= 0.6;
}

const tf = await loadTf();
console.log(`fossil network benchmark — node ${process.version}, TensorFlow.js backend "${tf.getBackend()}", ${SECONDS} s per measurement`);
const dir = mkdtempSync(join(tmpdir(), "fossil-bench-"));
let allMet = true;
for (const [spec, blocks, filters] of [
  ["go:7", 4, 32],
  ["go:9", 6, 64],
] as const) {
  const game = parseGameSpec(spec);
  const arch = architectureFor(game, blocks, filters);
  const rng = Rng.fromSeed(`bench ${spec}`);
  const net = new TfNetwork(tf, arch, initWeights(buildGraph(arch), rng.split("init")));
  const file = join(dir, `${spec.replace(":", "")}.onnx`);
  writeFileSync(file, exportOnnx(arch, net.getWeights(), { step: 0, run: "bench" }));
  const data = randomBatch(game, TRAIN_BATCH, rng.split("data"), 30);
  console.log(`\n${spec}: resnet ${blocks} blocks x ${filters} filters`);
  for (const threads of [1, 2]) {
    const model = await OnnxModel.load(file, { threads });
    const row: string[] = [];
    for (const batch of [1, 8, 64]) row.push(`batch ${String(batch).padStart(2)} ${fmt(await rate(() => model.evaluate(data.planes, batch), batch))}/s`);
    console.log(`  ONNX Runtime, ${threads} thread${threads > 1 ? "s" : " "}: ${row.join("   ")}`);
    await model.close();
  }
  allMet = (await int8Figures(game, arch, net.getWeights(), "fresh weights", rng.split("int8"))) && allMet;
  const forward = await rate(() => net.predict(data.planes, TRAIN_BATCH), TRAIN_BATCH);
  const trainer = new Trainer(net, DEFAULT_TRAINING, game, rng.split("train"));
  const fused = canFuseBatchNorm(tf, filters);
  const training = await rate(() => trainer.trainStep(data), TRAIN_BATCH);
  const ratio = training / forward;
  allMet &&= ratio >= 0.25;
  console.log(`  TensorFlow.js (${tf.getBackend()}), batch ${TRAIN_BATCH}: forward ${fmt(forward)} positions/s, training ${fmt(training)} samples/s${fused ? " (batch norm + ReLU fused)" : ""}`);
  console.log(`  training / forward: ${(100 * ratio).toFixed(1)}%   target >= 25%: ${ratio >= 0.25 ? "met" : "NOT met"}`);
  if (fused) {
    // Baseline: batch norm and ReLU as TensorFlow.js operations.
    setFusedBatchNorm(false);
    const plain = await rate(() => trainer.trainStep(data), TRAIN_BATCH);
    setFusedBatchNorm(true);
    console.log(`  baseline, batch norm + ReLU as tf operations: training ${fmt(plain)} samples/s (${(100 * plain / forward).toFixed(1)}% of forward); fused ${(training / plain).toFixed(2)}x that`);
  }
  allMet = (await ortTraining(game, arch, net.getWeights(), training, rng.split("ort"))) && allMet;
  net.dispose();
}
const trained = process.env.BENCH_MODEL;
if (trained) {
  let state;
  try {
    state = loadState(trained);
  } catch (e) {
    console.error(`BENCH_MODEL: ${(e as Error).message}`);
    process.exit(2);
  }
  const game = parseGameSpec(state.arch.game);
  console.log(`\n${trained}: ${state.arch.game}, resnet ${state.arch.blocks} blocks x ${state.arch.filters} filters, step ${state.step}`);
  allMet = (await int8Figures(game, state.arch, state.weights, "trained", Rng.fromSeed("bench trained"))) && allMet;
}
console.log(`\n${allMet ? "all targets met" : "some targets NOT met"}`);
