/**
 * Self-play that stores what it plays: games on worker threads (selfplay/pool.ts), each chunk of
 * finished games stored with its training samples in one transaction, under the run and the
 * network player it belongs to. A run is resumable: game i of a run with seed s is played from
 * its own Rng stream and stored with the fingerprint `selfplay:<run id>:<s>:<i>`, so a rerun (after
 * Ctrl-C, or with more games) plays only the games not stored yet and never stores one twice; a
 * run name keeps the settings it was started with. The `fossil selfplay` command, the study runner
 * and queue workers call `runSelfPlay`.
 */
import { InputError } from "../../core/errors.js";
import type { Game } from "../../games/game.js";
import type { Db } from "../../db/schema.js";
import { ensurePlayer, ensureRun, gameColumns, insertGamesWithSamples, outcomeColumns, type GameRow, type SampleRow } from "../../db/store.js";
import { checkModelFits, readModelFile } from "../../models/onnx/read.js";
import { runSelfPlayPool } from "../../selfplay/pool.js";
import { checkSelfPlayParams, type SelfPlayParams } from "../../selfplay/selfplay.js";
import type { SelfPlayChunk } from "../../selfplay/worker.js";
import { specText } from "../../selfplay/spec.js";

export interface RunSelfPlayOptions {
  /** The game and its rules (its spec travels to the workers and into the database). */
  game: Game;
  model: string;
  /** Games of the run (with this seed): those already stored are not played again. */
  games: number;
  params: SelfPlayParams;
  seed: number;
  /** Run name in the database. */
  run: string;
  /** Worker threads (default: cores). */
  workers?: number;
  /** Stops the run after the chunks in progress (each stored whole). */
  signal?: AbortSignal;
}

export interface SelfPlayProgress {
  /** Games played and stored by this call. */
  games: number;
  /** Games of the run (this seed, below `games`) stored before this call. */
  already: number;
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
  /** The run's id (null when nothing was stored by this call or before). */
  runId: number | null;
  player: string;
}

/** The run settings that must not change between the calls of one run (the seed may: new seeds, new games). */
function runConfig(game: Game, model: string, params: SelfPlayParams): Record<string, unknown> {
  return { command: "selfplay", game: game.spec, model, params };
}

/** Indices of the games of run `runId` stored with fingerprints `<prefix><index>`. */
export function storedIndices(db: Db, runId: number, prefix: string): Set<number> {
  const rows = db.prepare("SELECT fingerprint FROM games WHERE run_id = ? AND substr(fingerprint, 1, ?) = ?").pluck().all(runId, prefix.length, prefix) as string[];
  return new Set(rows.map((f) => Number(f.slice(prefix.length))));
}

/**
 * The run named `name`, refused when it was started with another `config` (naming the settings
 * that differ); undefined when there is no such run yet.
 */
/** The settings (top-level keys) in which a stored run's config and a new one differ. */
export function differingSettings(old: Record<string, unknown>, config: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(config), ...Object.keys(old)])].filter((k) => JSON.stringify(old[k]) !== JSON.stringify(config[k]));
}

export function findRun(db: Db, name: string, config: Record<string, unknown>): { id: number } | undefined {
  const run = db.prepare("SELECT id, config FROM runs WHERE name = ?").get(name) as { id: number; config: string } | undefined;
  if (run && JSON.stringify(JSON.parse(run.config)) !== JSON.stringify(config)) {
    const differs = differingSettings(JSON.parse(run.config) as Record<string, unknown>, config);
    throw new InputError(`run "${name}" was played with other settings (${differs.join(", ") || "its command"} differ); give another --run to start a new run`, { file: db.name });
  }
  return run && { id: run.id };
}

/** The games of a chunk as rows with their samples (one network played both sides). */
export function selfPlayRows(game: Game, chunk: SelfPlayChunk, player: number, runId: number, fingerprint: (index: number) => string): { game: GameRow; samples: SampleRow[] }[] {
  const playedAt = new Date().toISOString();
  return chunk.games.map((g) => ({
    game: { ...gameColumns(game, g.actions), blackId: player, whiteId: player, ...outcomeColumns(g.outcome), source: "selfplay", runId, playedAt, fingerprint: fingerprint(g.index) },
    samples: g.samples,
  }));
}

export async function runSelfPlay(db: Db, options: RunSelfPlayOptions, onProgress?: (p: SelfPlayProgress) => void): Promise<SelfPlaySummary> {
  const { game, params, seed } = options;
  const { info } = readModelFile(options.model);
  checkModelFits(info, game);
  if (!Number.isSafeInteger(options.games) || options.games < 1) throw new InputError(`the number of games must be a positive integer, got ${options.games}`);
  if (!Number.isSafeInteger(seed)) throw new InputError(`the seed must be a whole number, got ${seed}`);
  checkSelfPlayParams(params);
  const config = runConfig(game, info.name, params);
  const run = findRun(db, options.run, config);
  const stored = run ? storedIndices(db, run.id, `selfplay:${run.id}:${seed}:`) : new Set<number>();
  let already = 0;
  for (const i of stored) if (i < options.games) already++;
  const name = specText({ type: "mcts", model: info.name, simulations: params.fullSimulations });
  const progress: SelfPlayProgress = { games: 0, already, moves: 0, samples: 0, evaluations: 0, networkShare: 0, resigned: 0, noResign: 0, falseResignations: 0 };
  let ids = run ? { runId: run.id, player: null as number | null } : null;
  // The run and the player come with the first stored games (a run that stores nothing leaves nothing behind).
  const store = db.transaction((chunk: SelfPlayChunk) => {
    ids ??= { runId: ensureRun(db, options.run, config, seed, "fossil 0.1"), player: null };
    ids.player ??= ensurePlayer(db, { name, kind: "network", game: game.id, modelPath: options.model, search: params, runId: ids.runId });
    const { runId, player } = ids;
    insertGamesWithSamples(db, selfPlayRows(game, chunk, player, runId, (index) => `selfplay:${runId}:${seed}:${index}`));
  });
  let networkSeconds = 0, seconds = 0;
  function* missing(): Generator<number> {
    for (let i = 0; i < options.games; i++) if (!stored.has(i)) yield i;
  }
  await runSelfPlayPool({ model: options.model, game: game.spec, games: missing(), count: options.games - already, params, seed, workers: options.workers, signal: options.signal }, (chunk) => {
    // The workers read the spec themselves: what is stored is what they played.
    if (chunk.game !== game.spec) throw new Error(`self-play worker played ${chunk.game}, not ${game.spec}`);
    store(chunk);
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
  return { ...progress, runId: ids?.runId ?? null, player: name };
}
