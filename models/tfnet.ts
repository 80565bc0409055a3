/**
 * The network of arch.ts in TensorFlow.js: inference, and training with SGD + momentum.
 *
 * Layout: TensorFlow.js convolutions run channels-last, so batches are built as NHWC from the
 * NCHW planes that games encode (and ONNX takes). Batch norm uses batch statistics in training
 * (with a hand-written gradient that needs only sums and broadcasts) and running averages in
 * inference, which are what the ONNX export folds into the convolutions.
 */
import type * as tfTypes from "@tensorflow/tfjs-core";
import type { Rng } from "../core/rng.js";
import { BN_EPSILON, buildGraph, type Architecture, type Graph } from "./arch.js";
import { canFuseBatchNorm, fusedBatchNormRelu } from "./fused-bn.js";
import { checkWeights, type Weights } from "./weights.js";
import type { Tf } from "./tf.js";

type Tensor = tfTypes.Tensor;

export interface Prediction {
  /** Logits, batch x actions. */
  policy: Float32Array;
  /** tanh values, one per position, from the side to move's view. */
  value: Float32Array;
}

let networkCount = 0;

/** A batch norm fused with the ReLU after it, maybe through a residual sum: the ReLU's output. */
interface Fusion {
  output: string;
  skip: string | null;
}

/**
 * The `bn -> relu` and `bn -> add(skip) -> relu` chains of a graph whose skipped-over outputs
 * feed nothing else, by the batch norm's op index.
 */
function fusionsOf(graph: Graph): Map<number, Fusion> {
  const ops = graph.ops;
  const onlyFeeds = (name: string): boolean => ops.filter((o) => ("inputs" in o ? o.inputs : [o.input]).includes(name)).length === 1;
  const fusions = new Map<number, Fusion>();
  ops.forEach((op, index) => {
    if (op.op !== "batchnorm" || !onlyFeeds(op.output)) return;
    const next = ops[index + 1], after = ops[index + 2];
    if (next?.op === "relu" && next.input === op.output) fusions.set(index, { output: next.output, skip: null });
    else if (next?.op === "add" && next.inputs[0] === op.output && after?.op === "relu" && after.input === next.output && onlyFeeds(next.output)) {
      fusions.set(index, { output: after.output, skip: next.inputs[1] });
    }
  });
  return fusions;
}

export class TfNetwork {
  readonly graph: Graph;
  /** TensorFlow.js variables by weight name (arch.ts names). */
  readonly variables = new Map<string, tfTypes.Variable>();
  /** Weight names by TensorFlow.js variable name (unique per network in the process). */
  readonly weightNames = new Map<string, string>();
  /** Batch norms that training may fuse with what follows them, by op index (see `fusionsOf`). */
  private readonly fusions: Map<number, Fusion>;

  constructor(
    readonly tf: Tf,
    readonly arch: Architecture,
    weights: Weights,
    /** The graph to run (tests run single ops); by default the network of `arch`. */
    graph: Graph = buildGraph(arch),
  ) {
    this.graph = graph;
    this.fusions = fusionsOf(this.graph);
    checkWeights(this.graph, weights);
    const prefix = `net${++networkCount}`;
    for (const spec of this.graph.weights) {
      const name = `${prefix}/${spec.name}`;
      this.variables.set(spec.name, tf.tidy(() => tf.variable(tf.tensor(weights.get(spec.name)!, spec.shape), spec.trainable, name)));
      this.weightNames.set(name, spec.name);
    }
  }

  /** Current weights as typed arrays (copies). */
  getWeights(): Weights {
    const out: Weights = new Map();
    for (const [name, v] of this.variables) out.set(name, v.dataSync() as Float32Array);
    return out;
  }

  setWeights(weights: Weights): void {
    checkWeights(this.graph, weights);
    this.tf.tidy(() => {
      for (const spec of this.graph.weights) this.variables.get(spec.name)!.assign(this.tf.tensor(weights.get(spec.name)!, spec.shape));
    });
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
  }

