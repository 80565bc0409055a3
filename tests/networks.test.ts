/**
 * Networks: fast wasm gradient kernels against the cpu backend, training, checkpoints that
 * resume exactly, ONNX export checked by Debian's python3-onnx, and TensorFlow.js / ONNX Runtime
 * agreement on random reachable positions.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Game } from "../games/game.js";
import { parseGameSpec } from "../games/index.js";
import { architectureFor, buildGraph, type Architecture } from "../models/arch.js";
import { captureState, checkpointName, loadState, restoreState, saveCheckpoint, statePath } from "../models/checkpoint.js";
import { OnnxModel } from "../models/inference.js";
import { exportOnnx, ONNX_IR_VERSION, ONNX_OPSET } from "../models/onnx/export.js";
import { checkModelFits, readModelFile, readModelInfo } from "../models/onnx/read.js";
import { canFuseBatchNorm, fusedBatchNormRelu } from "../models/fused-bn.js";
import { batchNormTraining, DEFAULT_TRAINING, TfNetwork, Trainer, type Batch, type TrainingParams } from "../models/tfnet.js";
import { loadTf, switchBackend, type Tf } from "../models/tf.js";
import { initWeights, type Weights } from "../models/weights.js";
import { randomBatch } from "../models/synthetic.js";
import { InputError } from "../core/errors.js";
import type { Tensor } from "@tensorflow/tfjs-core";
import { Rng } from "../core/rng.js";
import { itNeeds, needs } from "./helpers/needs.js";

const dir = mkdtempSync(join(tmpdir(), "fossil-nn-"));
let tf: Tf;

beforeAll(async () => {
  tf = await loadTf("wasm");
});
afterAll(async () => {
  await switchBackend("wasm");
});

/** A seeded synthetic batch (random reachable positions, random targets). */
function batchOf(game: Game, size: number, seed: number): Batch {
  return randomBatch(game, size, Rng.fromSeed(seed));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
function relativeError(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  return maxAbsDiff(a, b) / Math.max(scale, 1e-12);
}

describe("wasm convolution gradients", () => {
  /** Gradients of sum(conv2d(x, w) * r) on a backend. */
  async function convGrads(backend: "wasm" | "cpu", xs: Float32Array, xShape: number[], ws: Float32Array, wShape: number[], rs: Float32Array): Promise<[Float32Array, Float32Array]> {
    await switchBackend(backend);
    const [dx, dw] = tf.tidy(() => {
      const x = tf.tensor4d(xs, xShape as [number, number, number, number]);
      const w = tf.tensor4d(ws, wShape as [number, number, number, number]);
      const g = tf.grads((a, b) => tf.sum(tf.mul(tf.conv2d(a as never, b as never, 1, "same"), tf.tensor(rs, [xShape[0]!, xShape[1]!, xShape[2]!, wShape[3]!]))));
      return g([x, w]).map((t) => t.dataSync() as Float32Array);
    });
    return [dx!, dw!];
  }

  for (const [k, cin, cout] of [
    [3, 3, 4],
    [3, 8, 5],
    [1, 6, 2],
  ] as const) {
    it(`match the cpu backend for a ${k}x${k} kernel, ${cin} -> ${cout} channels (relative error < 1e-4)`, async () => {
      const rng = Rng.fromSeed(k * 100 + cin);
      const xShape = [3, 6, 5, cin], wShape = [k, k, cin, cout];
      const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal());
      const xs = rand(3 * 6 * 5 * cin), ws = rand(k * k * cin * cout), rs = rand(3 * 6 * 5 * cout);
      const [dxCpu, dwCpu] = await convGrads("cpu", xs, xShape, ws, wShape, rs);
      const [dxWasm, dwWasm] = await convGrads("wasm", xs, xShape, ws, wShape, rs);
      expect(relativeError(dxWasm, dxCpu)).toBeLessThan(1e-4);
      expect(relativeError(dwWasm, dwCpu)).toBeLessThan(1e-4);
    });
  }

  it("the hand-written batch-norm gradient matches autodiff of the textbook formula (cpu)", async () => {
    await switchBackend("cpu");
    const rng = Rng.fromSeed(8);
    const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.normal() * 2 + 0.5);
    const xs = rand(4 * 3 * 3 * 5), gs = rand(5), bs = rand(5), rs = rand(4 * 3 * 3 * 5);
    const kept: { dispose(): void }[] = [];
    const grads = (custom: boolean): Float32Array[] =>
      tf.tidy(() => {
        const f = (...args: Tensor[]) => {
          const [x, g, b] = args as [never, never, never];
          const y = custom
            ? batchNormTraining(tf, x, g, b, (m, v) => kept.push(m, v))
            : (() => {
                const { mean, variance } = tf.moments(x, [0, 1, 2]);
                return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-3))), g), b);
              })();
          return tf.sum(tf.mul(y, tf.tensor(rs, [4, 3, 3, 5])));
        };
        return tf.grads(f)([tf.tensor4d(xs, [4, 3, 3, 5]), tf.tensor1d(gs), tf.tensor1d(bs)]).map((t) => t.dataSync() as Float32Array);
      });
    const ours = grads(true), reference = grads(false);
    for (const t of kept) t.dispose();
    for (let i = 0; i < 3; i++) expect(relativeError(ours[i]!, reference[i]!)).toBeLessThan(1e-4);
    await switchBackend("wasm");
  });

  for (const withSkip of [false, true]) {
    it(`the fused wasm batch norm + ReLU${withSkip ? " with a residual input" : ""} matches autodiff of the textbook formula on cpu (relative error < 1e-4)`, async () => {
      const rng = Rng.fromSeed(withSkip ? 10 : 9);
      const shape = [16, 5, 5, 12];
      const size = 16 * 5 * 5 * 12;
      // A mean far from zero and channels of different spread, as after a convolution.
      const xs = Float32Array.from({ length: size }, (_, i) => rng.normal() * (1 + (i % 12)) + 3);
      const gs = Float32Array.from({ length: 12 }, () => rng.normal()), bs = Float32Array.from({ length: 12 }, () => rng.normal());
      const ss = Float32Array.from({ length: size }, () => rng.normal()), rs = Float32Array.from({ length: size }, () => rng.normal());
      const run = (fused: boolean): Float32Array[] => {
        const kept: Tensor[] = [];
        const out = tf.tidy(() => {
          const f = (...args: Tensor[]) => {
            const [x, g, b, skip] = args as [Tensor, Tensor, Tensor, Tensor];
            let y: Tensor;
            if (fused) y = fusedBatchNormRelu(tf, x, g, b, withSkip ? skip : null, (m, v) => kept.push(m, v));
            else {
              const { mean, variance } = tf.moments(x, [0, 1, 2]);
              kept.push(tf.keep(mean), tf.keep(variance));
              const bn = tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-3))), g), b);
              y = tf.relu(withSkip ? tf.add(bn, skip) : bn);
            }
            return tf.sum(tf.mul(y, tf.tensor(rs, shape)));
          };
          const inputs = [tf.tensor(xs, shape), tf.tensor1d(gs), tf.tensor1d(bs), ...(withSkip ? [tf.tensor(ss, shape)] : [])];
          const { value, grads } = tf.valueAndGrads(f)(inputs);
          return [value, ...grads].map((t) => t.dataSync() as Float32Array);
        });
        return [...out, ...kept.map((t) => t.dataSync() as Float32Array)];
      };
      await switchBackend("wasm");
      expect(canFuseBatchNorm(tf, 12)).toBe(true);
      const ours = run(true);
      await switchBackend("cpu");
      const reference = run(false);
      await switchBackend("wasm");
      // Loss, gradients of x, gamma, beta (and the residual input), batch mean and variance.
      expect(ours.length).toBe(reference.length);
      for (let i = 0; i < ours.length; i++) expect(relativeError(ours[i]!, reference[i]!), `output ${i}`).toBeLessThan(1e-4);
    });
  }

  it("a whole training step moves the weights as on the cpu backend", async () => {
    const game = parseGameSpec("go:5");
    const arch = architectureFor(game, 1, 8, 16);
    const weights = initWeights(buildGraph(arch), Rng.fromSeed(3));
    const batch = batchOf(game, 6, 4);
    const params: TrainingParams = { ...DEFAULT_TRAINING, learningRate: 1, momentum: 0, l2: 1e-4, augment: false };
    const after = async (backend: "wasm" | "cpu"): Promise<Weights> => {
      await switchBackend(backend);
      const net = new TfNetwork(tf, arch, weights);
      new Trainer(net, params, game, Rng.fromSeed(1)).trainStep(batch);
      const w = net.getWeights();
      net.dispose();
      return w;
    };
    const cpu = await after("cpu"), wasm = await after("wasm");
    for (const spec of buildGraph(arch).weights) {
      const w0 = weights.get(spec.name)!;
      const dCpu = cpu.get(spec.name)!.map((v, i) => v - w0[i]!), dWasm = wasm.get(spec.name)!.map((v, i) => v - w0[i]!);
      if (dCpu.every((v) => v === 0)) continue;
      expect(relativeError(dWasm, dCpu), spec.name).toBeLessThan(1e-3);
    }
  });
});

