/**
 * The ONNX Runtime training backend against TensorFlow.js (the reference): every op's backward
 * rule, whole steps for every game, exact resume, and checkpoints continued across backends.
 */
import { mkdtempSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as ort from "onnxruntime-node";
import type { Tensor } from "@tensorflow/tfjs-core";
import { Rng } from "../core/rng.js";
import { parseGameSpec } from "../games/index.js";
import { architectureFor, buildGraph, type Graph, type WeightSpec } from "../models/arch.js";
import { captureState, loadState, saveCheckpoint, type TrainingState } from "../models/checkpoint.js";
import { OnnxModel } from "../models/inference.js";
import { exportOnnx } from "../models/onnx/export.js";
import { chooseTrainingBackend, openTrainer } from "../models/trainer.js";
import { OrtTrainer } from "../models/ort-trainer.js";
import { gradientModel, gradOf, type StepShape } from "../models/onnx/train-graph.js";
import { randomBatch } from "../models/synthetic.js";
import { DEFAULT_TRAINING, TfNetwork, Trainer, type TrainingParams } from "../models/tfnet.js";
import { loadTf, switchBackend, type Tf } from "../models/tf.js";
import { initWeights, type Weights } from "../models/weights.js";

let tf: Tf;
beforeAll(async () => {
  tf = await loadTf("wasm");
});
afterAll(async () => {
  await switchBackend("wasm");
});

/** max |a - b| / max |b|. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0, scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / Math.max(scale, 1e-12);
}

/** Weights with random batch-norm parameters too, so that no gradient is trivially zero. */
function randomWeights(graph: Graph, seed: number): Weights {
  const rng = Rng.fromSeed(seed);
  const weights = initWeights(graph, rng.split("init"));
  for (const spec of graph.weights) {
    const w = weights.get(spec.name)!;
    if (spec.kind === "bn-gamma" || spec.kind === "bn-variance") for (let i = 0; i < w.length; i++) w[i] = 0.5 + rng.float();
    if (spec.kind === "bn-beta" || spec.kind === "bn-mean" || spec.kind === "dense-bias") for (let i = 0; i < w.length; i++) w[i] = rng.normal() * 0.3;
  }
  return weights;
}

describe("backward rules, op by op, against TensorFlow.js's gradients", () => {
  const weight = (name: string, shape: number[], kind: WeightSpec["kind"], trainable = true): WeightSpec => ({ name, shape, kind, trainable });
  const bnWeights = (name: string, c: number): WeightSpec[] => [
    weight(`${name}/gamma`, [c], "bn-gamma"),
    weight(`${name}/beta`, [c], "bn-beta"),
    weight(`${name}/mean`, [c], "bn-mean", false),
    weight(`${name}/variance`, [c], "bn-variance", false),
  ];
  /** Single ops (and a pair where a gradient sums over two readers), from "x" to "y". */
  const cases: { name: string; shape: StepShape; channels: number; graph: Pick<Graph, "ops" | "weights"> }[] = [
    { name: "3x3 convolution", shape: { batch: 3, height: 5, width: 4 }, channels: 3, graph: { ops: [{ op: "conv", input: "x", output: "y", weight: "c/kernel", kernel: 3, inChannels: 3, outChannels: 4 }], weights: [weight("c/kernel", [3, 3, 3, 4], "conv")] } },
    { name: "1x1 convolution", shape: { batch: 3, height: 4, width: 4 }, channels: 5, graph: { ops: [{ op: "conv", input: "x", output: "y", weight: "c/kernel", kernel: 1, inChannels: 5, outChannels: 2 }], weights: [weight("c/kernel", [1, 1, 5, 2], "conv")] } },
    { name: "batch norm", shape: { batch: 4, height: 3, width: 3 }, channels: 6, graph: { ops: [{ op: "batchnorm", input: "x", output: "y", name: "bn", channels: 6 }], weights: bnWeights("bn", 6) } },
    { name: "relu", shape: { batch: 2, height: 3, width: 3 }, channels: 4, graph: { ops: [{ op: "relu", input: "x", output: "y" }], weights: [] } },
    {
      name: "add (x read twice)",
      shape: { batch: 2, height: 3, width: 3 },
      channels: 4,
      graph: {
        ops: [
          { op: "relu", input: "x", output: "r" },
          { op: "add", inputs: ["r", "x"], output: "y" },
        ],
        weights: [],
      },
    },
    {
      name: "flatten and dense",
      shape: { batch: 3, height: 2, width: 3 },
      channels: 2,
      graph: {
        ops: [
          { op: "flatten", input: "x", output: "f" },
          { op: "dense", input: "f", output: "y", weight: "d/weight", bias: "d/bias", inFeatures: 12, outFeatures: 5 },
        ],
        weights: [weight("d/weight", [12, 5], "dense-weight"), weight("d/bias", [5], "dense-bias")],
      },
    },
    { name: "tanh", shape: { batch: 5, height: 1, width: 1 }, channels: 3, graph: { ops: [{ op: "tanh", input: "x", output: "y" }], weights: [] } },
    { name: "squeeze", shape: { batch: 5, height: 1, width: 1 }, channels: 1, graph: { ops: [{ op: "squeeze", input: "x", output: "y" }], weights: [] } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const graph: Graph = { input: "x", policy: "y", value: "y", ...c.graph };
      const { batch, height, width } = c.shape;
      const rng = Rng.fromSeed(`op ${c.name}`);
      const weights = randomWeights(graph, 5);
      const x = Float32Array.from({ length: batch * height * width * c.channels }, () => rng.normal());
      const arch = architectureFor(parseGameSpec("go:5"), 0, 1);
      const net = new TfNetwork(tf, arch, weights, graph);
      let reference!: { y: Float32Array; r: Float32Array; yShape: number[]; dx: Float32Array; dw: Map<string, Float32Array> };
      tf.tidy(() => {
        const input = tf.tensor4d(x, [batch, height, width, c.channels]);
        const y = net.forward(input, true).policy;
        const r = tf.tensor(Float32Array.from({ length: y.size }, () => rng.normal()), y.shape);
        const loss = (t: Tensor): Tensor => tf.sum(tf.mul(net.forward(t, true).policy, r));
        const dx = tf.grad(loss)(input);
        const trainable = graph.weights.filter((w) => w.trainable);
        const grads = trainable.length > 0 ? tf.variableGrads(() => loss(input) as never, trainable.map((w) => net.variables.get(w.name)!)).grads : {};
        reference = {
          y: y.dataSync() as Float32Array,
          r: r.dataSync() as Float32Array,
          yShape: y.shape,
          dx: dx.dataSync() as Float32Array,
          dw: new Map(trainable.map((w) => [w.name, grads[net.variables.get(w.name)!.name]!.dataSync() as Float32Array])),
        };
      });
      const session = await ort.InferenceSession.create(gradientModel(graph, c.shape, c.channels, ["y"]));
      const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor("float32", x, [batch * height * width, c.channels]) };
      for (const w of graph.weights) feeds[w.name] = new ort.Tensor("float32", weights.get(w.name)!, w.shape);
      const yDims = c.graph.ops.at(-1)!.op === "squeeze" || c.graph.ops.at(-1)!.op === "dense" ? reference.yShape : [batch * height * width, reference.y.length / (batch * height * width)];
      feeds[gradOf("y")] = new ort.Tensor("float32", reference.r, yDims);
      const out = await session.run(feeds);
      expect(relativeError(out.y!.data as Float32Array, reference.y), "forward").toBeLessThan(1e-5);
      expect(relativeError(out[gradOf("x")]!.data as Float32Array, reference.dx), "input gradient").toBeLessThan(1e-5);
      for (const [name, dw] of reference.dw) expect(relativeError(out[gradOf(name)]!.data as Float32Array, dw), name).toBeLessThan(1e-5);
      await session.release();
      net.dispose();
    });
  }
});

