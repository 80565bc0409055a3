/**
 * The one training loop, shared by supervised pretraining (supervised.ts) and self-play training:
 * a network (new, or resumed exactly from the latest checkpoint), epochs of mini-batches drawn
 * from a training source, a validation pass after each epoch, the best network by validation loss
 * written to `out` and the latest state to `<out>.last.onnx` (+ `.state`) after every epoch, early
 * stopping after `patience` epochs without improvement. Without a validation set there is no
 * "best": every epoch's network goes to `out` and the run stops only at `epochs`. A loss that is
 * not finite or explodes stops the run with an error before anything of that epoch is saved.
 * Presets differ only in their source and settings, as mctx keeps one search with thin policies
 * over it.
 */
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "../../core/errors.js";
import { Rng } from "../../core/rng.js";
import type { Game } from "../../games/game.js";
import { architectureFor, buildGraph } from "../../models/arch.js";
import { loadState, saveCheckpoint, statePath, type TrainingState } from "../../models/checkpoint.js";
import { DEFAULT_TRAINING, type Batch } from "../../models/tfnet.js";
import { openTrainer, type NetworkTrainer } from "../../models/trainer.js";
import { initWeights } from "../../models/weights.js";

/** Where the positions come from. */
export interface TrainingSource {
  /** The mini-batches of one epoch, in the order drawn with `rng` (a generator bounds memory). */
  epoch(rng: Rng): Iterable<Batch>;
  /** Held-out positions, scored after every epoch; none (size 0): no validation, no "best". */
  validation: Batch;
}

/** One setting of a run: a number, a text, or null for "not set" (e.g. no game limit). */
export type Setting = string | number | null;
/**
 * The settings a run fixes when it starts, by option name (`blocks`, `filters`, `lr`, `batch`,
 * `max-games`, ...): stored with every checkpoint; a resumed run keeps them.
 */
export type RunSettings = Record<string, Setting>;

export interface TrainingRun {
  game: Game;
  /** A new network's residual blocks and filters (a resumed one must have the same). */
  blocks: number;
  filters: number;
  learningRate: number;
  /** Epochs in all, counting those of a resumed run (a whole number of at least 1). */
  epochs: number;
  /** Epochs without a better validation loss before stopping (at least 1). */
  patience: number;
  seed: number;
  /** Run name, stored in the model's metadata. */
  run: string;
  /** The best network's file (.onnx); the latest state goes to `lastPath(out)`. */
  out: string;
  /** Extra model metadata (`fossil.<key>`), e.g. the prior's source. */
  metadata?: Record<string, string>;
  /** The preset's settings that shape the data (source, batch, split...): stored, and checked on resume. */
  settings?: RunSettings;
  /** Stops at the next step once aborted; the unfinished epoch is not saved (the last checkpoint stays). */
  signal?: AbortSignal;
}

export interface EpochReport {
  epoch: number;
  trainLoss: number;
  samples: number;
  samplesPerSecond: number;
  /** Null without a validation set. */
  validationLoss: number | null;
  validationTop1: number | null;
  validationValueMse: number | null;
  /** A better validation loss than any before. */
  improved: boolean;
  /** The network was written to `out` (the best one, or every one without validation). */
  saved: boolean;
}

/** What a call of `train` did. */
export interface TrainingResult {
  /** Epochs done before this call (a resumed run), and in all after it. */
  startEpoch: number;
  epochs: number;
  /** It stopped because `patience` epochs brought no better validation loss (now or before). */
  stoppedEarly: boolean;
  /** Whether there was a validation set. */
  validated: boolean;
  /** The epoch whose network `out` holds, as far as the run knows (null: none written). */
  savedEpoch: number | null;
  /** Its validation loss (null without validation). */
  bestLoss: number | null;
}

/**
 * Divergence: the training loss of a batch is not finite, or exceeds this many times the run's
 * first batch loss (at least 1). A healthy run's batch losses stay within a small factor of the
 * first; SGD with too large (or a negative) learning rate leaves that range within a few steps.
 */
export const DIVERGENCE_FACTOR = 100;

export function lastPath(out: string): string {
  return out.replace(/\.onnx$/i, "") + ".last.onnx";
}

/** The files a run writes: the best model and its state, the latest model and its state. */
export function runFiles(out: string): string[] {
  const last = lastPath(out);
  return [out, statePath(out), last, statePath(last)];
}

/**
 * Refuses an `out` that training could not write (a missing or read-only folder, a folder under
 * one of the run's file names) before any work is done.
 */
