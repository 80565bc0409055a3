/**
 * A whole training step as one ordinary ONNX inference graph, generated from the network
 * description of arch.ts: the forward pass with batch statistics, the policy, value and L2
 * losses, a hand-written backward pass (one rule per op below), the SGD-momentum update and the
 * running batch-norm statistics. ONNX Runtime runs it like any model (its JavaScript training API
 * is gone), with its fast matrix products: the step is ordinary inference.
 *
 * Layout: a spatial tensor is a matrix [cells, channels] with cells in (position, row, column)
 * order, the NHWC memory order TensorFlow.js uses, so both backends take the same input and a
 * flatten is a reshape. A 3x3 convolution is im2col (a Gather of rows through a precomputed
 * neighbour table, off-board neighbours reading an appended zero row) and one MatMul; its input
 * gradient is the same im2col of the output gradient times the kernel turned by 180 degrees,
 * and its weight gradient a Gemm of the columns with the output gradient.
 *
 * The formulas are those of tfnet.ts (batchNormTraining, the losses of Trainer.trainStep, and
 * TensorFlow.js's momentum optimizer: m = momentum m + g, w -= rate m), so either backend
 * continues the other's checkpoints.
 */
import { BN_EPSILON, type Graph, type Op } from "../arch.js";
import type { TrainingParams } from "../tfnet.js";
import { writeOnnx, type Node, type Tensor, type ValueInfo } from "./export.js";

/** The batch a graph is built for (the neighbour tables depend on it). */
export interface StepShape {
  batch: number;
  height: number;
  width: number;
}

/** Graph input and output names of a training step, besides the weights'. */
export const STEP = {
  input: "planes",
  target: "target",
  penalty: "penalty",
  outcome: "outcome",
  rate: "rate",
  /** [loss, policy loss, value loss, l2 loss]. */
  losses: "losses",
} as const;

/** The state a step reads as `name` and writes as `next(name)`: weights, momentum buffers, running statistics. */
export const next = (name: string): string => `${name}:next`;
export const momentumOf = (weight: string): string => `${weight}:momentum`;

class Builder {
  readonly nodes: Node[] = [];
  readonly initializers: Tensor[] = [];
  private count = 0;
  private readonly constants = new Map<string, string>();

  /** Adds a node with one output (named `output`, or a fresh name) and returns the output's name. */
  op(op: string, inputs: string[], attrs: Pick<Node, "ints" | "intLists"> = {}, output?: string): string {
    const name = output ?? `${op}:${++this.count}`;
    this.nodes.push({ op, inputs, outputs: [name], ...attrs });
    return name;
  }

  private constant(key: string, make: (name: string) => Tensor): string {
    let name = this.constants.get(key);
    if (!name) {
      name = `const:${this.constants.size}`;
      this.constants.set(key, name);
      this.initializers.push(make(name));
    }
    return name;
  }

  floats(values: number[], dims: number[] = [values.length]): string {
    return this.constant(`f${JSON.stringify([values, dims])}`, (name) => ({ name, dims, floats: Float32Array.from(values) }));
  }

  /** A float scalar. */
  scalar(value: number): string {
    return this.floats([value], []);
  }

  int64s(values: number[], dims: number[] = [values.length], key?: string): string {
    return this.constant(key ?? `i${JSON.stringify([values, dims])}`, (name) => ({ name, dims, int64s: values }));
  }

  reshape(x: string, shape: number[]): string {
    return this.op("Reshape", [x, this.int64s(shape)]);
  }

  sum(x: string, axes: number[] | null, keepdims: boolean): string {
    return this.op("ReduceSum", axes ? [x, this.int64s(axes)] : [x], { ints: { keepdims: keepdims ? 1 : 0 } });
  }

  mul(a: string, b: string): string {
    return this.op("Mul", [a, b]);
  }

  add(a: string, b: string): string {
    return this.op("Add", [a, b]);
  }

  sub(a: string, b: string): string {
    return this.op("Sub", [a, b]);
  }
}

/**
 * For each of a board's cells in a batch and each 3x3 offset (row-major, centre 4), the cell it
 * reads, or `cells` (the appended zero row) off the board.
 */
export function neighbourTable(shape: StepShape): number[] {
  const { batch, height, width } = shape;
  const area = height * width, cells = batch * area;
  const table = new Array<number>(cells * 9);
  for (let m = 0; m < cells; m++) {
    const n = Math.floor(m / area), p = m % area, y = Math.floor(p / width), x = p % width;
    for (let k = 0; k < 9; k++) {
      const yy = y + Math.floor(k / 3) - 1, xx = x + (k % 3) - 1;
      table[m * 9 + k] = yy >= 0 && yy < height && xx >= 0 && xx < width ? n * area + yy * width + xx : cells;
    }
  }
  return table;
}