describe("ONNX Runtime training step", () => {
  const games = ["go:5", "go:7", "connect4"];
  for (const spec of games) {
    it(`${spec}: one step gives TensorFlow.js's losses, weights, momentum and running statistics`, async () => {
      const game = parseGameSpec(spec);
      const arch = architectureFor(game, 2, 8, 16);
      const graph = buildGraph(arch);
      const weights = randomWeights(graph, 3);
      const params: TrainingParams = { ...DEFAULT_TRAINING, learningRate: 0.1, l2: 1e-3 };
      const net = new TfNetwork(tf, arch, weights);
      const reference = new Trainer(net, params, game, Rng.fromSeed(7));
      const ours = new OrtTrainer(arch, params, game, Rng.fromSeed(7), weights);
      for (let step = 0; step < 3; step++) {
        const batch = randomBatch(game, 16, Rng.fromSeed(20 + step));
        const a = reference.trainStep(batch), b = await ours.trainStep(batch);
        for (const k of ["loss", "policyLoss", "valueLoss", "l2Loss"] as const) expect(b[k], `${k} at step ${step}`).toBeCloseTo(a[k], 4);
      }
      const want = await captureState(reference, "t"), got = await ours.capture("t");
      expect(got.iterations).toBe(want.iterations);
      for (const w of graph.weights) {
        expect(relativeError(got.weights.get(w.name)!, want.weights.get(w.name)!), w.name).toBeLessThan(1e-4);
        if (w.trainable) expect(relativeError(got.momentum.get(w.name)!, want.momentum.get(w.name)!), `${w.name} momentum`).toBeLessThan(2e-4);
      }
      net.dispose();
      await ours.dispose();
    });
  }
});

