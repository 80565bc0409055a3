/**
 * Self-play that stores what it plays: games on worker threads (selfplay/pool.ts), each chunk of
 * finished games stored with its training samples in one transaction, under the run and the
 * network player it belongs to. The `fossil selfplay` command, the study runner and queue
 * workers call `runSelfPlay`.
 */
import { InputError } from "../../core/errors.js";
import type { Game } from "../../games/game.js";
import type { Db } from "../../db/schema.js";
import { ensurePlayer, ensureRun, gameColumns, insertGamesWithSamples, outcomeColumns } from "../../db/store.js";
import { readModelFile, checkModelFits } from "../../models/onnx/read.js";
import { runSelfPlayPool } from "../../selfplay/pool.js";
import { checkSelfPlayParams, type SelfPlayParams } from "../../selfplay/selfplay.js";
import { specText } from "../../selfplay/spec.js";

export interface RunSelfPlayOptions {
  /** The game and its rules (its spec travels to the workers and into the database). */
  game: Game;
  model: string;
  games: number;
  params: SelfPlayParams;
  seed: number;
  /** Run name in the database. */
  run: string;
  /** Worker threads (default: cores). */
  workers?: number;
}

export interface SelfPlayProgress {
  games: number;
  /** Moves played, and positions with a full search (training samples). */
  moves: number;
  samples: number;
  evaluations: number;
  /** Share of worker time spent waiting for the network. */
  networkShare: number;
  resigned: number;
  /** Games in which resignation was disabled, and those of them where it would have been wrong. */
  noResign: number;
  falseResignations: number;
}

export interface SelfPlaySummary extends SelfPlayProgress {
  runId: number;
  player: string;
}

export async function runSelfPlay(db: Db, options: RunSelfPlayOptions, onProgress?: (p: SelfPlayProgress) => void): Promise<SelfPlaySummary> {
  const { game, params } = options;
  checkModelFits(readModelFile(options.model).info, game);
  if (!Number.isInteger(options.games) || options.games < 1) throw new InputError(`the number of games must be a positive integer, got ${options.games}`);
  checkSelfPlayParams(params);
  const runId = ensureRun(db, options.run, { command: "selfplay", game: game.spec, model: options.model, params }, options.seed, "fossil 0.1");
  const name = specText({ type: "mcts", model: options.model, simulations: params.fullSimulations });
  const player = ensurePlayer(db, { name, kind: "network", game: game.id, modelPath: options.model, search: params, runId });
  const progress: SelfPlayProgress = { games: 0, moves: 0, samples: 0, evaluations: 0, networkShare: 0, resigned: 0, noResign: 0, falseResignations: 0 };
  let networkSeconds = 0, seconds = 0;
  await runSelfPlayPool({ model: options.model, game: game.spec, games: options.games, params, seed: options.seed, workers: options.workers }, (chunk) => {
    // The workers read the spec themselves: what is stored is what they played.
    if (chunk.game !== game.spec) throw new Error(`self-play worker played ${chunk.game}, not ${game.spec}`);
    const playedAt = new Date().toISOString();
    insertGamesWithSamples(
      db,
      chunk.games.map((g) => ({
        game: { ...gameColumns(game, g.actions), blackId: player, whiteId: player, ...outcomeColumns(g.outcome), source: "selfplay", runId, playedAt },
        samples: g.samples,
      })),
    );
    for (const g of chunk.games) {
      progress.moves += g.actions.length;
      progress.samples += g.samples.length;
      if (g.resigned) progress.resigned++;
      if (g.resignDisabled) progress.noResign++;
      if (g.wouldHaveResigned !== null) progress.falseResignations++;
    }
    progress.games += chunk.games.length;
    progress.evaluations += chunk.evaluations;
    networkSeconds += chunk.networkSeconds;
    seconds += chunk.seconds;
    progress.networkShare = networkSeconds / Math.max(seconds, 1e-9);
    onProgress?.({ ...progress });
  });
  return { ...progress, runId, player: name };
}