/** What a batch norm's backward rule needs: its centred input as [cells, channels] and wide, 1 / standard deviation and gamma times it. */
type Normalised = { centered: string; centeredWide: string; rstd: string; scale: string };

/**
 * The network's forward and backward passes in `b`. Weights are read from graph inputs named as
 * in arch.ts; returns the gradient of every trainable weight (and of the input when asked), the
 * batch statistics of every batch norm, given the gradients `seeds` of output tensors.
 */
function forwardBackward(
  b: Builder,
  graph: Graph,
  shape: StepShape,
  seeds: (b: Builder) => Map<string, string>,
  inputGradient = false,
): { grads: Map<string, string>; stats: Map<string, { mean: string; variance: string }> } {
  const cells = shape.batch * shape.height * shape.width;
  const table = neighbourTable(shape);
  const neighbours = (copy = "forward"): string => b.int64s(table, [cells, 9], `neighbours ${copy}`);
  const appendZeroRow = (x: string): string => b.op("Pad", [x, b.int64s([0, 0, 1, 0])]);
  /** [cells, c] -> [cells, 9 c]: each cell's 3x3 neighbourhood. */
  const im2col = (x: string, channels: number, copy?: string): string => b.reshape(b.op("Gather", [appendZeroRow(x), neighbours(copy)], { ints: { axis: 0 } }), [cells, 9 * channels]);

  // Per-channel arithmetic on [cells, channels] broadcasts row by row, slowly for a few channels:
  // it runs on a wide view [batch, cells per position x channels] with the per-channel values
  // tiled over a position's cells.
  const area = shape.height * shape.width;
  const wide = (x: string): string => b.reshape(x, [shape.batch, -1]);
  const everyCell = (perChannel: string, channels: number): string => b.op("Tile", [b.reshape(perChannel, [1, channels]), b.int64s([1, area])]);

  const normalised = new Map<string, Normalised>();
  const stats = new Map<string, { mean: string; variance: string }>();
  for (const op of graph.ops) {
    switch (op.op) {
      case "conv": {
        const kernel = b.reshape(op.weight, [op.kernel * op.kernel * op.inChannels, op.outChannels]);
        const columns = op.kernel === 3 ? im2col(op.input, op.inChannels) : op.input;
        b.op("MatMul", [columns, kernel], {}, op.output);
        break;
      }
      case "batchnorm": {
        const mean = b.op("ReduceMean", [op.input], { intLists: { axes: [0] }, ints: { keepdims: 1 } });
        const centeredWide = b.sub(wide(op.input), everyCell(mean, op.channels));
        const centered = b.reshape(centeredWide, [cells, op.channels]);
        const variance = b.mul(b.op("ReduceSumSquare", [centered], { intLists: { axes: [0] }, ints: { keepdims: 1 } }), b.scalar(1 / cells));
        const rstd = b.op("Reciprocal", [b.op("Sqrt", [b.add(variance, b.scalar(BN_EPSILON))])]);
        const scale = b.mul(b.reshape(`${op.name}/gamma`, [1, op.channels]), rstd);
        const y = b.add(b.mul(centeredWide, everyCell(scale, op.channels)), everyCell(b.reshape(`${op.name}/beta`, [1, op.channels]), op.channels));
        b.op("Reshape", [y, b.int64s([cells, op.channels])], {}, op.output);
        stats.set(op.name, { mean, variance });
        normalised.set(op.name, { centered, centeredWide, rstd, scale });
        break;
      }
      case "relu":
        b.op("Relu", [op.input], {}, op.output);
        break;
      case "add":
        b.op("Add", [...op.inputs], {}, op.output);
        break;
      case "flatten":
        b.op("Reshape", [op.input, b.int64s([shape.batch, -1])], {}, op.output);
        break;
      case "dense":
        b.op("Gemm", [op.input, op.weight, op.bias], {}, op.output);
        break;
      case "tanh":
        b.op("Tanh", [op.input], {}, op.output);
        break;
      case "squeeze":
        b.op("Reshape", [op.input, b.int64s([-1])], {}, op.output);
        break;
    }
  }

  // Backward: ops in reverse, each adding its inputs' gradients (summed over their readers).
  const grads = seeds(b);
  const needs = (name: string): boolean => inputGradient || name !== graph.input;
  const accumulate = (name: string, grad: string): void => {
    if (!needs(name)) return;
    const before = grads.get(name);
    grads.set(name, before === undefined ? grad : b.add(before, grad));
  };
  for (let index = graph.ops.length - 1; index >= 0; index--) {
    const op: Op = graph.ops[index]!;
    const d = grads.get(op.output);
    if (d === undefined) continue;
    switch (op.op) {
      case "conv": {
        // The columns again rather than kept from the forward pass: gathered afresh they are in
        // cache for the product (measured: 10-15% faster steps). A second copy of the neighbour
        // table keeps ONNX Runtime from merging the two Gathers back into one.
        const columns = op.kernel === 3 ? im2col(op.input, op.inChannels, "backward") : op.input;
        const k2 = op.kernel * op.kernel;
        // dW = columns^T dY, written (dY^T columns)^T: ONNX Runtime fuses that into one MatMul
        // kernel, measured 14% faster steps than a Gemm with transA.
        const dWt = b.op("MatMul", [b.op("Transpose", [d], { intLists: { perm: [1, 0] } }), columns]);
        accumulate(op.weight, b.reshape(b.op("Transpose", [dWt], { intLists: { perm: [1, 0] } }), [op.kernel, op.kernel, op.inChannels, op.outChannels]));
        if (!needs(op.input)) break;
        if (op.kernel === 1) {
          accumulate(op.input, b.op("Gemm", [d, b.reshape(op.weight, [op.inChannels, op.outChannels])], { ints: { transB: 1 } }));
        } else {
          // dX[p] = sum over offsets k of dY[neighbour(p, k)] W[8 - k]^T.
          const reversed = b.op("Gather", [b.reshape(op.weight, [k2, op.inChannels, op.outChannels]), b.int64s([8, 7, 6, 5, 4, 3, 2, 1, 0])], { ints: { axis: 0 } });
          const turned = b.reshape(b.op("Transpose", [reversed], { intLists: { perm: [0, 2, 1] } }), [k2 * op.outChannels, op.inChannels]);
          accumulate(op.input, b.op("MatMul", [im2col(d, op.outChannels), turned]));
        }
        break;
      }
      case "batchnorm": {
        // dbeta = sum dy, dgamma = r sum(dy c), dx = dy scale - (c (scale r dgamma / M) + dbeta scale / M).
        const { centered, centeredWide, rstd, scale } = normalised.get(op.name)!;
        const dbeta = b.sum(d, [0], true);
        const dgamma = b.mul(b.sum(b.mul(d, centered), [0], true), rstd);
        accumulate(`${op.name}/beta`, b.reshape(dbeta, [op.channels]));
        accumulate(`${op.name}/gamma`, b.reshape(dgamma, [op.channels]));
        const perCell = b.scalar(1 / cells);
        const slope = everyCell(b.mul(b.mul(b.mul(scale, rstd), dgamma), perCell), op.channels);
        const shift = everyCell(b.mul(b.mul(dbeta, scale), perCell), op.channels);
        const dx = b.sub(b.mul(wide(d), everyCell(scale, op.channels)), b.add(b.mul(centeredWide, slope), shift));
        accumulate(op.input, b.reshape(dx, [cells, op.channels]));
        break;
      }
      case "relu":
        accumulate(op.input, b.op("Where", [b.op("Greater", [op.output, b.scalar(0)]), d, b.scalar(0)]));
        break;
      case "add":
        accumulate(op.inputs[0], d);
        accumulate(op.inputs[1], d);
        break;
      case "flatten":
        accumulate(op.input, b.reshape(d, [cells, -1]));
        break;
      case "dense":
        accumulate(op.weight, b.op("Gemm", [op.input, d], { ints: { transA: 1 } }));
        accumulate(op.bias, b.sum(d, [0], false));
        accumulate(op.input, b.op("Gemm", [d, op.weight], { ints: { transB: 1 } }));
        break;
      case "tanh":
        accumulate(op.input, b.mul(d, b.sub(b.scalar(1), b.mul(op.output, op.output))));
        break;
      case "squeeze":
        accumulate(op.input, b.reshape(d, [shape.batch, 1]));
        break;
    }
  }
  return { grads, stats };
}