  /**
   * Runs the graph on NHWC input. In training mode batch norm normalises with batch statistics
   * and reports them through `onBatchStats` (kept tensors; the caller disposes them).
   */
  forward(input: Tensor, training: boolean, onBatchStats?: (name: string, mean: Tensor, variance: Tensor) => void): { policy: Tensor; value: Tensor } {
    const tf = this.tf;
    const values = new Map<string, Tensor>([[this.graph.input, input]]);
    const get = (name: string): Tensor => {
      const t = values.get(name);
      if (!t) throw new Error(`tensor ${name} not computed`);
      return t;
    };
    const variable = (name: string): tfTypes.Variable => this.variables.get(name)!;
    const ops = this.graph.ops;
    for (let index = 0; index < ops.length; index++) {
      const op = ops[index]!;
      const fusion = training ? this.fusions.get(index) : undefined; // batch norms only
      if (fusion && op.op === "batchnorm" && canFuseBatchNorm(tf, op.channels)) {
        // relu(bn) or relu(bn + skip) in one fused kernel (fused-bn.ts).
        const onStats = (mean: Tensor, variance: Tensor): void => onBatchStats?.(op.name, mean, variance);
        values.set(fusion.output, fusedBatchNormRelu(tf, get(op.input), variable(`${op.name}/gamma`), variable(`${op.name}/beta`), fusion.skip === null ? null : get(fusion.skip), onStats));
        index += fusion.skip === null ? 1 : 2;
        continue;
      }
      switch (op.op) {
        case "conv":
          values.set(op.output, tf.conv2d(get(op.input) as tfTypes.Tensor4D, variable(op.weight) as unknown as tfTypes.Tensor4D, 1, "same"));
          break;
        case "batchnorm": {
          const x = get(op.input);
          const gamma = variable(`${op.name}/gamma`), beta = variable(`${op.name}/beta`);
          if (training) {
            values.set(op.output, batchNormTraining(tf, x, gamma, beta, (mean, variance) => onBatchStats?.(op.name, mean, variance)));
          } else {
            const mean = variable(`${op.name}/mean`), variance = variable(`${op.name}/variance`);
            const scale = tf.mul(gamma, tf.rsqrt(tf.add(variance, BN_EPSILON)));
            values.set(op.output, tf.add(tf.mul(tf.sub(x, mean), scale), beta));
          }
          break;
        }
        case "relu":
          values.set(op.output, tf.relu(get(op.input)));
          break;
        case "add":
          values.set(op.output, tf.add(get(op.inputs[0]), get(op.inputs[1])));
          break;
        case "flatten": {
          const x = get(op.input);
          values.set(op.output, tf.reshape(x, [x.shape[0]!, -1]));
          break;
        }
        case "dense":
          values.set(op.output, tf.add(tf.matMul(get(op.input) as tfTypes.Tensor2D, variable(op.weight) as unknown as tfTypes.Tensor2D), variable(op.bias)));
          break;
        case "tanh":
          values.set(op.output, tf.tanh(get(op.input)));
          break;
        case "squeeze":
          values.set(op.output, tf.reshape(get(op.input), [-1]));
          break;
      }
    }
    return { policy: get(this.graph.policy), value: get(this.graph.value) };
  }

  /** Inference on `batch` positions given as NCHW planes (as games encode them). */
  predict(planes: Float32Array, batch: number): Prediction {
    const tf = this.tf;
    const { height, width } = this.arch;
    return tf.tidy(() => {
      const nchw = tf.tensor4d(planes.subarray(0, batch * this.arch.planes * height * width), [batch, this.arch.planes, height, width]);
      const out = this.forward(tf.transpose(nchw, [0, 2, 3, 1]), false);
      return { policy: out.policy.dataSync() as Float32Array, value: out.value.dataSync() as Float32Array };
    });
  }
}

/**
 * Batch norm with batch statistics and a hand-written gradient. With c = x - mean,
 * r = 1 / sqrt(var + eps), scale = gamma r and M = N H W cells:
 *   y = c scale + beta,
 *   dbeta = sum dy,  dgamma = r sum (dy c),
 *   dx = scale (dy - dbeta / M) - c (scale r dgamma / M).
 * Autodiff of tf.moments would broadcast with Tile, the slowest kernel on wasm; and on wasm the
 * cost is in full-size element-wise operations (per-channel ones are nearly free), so the
 * formulas use nine of them per forward and backward pass, where the textbook form uses twelve.
 * (Measured and dropped: tf.batchNorm as the affine step, slower; hand-written JavaScript
 * kernels over the wasm heap, no faster once the engine's per-kernel overhead is counted.)
 */
