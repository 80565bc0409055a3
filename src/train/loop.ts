/**
 * The one training loop, shared by supervised pretraining (supervised.ts) and self-play training:
 * a network (new, or resumed exactly from the latest checkpoint), epochs of mini-batches drawn
 * from a training source, a validation pass after each epoch, the best network by validation loss
 * written to `out` and the latest state to `<out>.last.onnx` (+ `.state`) after every epoch, early
 * stopping after `patience` epochs without improvement. Presets differ only in their source and
 * settings, as mctx keeps one search with thin policies over it.
 */
import { existsSync } from "node:fs";
import { Rng } from "../../core/rng.js";
import type { Game } from "../../games/game.js";
import { architectureFor, buildGraph } from "../../models/arch.js";
import { captureState, loadState, restoreState, saveCheckpoint, statePath } from "../../models/checkpoint.js";
import { loadTf } from "../../models/tf.js";
import { DEFAULT_TRAINING, TfNetwork, Trainer, type Batch } from "../../models/tfnet.js";
import { initWeights } from "../../models/weights.js";

/** Where the positions come from. */
export interface TrainingSource {
  /** The mini-batches of one epoch, in the order drawn with `rng` (a generator bounds memory). */
  epoch(rng: Rng): Iterable<Batch>;
  /** Held-out positions, scored after every epoch. */
  validation: Batch;
}

export interface TrainingRun {
  game: Game;
  /** A new network's residual blocks and filters (a resumed one keeps its own). */
  blocks: number;
  filters: number;
  learningRate: number;
  epochs: number;
  /** Epochs without a better validation loss before stopping. */
  patience: number;
  seed: number;
  /** Run name, stored in the model's metadata. */
  run: string;
  /** The best network's file (.onnx); the latest state goes to `lastPath(out)`. */
  out: string;
  /** Extra model metadata (`fossil.<key>`), e.g. the prior's source. */
  metadata?: Record<string, string>;
}

export interface EpochReport {
  epoch: number;
  trainLoss: number;
  samples: number;
  samplesPerSecond: number;
  validationLoss: number;
  validationTop1: number;
  validationValueMse: number;
  improved: boolean;
}

export function lastPath(out: string): string {
  return out.replace(/\.onnx$/i, "") + ".last.onnx";
}

/**
 * Validation loss (policy cross-entropy against the target distribution over legal moves + value
 * MSE), top-1 agreement (the network's most likely legal move is the target's) and value MSE.
 */
export function validate(net: TfNetwork, game: Game, data: Batch): { loss: number; top1: number; valueMse: number } {
  const a = game.actionCount, cells = game.planes * game.height * game.width;
  let ce = 0, hits = 0, mse = 0;
  for (let start = 0; start < data.size; start += 512) {
    const n = Math.min(512, data.size - start);
    const out = net.predict(data.planes.subarray(start * cells, (start + n) * cells), n);
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
      if (best === target) hits++;
      mse += (out.value[i]! - data.value[row]!) ** 2;
    }
  }
  return { loss: (ce + mse) / data.size, top1: hits / data.size, valueMse: mse / data.size };
}

/** Trains until `epochs` epochs are done (counting those of a resumed run) or patience runs out. */
export async function train(run: TrainingRun, source: TrainingSource, onStep: (samples: number, loss: number) => void, onEpoch: (report: EpochReport) => void): Promise<void> {
  const { game } = run;
  const tf = await loadTf();
  const root = Rng.fromSeed(run.seed);
  const last = lastPath(run.out);
  let net: TfNetwork, trainer: Trainer;
  let firstEpoch = 0, best = Infinity, stale = 0;
  if (existsSync(last) && existsSync(statePath(last))) {
    const state = loadState(last);
    net = new TfNetwork(tf, state.arch, state.weights);
    trainer = new Trainer(net, state.params, game, root.split("train"));
    await restoreState(trainer, state);
    firstEpoch = Number(state.meta?.epoch ?? 0);
    best = Number(state.meta?.best ?? Infinity);
    stale = Number(state.meta?.stale ?? 0);
  } else {
    const arch = architectureFor(game, run.blocks, run.filters);
    net = new TfNetwork(tf, arch, initWeights(buildGraph(arch), root.split("init")));
    trainer = new Trainer(net, { ...DEFAULT_TRAINING, learningRate: run.learningRate }, game, root.split("train"));
  }
  try {
    for (let epoch = firstEpoch; epoch < run.epochs && stale < run.patience; epoch++) {
      let samples = 0, lossSum = 0, steps = 0;
      const start = performance.now();
      for (const batch of source.epoch(root.split("epoch", epoch))) {
        const result = trainer.trainStep(batch);
        samples += batch.size;
        lossSum += result.policyLoss + result.valueLoss;
        steps++;
        onStep(samples, lossSum / steps);
      }
      const seconds = (performance.now() - start) / 1000;
      const v = validate(net, game, source.validation);
      const improved = v.loss < best - 1e-6;
      if (improved) {
        best = v.loss;
        stale = 0;
      } else stale++;
      const state = await captureState(trainer, run.run, { epoch: epoch + 1, best, stale, validationTop1: v.top1, ...run.metadata });
      if (improved) saveCheckpoint(run.out, state, { ...run.metadata, epoch: String(epoch + 1), validation_top1: v.top1.toFixed(4) });
      saveCheckpoint(last, state);
      onEpoch({ epoch: epoch + 1, trainLoss: steps > 0 ? lossSum / steps : NaN, samples, samplesPerSecond: samples / seconds, validationLoss: v.loss, validationTop1: v.top1, validationValueMse: v.valueMse, improved });
    }
  } finally {
    net.dispose();
  }
}