describe("training", () => {
  it("fits a fixed batch: the loss falls by more than half", () => {
    const game = parseGameSpec("connect4");
    const arch = architectureFor(game, 1, 16, 16);
    const net = new TfNetwork(tf, arch, initWeights(buildGraph(arch), Rng.fromSeed(5)));
    const trainer = new Trainer(net, { ...DEFAULT_TRAINING, learningRate: 0.05, augment: false }, game, Rng.fromSeed(6));
    const batch = batchOf(game, 32, 7);
    const first = trainer.trainStep(batch);
    const tensors = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 60; i++) last = trainer.trainStep(batch);
    expect(last.loss).toBeLessThan(first.loss / 2);
    expect(trainer.step).toBe(61);
    expect(tf.memory().numTensors).toBe(tensors); // no tensor leaks per step
    net.predict(batch.planes, 4);
    expect(tf.memory().numTensors).toBe(tensors);
    net.dispose();
  });

  it("resumes from a checkpoint exactly as if never stopped", async () => {
    const game = parseGameSpec("go:5");
    const arch = architectureFor(game, 1, 8, 16);
    const start = initWeights(buildGraph(arch), Rng.fromSeed(9));
    const batches = [0, 1, 2, 3].map((k) => batchOf(game, 8, 20 + k));
    const params: TrainingParams = { ...DEFAULT_TRAINING, learningRate: [[0, 0.05], [2, 0.02]] };
    // Straight through.
    const netA = new TfNetwork(tf, arch, start);
    const a = new Trainer(netA, params, game, Rng.fromSeed(10));
    const lossesA = batches.map((b) => a.trainStep(b).loss);
    // Two steps, checkpoint, a new trainer restored from disk, two more steps.
    const netB = new TfNetwork(tf, arch, start);
    const b = new Trainer(netB, params, game, Rng.fromSeed(10));
    const lossesB = [b.trainStep(batches[0]!).loss, b.trainStep(batches[1]!).loss];
    const path = join(dir, "resume.onnx");
    saveCheckpoint(path, await captureState(b, "resume-test"));
    netB.dispose();
    const state = loadState(path);
    expect(state.step).toBe(2);
    const netC = new TfNetwork(tf, state.arch, state.weights);
    const c = new Trainer(netC, state.params, game, Rng.fromSeed(999));
    await restoreState(c, state);
    lossesB.push(c.trainStep(batches[2]!).loss, c.trainStep(batches[3]!).loss);
    expect(lossesB).toEqual(lossesA);
    const wa = netA.getWeights(), wc = netC.getWeights();
    for (const [name, values] of wa) expect(Array.from(wc.get(name)!), name).toEqual(Array.from(values));
    netA.dispose();
    netC.dispose();
  });

  it("names checkpoints so that they sort and describe themselves", () => {
    expect(checkpointName("study 1", "prior", 3, 12)).toBe("study_1-prior-s3-g0012.onnx");
    const names = [10, 9, 100, 1].map((g) => checkpointName("r", "zero", 1, g)).sort();
    expect(names).toEqual([1, 9, 10, 100].map((g) => checkpointName("r", "zero", 1, g)));
  });

  it("refuses a truncated training state", () => {
    const path = join(dir, "resume.onnx");
    const bytes = readFileSync(statePath(path));
    writeFileSync(join(dir, "cut.state"), bytes.subarray(0, bytes.length - 10));
    writeFileSync(join(dir, "cut.onnx"), "");
    expect(() => loadState(join(dir, "cut.onnx"))).toThrow(/truncated data/);
  });
});

