/**
 * Static int8 quantisation of an exported network, in ONNX's QDQ form: every convolution reads a
 * QuantizeLinear → DequantizeLinear pair on its input (unsigned 8-bit activations, one scale and
 * zero point per tensor, from ranges measured on calibration positions), int8 weights with one
 * scale per output channel, and an int32 bias; ONNX Runtime fuses each pattern into an integer
 * kernel (QLinearConv, QLinearAdd) and drops a ReLU whose output is quantised from zero. The
 * heads' dense layers stay in float32.
 */
import * as ort from "onnxruntime-node";
import type { Architecture } from "../arch.js";
import { legalProbabilities } from "../inference.js";
import type { Weights } from "../weights.js";
import { INT32, INT8, onnxGraph, UINT8, writeModel, type ModelMetadata, type Node, type OnnxGraph, type Tensor } from "./export.js";

/** The measured range of each activation tensor that is quantised. */
export type Ranges = Map<string, { min: number; max: number }>;

/** The float tensors whose consumers read them quantised: the network's input and every activation that feeds a convolution, an addition or a head. */
export function quantisedTensors(onnx: OnnxGraph): string[] {
  const weights = new Set(onnx.initializers.map((t) => t.name));
  const out = new Set<string>();
  for (const node of onnx.nodes) {
    if (node.op === "Conv") out.add(node.inputs[0]!);
    if (node.op === "Add") for (const input of node.inputs) if (!weights.has(input)) out.add(input);
  }
  return [...out];
}

/**
 * Measures the ranges of `quantisedTensors` on `count` calibration positions (NCHW planes) by
 * running the float model with those tensors as extra outputs.
 */
export async function calibrate(arch: Architecture, weights: Weights, planes: Float32Array, count: number, batch = 64): Promise<Ranges> {
  const onnx = onnxGraph(arch, weights);
  const quantised = quantisedTensors(onnx);
  // The input is read as given; the rest come out of the float model as extra outputs.
  const input = quantised.includes("planes");
  const names = quantised.filter((n) => n !== "planes");
  const bytes = writeModel(arch, { step: 0, run: "calibration" }, onnx, names);
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: "basic" });
  const ranges: Ranges = new Map();
  const widen = (name: string, data: Float32Array): void => {
    let min = ranges.get(name)?.min ?? 0, max = ranges.get(name)?.max ?? 0;
    for (let k = 0; k < data.length; k++) {
      const v = data[k]!;
      if (v < min) min = v;
      else if (v > max) max = v;
    }
    ranges.set(name, { min, max });
  };
  const size = arch.planes * arch.height * arch.width;
  try {
    for (let start = 0; start < count; start += batch) {
      const n = Math.min(batch, count - start);
      const slice = planes.subarray(start * size, (start + n) * size);
      if (input) widen("planes", slice);
      const out = await session.run({ planes: new ort.Tensor("float32", slice, [n, arch.planes, arch.height, arch.width]) }, names);
      for (const name of names) widen(name, out[name]!.data as Float32Array);
    }
  } finally {
    await session.release();
  }
  return ranges;
}

/** Unsigned 8-bit parameters of a range that includes 0 (so that zero padding is exact). */
function activationParameters(range: { min: number; max: number }): { scale: number; zeroPoint: number } {
  const min = Math.min(0, range.min), max = Math.max(0, range.max);
  const scale = max - min > 0 ? (max - min) / 255 : 1;
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-min / scale))) };
}

/** A float scalar, and a float vector (a per-channel scale stays a vector, one channel too). */
const scalar = (name: string, value: number): Tensor => ({ name, dims: [], floats: Float32Array.of(value) });
const vector = (name: string, values: number[]): Tensor => ({ name, dims: [values.length], floats: Float32Array.from(values) });

