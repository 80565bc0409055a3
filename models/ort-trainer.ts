/**
 * The ONNX Runtime training backend: each step runs the training-step model of
 * onnx/train-graph.ts (one per batch size) with the weights, momentum buffers and running
 * statistics as inputs, and keeps its outputs as the next step's inputs. Same batches, same
 * symmetries and same formulas as the TensorFlow.js trainer, in the same checkpoint format.
 */
import * as ort from "onnxruntime-node";
import { Rng } from "../core/rng.js";
import { buildGraph, type Architecture, type Graph } from "./arch.js";
import type { TrainingState } from "./checkpoint.js";
import { OnnxModel } from "./inference.js";
import { exportOnnx } from "./onnx/export.js";
import { momentumOf, next, STEP, trainStepModel } from "./onnx/train-graph.js";
import { learningRateAt, trainingLayout, type Batch, type Prediction, type StepResult, type SymmetrySource, type TrainingParams } from "./tfnet.js";
import type { NetworkTrainer } from "./trainer.js";
import { checkWeights, type Weights } from "./weights.js";

export class OrtTrainer implements NetworkTrainer {
  readonly description = "ONNX Runtime";
  readonly graph: Graph;
  step = 0;
  /** Optimizer updates applied (TensorFlow.js's `iter`), kept for its checkpoints. */
  iterations = 0;
  private readonly sessions = new Map<number, Promise<ort.InferenceSession>>();
  /** Weights, momentum buffers and running statistics by graph input name. */
  private state = new Map<string, ort.Tensor>();
  /** Bumped whenever the weights change: the validation model is made again only then. */
  private version = 0;
  private inference: { version: number; model: Promise<OnnxModel> } | null = null;

  constructor(
    readonly arch: Architecture,
    readonly params: TrainingParams,
    readonly symmetry: SymmetrySource,
    public rng: Rng,
    weights: Weights,
    /** Intra-op threads of the step's session. */
    readonly threads = 1,
  ) {
    this.graph = buildGraph(arch);
    this.setWeights(weights, new Map());
  }

  private setWeights(weights: Weights, momentum: Weights): void {
    checkWeights(this.graph, weights);
    const state = new Map<string, ort.Tensor>();
    for (const w of this.graph.weights) {
      state.set(w.name, new ort.Tensor("float32", Float32Array.from(weights.get(w.name)!), w.shape));
      if (w.trainable) state.set(momentumOf(w.name), new ort.Tensor("float32", Float32Array.from(momentum.get(w.name) ?? new Float32Array(weights.get(w.name)!.length)), w.shape));
    }
    this.state = state;
    this.version++;
  }

  private session(batch: number): Promise<ort.InferenceSession> {
    let session = this.sessions.get(batch);
    if (!session) {
      const model = trainStepModel(this.graph, { batch, height: this.arch.height, width: this.arch.width }, this.arch.planes, this.arch.actions, this.params);
      session = ort.InferenceSession.create(model, { intraOpNumThreads: this.threads, interOpNumThreads: 1, executionMode: "sequential", graphOptimizationLevel: "all" });
      this.sessions.set(batch, session);
    }
    return session;
  }

  /** One SGD step on a batch; returns the losses before the update. */
  async trainStep(batch: Batch): Promise<StepResult> {
    const { arch } = this;
    const session = await this.session(batch.size);
    const { input, policy, penalty } = trainingLayout(arch, batch, this.symmetry, this.params.augment ? this.rng : null);
    const feeds: Record<string, ort.Tensor> = Object.fromEntries(this.state);
    feeds[STEP.input] = new ort.Tensor("float32", input, [batch.size * arch.height * arch.width, arch.planes]);
    feeds[STEP.target] = new ort.Tensor("float32", policy, [batch.size, arch.actions]);
    feeds[STEP.penalty] = new ort.Tensor("float32", penalty, [batch.size, arch.actions]);
    feeds[STEP.outcome] = new ort.Tensor("float32", batch.value.subarray(0, batch.size), [batch.size]);
    feeds[STEP.rate] = new ort.Tensor("float32", Float32Array.of(learningRateAt(this.params.learningRate, this.step)), []);
    const out = await session.run(feeds);
    for (const name of this.state.keys()) this.state.set(name, out[next(name)]!);
    this.step++;
    this.iterations++;
    this.version++;
    const [loss, policyLoss, valueLoss, l2Loss] = out[STEP.losses]!.data as Float32Array;
    return { loss: loss!, policyLoss: policyLoss!, valueLoss: valueLoss!, l2Loss: l2Loss! };
  }

  /** Current weights (the arrays themselves: a step replaces them, never writes into them). */
  weights(): Weights {
    return new Map(this.graph.weights.map((w) => [w.name, this.state.get(w.name)!.data as Float32Array]));
  }

  /** Inference with the running statistics (as exported), for validation. */
  async predict(planes: Float32Array, batch: number): Promise<Prediction> {
    if (this.inference?.version !== this.version) {
      await this.closeInference();
      const bytes = exportOnnx(this.arch, this.weights(), { step: this.step, run: "validation" });
      this.inference = { version: this.version, model: OnnxModel.load({ bytes, file: "(training weights)" }, { threads: this.threads }) };
    }
    return (await this.inference.model).evaluate(planes, batch);
  }

  async capture(run: string, meta: Record<string, unknown> = {}): Promise<TrainingState> {
    const momentum: Weights = new Map();
    if (this.iterations > 0) for (const w of this.graph.weights) if (w.trainable) momentum.set(w.name, this.state.get(momentumOf(w.name))!.data as Float32Array);
    return { arch: this.arch, step: this.step, rng: this.rng.getState(), params: this.params, weights: this.weights(), momentum, iterations: this.iterations, run, meta };
  }

  restore(state: TrainingState): void {
    this.setWeights(state.weights, state.momentum);
    this.step = state.step;
    this.iterations = state.iterations;
    this.rng = Rng.fromState(state.rng);
  }

  private async closeInference(): Promise<void> {
    const old = this.inference;
    this.inference = null;
    await old?.model.then((m) => m.close()).catch(() => {});
  }

  /** Releases every session (one that failed to start included). */
  async dispose(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.allSettled(sessions.map((s) => s.then((session) => session.release())));
    await this.closeInference();
  }
}
