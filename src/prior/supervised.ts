/**
 * Supervised pretraining (the AlphaGo recipe's first stage): a network learns to play the moves
 * of prior games (policy cross-entropy on the played move) and to predict their results (value
 * MSE from the side to move), with all symmetries as augmentation, a validation set split by game,
 * early stopping on the validation loss, and checkpoints: the best network at `out`, the latest
 * state beside it (`<out>.last.onnx` / `.state`) from which an interrupted training resumes.
 */
import { existsSync } from "node:fs";
import { Rng } from "../../core/rng.js";
import type { Db } from "../../db/schema.js";
import type { Game } from "../../games/game.js";
import { architectureFor, buildGraph } from "../../models/arch.js";
import { captureState, loadState, restoreState, saveCheckpoint, statePath } from "../../models/checkpoint.js";
import { DEFAULT_TRAINING, TfNetwork, Trainer, type Batch } from "../../models/tfnet.js";
import { loadTf } from "../../models/tf.js";
import { initWeights } from "../../models/weights.js";
import { positionsOf, selectGames, splitByGame, takeRows, type StoredGame } from "./dataset.js";

export interface SupervisedOptions {
  source: string;
  blocks: number;
  filters: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  validationShare: number;
  /** Epochs without a better validation loss before stopping. */
  patience: number;
  /** Games replayed and shuffled together (bounds memory). */
  chunkGames: number;
  maxGames?: number;
  seed: number;
  run: string;
  out: string;
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

/** Validation loss (policy CE + value MSE), top-1 accuracy and value MSE of a network. */
function validate(net: TfNetwork, game: Game, data: Batch): { loss: number; top1: number; valueMse: number } {
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
        if (data.policy[row * a + k] === 1) target = k;
      }
      let sum = 0;
      for (let k = 0; k < a; k++) if (data.mask[row * a + k] === 1) sum += Math.exp(out.policy[i * a + k]! - max);
      ce += -(out.policy[i * a + target]! - max - Math.log(sum));
      if (best === target) hits++;
      mse += (out.value[i]! - data.value[row]!) ** 2;
    }
  }
  return { loss: (ce + mse) / data.size, top1: hits / data.size, valueMse: mse / data.size };
}

export async function trainSupervised(
  db: Db,
  game: Game,
  options: SupervisedOptions,
  onProgress: (samples: number, loss: number) => void,
  onEpoch: (report: EpochReport) => void,
): Promise<{ otherGames: number; trainGames: number; validationGames: number; validationPositions: number }> {
  const tf = await loadTf();
  const root = Rng.fromSeed(options.seed);
  const selection = selectGames(db, game, options.source, options.maxGames);
  const { train, validation } = splitByGame(selection.games, options.validationShare, root.split("split"));
  const validationData = positionsOf(game, validation);
  const arch = architectureFor(game, options.blocks, options.filters);
  const params = { ...DEFAULT_TRAINING, learningRate: options.learningRate };
  const last = lastPath(options.out);
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
    net = new TfNetwork(tf, arch, initWeights(buildGraph(arch), root.split("init")));
    trainer = new Trainer(net, params, game, root.split("train"));
  }
  try {
    for (let epoch = firstEpoch; epoch < options.epochs && stale < options.patience; epoch++) {
      const rng = root.split("epoch", epoch);
      const order = rng.shuffle([...train]);
      let samples = 0, lossSum = 0, steps = 0;
      const start = performance.now();
      for (let c = 0; c < order.length; c += options.chunkGames) {
        const chunk: StoredGame[] = order.slice(c, c + options.chunkGames);
        const data = positionsOf(game, chunk);
        const rows = rng.shuffle([...Array(data.size).keys()]);
        for (let b = 0; b + options.batchSize <= rows.length; b += options.batchSize) {
          const result = trainer.trainStep(takeRows(game, data, rows.slice(b, b + options.batchSize)));
          samples += options.batchSize;
          lossSum += result.policyLoss + result.valueLoss;
          steps++;
          onProgress(samples, lossSum / steps);
        }
      }
      const seconds = (performance.now() - start) / 1000;
      const v = validate(net, game, validationData);
      const improved = v.loss < best - 1e-6;
      if (improved) {
        best = v.loss;
        stale = 0;
      } else stale++;
      const meta = { epoch: epoch + 1, best, stale, source: options.source, validationTop1: v.top1 };
      const state = await captureState(trainer, options.run, meta);
      if (improved) saveCheckpoint(options.out, state, { source: options.source, epoch: String(epoch + 1), validation_top1: v.top1.toFixed(4) });
      saveCheckpoint(last, state);
      onEpoch({ epoch: epoch + 1, trainLoss: steps > 0 ? lossSum / steps : NaN, samples, samplesPerSecond: samples / seconds, validationLoss: v.loss, validationTop1: v.top1, validationValueMse: v.valueMse, improved });
    }
  } finally {
    net.dispose();
  }
  return { otherGames: selection.otherGames, trainGames: train.length, validationGames: validation.length, validationPositions: validationData.size };
}
