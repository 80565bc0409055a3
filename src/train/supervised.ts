/**
 * Supervised pretraining (the AlphaGo recipe's first stage), a preset of the training loop
 * (loop.ts): a network learns to play the moves of prior games (policy cross-entropy on the
 * played move) and to predict their results (value MSE from the side to move), with all
 * symmetries as augmentation and a validation set split by game.
 */
import { InputError } from "../../core/errors.js";
import type { Db } from "../../db/schema.js";
import type { Game } from "../../games/game.js";
import { Rng } from "../../core/rng.js";
import type { Batch } from "../../models/tfnet.js";
import { countPositions, positionsOf, selectGames, splitByGame, takeRows } from "./dataset.js";
import { findResume, settleSettings, train, type EpochReport, type RunSettings, type TrainingResult, type TrainingRun } from "./loop.js";

export interface SupervisedOptions extends Omit<TrainingRun, "game" | "metadata" | "settings"> {
  /** Which stored games to imitate (`games.source`: human, teacher, ...). */
  source: string;
  batchSize: number;
  /** Share of games held out for validation, in [0, 1); 0: no validation (every epoch's network is saved). */
  validationShare: number;
  /** Games replayed and shuffled together (bounds memory). */
  chunkGames: number;
  maxGames?: number;
  /** Only these games (ids) of the source: the study's dose of prior games, its held-out games left out. */
  only?: ReadonlySet<number>;
}

/**
 * The settings a supervised run fixes when it starts, by option name: a rerun resumes with them
 * (settleSupervised).
 */
export type SupervisedSettings = {
  game: string;
  source: string;
  blocks: number;
  filters: number;
  lr: number;
  batch: number;
  validation: number;
  seed: number;
  /** null: all games. */
  "max-games": number | null;
};

export const SUPERVISED_DEFAULTS: Omit<SupervisedSettings, "game"> = { source: "human", blocks: 4, filters: 32, lr: 0.02, batch: 128, validation: 0.05, seed: 1, "max-games": null };

/**
 * The settings of a supervised run into `out`: the given ones over the defaults for a new run, the
 * stored ones for a resumed run (refusing given ones that differ); `resumedEpoch` is null for a
 * new run.
 */
export function settleSupervised(out: string, game: Game, given: Partial<SupervisedSettings>): { settings: SupervisedSettings; resumedEpoch: number | null } {
  const state = findResume(out);
  const settings = settleSettings<SupervisedSettings>(out, state, { ...given, game: game.id }, { ...SUPERVISED_DEFAULTS, game: game.id });
  const epoch = state?.meta?.epoch;
  return { settings, resumedEpoch: state ? (typeof epoch === "number" ? epoch : 0) : null };
}

export interface SupervisedSummary extends TrainingResult {
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
  const { batchSize, validationShare, chunkGames } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InputError(`--batch must be a whole number of at least 1, got ${batchSize}`);
  if (!(validationShare >= 0 && validationShare < 1)) throw new InputError(`--validation must be a share from 0 (none) to below 1, got ${validationShare}`);
  if (!Number.isInteger(chunkGames) || chunkGames < 1) throw new InputError(`chunkGames must be a whole number of at least 1, got ${chunkGames}`);
  const selection = selectGames(db, game, options.source, options.maxGames, options.only);
  const { train: trainGames, validation } = splitByGame(selection.games, validationShare, Rng.fromSeed(options.seed).split("split"));
  const count = selection.games.length, plural = count === 1 ? "" : "s";
  if (validationShare > 0 && validation.length === 0) {
    throw new InputError(`${count} ${options.source} game${plural} of ${game.id}: none can be held out for validation (--validation 0 trains without a validation set)`);
  }
  const positions = countPositions(trainGames, batchSize);
  if (positions < batchSize) {
    throw new InputError(`${positions} training positions (${trainGames.length} game${trainGames.length === 1 ? "" : "s"}), fewer than one batch of ${batchSize}: nothing to train on (lower --batch, or add games)`);
  }
  const validationData = positionsOf(game, validation);
  if (validationShare > 0 && validationData.size === 0) throw new InputError(`the ${validation.length} validation games hold no positions (no moves): nothing to validate on`);
  function* epoch(rng: Rng): Iterable<Batch> {
    const order = rng.shuffle([...trainGames]);
    for (let c = 0; c < order.length; c += chunkGames) {
      const data = positionsOf(game, order.slice(c, c + chunkGames));
      const rows = rng.shuffle([...Array(data.size).keys()]);
      for (let b = 0; b + batchSize <= rows.length; b += batchSize) yield takeRows(game, data, rows.slice(b, b + batchSize));
    }
  }
  const settings: RunSettings = { game: game.id, source: options.source, batch: batchSize, validation: validationShare, seed: options.seed, "max-games": options.maxGames ?? null, ...(options.only ? { only: options.only.size } : {}) };
  const result = await train({ ...options, game, metadata: { source: options.source }, settings }, { epoch, validation: validationData }, onStep, onEpoch);
  return { ...result, otherGames: selection.otherGames, trainGames: trainGames.length, validationGames: validation.length, validationPositions: validationData.size };
}
