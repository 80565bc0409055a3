/**
 * Supervised pretraining (the AlphaGo recipe's first stage), a preset of the training loop
 * (loop.ts): a network learns to play the moves of prior games (policy cross-entropy on the
 * played move) and to predict their results (value MSE from the side to move), with all
 * symmetries as augmentation and a validation set split by game.
 */
import type { Db } from "../../db/schema.js";
import type { Game } from "../../games/game.js";
import { Rng } from "../../core/rng.js";
import type { Batch } from "../../models/tfnet.js";
import { positionsOf, selectGames, splitByGame, takeRows } from "./dataset.js";
import { train, type EpochReport, type TrainingRun } from "./loop.js";

export interface SupervisedOptions extends Omit<TrainingRun, "game" | "metadata"> {
  /** Which stored games to imitate (`games.source`: human, teacher, ...). */
  source: string;
  batchSize: number;
  validationShare: number;
  /** Games replayed and shuffled together (bounds memory). */
  chunkGames: number;
  maxGames?: number;
}

export interface SupervisedSummary {
  otherGames: number;
  trainGames: number;
  validationGames: number;
  validationPositions: number;
}

export async function trainSupervised(
  db: Db,
  game: Game,
  options: SupervisedOptions,
  onStep: (samples: number, loss: number) => void,
  onEpoch: (report: EpochReport) => void,
): Promise<SupervisedSummary> {
  const selection = selectGames(db, game, options.source, options.maxGames);
  const { train: trainGames, validation } = splitByGame(selection.games, options.validationShare, Rng.fromSeed(options.seed).split("split"));
  const validationData = positionsOf(game, validation);
  function* epoch(rng: Rng): Iterable<Batch> {
    const order = rng.shuffle([...trainGames]);
    for (let c = 0; c < order.length; c += options.chunkGames) {
      const data = positionsOf(game, order.slice(c, c + options.chunkGames));
      const rows = rng.shuffle([...Array(data.size).keys()]);
      for (let b = 0; b + options.batchSize <= rows.length; b += options.batchSize) yield takeRows(game, data, rows.slice(b, b + options.batchSize));
    }
  }
  await train({ ...options, game, metadata: { source: options.source } }, { epoch, validation: validationData }, onStep, onEpoch);
  return { otherGames: selection.otherGames, trainGames: trainGames.length, validationGames: validation.length, validationPositions: validationData.size };
}
