/**
 * ONNX export of the network graph (models/arch.ts), written by our own protobuf code:
 * IR version 8, opset 13, batch norm folded into the convolutions (the stem's input padded to
 * STEM_ALIGN channels), input `planes`
 * [batch, planes, height, width] with a dynamic batch, outputs `policy` [batch, actions]
 * (logits) and `value` [batch] (tanh, side to move), metadata describing the model.
 */
import { BN_EPSILON, buildGraph, type Architecture, type Op } from "../arch.js";
import { checkWeights, type Weights } from "../weights.js";
import { ProtoWriter } from "./proto.js";

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 13;
/** TensorProto data types. */
export const FLOAT = 1;
export const UINT8 = 2;
export const INT8 = 3;
export const INT32 = 6;
export const INT64 = 7;
const ATTR_INT = 2;
const ATTR_INTS = 7;

export interface ModelMetadata {
  /** Training steps taken. */
  step: number;
  /** Run name (free text). */
  run: string;
  /** Anything else to store, e.g. arm, seed, generation. */
  extra?: Record<string, string>;
}

/** Metadata keys written to every model (model info prints them). */
export function metadataEntries(arch: Architecture, meta: ModelMetadata): [string, string][] {
  return [
    ["fossil.format", "1"],
    ["fossil.game", arch.game],
    ["fossil.board", `${arch.height}x${arch.width}`],
    ["fossil.planes", String(arch.planes)],
    ["fossil.plane_version", arch.planeVersion],
    ["fossil.actions", String(arch.actions)],
    ["fossil.architecture", `resnet b${arch.blocks} f${arch.filters} v${arch.valueHidden}`],
    ["fossil.architecture_json", JSON.stringify(arch)],
    ["fossil.step", String(meta.step)],
    ["fossil.run", meta.run],
    ...Object.entries(meta.extra ?? {}).map(([k, v]): [string, string] => [`fossil.${k}`, v]),
  ];
}

/** An initializer: float32 or int64 values, or raw little-endian bytes of another type. */
export interface Tensor {
  name: string;
  dims: number[];
  floats?: Float32Array;
  int64s?: number[];
  raw?: { type: number; bytes: Uint8Array };
}

function writeTensor(w: ProtoWriter, t: Tensor): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.raw ? t.raw.type : t.floats ? FLOAT : INT64);
  w.string(8, t.name);
  if (t.raw) {
    w.bytesField(9, t.raw.bytes);
  } else if (t.floats) {
    w.bytesField(9, new Uint8Array(t.floats.buffer, t.floats.byteOffset, t.floats.byteLength));
  } else {
    const raw = new DataView(new ArrayBuffer(8 * t.int64s!.length));
    t.int64s!.forEach((v, k) => raw.setBigInt64(8 * k, BigInt(v), true));
    w.bytesField(9, new Uint8Array(raw.buffer));
  }
}

/** A float tensor's value info; `dims` null leaves its shape unknown. */
function writeValueInfo(w: ProtoWriter, name: string, dims: (number | string)[] | null): void {
  w.string(1, name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, FLOAT);
      if (dims !== null) {
        tensor.message(2, (shape) => {
          for (const d of dims) shape.message(1, (dim) => (typeof d === "number" ? dim.int(1, d) : dim.string(2, d)));
        });
      }
    }),
  );
}

export interface Node {
  op: string;
  inputs: string[];
  outputs: string[];
  ints?: Record<string, number>;
  intLists?: Record<string, number[]>;
}

/** The network as ONNX nodes and initializers (batch norm folded into the convolutions). */
export interface OnnxGraph {
  nodes: Node[];
  initializers: Tensor[];
}

/** Serialises the network with the given weights (little-endian float32 raw data). */
export function exportOnnx(arch: Architecture, weights: Weights, meta: ModelMetadata, options: { extraOutputs?: readonly string[] } = {}): Uint8Array {
  return writeModel(arch, meta, onnxGraph(arch, weights), options.extraOutputs ?? []);
}

