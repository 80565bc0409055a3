/**
 * Batch norm (batch statistics) fused with the ReLU after it — and with a residual sum between
 * them — for training on TensorFlow.js's WebAssembly backend. Written with tf ops (see
 * `batchNormTraining`) the pair costs about a dozen full-size element-wise kernels per layer
 * forward and backward, each a pass over memory; these kernels (bn-kernels.wat, SIMD) make
 * three passes forward (sum, centred squares, normalise + ReLU) and two backward (ReLU
 * gradient with the per-channel sums, input gradient), working in place on the backend's memory.
 *
 * Forward, with M = N H W cells: mean, var over cells; r = 1/sqrt(var + eps), s = gamma r;
 * y = max(0, s (x - mean) + beta [+ skip]). Backward, dz = dy where y > 0:
 * dbeta = sum dz, dgamma = r sum dz (x - mean), dx = s dz - s dbeta / M - q (x - mean) with
 * q = s r dgamma / M, and dskip = dz.
 */
import { existsSync, readFileSync } from "node:fs";
import type * as tfTypes from "@tensorflow/tfjs-core";
import { packagePath } from "../core/files.js";
import { BN_EPSILON } from "./arch.js";

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;
interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}
// WebAssembly's types are in the DOM library, which this Node project does not load.
interface WasmMemory {
  buffer: ArrayBuffer;
}
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};
interface WasmBackend {
  wasm: { asm?: { memory?: WasmMemory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: string): TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}
interface Kernels {
  colsum(x: number, m: number, c: number, out: number): void;
  colsumsq(x: number, mean: number, m: number, c: number, out: number): void;
  affine_relu(x: number, skip: number, a: number, b: number, m: number, c: number, y: number): void;
  relu_grad_sums(dy: number, y: number, x: number, mean: number, m: number, c: number, dz: number, sumdz: number, sumdzc: number): void;
  affine2(u: number, v: number, a: number, b: number, d: number, m: number, c: number, out: number): void;
}

const FORWARD = "FossilBnReluForward";
const BACKWARD = "FossilBnReluBackward";
const WASM_FILE = packagePath("models", "bn-kernels.wasm");

/** Whether the kernels are registered with the wasm backend (null: not tried yet). */
let registered: boolean | null = null;
/** The kernels instantiated on each backend's memory. */
const instances = new WeakMap<WasmMemory, Kernels>();
let enabled = true;

/** Turns the fused kernels off or on (the benchmark measures both). */
export function setFusedBatchNorm(on: boolean): void {
  enabled = on;
}

/**
 * What both kernels start from: the backend's memory, the kernels instantiated on it, a tensor's
 * byte offset in it, and x's channels (c) and cells per channel (m).
 */
function kernelContext(backend: WasmBackend, x: TensorInfo): { memory: WasmMemory; k: Kernels; at: (t: TensorInfo) => number; c: number; m: number } {
  const memory = backend.wasm.asm?.memory;
  if (memory === undefined) throw new Error("fused batch norm: the wasm backend's memory is not reachable");
  let k = instances.get(memory);
  if (!k) {
    k = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(WASM_FILE)), { env: { memory } }).exports as unknown as Kernels;
    instances.set(memory, k);
  }
  const c = x.shape[x.shape.length - 1]!;
  return { memory, k, at: (t) => backend.dataIdMap.get(t.dataId)!.memoryOffset, c, m: x.shape.reduce((p, d) => p * d, 1) / c };
}

type KernelArgs = { inputs: Record<string, TensorInfo>; backend: WasmBackend };

function forwardKernel({ inputs, backend }: KernelArgs): TensorInfo[] {
  const { x, gamma, beta, skip } = inputs as Record<string, TensorInfo>;
  const { memory, k, at, c, m } = kernelContext(backend, x!);
  const y = backend.makeOutput(x!.shape, "float32");
  const [mean, variance, a, b] = Array.from({ length: 4 }, () => backend.makeOutput([c], "float32")) as [TensorInfo, TensorInfo, TensorInfo, TensorInfo];
  k.colsum(at(x!), m, c, at(mean));
  // Views are made after every allocation (a view dies when the memory grows).
  let h = new Float32Array(memory.buffer);
  const [mo, vo, go, bo, ao, so] = [mean, variance, gamma!, beta!, a, b].map((t) => at(t) >> 2) as [number, number, number, number, number, number];
  for (let i = 0; i < c; i++) h[mo + i] = h[mo + i]! / m;
  k.colsumsq(at(x!), at(mean), m, c, at(variance));
  h = new Float32Array(memory.buffer);
  for (let i = 0; i < c; i++) {
    const v = h[vo + i]! / m;
    h[vo + i] = v;
    const scale = h[go + i]! / Math.sqrt(v + BN_EPSILON);
    h[ao + i] = scale;
    h[so + i] = h[bo + i]! - h[mo + i]! * scale;
  }
  k.affine_relu(at(x!), skip ? at(skip) : 0, at(a), at(b), m, c, at(y));
  backend.disposeData(a.dataId);
  backend.disposeData(b.dataId);
  return [y, mean, variance];
}

