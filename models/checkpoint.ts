/**
 * Checkpoints: the ONNX model (what players load) plus the training state beside it (weights,
 * batch-norm statistics, momentum buffers, step, Rng state) so that an interrupted training
 * resumes exactly. Both are written to a temporary name and renamed, so a crash never leaves a
 * half-written checkpoint under the real name.
 *
 * State file (`<model>.state`): "FOSSILST", u32 format version, u32 header length, a JSON header
 * (architecture, step, Rng state, training params, list of arrays), then the float32 arrays.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { InputError } from "../core/errors.js";
import { Rng, type RngState } from "../core/rng.js";
import { buildGraph, type Architecture } from "./arch.js";
import { exportOnnx, type ModelMetadata } from "./onnx/export.js";
import { initWeights, type Weights } from "./weights.js";
import { DEFAULT_TRAINING, type Trainer, type TrainingParams } from "./tfnet.js";

const MAGIC = "FOSSILST";
const FORMAT = 1;

export interface TrainingState {
  arch: Architecture;
  step: number;
  rng: RngState;
  params: TrainingParams;
  weights: Weights;
  /** Momentum buffers by weight name (absent before the first step). */
  momentum: Weights;
  /** Optimizer iteration counter. */
  iterations: number;
  run: string;
  /** Free-form progress of the caller (e.g. epoch, best validation loss), restored as saved. */
  meta?: Record<string, unknown>;
}

/**
 * The file name of a study checkpoint (DESIGN.md): `<run>-<arm>-s<seed>-g<generation>.onnx`,
 * generation zero-padded so that names sort in training order.
 */
export function checkpointName(run: string, arm: string, seed: number, generation: number): string {
  const safe = (t: string): string => t.replace(/[^A-Za-z0-9_.]+/g, "_");
  return `${safe(run)}-${safe(arm)}-s${seed}-g${String(generation).padStart(4, "0")}.onnx`;
}

/** `model.onnx` -> `model.state`. */
export function statePath(modelPath: string): string {
  return modelPath.replace(/\.onnx$/i, "") + ".state";
}

function writeAtomic(path: string, data: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw new InputError(`cannot write: ${(error as Error).message}`, { file: path });
  }
}

export function encodeState(state: TrainingState): Uint8Array {
  const arrays: { name: string; group: "weights" | "momentum"; length: number }[] = [];
  const blobs: Float32Array[] = [];
  for (const [group, map] of [["weights", state.weights], ["momentum", state.momentum]] as const) {
    for (const [name, values] of map) {
      arrays.push({ name, group, length: values.length });
      blobs.push(values);
    }
  }
  const header = new TextEncoder().encode(
    JSON.stringify({ arch: state.arch, step: state.step, rng: state.rng, params: state.params, iterations: state.iterations, run: state.run, meta: state.meta ?? {}, arrays }),
  );
  const padded = Math.ceil((16 + header.length) / 4) * 4;
  const total = padded + blobs.reduce((s, b) => s + b.byteLength, 0);
  const out = new Uint8Array(total);
  out.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(8, FORMAT, true);
  view.setUint32(12, header.length, true);
  out.set(header, 16);
  let at = padded;
  for (const b of blobs) {
    out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), at);
    at += b.byteLength;
  }
  return out;
}

export function decodeState(bytes: Uint8Array, file: string): TrainingState {
  const bad = (why: string): InputError => new InputError(`not a fossil training state (${why})`, { file });
  if (bytes.length < 16 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) throw bad("wrong magic");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(8, true) !== FORMAT) throw bad(`format ${view.getUint32(8, true)}, expected ${FORMAT}`);
  const headerLength = view.getUint32(12, true);
  if (16 + headerLength > bytes.length) throw bad("truncated header");
  let header: { arch: Architecture; step: number; rng: RngState; params: TrainingParams; iterations: number; run: string; meta?: Record<string, unknown>; arrays: { name: string; group: "weights" | "momentum"; length: number }[] };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + headerLength)));
  } catch {
    throw bad("header is not JSON");
  }
  let at = Math.ceil((16 + headerLength) / 4) * 4;
  const weights: Weights = new Map(), momentum: Weights = new Map();
  for (const a of header.arrays) {
    if (at + 4 * a.length > bytes.length) throw bad("truncated data");
    const values = new Float32Array(a.length);
    new Uint8Array(values.buffer).set(bytes.subarray(at, at + 4 * a.length));
    at += 4 * a.length;
    (a.group === "weights" ? weights : momentum).set(a.name, values);
  }
  return { arch: header.arch, step: header.step, rng: header.rng, params: header.params, iterations: header.iterations, run: header.run, meta: header.meta ?? {}, weights, momentum };
}

/** The training state of a trainer now. */
export async function captureState(trainer: Trainer, run: string, meta: Record<string, unknown> = {}): Promise<TrainingState> {
  const momentum: Weights = new Map();
  let iterations = 0;
  const named = await trainer.optimizer.getWeights();
  for (const { name, tensor } of named) {
    if (name === "iter") {
      iterations = tensor.dataSync()[0]!;
      continue;
    }
    const weightName = trainer.net.weightNames.get(name.replace(/\/momentum$/, ""));
    if (!weightName) throw new Error(`optimizer weight ${name} matches no network variable`);
    momentum.set(weightName, tensor.dataSync() as Float32Array);
  }
  return { arch: trainer.net.arch, step: trainer.step, rng: trainer.rng.getState(), params: trainer.params, weights: trainer.net.getWeights(), momentum, iterations, run, meta };
}

/** Puts a saved state back into a trainer built for the same architecture. */
export async function restoreState(trainer: Trainer, state: TrainingState): Promise<void> {
  const tf = trainer.net.tf;
  trainer.net.setWeights(state.weights);
  trainer.step = state.step;
  trainer.rng = Rng.fromState(state.rng);
  if (state.momentum.size > 0) {
    // The optimizer matches its buffers to gradients by position: trainable variables in order.
    const buffers = [...trainer.net.variables.entries()]
      .filter(([, v]) => v.trainable)
      .map(([weightName, v]) => ({ name: `${v.name}/momentum`, tensor: tf.tensor(state.momentum.get(weightName)!, v.shape) }));
    await trainer.optimizer.setWeights([{ name: "iter", tensor: tf.scalar(state.iterations, "int32") }, ...buffers]);
  }
}

/** Writes the ONNX model and its training state. */
export function saveCheckpoint(modelPath: string, state: TrainingState, extra?: ModelMetadata["extra"]): void {
  writeAtomic(modelPath, exportOnnx(state.arch, state.weights, { step: state.step, run: state.run, extra }));
  writeAtomic(statePath(modelPath), encodeState(state));
}

export function loadState(modelPath: string): TrainingState {
  const file = statePath(modelPath);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new InputError("no training state beside the model (it is written with every checkpoint)", { file });
  }
  return decodeState(bytes, file);
}

/**
 * A network with fresh seeded weights, written as a checkpoint (step 0) ready for training or
 * play; returns the number of weights. Training resumes from it as from any checkpoint.
 */
export function initCheckpoint(out: string, arch: Architecture, seed: number, run: string): number {
  const rng = Rng.fromSeed(seed);
  const weights = initWeights(buildGraph(arch), rng.split("init"));
  saveCheckpoint(out, { arch, step: 0, rng: rng.split("train").getState(), params: DEFAULT_TRAINING, weights, momentum: new Map(), iterations: 0, run }, { seed: String(seed) });
  return [...weights.values()].reduce((s, w) => s + w.length, 0);
}