/**
 * The stem convolution's input channels are padded to a multiple of this. ONNX Runtime's blocked
 * (NCHWc) convolutions read an unblocked input only with a multiple of 4 channels; otherwise the
 * stem stays a plain im2col convolution with layout reorders around it. Measured on one thread
 * at batch 1–64: Go's 18 planes padded to 20 ran fp32 4–11% faster (go:7 4x32, go:9 6x64) with
 * answers within 3e-6, int8 up to 5%; Connect Four's 5 planes padded to 8: fp32 within noise,
 * int8 5–11% faster.
 */
export const STEM_ALIGN = 4;

/** The fp32 graph of the network: nodes in order, weights folded. */
export function onnxGraph(arch: Architecture, weights: Weights): OnnxGraph {
  const graph = buildGraph(arch);
  checkWeights(graph, weights);
  const get = (name: string): Float32Array => weights.get(name)!;
  const nodes: Node[] = [];
  const initializers: Tensor[] = [];
  const bnByInput = new Map<string, Extract<Op, { op: "batchnorm" }>>();
  for (const op of graph.ops) if (op.op === "batchnorm") bnByInput.set(op.input, op);
  const folded = new Set<Op>();
  // ONNX tensors are NCHW; track which of our NHWC names are spatial.
  for (const op of graph.ops) {
    if (folded.has(op)) continue;
    switch (op.op) {
      case "conv": {
        const bn = bnByInput.get(op.output);
        if (!bn) throw new Error(`convolution ${op.weight} is not followed by batch norm`);
        folded.add(bn);
        const k = op.kernel, cin = op.inChannels, cout = op.outChannels;
        // The stem reads the planes padded with zero planes (and zero weights for them): STEM_ALIGN.
        const stem = op.input === graph.input && cin % STEM_ALIGN !== 0;
        const width = stem ? Math.ceil(cin / STEM_ALIGN) * STEM_ALIGN : cin;
        const kernel = get(op.weight);
        const gamma = get(`${bn.name}/gamma`), beta = get(`${bn.name}/beta`), mean = get(`${bn.name}/mean`), variance = get(`${bn.name}/variance`);
        const w = new Float32Array(cout * width * k * k);
        const b = new Float32Array(cout);
        for (let o = 0; o < cout; o++) {
          const scale = gamma[o]! / Math.sqrt(variance[o]! + BN_EPSILON);
          b[o] = beta[o]! - mean[o]! * scale;
          for (let i = 0; i < cin; i++) {
            for (let y = 0; y < k; y++) {
              for (let x = 0; x < k; x++) w[((o * width + i) * k + y) * k + x] = kernel[((y * k + x) * cin + i) * cout + o]! * scale;
            }
          }
        }
        initializers.push({ name: `${op.weight}:folded`, dims: [cout, width, k, k], floats: w }, { name: `${bn.name}:bias`, dims: [cout], floats: b });
        let input = op.input;
        if (stem) {
          input = `${op.input}:padded`;
          initializers.push({ name: `${input}:pads`, dims: [8], int64s: [0, 0, 0, 0, 0, width - cin, 0, 0] });
          nodes.push({ op: "Pad", inputs: [op.input, `${input}:pads`], outputs: [input] });
        }
        const pad = (k - 1) / 2;
        nodes.push({
          op: "Conv",
          inputs: [input, `${op.weight}:folded`, `${bn.name}:bias`],
          outputs: [bn.output],
          intLists: { kernel_shape: [k, k], pads: [pad, pad, pad, pad], strides: [1, 1], dilations: [1, 1] },
          ints: { group: 1 },
        });
        break;
      }
      case "batchnorm":
        throw new Error(`batch norm ${op.name} does not follow a convolution`);
      case "relu":
        nodes.push({ op: "Relu", inputs: [op.input], outputs: [op.output] });
        break;
      case "tanh":
        nodes.push({ op: "Tanh", inputs: [op.input], outputs: [op.output] });
        break;
      case "add":
        nodes.push({ op: "Add", inputs: [...op.inputs], outputs: [op.output] });
        break;
      case "flatten":
        // Our flatten order is (h, w, c): transpose NCHW to NHWC first.
        nodes.push({ op: "Transpose", inputs: [op.input], outputs: [`${op.output}:nhwc`], intLists: { perm: [0, 2, 3, 1] } });
        nodes.push({ op: "Flatten", inputs: [`${op.output}:nhwc`], outputs: [op.output], ints: { axis: 1 } });
        break;
      case "dense":
        initializers.push({ name: op.weight, dims: [op.inFeatures, op.outFeatures], floats: get(op.weight) }, { name: op.bias, dims: [op.outFeatures], floats: get(op.bias) });
        nodes.push({ op: "Gemm", inputs: [op.input, op.weight, op.bias], outputs: [op.output] });
        break;
      case "squeeze":
        initializers.push({ name: `${op.output}:shape`, dims: [1], int64s: [-1] });
        nodes.push({ op: "Reshape", inputs: [op.input, `${op.output}:shape`], outputs: [op.output] });
        break;
    }
  }
  return { nodes, initializers };
}