export function batchNormTraining(tf: Tf, x: Tensor, gamma: Tensor, beta: Tensor, onStats: (mean: Tensor, variance: Tensor) => void): Tensor {
  const channels = x.shape[x.shape.length - 1]!;
  const m = x.size / channels;
  // Sums over batch and board on a [cells, channels] view: on wasm twice as fast as a reduction
  // over three axes (and a product with a row of ones is slower still: XNNPACK repacks it).
  const sumCells = (t: Tensor): Tensor => tf.sum(tf.reshape(t, [m, channels]), 0);
  const op = tf.customGrad((...args: (Tensor | tfTypes.GradSaveFunc)[]) => {
    const [xIn, gIn, bIn, save] = args as [Tensor, Tensor, Tensor, tfTypes.GradSaveFunc];
    const mean = tf.div(sumCells(xIn), m);
    const centered = tf.sub(xIn, mean);
    const variance = tf.div(sumCells(tf.square(centered)), m);
    onStats(tf.keep(mean), tf.keep(variance));
    const rstd = tf.rsqrt(tf.add(variance, BN_EPSILON));
    const scale = tf.mul(gIn, rstd);
    save([centered, rstd, scale]);
    return {
      value: tf.add(tf.mul(centered, scale), bIn),
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [c, r, sc] = saved as [Tensor, Tensor, Tensor];
        const dbeta = sumCells(dy);
        const dgamma = tf.mul(sumCells(tf.mul(dy, c)), r);
        const dx = tf.sub(tf.mul(tf.sub(dy, tf.div(dbeta, m)), sc), tf.mul(c, tf.div(tf.mul(tf.mul(sc, r), dgamma), m)));
        return [dx, dgamma, dbeta];
      },
    };
  });
  return op(x, gamma, beta);
}

export interface TrainingParams {
  /** Learning rate per step: a constant, or [[fromStep, rate], ...] (piecewise constant). */
  learningRate: number | [number, number][];
  /** SGD momentum (AlphaZero: 0.9). */
  momentum: number;
  /** L2 weight on convolution and dense weights (AlphaZero: 1e-4). */
  l2: number;
  /** Running-average factor of batch-norm statistics: running = f running + (1 - f) batch. */
  bnMomentum: number;
  /** Apply a random symmetry of the game to each sample (DESIGN: augmentation). */
  augment: boolean;
}

export const DEFAULT_TRAINING: TrainingParams = { learningRate: 0.02, momentum: 0.9, l2: 1e-4, bnMomentum: 0.9, augment: true };

export function learningRateAt(schedule: TrainingParams["learningRate"], step: number): number {
  if (typeof schedule === "number") return schedule;
  let rate = schedule[0]?.[1] ?? 0;
  for (const [from, r] of schedule) if (step >= from) rate = r;
  return rate;
}

/** Training samples: NCHW planes, policy targets and legal masks over actions, outcomes for the side to move. */
export interface Batch {
  size: number;
  planes: Float32Array;
  policy: Float32Array;
  mask: Uint8Array;
  value: Float32Array;
}

export interface StepResult {
  loss: number;
  policyLoss: number;
  valueLoss: number;
  l2Loss: number;
}

/** Symmetry tables the trainer needs from the game. */
export interface SymmetrySource {
  symmetries: readonly Int32Array[];
  cellSymmetries: readonly Int32Array[];
}

/**
 * The NHWC input, policy targets and mask penalty (0 legal, -1e9 not) of a batch: what either
 * training backend takes. With `rng` (augmenting) each sample gets a random symmetry of the game.
 */
