/**
 * The network, described once. `buildGraph` turns an architecture into a small list of
 * operations over named tensors; the TensorFlow.js trainer (tfnet.ts), the ONNX exporter
 * (onnx/export.ts) and the ONNX Runtime training step (onnx/train-graph.ts) all walk this same
 * list, so training and export cannot drift apart.
 *
 * The network is an AlphaZero-style residual tower: a 3x3 convolution stem, `blocks` residual
 * blocks of two 3x3 convolutions, a policy head (1x1 convolution to 2 channels, a dense layer to
 * one logit per action) and a value head (1x1 convolution to 1 channel, a hidden dense layer,
 * one tanh output). Every convolution is followed by batch normalisation; convolutions have no
 * bias (batch norm's shift takes its place).
 */
import { InputError } from "../core/errors.js";
import type { Game } from "../games/game.js";

export interface Architecture {
  /**
   * The full spec of the game it was made for ("go:7:tromp-taylor:7", "connect4"; models written
   * before specs travelled hold the family, "go:7"), and its board.
   */
  game: string;
  height: number;
  width: number;
  /** Input planes and their version. */
  planes: number;
  planeVersion: string;
  /** Policy outputs (actions). */
  actions: number;
  /** Residual blocks and filters per convolution. */
  blocks: number;
  filters: number;
  /** Units of the value head's hidden layer. */
  valueHidden: number;
}

export function architectureFor(game: Game, blocks: number, filters: number, valueHidden = 64): Architecture {
  const arch: Architecture = {
    game: game.spec,
    height: game.height,
    width: game.width,
    planes: game.planes,
    planeVersion: game.planeVersion,
    actions: game.actionCount,
    blocks,
    filters,
    valueHidden,
  };
  checkArchitecture(arch);
  return arch;
}

export function checkArchitecture(arch: Architecture): void {
  const intIn = (name: keyof Architecture, lo: number, hi: number): void => {
    const v = arch[name] as number;
    if (!Number.isInteger(v) || v < lo || v > hi) throw new InputError(`${name} must be an integer from ${lo} to ${hi}, got ${v}`);
  };
  intIn("blocks", 0, 40);
  intIn("filters", 1, 512);
  intIn("valueHidden", 1, 1024);
  intIn("planes", 1, 256);
  intIn("actions", 1, 1000);
  intIn("height", 1, 32);
  intIn("width", 1, 32);
}

/** One-line description stored in model metadata: "resnet b4 f32 v64". */
export function architectureText(arch: Architecture): string {
  return `resnet b${arch.blocks} f${arch.filters} v${arch.valueHidden}`;
}

/** Batch-norm epsilon used in training and folded into exported convolutions. */
export const BN_EPSILON = 1e-3;

/** Operations over named tensors. Spatial tensors are [batch, height, width, channels] here. */
export type Op =
  | { op: "conv"; input: string; output: string; weight: string; kernel: 1 | 3; inChannels: number; outChannels: number }
  | { op: "batchnorm"; input: string; output: string; name: string; channels: number }
  | { op: "relu"; input: string; output: string }
  | { op: "add"; inputs: [string, string]; output: string }
  /** Flattens [batch, h, w, c] in (h, w, c) order. */
  | { op: "flatten"; input: string; output: string }
  | { op: "dense"; input: string; output: string; weight: string; bias: string; inFeatures: number; outFeatures: number }
  | { op: "tanh"; input: string; output: string }
  /** [batch, 1] to [batch]. */
  | { op: "squeeze"; input: string; output: string };

export interface WeightSpec {
  name: string;
  shape: number[];
  /** conv: [kh, kw, in, out]; dense: [in, out]; bn gamma/beta/mean/variance: [channels]. */
  kind: "conv" | "dense-weight" | "dense-bias" | "bn-gamma" | "bn-beta" | "bn-mean" | "bn-variance";
  /** Learned by gradient descent (batch-norm statistics are not). */
  trainable: boolean;
}

