/**
 * Network benchmark (`npm run bench:nn`), all measured in this run: for a 7x7 net (4 blocks,
 * 32 filters) and a 9x9 net (6 blocks, 64 filters), ONNX Runtime positions/s at batch 1, 8 and
 * 64 with 1 and 2 threads; TensorFlow.js forward positions/s and training samples/s at batch 128
 * on the active backend, and their ratio (target: training at least 25% of forward); on wasm
 * also training with batch norm and ReLU as plain tf operations, the baseline of the fused
 * kernels (fused-bn.ts).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseGameSpec } from "../games/index.js";
import { architectureFor, buildGraph } from "../models/arch.js";
import { OnnxModel } from "../models/inference.js";
import { exportOnnx } from "../models/onnx/export.js";
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
  net.dispose();
}
console.log(`\n${allMet ? "all targets met" : "some targets NOT met"}`);
