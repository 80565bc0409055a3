/**
 * Training backends behind one interface: TensorFlow.js (tfnet.ts, the reference; native with
 * `@tensorflow/tfjs-node`, otherwise WebAssembly) and ONNX Runtime (ort-trainer.ts). Both take
 * the same batches, draw the same symmetries, apply the same formulas and read and write the
 * same checkpoints, so a run may continue on the other backend.
 *
 * The choice: `FOSSIL_TRAIN_BACKEND=onnxruntime|tfjs`; otherwise TensorFlow.js where the user
 * asked for one of its backends (`FOSSIL_TF_BACKEND`) or installed `@tensorflow/tfjs-node` (if its
 * native part then fails to load, TensorFlow.js runs on WebAssembly), and ONNX Runtime everywhere
 * else (about three times TensorFlow.js's WebAssembly speed here). The backends round
 * differently: a seeded run repeats its networks exactly on the same machine and backend.
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { InputError } from "../core/errors.js";
import { Rng } from "../core/rng.js";
import { captureState, restoreState, type TrainingState } from "./checkpoint.js";
import { OrtTrainer } from "./ort-trainer.js";
import { TfNetwork, Trainer, type Batch, type Prediction, type StepResult, type SymmetrySource } from "./tfnet.js";
import { backendName, loadTf } from "./tf.js";

export type TrainingBackend = "onnxruntime" | "tfjs";

export interface NetworkTrainer {
  /** What trains, for messages: "ONNX Runtime", "TensorFlow.js (wasm)". */
  readonly description: string;
  /** Steps taken (the learning-rate schedule's clock). */
  readonly step: number;
  /** One SGD step on a batch; the losses before the update. */
  trainStep(batch: Batch): Promise<StepResult>;
  /** Inference with the running batch-norm statistics (what export writes), for validation. */
  predict(planes: Float32Array, batch: number): Promise<Prediction>;
  /** The state to checkpoint now. */
  capture(run: string, meta?: Record<string, unknown>): Promise<TrainingState>;
  dispose(): Promise<void>;
}

/** The backend to train on (see the module comment). */
export function chooseTrainingBackend(env: NodeJS.ProcessEnv = process.env): TrainingBackend {
  const asked = env.FOSSIL_TRAIN_BACKEND;
  if (asked !== undefined && asked !== "") {
    if (asked === "onnxruntime" || asked === "tfjs") return asked;
    throw new InputError(`FOSSIL_TRAIN_BACKEND must be onnxruntime or tfjs, got "${asked}"`);
  }
  if (env.FOSSIL_TF_BACKEND) return "tfjs";
  try {
    createRequire(import.meta.url).resolve("@tensorflow/tfjs-node");
    return "tfjs";
  } catch {
    return "onnxruntime";
  }
}

class TfTrainer implements NetworkTrainer {
  constructor(
    private readonly net: TfNetwork,
    private readonly trainer: Trainer,
  ) {}

  get description(): string {
    return `TensorFlow.js (${backendName()})`;
  }

  get step(): number {
    return this.trainer.step;
  }

  async trainStep(batch: Batch): Promise<StepResult> {
    return this.trainer.trainStep(batch);
  }

  async predict(planes: Float32Array, batch: number): Promise<Prediction> {
    return this.net.predict(planes, batch);
  }

  capture(run: string, meta: Record<string, unknown> = {}): Promise<TrainingState> {
    return captureState(this.trainer, run, meta);
  }

  async dispose(): Promise<void> {
    this.trainer.optimizer.dispose();
    this.net.dispose();
  }
}

/**
 * A trainer that continues from `state` exactly (weights, momentum, step, Rng): a checkpoint's,
 * or a new network's with step 0 and no momentum. ONNX Runtime trains on `threads` intra-op
 * threads (default: every core; self-play's workers wait while the network trains). Its
 * kernels split the work by output, not by sum, so the networks are the same to the bit on any
 * number of threads (a test checks 1 against 2).
 */
export async function openTrainer(
  state: TrainingState,
  symmetry: SymmetrySource,
  backend: TrainingBackend = chooseTrainingBackend(),
  threads = availableParallelism(),
): Promise<NetworkTrainer> {
  if (backend === "onnxruntime") {
    const trainer = new OrtTrainer(state.arch, state.params, symmetry, Rng.fromState(state.rng), state.weights, Math.max(1, threads));
    trainer.restore(state);
    return trainer;
  }
  const tf = await loadTf();
  const net = new TfNetwork(tf, state.arch, state.weights);
  const trainer = new Trainer(net, state.params, symmetry, Rng.fromState(state.rng));
  await restoreState(trainer, state);
  return new TfTrainer(net, trainer);
}