export function checkOutPath(out: string): void {
  const folder = dirname(resolve(out));
  let stat;
  try {
    stat = statSync(folder);
  } catch {
    throw new InputError(`the folder of --out does not exist: ${folder} (create it first)`);
  }
  if (!stat.isDirectory()) throw new InputError(`the folder of --out is not a folder: ${folder}`);
  try {
    accessSync(folder, constants.W_OK);
  } catch {
    throw new InputError(`cannot write in the folder of --out: ${folder}`);
  }
  for (const file of runFiles(out)) {
    if (existsSync(file) && !statSync(file).isFile()) throw new InputError(`${file} is a folder (or not a regular file), not a model file: choose another --out`);
  }
  // A model that no run of this --out wrote (no latest state beside it) is someone's work: keep it.
  const last = lastPath(out);
  if (existsSync(out) && !existsSync(last)) throw new InputError(`${out} already exists and is not a training run's (no ${last} beside it): choose another --out, or delete it`);
}

/** How to start a run afresh instead of resuming it. */
export function startAfresh(out: string): string {
  const last = lastPath(out);
  return `start afresh: delete ${existsSync(out) ? `${out}, ` : ""}${last} and ${statePath(last)}, or choose another --out`;
}

/**
 * The state of the run to resume (the latest checkpoint beside `out`), or null for a new run.
 * Refuses half a checkpoint (a model without its state, or a state without its model).
 */
export function findResume(out: string): TrainingState | null {
  const model = lastPath(out), state = statePath(model);
  const haveModel = existsSync(model), haveState = existsSync(state);
  if (!haveModel && !haveState) return null;
  if (!haveModel || !haveState) {
    throw new InputError(`${haveModel ? model : state} exists without ${haveModel ? state : model}: cannot resume from half a checkpoint; ${startAfresh(out)}`);
  }
  return loadState(model);
}

/** The settings a checkpoint holds: its architecture's and optimizer's, and those stored by the run. */
export function storedSettings(state: TrainingState): Partial<RunSettings> {
  const stored: Partial<RunSettings> = { blocks: state.arch.blocks, filters: state.arch.filters };
  if (typeof state.params.learningRate === "number") stored.lr = state.params.learningRate;
  const saved = state.meta?.settings;
  if (saved && typeof saved === "object") Object.assign(stored, saved);
  return stored;
}

function settingText(key: string, value: Setting | undefined): string {
  return value === null || value === undefined ? `no --${key}` : `--${key} ${value}`;
}

/**
 * The settings of a run: for a new one (`state` null) the given ones over the defaults; for a
 * resumed one those it started with. A given setting (not undefined) that differs from the stored
 * one is refused, naming both and how to start afresh: the resumed network, optimizer and data
 * split were made with the stored ones.
 */
export function settleSettings<T extends RunSettings>(out: string, state: TrainingState | null, given: { [K in keyof T]?: T[K] }, defaults: T): T {
  const settled: RunSettings = { ...defaults };
  for (const [key, value] of Object.entries(given)) if (value !== undefined) settled[key] = value;
  if (!state) return settled as T;
  const stored = storedSettings(state);
  const differing = Object.keys(given).filter((key) => given[key] !== undefined && key in stored && stored[key] !== given[key]);
  if (differing.length > 0) {
    throw new InputError(
      `${differing.map((k) => settingText(k, given[k])).join(", ")} ${differing.length > 1 ? "differ" : "differs"} from the run being resumed from ${lastPath(out)} ` +
        `(${differing.map((k) => settingText(k, stored[k])).join(", ")}); a resumed run keeps its settings: to resume, give the run's or leave ${differing.length > 1 ? "them" : "it"} out; or ${startAfresh(out)}`,
    );
  }
  for (const [key, value] of Object.entries(stored)) if (key in settled && value !== undefined) settled[key] = value;
  return settled as T;
}

/** Refuses run settings the loop cannot honour (the commands check their options first, by name). */
export function checkRun(run: TrainingRun): void {
  const bad = (what: string, value: unknown): never => {
    throw new InputError(`${what}, got ${value}`);
  };
  if (!Number.isInteger(run.epochs) || run.epochs < 1) bad("epochs must be a whole number of at least 1", run.epochs);
  if (!Number.isInteger(run.patience) || run.patience < 1) bad("patience must be a whole number of at least 1", run.patience);
  if (!(Number.isFinite(run.learningRate) && run.learningRate > 0)) bad("the learning rate must be a number above 0", run.learningRate);
  if (!Number.isSafeInteger(run.seed)) bad("the seed must be a whole number", run.seed);
}

/**
 * Validation loss (policy cross-entropy against the target distribution over legal moves + value
 * MSE), top-1 agreement (the network's most likely legal move is the target's, over the rows
 * with a policy target) and value MSE.
 */