const inputsOf = (graph: Graph, shape: StepShape, planes: number): ValueInfo[] => [
  { name: graph.input, dims: [shape.batch * shape.height * shape.width, planes] },
  ...graph.weights.map((w) => ({ name: w.name, dims: w.shape })),
];

/**
 * The model of one training step. Inputs: `planes` [cells, planes] (NHWC), `target` and
 * `penalty` [batch, actions] (0 on legal actions, -1e9 elsewhere), `outcome` [batch], `rate` (a
 * scalar), every weight, and every trainable weight's momentum buffer. Outputs: `losses` and the
 * next value of every weight, buffer and running statistic.
 */
export function trainStepModel(graph: Graph, shape: StepShape, planes: number, actions: number, params: Pick<TrainingParams, "momentum" | "l2" | "bnMomentum">): Uint8Array {
  const b = new Builder();
  const n = shape.batch;
  let policyLoss = "", valueLoss = "";
  const { grads, stats } = forwardBackward(b, graph, shape, (b) => {
    // Policy: cross-entropy of the masked softmax; d logits = (softmax sum(target) - target) / N.
    const logits = b.add(graph.policy, STEP.penalty);
    policyLoss = b.mul(b.sum(b.mul(STEP.target, b.op("LogSoftmax", [logits], { ints: { axis: 1 } })), null, false), b.scalar(-1 / n));
    const dPolicy = b.mul(b.sub(b.mul(b.op("Softmax", [logits], { ints: { axis: 1 } }), b.sum(STEP.target, [1], true)), STEP.target), b.scalar(1 / n));
    // Value: mean squared error.
    const error = b.sub(graph.value, STEP.outcome);
    valueLoss = b.op("ReduceMean", [b.mul(error, error)], { ints: { keepdims: 0 } });
    return new Map([
      [graph.policy, dPolicy],
      [graph.value, b.mul(error, b.scalar(2 / n))],
    ]);
  });
  const l2Terms: string[] = [];
  const outputs: ValueInfo[] = [{ name: STEP.losses, dims: [4] }];
  const momentum = b.scalar(params.momentum), decay = b.scalar(2 * params.l2);
  for (const w of graph.weights) {
    if (!w.trainable) continue;
    let grad = grads.get(w.name);
    if (grad === undefined) throw new Error(`no gradient reaches weight ${w.name}`);
    if (w.kind === "conv" || w.kind === "dense-weight") {
      l2Terms.push(b.sum(b.mul(w.name, w.name), null, false));
      grad = b.add(grad, b.mul(w.name, decay));
    }
    const m = b.add(b.mul(momentumOf(w.name), momentum), grad);
    b.op("Identity", [m], {}, next(momentumOf(w.name)));
    b.op("Sub", [w.name, b.mul(m, STEP.rate)], {}, next(w.name));
    outputs.push({ name: next(w.name), dims: w.shape }, { name: next(momentumOf(w.name)), dims: w.shape });
  }
  const keep = b.scalar(params.bnMomentum), take = b.scalar(1 - params.bnMomentum);
  for (const [name, s] of stats) {
    for (const [kind, batchValue] of [["mean", s.mean], ["variance", s.variance]] as const) {
      const running = `${name}/${kind}`;
      b.op("Add", [b.mul(running, keep), b.reshape(b.mul(batchValue, take), [-1])], {}, next(running));
      outputs.push({ name: next(running), dims: graph.weights.find((w) => w.name === running)!.shape });
    }
  }
  const l2Loss = b.mul(l2Terms.reduce((sum, t) => b.add(sum, t)), b.scalar(params.l2));
  const parts = [policyLoss, valueLoss, l2Loss];
  const total = b.add(b.add(policyLoss, valueLoss), l2Loss);
  b.op("Concat", [total, ...parts].map((t) => b.reshape(t, [1])), { ints: { axis: 0 } }, STEP.losses);
  const inputs: ValueInfo[] = [
    ...inputsOf(graph, shape, planes),
    { name: STEP.target, dims: [n, actions] },
    { name: STEP.penalty, dims: [n, actions] },
    { name: STEP.outcome, dims: [n] },
    { name: STEP.rate, dims: [] },
    ...graph.weights.filter((w) => w.trainable).map((w) => ({ name: momentumOf(w.name), dims: w.shape })),
  ];
  return writeOnnx({ name: "fossil training step", nodes: b.nodes, initializers: b.initializers, inputs, outputs, metadata: [] });
}

/** The gradient name of a tensor in a gradient model. */
export const gradOf = (name: string): string => `${name}:grad`;

/**
 * A model of gradients only (for tests against TensorFlow.js): inputs as a training step's
 * plus `gradOf(output)` for each of `outputs`; outputs the outputs, and the gradients of the
 * input and of every trainable weight.
 */
export function gradientModel(graph: Graph, shape: StepShape, planes: number, outputs: string[]): Uint8Array {
  const b = new Builder();
  const { grads } = forwardBackward(b, graph, shape, () => new Map(outputs.map((o) => [o, gradOf(o)])), true);
  const results: ValueInfo[] = outputs.map((o) => ({ name: o, dims: null }));
  for (const name of [graph.input, ...graph.weights.filter((w) => w.trainable).map((w) => w.name)]) {
    const grad = grads.get(name);
    if (grad === undefined) continue;
    b.op("Identity", [grad], {}, gradOf(name));
    results.push({ name: gradOf(name), dims: null });
  }
  const inputs = [...inputsOf(graph, shape, planes), ...outputs.map((o) => ({ name: gradOf(o), dims: null }))];
  return writeOnnx({ name: "fossil gradients", nodes: b.nodes, initializers: b.initializers, inputs, outputs: results, metadata: [] });
}