describe("ONNX export and ONNX Runtime", () => {
  const cases: [string, number, number][] = [
    ["go:7", 2, 32],
    ["go:9", 1, 16],
    ["connect4", 2, 32],
  ];

  async function agreement(game: Game, arch: Architecture, net: TfNetwork, file: string): Promise<{ policy: number; value: number }> {
    const bytes = exportOnnx(arch, net.getWeights(), { step: 0, run: "agreement" });
    writeFileSync(file, bytes);
    const model = await OnnxModel.load(file, { expect: game });
    const { planes } = batchOf(game, 200, 77);
    const ours = net.predict(planes, 200);
    const ort = await model.evaluate(planes, 200);
    await model.close();
    return { policy: maxAbsDiff(ort.policy, ours.policy), value: maxAbsDiff(ort.value, ours.value) };
  }

  it.each(cases)("%s: ONNX Runtime and TensorFlow.js agree within 1e-4 on 200 positions, before and after training", async (spec, blocks, filters) => {
    const game = parseGameSpec(spec);
    const arch = architectureFor(game, blocks, filters);
    const net = new TfNetwork(tf, arch, initWeights(buildGraph(arch), Rng.fromSeed(11)));
    const before = await agreement(game, arch, net, join(dir, `${spec}-0.onnx`));
    expect(before.policy).toBeLessThan(1e-4);
    expect(before.value).toBeLessThan(1e-4);
    // Training moves the batch-norm statistics away from 0/1, which the export folds in.
    const trainer = new Trainer(net, { ...DEFAULT_TRAINING, learningRate: 0.05 }, game, Rng.fromSeed(12));
    for (let i = 0; i < 8; i++) trainer.trainStep(batchOf(game, 32, 100 + i));
    const mean = net.getWeights().get("stem/bn/mean")!;
    expect(mean.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    const after = await agreement(game, arch, net, join(dir, `${spec}-8.onnx`));
    expect(after.policy).toBeLessThan(1e-4);
    expect(after.value).toBeLessThan(1e-4);
    net.dispose();
  });

  itNeeds(needs.pythonOnnx)("passes onnx.checker.check_model(full_check=True) of Debian's python3-onnx", () => {
    const python = "/usr/bin/python3";
    const files = cases.map(([spec]) => join(dir, `${spec}-8.onnx`));
    const script = "import onnx,sys\nfor f in sys.argv[1:]:\n    m = onnx.load(f)\n    onnx.checker.check_model(m, full_check=True)\n    print(f, m.ir_version, m.opset_import[0].version)";
    const out = execFileSync(python, ["-c", script, ...files], { encoding: "utf8" });
    expect(out.trim().split("\n").map((l) => l.split(" ").slice(1).join(" "))).toEqual(files.map(() => `${ONNX_IR_VERSION} ${ONNX_OPSET}`));
  });

  it("writes an IR version and opset that ONNX Runtime and Debian's python3-onnx both read", () => {
    expect(ONNX_IR_VERSION).toBeLessThanOrEqual(8);
    expect(ONNX_OPSET).toBeGreaterThanOrEqual(13);
    expect(ONNX_OPSET).toBeLessThanOrEqual(17);
  });

  it("stores and reads back the metadata", () => {
    const { info } = readModelFile(join(dir, "go:7-8.onnx"));
    expect(info.metadata["fossil.game"]).toBe("go:7:tromp-taylor:9");
    expect(info.metadata["fossil.board"]).toBe("7x7");
    expect(info.metadata["fossil.plane_version"]).toBe("go-v1");
    expect(info.metadata["fossil.architecture"]).toBe("resnet b2 f32 v64");
    expect(info.metadata["fossil.run"]).toBe("agreement");
    expect(info.architecture?.actions).toBe(50);
  });

  it("refuses models for another game, board or plane version, and files that are not ONNX", async () => {
    const { info } = readModelFile(join(dir, "go:7-8.onnx"));
    const go9 = parseGameSpec("go:9");
    expect(() => checkModelFits(info, go9)).toThrow(
      "model does not fit: it is for go:7, not go:9; its board is 7x7, not 9x9",
    );
    expect(() => checkModelFits(info, { id: "go:7", planeVersion: "go-v0", height: 7, width: 7 })).toThrow("its input planes are go-v1, this version of fossil encodes go-v0");
    const bytes = readFileSync(join(dir, "go:7-8.onnx"));
    for (const cut of [10, 1000, bytes.length - 7]) {
      expect(() => readModelInfo(bytes.subarray(0, cut), "cut.onnx")).toThrow(InputError);
    }
    expect(() => readModelInfo(new TextEncoder().encode("(;GM[1]SZ[9];B[ee])"), "game.sgf")).toThrow(/not a readable ONNX model/);
    writeFileSync(join(dir, "cut.onnx"), bytes.subarray(0, bytes.length - 7));
    await expect(OnnxModel.load(join(dir, "cut.onnx"))).rejects.toThrow(InputError);
  });
});
