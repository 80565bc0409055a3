/**
 * Fast convolution gradients for TensorFlow.js's WebAssembly backend, built from its fast
 * forward kernels (XNNPACK convolution, transpose). The backend has no Conv2DBackpropFilter and
 * a slow Conv2DBackpropInput; training leans on both.
 *
 * For stride 1, dilation 1, NHWC and an odd square kernel k with "same" padding p = (k-1)/2:
 * - input gradient: dx = conv(dy, W'), W'[a,b,o,i] = W[k-1-a, k-1-b, i, o] (flipped, in/out
 *   swapped), padding p;
 * - filter gradient: dW[a,b,i,o] = sum over n,h,w of xpad[n,h+a,w+b,i] dy[n,h,w,o], which is a
 *   convolution of x with channels and batch swapped (x^T: [i, H, W, n]) by dy as a filter
 *   (dy^T: [H, W, n, o]) with padding p, giving [i, k, k, o], then transposed to [k, k, i, o].
 *   (Measured slower on a 7x7 net at batch 128: the transposed patch matrix times dy, whether
 *   the patches are built with the backend's Pad/Slice/Concat, which are slow, or in
 *   JavaScript; and any product with a transposed operand, which misses the fast path.)
 * Other configurations fall back to the backend's own input-gradient kernel; the filter gradient
 * supports only what fossil's networks use.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";

type Tf = typeof tfTypes;
interface TensorInfo {
  dataId: object;
  shape: number[];
  dtype: string;
}
interface WasmBackend {
  readSync(dataId: object): Float32Array;
  write(values: Float32Array, shape: number[], dtype: string): object;
  disposeData(dataId: object, force?: boolean): boolean;
}
type KernelFunc = (args: { inputs: Record<string, TensorInfo>; backend: WasmBackend; attrs: Record<string, unknown> }) => TensorInfo;

let registered = false;

/** Padding of a stride-1 "same" convolution with an odd square kernel, or null if not that case. */
function samePadding(kernel: number[], attrs: Record<string, unknown>): number | null {
  const [kh, kw] = kernel;
  const strides = attrs.strides as number | number[];
  const dilations = (attrs.dilations as number | number[] | undefined) ?? 1;
  const ones = (v: number | number[]): boolean => (Array.isArray(v) ? v.every((x) => x === 1) : v === 1);
  if (!ones(strides) || !ones(dilations) || kh !== kw || kh! % 2 !== 1) return null;
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== "NHWC" && attrs.dataFormat !== "channelsLast") return null;
  const p = (kh! - 1) / 2;
  const pad = attrs.pad;
  if (pad === "same" || pad === p) return p;
  if (pad === "valid" && p === 0) return 0;
  return null;
}

export function registerFastWasmKernels(tf: Tf): void {
  if (registered) return;
  const conv2d = tf.getKernel("Conv2D", "wasm")!.kernelFunc as unknown as KernelFunc;
  const transpose = tf.getKernel("Transpose", "wasm")!.kernelFunc as unknown as KernelFunc;
  const originalInput = tf.getKernel("Conv2DBackpropInput", "wasm")?.kernelFunc as unknown as KernelFunc | undefined;
  // Explicit padding: with a number tfjs sizes the output as if the filter were square, and the
  // filter-gradient convolution uses the (possibly non-square) board as its filter.
  const convAttrs = (p: number) => ({ strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [p, p], [p, p], [0, 0]], dataFormat: "NHWC", dimRoundingMode: undefined });

  const backpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const [k, , inC, outC] = filter.shape as [number, number, number, number];
    const p = samePadding(filter.shape, attrs);
    if (p === null) {
      if (!originalInput) throw new Error("Conv2DBackpropInput: unsupported configuration");
      return originalInput({ inputs, backend, attrs });
    }
    const w = backend.readSync(filter.dataId);
    const flipped = new Float32Array(w.length);
    for (let a = 0; a < k; a++) {
      for (let b = 0; b < k; b++) {
        const src = ((k - 1 - a) * k + (k - 1 - b)) * inC * outC;
        const dst = (a * k + b) * outC * inC;
        for (let i = 0; i < inC; i++) for (let o = 0; o < outC; o++) flipped[dst + o * inC + i] = w[src + i * outC + o]!;
      }
    }
    const fInfo: TensorInfo = { dataId: backend.write(flipped, [k, k, outC, inC], "float32"), shape: [k, k, outC, inC], dtype: "float32" };
    const out = conv2d({ inputs: { x: dy, filter: fInfo }, backend, attrs: convAttrs(p) });
    backend.disposeData(fInfo.dataId);
    return out;
  };

  const backpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const filterShape = attrs.filterShape as number[];
    const p = samePadding(filterShape, attrs);
    if (p === null) throw new Error(`Conv2DBackpropFilter (fossil wasm kernel): only stride 1, "same" padding, odd square kernels; got ${JSON.stringify({ filterShape, strides: attrs.strides, pad: attrs.pad })}`);
    const xT = transpose({ inputs: { x }, backend, attrs: { perm: [3, 1, 2, 0] } }); // [i, H, W, n]
    const dyT = transpose({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } }); // [H, W, n, o]
    const grad = conv2d({ inputs: { x: xT, filter: dyT }, backend, attrs: convAttrs(p) }); // [i, k, k, o]
    backend.disposeData(xT.dataId);
    backend.disposeData(dyT.dataId);
    const out = transpose({ inputs: { x: grad }, backend, attrs: { perm: [1, 2, 0, 3] } }); // [k, k, i, o]
    backend.disposeData(grad.dataId);
    return out;
  };

  if (originalInput) tf.unregisterKernel("Conv2DBackpropInput", "wasm");
  tf.registerKernel({ kernelName: "Conv2DBackpropInput", backendName: "wasm", kernelFunc: backpropInput as never });
  if (tf.getKernel("Conv2DBackpropFilter", "wasm")) tf.unregisterKernel("Conv2DBackpropFilter", "wasm");
  tf.registerKernel({ kernelName: "Conv2DBackpropFilter", backendName: "wasm", kernelFunc: backpropFilter as never });
  registered = true;
}