export interface Graph {
  input: string;
  policy: string;
  value: string;
  ops: Op[];
  weights: WeightSpec[];
}

export function buildGraph(arch: Architecture): Graph {
  const ops: Op[] = [];
  const weights: WeightSpec[] = [];
  const f = arch.filters;
  const conv = (input: string, output: string, name: string, kernel: 1 | 3, inChannels: number, outChannels: number): void => {
    weights.push({ name: `${name}/kernel`, shape: [kernel, kernel, inChannels, outChannels], kind: "conv", trainable: true });
    ops.push({ op: "conv", input, output, weight: `${name}/kernel`, kernel, inChannels, outChannels });
  };
  const bn = (input: string, output: string, name: string, channels: number): void => {
    weights.push(
      { name: `${name}/gamma`, shape: [channels], kind: "bn-gamma", trainable: true },
      { name: `${name}/beta`, shape: [channels], kind: "bn-beta", trainable: true },
      { name: `${name}/mean`, shape: [channels], kind: "bn-mean", trainable: false },
      { name: `${name}/variance`, shape: [channels], kind: "bn-variance", trainable: false },
    );
    ops.push({ op: "batchnorm", input, output, name, channels });
  };
  const dense = (input: string, output: string, name: string, inFeatures: number, outFeatures: number): void => {
    weights.push(
      { name: `${name}/weight`, shape: [inFeatures, outFeatures], kind: "dense-weight", trainable: true },
      { name: `${name}/bias`, shape: [outFeatures], kind: "dense-bias", trainable: true },
    );
    ops.push({ op: "dense", input, output, weight: `${name}/weight`, bias: `${name}/bias`, inFeatures, outFeatures });
  };
  const cells = arch.height * arch.width;

  conv("planes", "stem/conv", "stem/conv", 3, arch.planes, f);
  bn("stem/conv", "stem/bn", "stem/bn", f);
  ops.push({ op: "relu", input: "stem/bn", output: "stem/out" });
  let trunk = "stem/out";
  for (let b = 0; b < arch.blocks; b++) {
    const p = `block${b}`;
    conv(trunk, `${p}/conv1`, `${p}/conv1`, 3, f, f);
    bn(`${p}/conv1`, `${p}/bn1`, `${p}/bn1`, f);
    ops.push({ op: "relu", input: `${p}/bn1`, output: `${p}/relu1` });
    conv(`${p}/relu1`, `${p}/conv2`, `${p}/conv2`, 3, f, f);
    bn(`${p}/conv2`, `${p}/bn2`, `${p}/bn2`, f);
    ops.push({ op: "add", inputs: [`${p}/bn2`, trunk], output: `${p}/sum` });
    ops.push({ op: "relu", input: `${p}/sum`, output: `${p}/out` });
    trunk = `${p}/out`;
  }
  // Policy head.
  conv(trunk, "policy/conv", "policy/conv", 1, f, 2);
  bn("policy/conv", "policy/bn", "policy/bn", 2);
  ops.push({ op: "relu", input: "policy/bn", output: "policy/relu" });
  ops.push({ op: "flatten", input: "policy/relu", output: "policy/flat" });
  dense("policy/flat", "policy", "policy/dense", 2 * cells, arch.actions);
  // Value head.
  conv(trunk, "value/conv", "value/conv", 1, f, 1);
  bn("value/conv", "value/bn", "value/bn", 1);
  ops.push({ op: "relu", input: "value/bn", output: "value/relu" });
  ops.push({ op: "flatten", input: "value/relu", output: "value/flat" });
  dense("value/flat", "value/hidden", "value/dense1", cells, arch.valueHidden);
  ops.push({ op: "relu", input: "value/hidden", output: "value/hidden_relu" });
  dense("value/hidden_relu", "value/pre", "value/dense2", arch.valueHidden, 1);
  ops.push({ op: "tanh", input: "value/pre", output: "value/tanh" });
  ops.push({ op: "squeeze", input: "value/tanh", output: "value" });
  return { input: "planes", policy: "policy", value: "value", ops, weights };
}