export async function validate(net: Pick<NetworkTrainer, "predict">, game: Game, data: Batch): Promise<{ loss: number; top1: number; valueMse: number }> {
  const a = game.actionCount, cells = game.planes * game.height * game.width;
  let ce = 0, hits = 0, mse = 0, targets = 0;
  for (let start = 0; start < data.size; start += 512) {
    const n = Math.min(512, data.size - start);
    const out = await net.predict(data.planes.subarray(start * cells, (start + n) * cells), n);
    for (let i = 0; i < n; i++) {
      const row = start + i;
      let max = -Infinity, best = -1, target = -1;
      for (let k = 0; k < a; k++) {
        if (data.mask[row * a + k] !== 1) continue;
        const logit = out.policy[i * a + k]!;
        if (logit > max) {
          max = logit;
          best = k;
        }
        if (target < 0 || data.policy[row * a + k]! > data.policy[row * a + target]!) target = k;
      }
      let sum = 0;
      for (let k = 0; k < a; k++) if (data.mask[row * a + k] === 1) sum += Math.exp(out.policy[i * a + k]! - max);
      const logSum = Math.log(sum);
      for (let k = 0; k < a; k++) {
        const p = data.policy[row * a + k]!;
        if (p > 0) ce -= p * (out.policy[i * a + k]! - max - logSum);
      }
      // A row without a policy target (a random move) counts for the value only.
      if (data.policy[row * a + target]! > 0) {
        targets++;
        if (best === target) hits++;
      }
      mse += (out.value[i]! - data.value[row]!) ** 2;
    }
  }
  return { loss: (ce + mse) / data.size, top1: targets > 0 ? hits / targets : NaN, valueMse: mse / data.size };
}


/** What `trainSteps` did. */
export interface StepsReport {
  steps: number;
  samples: number;
  /** Mean losses over the steps (policy cross-entropy, value MSE; their sum). */
  loss: number;
  policyLoss: number;
  valueLoss: number;
  /** The first batch loss of the run, for the divergence check (set by the first step). */
  firstLoss: number | null;
  /** The signal stopped the steps before the batches ran out. */
  stopped: boolean;
}

/**
 * Trains on each batch in turn: the step loop of every preset. A loss that is not finite or
 * exceeds DIVERGENCE_FACTOR times the run's first batch loss calls `diverged(step, loss)`, which
 * throws. Yields to the event loop now and then (Ctrl-C, progress).
 */
export async function trainSteps(
  trainer: Pick<NetworkTrainer, "trainStep">,
  batches: Iterable<Batch>,
  firstLoss: number | null,
  diverged: (step: number, loss: number) => Error,
  onStep: (samples: number, loss: number) => void,
  signal?: AbortSignal,
): Promise<StepsReport> {
  let samples = 0, steps = 0, lossSum = 0, policySum = 0, valueSum = 0;
  for (const batch of batches) {
    const result = await trainer.trainStep(batch);
    const loss = result.policyLoss + result.valueLoss;
    samples += batch.size;
    steps++;
    if (!Number.isFinite(loss) || !Number.isFinite(result.loss)) throw diverged(steps, Number.isFinite(loss) ? result.loss : loss);
    if (firstLoss === null) firstLoss = loss;
    else if (loss > DIVERGENCE_FACTOR * Math.max(firstLoss, 1)) throw diverged(steps, loss);
    lossSum += loss;
    policySum += result.policyLoss;
    valueSum += result.valueLoss;
    onStep(samples, lossSum / steps);
    // A step takes milliseconds (and TensorFlow.js's steps never wait).
    if (steps % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) break;
  }
  const mean = (sum: number): number => (steps > 0 ? sum / steps : NaN);
  return { steps, samples, loss: mean(lossSum), policyLoss: mean(policySum), valueLoss: mean(valueSum), firstLoss, stopped: signal?.aborted ?? false };
}

export function allFinite(weights: Map<string, Float32Array>): boolean {
  for (const values of weights.values()) for (const v of values) if (!Number.isFinite(v)) return false;
  return true;
}

/**
 * Trains until `epochs` epochs are done (counting those of a resumed run) or patience runs out.
 * A loss that is not finite or explodes (DIVERGENCE_FACTOR) throws an InputError before anything
 * of its epoch is written: `out` and the latest checkpoint keep the last good epoch.
 */