/**
 * Writes a model of `graph`: input `planes`, outputs `policy` and `value`, and `extraOutputs`
 * (intermediate tensors, for calibration) with unknown shapes.
 */
export function writeModel(arch: Architecture, meta: ModelMetadata, onnx: OnnxGraph, extraOutputs: readonly string[]): Uint8Array {
  const graph = buildGraph(arch);
  return writeOnnx({
    name: `fossil ${arch.game}`,
    ...onnx,
    inputs: [{ name: graph.input, dims: ["batch", arch.planes, arch.height, arch.width] }],
    outputs: [{ name: graph.policy, dims: ["batch", arch.actions] }, { name: graph.value, dims: ["batch"] }, ...extraOutputs.map((name) => ({ name, dims: null }))],
    metadata: metadataEntries(arch, meta),
  });
}

/** A float graph input or output; `dims` null leaves its shape unknown. */
export interface ValueInfo {
  name: string;
  dims: (number | string)[] | null;
}

/** Writes any graph of float inputs and outputs as an ONNX model (IR 8, opset 13). */
export function writeOnnx(model: OnnxGraph & { name: string; inputs: ValueInfo[]; outputs: ValueInfo[]; metadata: [string, string][] }): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, ONNX_IR_VERSION);
  w.string(2, "fossil");
  w.string(3, "0.1");
  w.message(7, (g) => {
    model.nodes.forEach((node, k) => {
      g.message(1, (n) => {
        for (const i of node.inputs) n.string(1, i);
        for (const o of node.outputs) n.string(2, o);
        n.string(3, `${node.op}_${k}`);
        n.string(4, node.op);
        for (const [name, value] of Object.entries(node.ints ?? {})) n.message(5, (a) => a.string(1, name).int(3, value).int(20, ATTR_INT));
        for (const [name, values] of Object.entries(node.intLists ?? {})) {
          n.message(5, (a) => {
            a.string(1, name);
            for (const v of values) a.int(8, v);
            a.int(20, ATTR_INTS);
          });
        }
      });
    });
    g.string(2, model.name);
    for (const t of model.initializers) g.message(5, (v) => writeTensor(v, t));
    for (const i of model.inputs) g.message(11, (v) => writeValueInfo(v, i.name, i.dims));
    for (const o of model.outputs) g.message(12, (v) => writeValueInfo(v, o.name, o.dims));
  });
  w.message(8, (o) => o.string(1, "").int(2, ONNX_OPSET));
  for (const [key, value] of model.metadata) w.message(14, (e) => e.string(1, key).string(2, value));
  return w.finish();
}