export function trainingLayout(arch: Architecture, batch: Batch, symmetry: SymmetrySource, rng: Rng | null): { input: Float32Array; policy: Float32Array; penalty: Float32Array } {
  const { planes: c, height, width, actions } = arch;
  const cells = height * width;
  const input = new Float32Array(batch.size * cells * c);
  const policy = new Float32Array(batch.size * actions);
  const penalty = new Float32Array(batch.size * actions);
  const count = symmetry.symmetries.length;
  for (let n = 0; n < batch.size; n++) {
    const k = rng ? rng.int(count) : 0;
    const cellSym = symmetry.cellSymmetries[k]!, actionSym = symmetry.symmetries[k]!;
    const src = n * c * cells, dst = n * cells * c;
    for (let p = 0; p < c; p++) for (let cell = 0; cell < cells; cell++) input[dst + cellSym[cell]! * c + p] = batch.planes[src + p * cells + cell]!;
    for (let a = 0; a < actions; a++) {
      const b = n * actions + actionSym[a]!;
      policy[b] = batch.policy[n * actions + a]!;
      penalty[b] = batch.mask[n * actions + a] ? 0 : -1e9;
    }
  }
  return { input, policy, penalty };
}

export class Trainer {
  readonly optimizer: tfTypes.MomentumOptimizer;
  step = 0;

  constructor(
    readonly net: TfNetwork,
    readonly params: TrainingParams,
    readonly symmetry: SymmetrySource,
    /** Draws the augmentation symmetries; replaced when a checkpoint is restored. */
    public rng: Rng,
  ) {
    this.optimizer = net.tf.train.momentum(learningRateAt(params.learningRate, 0), params.momentum) as tfTypes.MomentumOptimizer;
  }

  /** One SGD step on a batch; returns the losses before the update. */
  trainStep(batch: Batch): StepResult {
    const tf = this.net.tf;
    const { height, width, planes } = this.net.arch;
    this.optimizer.setLearningRate(learningRateAt(this.params.learningRate, this.step));
    const { input, policy, penalty } = trainingLayout(this.net.arch, batch, this.symmetry, this.params.augment ? this.rng : null);
    const stats: [string, Tensor, Tensor][] = [];
    let parts: number[] = [];
    let partTensors: Tensor[] = [];
    tf.tidy(() => {
      const x = tf.tensor4d(input, [batch.size, height, width, planes]);
      const target = tf.tensor2d(policy, [batch.size, this.net.arch.actions]);
      const maskPenalty = tf.tensor2d(penalty, [batch.size, this.net.arch.actions]);
      const z = tf.tensor1d(batch.value);
      const trainable = [...this.net.variables.values()].filter((v) => v.trainable);
      const l2Vars = this.net.graph.weights.filter((w) => w.kind === "conv" || w.kind === "dense-weight").map((w) => this.net.variables.get(w.name)!);
      const { value: loss, grads } = tf.variableGrads(() => {
        const out = this.net.forward(x, true, (name, mean, variance) => stats.push([name, mean, variance]));
        const logp = tf.logSoftmax(tf.add(out.policy, maskPenalty));
        const policyLoss = tf.neg(tf.mean(tf.sum(tf.mul(target, logp), 1)));
        const valueLoss = tf.mean(tf.square(tf.sub(out.value, z)));
        const l2Loss = tf.mul(tf.addN(l2Vars.map((v) => tf.sum(tf.square(v)))), this.params.l2);
        partTensors = [policyLoss, valueLoss, l2Loss].map((t) => tf.keep(t));
        return tf.add(tf.add(policyLoss, valueLoss), l2Loss) as tfTypes.Scalar;
      }, trainable);
      this.optimizer.applyGradients(grads as Parameters<typeof this.optimizer.applyGradients>[0]);
      parts = [loss.dataSync()[0]!, ...partTensors.map((t) => t.dataSync()[0]!)];
      for (const t of partTensors) t.dispose();
    });
    // Running batch-norm statistics.
    const f = this.params.bnMomentum;
    for (const [name, mean, variance] of stats) {
      const runMean = this.net.variables.get(`${name}/mean`)!, runVar = this.net.variables.get(`${name}/variance`)!;
      tf.tidy(() => {
        runMean.assign(tf.add(tf.mul(runMean, f), tf.mul(mean, 1 - f)));
        runVar.assign(tf.add(tf.mul(runVar, f), tf.mul(variance, 1 - f)));
      });
      mean.dispose();
      variance.dispose();
    }
    this.step++;
    return { loss: parts[0]!, policyLoss: parts[1]!, valueLoss: parts[2]!, l2Loss: parts[3]! };
  }
}