export async function train(run: TrainingRun, source: TrainingSource, onStep: (samples: number, loss: number) => void, onEpoch: (report: EpochReport) => void): Promise<TrainingResult> {
  const { game } = run;
  checkRun(run);
  checkOutPath(run.out);
  const resumed = findResume(run.out);
  const settings: RunSettings = { blocks: run.blocks, filters: run.filters, lr: run.learningRate, ...run.settings };
  if (resumed) {
    const a = resumed.arch;
    if (a.height !== game.height || a.width !== game.width || a.planes !== game.planes || a.actions !== game.actionCount || a.planeVersion !== game.planeVersion) {
      throw new InputError(`the network being resumed from ${lastPath(run.out)} is for ${a.game}, not ${game.id}; ${startAfresh(run.out)}`);
    }
    settleSettings(run.out, resumed, settings, settings);
  }
  const validated = source.validation.size > 0;
  const root = Rng.fromSeed(run.seed);
  const last = lastPath(run.out);
  let firstEpoch = 0, best = Infinity, stale = 0, firstLoss: number | null = null, savedEpoch: number | null = null;
  let initial: TrainingState;
  if (resumed) {
    initial = resumed;
    const meta = resumed.meta ?? {};
    const num = (value: unknown): number | null => (typeof value === "number" && Number.isFinite(value) ? value : null);
    firstEpoch = num(meta.epoch) ?? 0;
    // JSON writes Infinity as null: no best yet.
    best = num(meta.best) ?? Infinity;
    stale = num(meta.stale) ?? 0;
    firstLoss = num(meta.firstLoss);
    savedEpoch = num(meta.savedEpoch);
  } else {
    const arch = architectureFor(game, run.blocks, run.filters);
    initial = { arch, step: 0, rng: root.split("train").getState(), params: { ...DEFAULT_TRAINING, learningRate: run.learningRate }, weights: initWeights(buildGraph(arch), root.split("init")), momentum: new Map(), iterations: 0, run: run.run };
  }
  const trainer = await openTrainer(initial, game);
  const diverged = (epoch: number, where: string, loss: number): InputError =>
    new InputError(
      `training diverged in epoch ${epoch}${where}: loss ${loss.toPrecision(4)}${firstLoss !== null ? ` (first batch ${firstLoss.toFixed(3)})` : ""}; ` +
        `nothing of epoch ${epoch} was saved${epoch > 1 ? ` (${last} holds epoch ${epoch - 1})` : ""}. Lower the learning rate (--lr, now ${run.learningRate})` +
        (epoch > 1 ? ` and ${startAfresh(run.out)}` : ""),
    );
  let epoch = firstEpoch;
  try {
    for (; epoch < run.epochs && (!validated || stale < run.patience); epoch++) {
      const start = performance.now();
      const done = await trainSteps(trainer, source.epoch(root.split("epoch", epoch)), firstLoss, (step, loss) => diverged(epoch + 1, `, step ${step}`, loss), onStep, run.signal);
      const { samples, steps } = done;
      firstLoss = done.firstLoss;
      if (done.stopped) break;
      if (steps === 0) throw new InputError(`epoch ${epoch + 1} drew no full batch: fewer training positions than one batch; nothing was saved`);
      const seconds = (performance.now() - start) / 1000;
      const v = validated ? await validate(trainer, game, source.validation) : null;
      if (v && !Number.isFinite(v.loss)) throw diverged(epoch + 1, " (validation)", v.loss);
      const improved = v !== null && v.loss < best - 1e-6;
      if (improved) {
        best = v.loss;
        stale = 0;
      } else if (v) stale++;
      const saved = improved || !validated;
      const state = await trainer.capture(run.run, {
        epoch: epoch + 1,
        best,
        stale,
        firstLoss,
        savedEpoch: saved ? epoch + 1 : savedEpoch,
        ...(v ? { validationTop1: v.top1 } : {}),
        settings,
        ...run.metadata,
      });
      // The last update (after the last loss was measured) may itself have overflowed.
      if (!allFinite(state.weights)) throw diverged(epoch + 1, " (weights)", NaN);
      // The best model first: a crash between the two writes then only repeats this epoch.
      if (saved) {
        saveCheckpoint(run.out, state, { ...run.metadata, epoch: String(epoch + 1), ...(v ? { validation_top1: v.top1.toFixed(4) } : { validation: "none" }) });
        savedEpoch = epoch + 1;
      }
      saveCheckpoint(last, state);
      onEpoch({
        epoch: epoch + 1,
        trainLoss: done.loss,
        samples,
        samplesPerSecond: samples / seconds,
        validationLoss: v?.loss ?? null,
        validationTop1: v?.top1 ?? null,
        validationValueMse: v?.valueMse ?? null,
        improved,
        saved,
      });
    }
  } finally {
    await trainer.dispose();
  }
  return { startEpoch: firstEpoch, epochs: epoch, stoppedEarly: validated && stale >= run.patience, validated, savedEpoch, bestLoss: validated && Number.isFinite(best) ? best : null };
}