function backwardKernel({ inputs, backend }: KernelArgs): TensorInfo[] {
  const { dy, x, y, mean, variance, gamma } = inputs as Record<string, TensorInfo>;
  const { memory, k, at, c, m } = kernelContext(backend, x!);
  const dz = backend.makeOutput(x!.shape, "float32");
  const dx = backend.makeOutput(x!.shape, "float32");
  const [dbeta, dgamma, a, b, d] = Array.from({ length: 5 }, () => backend.makeOutput([c], "float32")) as [TensorInfo, TensorInfo, TensorInfo, TensorInfo, TensorInfo];
  k.relu_grad_sums(at(dy!), at(y!), at(x!), at(mean!), m, c, at(dz), at(dbeta), at(dgamma));
  const h = new Float32Array(memory.buffer);
  const [mo, vo, go, sdz, sdzc, ao, bo, dco] = [mean!, variance!, gamma!, dbeta, dgamma, a, b, d].map((t) => at(t) >> 2) as number[] as [number, number, number, number, number, number, number, number];
  for (let i = 0; i < c; i++) {
    const r = 1 / Math.sqrt(h[vo + i]! + BN_EPSILON);
    const scale = h[go + i]! * r;
    const q = (scale * r * r * h[sdzc + i]!) / m;
    h[ao + i] = scale;
    h[bo + i] = -q;
    h[dco + i] = (-scale * h[sdz + i]!) / m + q * h[mo + i]!;
    h[sdzc + i] = r * h[sdzc + i]!; // now dgamma
  }
  k.affine2(at(dz), at(x!), at(a), at(b), at(d), m, c, at(dx));
  for (const t of [a, b, d]) backend.disposeData(t.dataId);
  return [dx, dgamma, dbeta, dz];
}

/**
 * Registers the kernels for the wasm backend (once). False when they cannot be used: another
 * backend, or bn-kernels.wasm not built (`npm run build` makes it).
 */
function registerFusedBatchNorm(tf: Tf): boolean {
  if (tf.getBackend() !== "wasm") return false;
  if (registered === null) {
    registered = existsSync(WASM_FILE); // looked for once
    if (registered) {
      tf.registerKernel({ kernelName: FORWARD, backendName: "wasm", kernelFunc: forwardKernel as never });
      tf.registerKernel({ kernelName: BACKWARD, backendName: "wasm", kernelFunc: backwardKernel as never });
    }
  }
  return registered;
}

/** Whether `fusedBatchNormRelu` can run for tensors with `channels` channels. */
export function canFuseBatchNorm(tf: Tf, channels: number): boolean {
  return enabled && channels % 4 === 0 && registerFusedBatchNorm(tf);
}

/**
 * relu(batchnorm(x) [+ skip]) with batch statistics, reported through `onStats` (kept tensors).
 * Only where `canFuseBatchNorm` says so.
 */
export function fusedBatchNormRelu(tf: Tf, x: Tensor, gamma: Tensor, beta: Tensor, skip: Tensor | null, onStats: (mean: Tensor, variance: Tensor) => void): Tensor {
  const op = tf.customGrad((...args: (Tensor | tfTypes.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tfTypes.GradSaveFunc;
    const [xIn, gIn, bIn, sIn] = args.slice(0, -1) as Tensor[];
    const inputs: tfTypes.NamedTensorMap = { x: xIn!, gamma: gIn!, beta: bIn! };
    if (sIn) inputs.skip = sIn;
    const [y, mean, variance] = tf.engine().runKernel(FORWARD, inputs, {}) as Tensor[];
    onStats(tf.keep(mean!), tf.keep(variance!));
    save([xIn!, y!, mean!, variance!, gIn!]);
    return {
      value: y!,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xs, ys, ms, vs, gs] = saved as [Tensor, Tensor, Tensor, Tensor, Tensor];
        const [dx, dgamma, dbeta, dz] = tf.engine().runKernel(BACKWARD, { dy, x: xs, y: ys, mean: ms, variance: vs, gamma: gs }, {}) as Tensor[];
        if (sIn) return [dx!, dgamma!, dbeta!, dz!];
        dz!.dispose();
        return [dx!, dgamma!, dbeta!];
      },
    };
  });
  return skip ? op(x, gamma, beta, skip) : op(x, gamma, beta);
}