describe("ONNX Runtime trainer checkpoints", () => {
  const dir = mkdtempSync(join(tmpdir(), "fossil-ort-train-"));
  const game = parseGameSpec("go:5");
  const arch = architectureFor(game, 1, 8, 16);
  const params: TrainingParams = { ...DEFAULT_TRAINING, learningRate: [[0, 0.05], [2, 0.02]] };
  const batches = [0, 1, 2, 3].map((k) => randomBatch(game, 8, Rng.fromSeed(40 + k)));
  const fresh = (): TrainingState => ({ arch, step: 0, rng: Rng.fromSeed(11).getState(), params, weights: initWeights(buildGraph(arch), Rng.fromSeed(12)), momentum: new Map(), iterations: 0, run: "t" });

  it("resumes from a checkpoint exactly as if never stopped", async () => {
    const a = await openTrainer(fresh(), game, "onnxruntime");
    const lossesA: number[] = [];
    for (const batch of batches) lossesA.push((await a.trainStep(batch)).loss);
    const b = await openTrainer(fresh(), game, "onnxruntime");
    const lossesB = [(await b.trainStep(batches[0]!)).loss, (await b.trainStep(batches[1]!)).loss];
    const path = join(dir, "resume.onnx");
    saveCheckpoint(path, await b.capture("t"));
    await b.dispose();
    const c = await openTrainer(loadState(path), game, "onnxruntime");
    expect(c.step).toBe(2);
    for (const batch of batches.slice(2)) lossesB.push((await c.trainStep(batch)).loss);
    expect(lossesB).toEqual(lossesA);
    const wa = (await a.capture("t")).weights, wc = (await c.capture("t")).weights;
    for (const [name, values] of wa) expect(Array.from(wc.get(name)!), name).toEqual(Array.from(values));
    await a.dispose();
    await c.dispose();
  });

  it("trains to the same bits on one thread and on two", async () => {
    // Large enough for ONNX Runtime to split its products and reductions over both threads.
    const game7 = parseGameSpec("go:7");
    const arch7 = architectureFor(game7, 2, 32);
    const start: TrainingState = { arch: arch7, step: 0, rng: Rng.fromSeed(13).getState(), params, weights: initWeights(buildGraph(arch7), Rng.fromSeed(14)), momentum: new Map(), iterations: 0, run: "t" };
    const batches7 = [0, 1, 2].map((k) => randomBatch(game7, 128, Rng.fromSeed(50 + k)));
    const states: TrainingState[] = [];
    for (const threads of [1, 2]) {
      const trainer = await openTrainer(start, game7, "onnxruntime", threads);
      for (const batch of batches7) await trainer.trainStep(batch);
      states.push(await trainer.capture("t"));
      await trainer.dispose();
    }
    for (const [name, values] of states[0]!.weights) expect(Array.from(states[1]!.weights.get(name)!), name).toEqual(Array.from(values));
    for (const [name, values] of states[0]!.momentum) expect(Array.from(states[1]!.momentum.get(name)!), `${name} momentum`).toEqual(Array.from(values));
  });

  it("continues a TensorFlow.js checkpoint, and TensorFlow.js continues its checkpoints", async () => {
    for (const [first, second] of [["tfjs", "onnxruntime"], ["onnxruntime", "tfjs"]] as const) {
      const straight = await openTrainer(fresh(), game, first);
      for (const batch of batches) await straight.trainStep(batch);
      const half = await openTrainer(fresh(), game, first);
      for (const batch of batches.slice(0, 2)) await half.trainStep(batch);
      const other = await openTrainer(await half.capture("t"), game, second);
      for (const batch of batches.slice(2)) await other.trainStep(batch);
      const want = await straight.capture("t"), got = await other.capture("t");
      expect(got.step).toBe(4);
      expect(got.iterations).toBe(4);
      for (const [name, values] of want.weights) expect(relativeError(got.weights.get(name)!, values), `${first} then ${second}: ${name}`).toBeLessThan(1e-4);
      for (const t of [straight, half, other]) await t.dispose();
    }
  });

  it("predicts as the exported model does", async () => {
    const trainer = await openTrainer(fresh(), game, "onnxruntime");
    for (const batch of batches) await trainer.trainStep(batch);
    const state = await trainer.capture("t");
    const model = await OnnxModel.load({ bytes: exportOnnx(arch, state.weights, { step: 4, run: "t" }), file: "t.onnx" });
    const batch = batches[0]!;
    const [got, want] = [await trainer.predict(batch.planes, batch.size), await model.evaluate(batch.planes, batch.size)];
    expect(Array.from(got.value)).toEqual(Array.from(want.value));
    expect(Array.from(got.policy)).toEqual(Array.from(want.policy));
    await model.close();
    await trainer.dispose();
  });

  it("is chosen where TensorFlow.js has no native backend, and a bad choice is refused by name", () => {
    expect(chooseTrainingBackend({ FOSSIL_TRAIN_BACKEND: "tfjs" })).toBe("tfjs");
    expect(chooseTrainingBackend({ FOSSIL_TRAIN_BACKEND: "onnxruntime" })).toBe("onnxruntime");
    expect(chooseTrainingBackend({ FOSSIL_TF_BACKEND: "cpu" })).toBe("tfjs");
    expect(() => chooseTrainingBackend({ FOSSIL_TRAIN_BACKEND: "pytorch" })).toThrow(/FOSSIL_TRAIN_BACKEND must be onnxruntime or tfjs, got "pytorch"/);
    let native = true;
    try {
      createRequire(import.meta.url).resolve("@tensorflow/tfjs-node");
    } catch {
      native = false;
    }
    expect(chooseTrainingBackend({})).toBe(native ? "tfjs" : "onnxruntime");
  });
});