/** The QDQ model of the network; `ranges` from `calibrate`. */
export function exportQuantisedOnnx(arch: Architecture, weights: Weights, meta: ModelMetadata, ranges: Ranges): Uint8Array {
  const onnx = onnxGraph(arch, weights);
  const initializer = new Map(onnx.initializers.map((t) => [t.name, t]));
  const quantised = new Set(quantisedTensors(onnx));
  const nodes: Node[] = [];
  const initializers: Tensor[] = [];
  const activation = new Map<string, { scale: number; zeroPoint: number }>();

  // One QuantizeLinear per quantised tensor, one DequantizeLinear per reader of it (ONNX
  // Runtime fuses a DequantizeLinear only into its single consumer).
  const quantise = (name: string): void => {
    const range = ranges.get(name);
    if (!range) throw new Error(`no calibration range for ${name}`);
    const p = activationParameters(range);
    activation.set(name, p);
    initializers.push(scalar(`${name}:scale`, p.scale), { name: `${name}:zero`, dims: [], raw: { type: UINT8, bytes: Uint8Array.of(p.zeroPoint) } });
    nodes.push({ op: "QuantizeLinear", inputs: [name, `${name}:scale`, `${name}:zero`], outputs: [`${name}:q`] });
  };
  let readers = 0;
  const dequantised = (name: string): string => {
    const out = `${name}:dq${readers++}`;
    nodes.push({ op: "DequantizeLinear", inputs: [`${name}:q`, `${name}:scale`, `${name}:zero`], outputs: [out] });
    return out;
  };

  if (quantised.has("planes")) quantise("planes");
  for (const node of onnx.nodes) {
    if (node.op === "Conv") {
      const [input, weightName, biasName] = node.inputs as [string, string, string];
      const w = initializer.get(weightName)!, b = initializer.get(biasName)!;
      const [cout] = w.dims as [number];
      const perChannel = w.floats!.length / cout;
      const wScale: number[] = [], q = new Int8Array(w.floats!.length), bias = new Int32Array(cout);
      const inputScale = activation.get(input)!.scale;
      for (let o = 0; o < cout; o++) {
        let largest = 0;
        for (let k = 0; k < perChannel; k++) largest = Math.max(largest, Math.abs(w.floats![o * perChannel + k]!));
        const scale = largest > 0 ? largest / 127 : 1;
        wScale.push(scale);
        for (let k = 0; k < perChannel; k++) q[o * perChannel + k] = Math.round(w.floats![o * perChannel + k]! / scale);
        bias[o] = Math.round(b.floats![o]! / (inputScale * scale));
      }
      initializers.push(
        { name: `${weightName}:q`, dims: w.dims, raw: { type: INT8, bytes: new Uint8Array(q.buffer) } },
        vector(`${weightName}:scale`, wScale),
        { name: `${weightName}:zero`, dims: [cout], raw: { type: INT8, bytes: new Uint8Array(cout) } },
        { name: `${biasName}:q`, dims: [cout], raw: { type: INT32, bytes: new Uint8Array(bias.buffer) } },
        vector(`${biasName}:scale`, wScale.map((s) => s * inputScale)),
        { name: `${biasName}:zero`, dims: [cout], raw: { type: INT32, bytes: new Uint8Array(4 * cout) } },
      );
      nodes.push(
        { op: "DequantizeLinear", inputs: [`${weightName}:q`, `${weightName}:scale`, `${weightName}:zero`], outputs: [`${weightName}:dq`], ints: { axis: 0 } },
        { op: "DequantizeLinear", inputs: [`${biasName}:q`, `${biasName}:scale`, `${biasName}:zero`], outputs: [`${biasName}:dq`], ints: { axis: 0 } },
        { ...node, inputs: [dequantised(input), `${weightName}:dq`, `${biasName}:dq`] },
      );
    } else {
      nodes.push({ ...node, inputs: node.inputs.map((i) => (quantised.has(i) && !initializer.has(i) ? dequantised(i) : i)) });
    }
    for (const output of node.outputs) if (quantised.has(output)) quantise(output);
  }
  const fp32Initializers = onnx.initializers.filter((t) => !onnx.nodes.some((n) => n.op === "Conv" && (n.inputs[1] === t.name || n.inputs[2] === t.name)));
  return writeModel(arch, { ...meta, extra: { ...meta.extra, precision: "int8" } }, { nodes, initializers: [...fp32Initializers, ...initializers] }, []);
}

/** How far one network's answers are from another's (int8 against its fp32 original) on the same positions. */
export interface ModelGap {
  positions: number;
  /** |value difference|: mean and largest. */
  valueMean: number;
  valueMax: number;
  /** Mean KL divergence of the second policy from the first, over the legal moves (nats). */
  policyKl: number;
  /** Share of positions where both policies put the same legal move first. */
  top1Agreement: number;
}

/** Compares two models on `count` positions (NCHW planes, legal-move masks of `actions` each). */
export async function compareModels(
  a: { evaluate(planes: Float32Array, batch: number): Promise<{ policy: Float32Array; value: Float32Array }> },
  b: { evaluate(planes: Float32Array, batch: number): Promise<{ policy: Float32Array; value: Float32Array }> },
  planes: Float32Array,
  masks: Uint8Array,
  count: number,
  actions: number,
  batch = 64,
): Promise<ModelGap> {
  const size = planes.length / count;
  let valueSum = 0, valueMax = 0, kl = 0, agree = 0;
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    const x = planes.subarray(start * size, (start + n) * size);
    const [ra, rb] = [await a.evaluate(x, n), await b.evaluate(x, n)];
    for (let i = 0; i < n; i++) {
      const d = Math.abs(ra.value[i]! - rb.value[i]!);
      valueSum += d;
      valueMax = Math.max(valueMax, d);
      const mask = masks.subarray((start + i) * actions, (start + i + 1) * actions);
      const pa = legalProbabilities(ra.policy.subarray(i * actions, (i + 1) * actions), mask);
      const pb = new Map(legalProbabilities(rb.policy.subarray(i * actions, (i + 1) * actions), mask).map((m) => [m.action, m.p]));
      for (const m of pa) kl += m.p * Math.log(m.p / Math.max(pb.get(m.action)!, 1e-12));
      const bestB = [...pb.entries()].reduce((x, y) => (y[1] > x[1] ? y : x));
      if (pa[0]!.action === bestB[0]) agree++;
    }
  }
  return { positions: count, valueMean: valueSum / count, valueMax, policyKl: kl / count, top1Agreement: agree / count };
}
