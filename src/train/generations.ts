/**
 * The self-play reinforcement-learning loop (AlphaZero's; both arms of the study run it, and only
 * their starting network differs). Generation g: the network of generation g plays self-play
 * games on the worker pool, each chunk stored with its samples and its compute in one
 * transaction; the next network is trained from g's training state on a replay window of the
 * run's samples (samples.ts), written as a checkpoint (ONNX model + training state) and
 * registered as a player with its run, generation and the compute spent so far. No gating.
 *
 * Resumable at any moment: game i of generation g is stored once (fingerprint
 * `loop:<run id>:<g>:<i>`) and always the same game (its Rng stream comes from the run name, the
 * seed, g and i); a generation whose training was cut short trains again from g's checkpoint on
 * the same window with the same streams, so an interrupted run ends with the same checkpoints as
 * an uninterrupted one. A run keeps the settings it started with; `generations` may grow.
 *
 * Resignation is off for the first `resignFrom` generations; then each generation resigns at the
 * threshold calibrated on the previous two generations' games played without resigning
 * (`calibrateResignation`), so a network whose value head is overconfident (a prior's) resigns
 * less, not into other training data.
 */
import { basename, join } from "node:path";
import { existsSync, statSync } from "node:fs";
import { InputError } from "../../core/errors.js";
import { makeFolder } from "../../core/files.js";
import { Rng } from "../../core/rng.js";
import type { Db } from "../../db/schema.js";
import { ensurePlayer, ensureRun, insertGamesWithSamples } from "../../db/store.js";
import type { Game } from "../../games/game.js";
import { architectureFor, buildGraph, type Architecture } from "../../models/arch.js";
import { loadState, saveCheckpoint, type TrainingState } from "../../models/checkpoint.js";
import { checkModelFits, readModelFile } from "../../models/onnx/read.js";
import { OnnxModel } from "../../models/inference.js";
import type { ModelGap } from "../../models/onnx/quantize.js";
import { DEFAULT_TRAINING } from "../../models/tfnet.js";
import { openTrainer } from "../../models/trainer.js";
import { initWeights } from "../../models/weights.js";
import { runSelfPlayPool } from "../../selfplay/pool.js";
import { checkSelfPlayParams, selfPlayDefaults, type SelfPlayParams } from "../../selfplay/selfplay.js";
import { specText } from "../../selfplay/spec.js";
import type { SelfPlayChunk } from "../../selfplay/worker.js";
import { choosePrecision, INT8_MATCH, int8Path, lossPValue, matchDue, precisionPositions } from "./precision.js";
import { findRun, selfPlayRows, storedIndices } from "../play/selfplay.js";
import { runMatch } from "../play/match.js";
import { allFinite, trainSteps } from "./loop.js";
import type { Batch } from "../../models/tfnet.js";
import { SampleCache, windowBatches, windowSize } from "./samples.js";

/** The settings a loop run fixes when it starts (stored as `runs.config`). */
export interface LoopSettings {
  /** Self-play games per generation. */
  games: number;
  /** Simulations of a full search (a training sample) and of a cheap one (playout cap randomization). */
  sims: number;
  cheapSims: number;
  /** Training: mini-batch size, learning rate (SGD with momentum 0.9, L2 1e-4). */
  batch: number;
  lr: number;
  /** Samples trained on per new self-play sample (each generation: reuse x its samples). */
  reuse: number;
  /** Samples of the replay window before it starts growing sublinearly (`windowSize`). */
  windowMin: number;
  /** The first generation that may resign (earlier ones play every game out). */
  resignFrom: number;
  /** Largest share of false resignations the calibrated threshold allows (AlphaGo Zero: 5%). */
  falseResignations: number;
  /** Self-play games per worker played at once (the network batch). */
  concurrent: number;
  /** The self-play search (mcts.ts: SearchParams.algorithm). */
  search: "puct" | "gumbel";
  /**
   * The prior kept as a regulariser (the study's `prior-kl` arm; needs `init`): generation g's
   * training adds λ_g · KL(prior policy ‖ network policy) to the loss, λ_g = klWeight · 2^(−g /
   * klHalfLife). Absent or 0: off (and left out of the stored settings, which stay as before).
   */
  klWeight?: number;
  klHalfLife?: number;
  /**
   * "int8": self-play plays each generation's int8 model when it passes the gate (precision.ts),
   * else its fp32 network. Absent: fp32 (and left out of the stored settings).
   */
  precision?: "int8";
}

/** Positions drawn from the window for an int8 model: as many to calibrate it, as many again to judge it. */
const PRECISION_POSITIONS = 256;

export const LOOP_DEFAULTS: LoopSettings = { games: 200, sims: 64, cheapSims: 16, batch: 128, lr: 0.02, reuse: 4, windowMin: 10_000, resignFrom: 2, falseResignations: 0.05, concurrent: 32, search: "puct" };

export interface LoopOptions extends LoopSettings {
  game: Game;
  /** Run name in the database; model files are named after it. */
  run: string;
  /** Folder of the run's checkpoints (`<run>-g<generation>.onnx` with their `.state`). */
  models: string;
  /** The starting network (with its training state beside it): the prior arm; none: fresh weights. */
  init?: string;
  /** A fresh network's residual blocks and filters (without `init`). */
  blocks: number;
  filters: number;
  seed: number;
  /** Generations in all (counting those done before). */
  generations: number;
  /**
   * Stop once the self-play of the generations done has made this many network evaluations in all
   * (the study's equal budget): the generation that reaches it still trains the next network.
   */
  budget?: number;
  /** The study arm stored with the run's players (`players.arm`). */
  arm?: string;
  /** Worker threads for self-play (default: cores). */
  workers?: number;
  /** Stops after the chunk in progress, or at the next training step (nothing half-written). */
  signal?: AbortSignal;
}

/** What one generation did: the self-play of its network and the training of the next. */
export interface GenerationReport {
  generation: number;
  games: number;
  meanLength: number;
  samples: number;
  evaluations: number;
  resignThreshold: number | null;
  resigned: number;
  noResignGames: number;
  falseResignations: number;
  windowSamples: number;
  trainSamples: number;
  trainSteps: number;
  policyLoss: number;
  valueLoss: number;
  selfplayCpuSeconds: number;
  trainCpuSeconds: number;
  wallSeconds: number;
  /** The network it trained (generation + 1). */
  model: string;
  /**
   * The precision its self-play played in; with --precision int8, the int8 model's gap from fp32
   * (null once the run went back to fp32 for good), and its match gate when it played one.
   */
  precision: "fp32" | "int8";
  int8Gap: { valueMean: number; policyKl: number; top1Agreement: number } | null;
  int8Match: { score: number; games: number; p: number } | null;
  /** With --precision int8: the generation whose lost match gate keeps the run in fp32. */
  int8LostAt: number | null;
}

export type LoopEvent =
  | { phase: "selfplay"; generation: number; games: number; of: number; moves: number; evaluations: number }
  | { phase: "train"; generation: number; samples: number; of: number; loss: number }
  | { phase: "done"; report: GenerationReport };

export interface LoopSummary {
  runId: number;
  /** Generations whose next network is written (in all), and those of them done by this call. */
  generations: number;
  trainedNow: number;
  /** The latest network. */
  model: string;
  /** The signal stopped the run before `generations`. */
  stopped: boolean;
}

/** A model file of the run: `<run>-g0007.onnx` (names sort in generation order). */
export function generationModel(models: string, run: string, generation: number): string {
  return join(models, `${run.replace(/[^A-Za-z0-9_.-]+/g, "_")}-g${String(generation).padStart(4, "0")}.onnx`);
}

/**
 * The resignation threshold for the next generation from games played without resigning: for each
 * side, the lowest value it saw (`PlayedGame.lowest`) and whether it went on to lose. At threshold
 * t a side would resign when that value fell below -t, falsely when it did not lose. Thresholds
 * from 0.99 down in steps of 0.01 are tried while the share of false resignations among the
 * would-be resignations stays within `target` — its upper bound, one standard error above
 * (Wilson, z = 1), not the estimate: some forty games say little, and the lowest threshold whose
 * estimate happened to pass would be chosen for its luck (a first run, with the estimate alone,
 * saw 9 false resignations in 48 no-resign games of a generation). The lowest such threshold
 * (with at least one would-be resignation) is returned, or null (no resigning) when there is
 * none or fewer than 10 games.
 */
export function calibrateResignation(games: readonly { lowest: readonly [number, number]; winner: 0 | 1 | null }[], target: number): number | null {
  if (games.length < 10) return null;
  let best: number | null = null;
  for (let step = 99; step >= 50; step--) {
    const t = step / 100;
    let would = 0, wrong = 0;
    for (const g of games) {
      for (const side of [0, 1] as const) {
        if (g.lowest[side] >= -t) continue;
        would++;
        if (g.winner !== 1 - side) wrong++;
      }
    }
    if (would === 0) continue;
    if (wilsonUpper(wrong, would, 1) > target) break;
    best = t;
  }
  return best;
}

/** The upper end of the Wilson interval of a proportion `k` of `n`, `z` standard errors wide. */
function wilsonUpper(k: number, n: number, z: number): number {
  const p = k / n, z2 = z * z;
  return (p + z2 / (2 * n) + z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
}

/** The self-play settings of every generation (the threshold is set per generation). */
function selfPlayParams(game: Game, s: LoopSettings): SelfPlayParams {
  const defaults = selfPlayDefaults(game);
  // Gumbel explores by its own noise: no Dirichlet noise.
  const search = { ...defaults.search, algorithm: s.search, ...(s.search === "gumbel" ? { noiseWeight: 0 } : {}) };
  return { ...defaults, search, fullSimulations: s.sims, cheapSimulations: s.cheapSims, concurrentGames: s.concurrent, resignThreshold: 0 };
}

/** Refuses loop settings it cannot run with, naming the option. */
export function checkSettings(s: LoopSettings, generations: number): void {
  const whole = (name: string, value: number, min: number): void => {
    if (!Number.isSafeInteger(value) || value < min) throw new InputError(`--${name} must be a whole number of at least ${min}, got ${value}`);
  };
  whole("games", s.games, 1);
  whole("sims", s.sims, 1);
  whole("cheap-sims", s.cheapSims, 1);
  whole("batch", s.batch, 1);
  whole("window-min", s.windowMin, 1);
  whole("resign-from", s.resignFrom, 0);
  whole("concurrent", s.concurrent, 1);
  whole("generations", generations, 1);
  if (!(Number.isFinite(s.lr) && s.lr > 0)) throw new InputError(`--lr must be a number above 0, got ${s.lr}`);
  if (!(Number.isFinite(s.reuse) && s.reuse > 0)) throw new InputError(`--reuse must be a number above 0, got ${s.reuse}`);
  if (!(s.falseResignations >= 0 && s.falseResignations < 1)) throw new InputError(`the false-resignation target must be in [0, 1), got ${s.falseResignations}`);
  if (s.klWeight !== undefined && !(Number.isFinite(s.klWeight) && s.klWeight >= 0)) throw new InputError(`the KL weight must be a number of at least 0, got ${s.klWeight}`);
  if (s.klHalfLife !== undefined && !(Number.isFinite(s.klHalfLife) && s.klHalfLife > 0)) throw new InputError(`the KL half-life must be a number of generations above 0, got ${s.klHalfLife}`);
  if (s.precision !== undefined && s.precision !== "int8") throw new InputError(`--precision must be fp32 or int8, got ${String(s.precision)}`);
}

/** A starting network given by `--init`: its content name and its training state. */
interface InitNetwork {
  name: string;
  state: TrainingState;
}

/** The training state that starts a run: `init`'s weights (or fresh ones), a fresh optimizer. */
function startingState(o: LoopOptions, init: InitNetwork | null): { state: TrainingState; from: string } {
  const fresh = (arch: Architecture, weights: TrainingState["weights"]): TrainingState => ({
    arch,
    step: 0,
    rng: Rng.fromSeed(o.seed).split("train").getState(),
    params: { ...DEFAULT_TRAINING, learningRate: o.lr },
    weights,
    momentum: new Map(),
    iterations: 0,
    run: o.run,
  });
  // Only the weights come along: both arms start the loop with the same optimizer and settings.
  if (init) return { state: fresh(init.state.arch, init.state.weights), from: init.name };
  const arch = architectureFor(o.game, o.blocks, o.filters);
  return { state: fresh(arch, initWeights(buildGraph(arch), Rng.fromSeed(o.seed).split("init"))), from: `fresh ${o.blocks}x${o.filters}` };
}

interface GenerationRow {
  player_id: number;
  selfplay_precision: "fp32" | "int8" | null;
  int8_value_gap: number | null;
  int8_policy_kl: number | null;
  int8_top1: number | null;
  int8_match_id: number | null;
  int8_match_score: number | null;
  int8_match_p: number | null;
  games: number;
  moves: number;
  samples: number;
  evaluations: number;
  selfplay_cpu_seconds: number;
  selfplay_wall_seconds: number;
  resign_threshold: number | null;
  resigned: number;
  no_resign_games: number;
  false_resignations: number;
  trained_at: string | null;
}

/** Compute spent by a run through generation `through` (self-play and training), for players.compute. */
function computeThrough(db: Db, runId: number, through: number): Record<string, number> {
  const c = db
    .prepare(
      `SELECT count(*) AS generations, coalesce(sum(games), 0) AS games, coalesce(sum(moves), 0) AS positions, coalesce(sum(samples), 0) AS samples,
         coalesce(sum(evaluations), 0) AS evaluations, coalesce(sum(train_samples), 0) AS train_samples,
         coalesce(sum(selfplay_cpu_seconds), 0) AS selfplay_cpu_seconds, coalesce(sum(train_cpu_seconds), 0) AS train_cpu_seconds,
         coalesce(sum(selfplay_wall_seconds), 0) + coalesce(sum(train_wall_seconds), 0) AS wall_seconds
       FROM generations WHERE run_id = ? AND generation <= ?`,
    )
    .get(runId, through) as Record<string, number>;
  return { ...c, cpu_seconds: c.selfplay_cpu_seconds! + c.train_cpu_seconds! };
}

/** How far a loop run (by name) has got: its trained generations, their self-play evaluations, the last one (null: none). */
export function runProgress(db: Db, run: string): { generations: number; evaluations: number; last: number | null } {
  return db
    .prepare(
      `SELECT count(*) AS generations, coalesce(sum(g.evaluations), 0) AS evaluations, max(g.generation) AS last FROM generations g JOIN runs r ON r.id = g.run_id
       WHERE r.name = ? AND g.trained_at IS NOT NULL`,
    )
    .get(run) as { generations: number; evaluations: number; last: number | null };
}

/**
 * Refuses options the loop cannot run with — settings, a starting network that does not fit the
 * game or has no training state beside it — before a database is opened or anything is written.
 * Returns the settings the run fixes and its self-play parameters.
 */
export interface CheckedLoop {
  settings: LoopSettings;
  params: SelfPlayParams;
  /** The starting network of `--init`, read once (null: fresh weights). */
  init: InitNetwork | null;
}

export function checkLoopOptions(o: LoopOptions): CheckedLoop {
  const settings: LoopSettings = {
    games: o.games, sims: o.sims, cheapSims: o.cheapSims, batch: o.batch, lr: o.lr, reuse: o.reuse,
    windowMin: o.windowMin, resignFrom: o.resignFrom, falseResignations: o.falseResignations, concurrent: o.concurrent, search: o.search,
    ...(o.klWeight ? { klWeight: o.klWeight, klHalfLife: o.klHalfLife ?? 5 } : {}),
    ...(o.precision === "int8" ? { precision: "int8" as const } : {}),
  };
  checkSettings(settings, o.generations);
  if (settings.klWeight && !o.init) throw new InputError("the KL regulariser keeps a prior: it needs a starting network (--init)");
  if (o.budget !== undefined && !(Number.isFinite(o.budget) && o.budget > 0)) throw new InputError(`the evaluation budget must be a number above 0, got ${o.budget}`);
  if (o.cheapSims > o.sims) throw new InputError(`--cheap-sims (${o.cheapSims}) cannot be more than --sims (${o.sims})`);
  if (!Number.isSafeInteger(o.seed)) throw new InputError(`the seed must be a whole number, got ${o.seed}`);
  const params = selfPlayParams(o.game, settings);
  checkSelfPlayParams(params);
  let init: InitNetwork | null = null;
  if (o.init) {
    const { info } = readModelFile(o.init);
    checkModelFits(info, o.game);
    init = { name: info.name, state: loadState(o.init) };
  }
  if (existsSync(o.models) && !statSync(o.models).isDirectory()) throw new InputError("is a file, not a folder (--models)", { file: o.models });
  return { settings, params, init };
}

/** The first generation before `g` whose int8 model lost its match gate, or null. */
function lostMatchGate(db: Db, runId: number, g: number): number | null {
  return db.prepare("SELECT min(generation) FROM generations WHERE run_id = ? AND generation < ? AND int8_match_p < ?").pluck().get(runId, g, INT8_MATCH.significance) as number | null;
}

interface PrecisionDecision {
  precision: "fp32" | "int8";
  /** The position gate's figures (null: int8 is off for the run, nothing was judged). */
  gap: ModelGap | null;
  /** The match gate, when this generation played it. */
  match: { id: number; score: number; p: number } | null;
}

/**
 * The precision generation `g` self-plays in with --precision int8: fp32 for the rest of the run
 * once a match gate was lost; otherwise the position gate (precision.ts) and, when one is due,
 * the match gate (int8 against fp32 at the run's simulations, stored as a match of the run).
 * Null when the signal stopped the match (it resumes with the run).
 */
async function decidePrecision(db: Db, runId: number, g: number, model: string, o: LoopOptions, cache: SampleCache, root: Rng): Promise<PrecisionDecision | null> {
  const { game } = o;
  if (lostMatchGate(db, runId, g) !== null) return { precision: "fp32", gap: null, match: null };
  const matched = db.prepare("SELECT max(generation) FROM generations WHERE run_id = ? AND generation < ? AND int8_match_id IS NOT NULL").pluck().get(runId, g) as number | null;
  const through = db.prepare("SELECT coalesce(sum(samples), 0) FROM generations WHERE run_id = ? AND generation < ?").pluck().get(runId, g) as number;
  const window = g > 0 ? cache.window(db, runId, windowSize(through, o.windowMin)).batches : [];
  const choice = await choosePrecision(game, model, precisionPositions(game, window, PRECISION_POSITIONS, root.split("precision", g)));
  if (choice.precision === "fp32" || !matchDue(g, matched)) return { precision: choice.precision, gap: choice.gap, match: null };
  const player = (path: string): string => specText({ type: "mcts", model: path, simulations: o.sims, gumbel: o.search === "gumbel" });
  const summary = await runMatch(db, {
    game,
    black: player(int8Path(model)),
    white: player(model),
    games: INT8_MATCH.games,
    swap: true,
    // Deterministic searches repeat a game from the same start: at least two random opening
    // moves (Connect Four has one) so that the games are (nearly all) different.
    openings: Math.max(game.openingMoves, 2),
    seed: root.split("int8 match", g).int(2 ** 31),
    concurrent: o.concurrent,
    runId,
    signal: o.signal,
    ladder: false,
  });
  if (o.signal?.aborted) return null;
  const { wins, losses, draws } = summary.score;
  const p = lossPValue(wins, losses);
  return { precision: p < INT8_MATCH.significance ? "fp32" : "int8", gap: choice.gap, match: { id: summary.matchId!, score: (wins + draws / 2) / (wins + losses + draws), p } };
}

/** Runs the loop; `checked` is `checkLoopOptions(o)` when the caller has it already. */
export async function runLoop(db: Db, o: LoopOptions, onEvent: (event: LoopEvent) => void = () => {}, checked: CheckedLoop = checkLoopOptions(o)): Promise<LoopSummary> {
  const prior = checked.settings.klWeight ? new PriorPolicies(o.init!) : null;
  try {
    return await loopGenerations(db, o, onEvent, checked, prior);
  } finally {
    await prior?.close();
  }
}

async function loopGenerations(db: Db, o: LoopOptions, onEvent: (event: LoopEvent) => void, checked: CheckedLoop, prior: PriorPolicies | null): Promise<LoopSummary> {
  const { game } = o;
  const { settings, params, init } = checked;
  // The starting network is named by its content: a rerun must give the same one.
  const config = { command: "loop", game: game.spec, start: init ? { init: init.name } : { blocks: o.blocks, filters: o.filters }, seed: o.seed, ...settings, selfplay: params };
  const found = findRun(db, o.run, config);
  const first = generationModel(o.models, o.run, 0);
  if (!found && existsSync(first)) throw new InputError(`${first} exists, but run "${o.run}" is not in ${db.name}: choose another --run or --models (a run's checkpoints belong to its database)`);
  if (!existsSync(first)) {
    const start = startingState(o, init);
    makeFolder(o.models);
    saveCheckpoint(first, start.state, { generation: "0", start: start.from });
  }
  const runId = found?.id ?? ensureRun(db, o.run, config, o.seed, "fossil 0.1");
  const cache = new SampleCache(game);
  const root = Rng.fromSeed(o.seed);
  let trainedNow = 0;

  const insertStats = db.prepare("INSERT INTO selfplay_games (game_id, generation, game_index, resign_disabled, lowest_black, lowest_white) VALUES (?, ?, ?, ?, ?, ?)");
  const addChunk = db.prepare(
    `UPDATE generations SET games = games + ?, moves = moves + ?, samples = samples + ?, evaluations = evaluations + ?, selfplay_cpu_seconds = selfplay_cpu_seconds + ?,
       selfplay_wall_seconds = selfplay_wall_seconds + ?, resigned = resigned + ?, no_resign_games = no_resign_games + ?, false_resignations = false_resignations + ?
     WHERE run_id = ? AND generation = ?`,
  );
  const generationRow = (g: number): GenerationRow | undefined => db.prepare("SELECT * FROM generations WHERE run_id = ? AND generation = ?").get(runId, g) as GenerationRow | undefined;
  /** Player names by generation: a model file is read (and hashed) once. */
  const names = new Map<number, string>();
  /** The player of generation g's network, checked against the one stored for it. */
  const registerPlayer = (g: number): number => {
    const path = generationModel(o.models, o.run, g);
    let name = names.get(g);
    if (name === undefined) {
      name = specText({ type: "mcts", model: readModelFile(path).info.name, simulations: o.sims, gumbel: o.search === "gumbel" });
      names.set(g, name);
    }
    const known = db.prepare("SELECT id, name FROM players WHERE run_id = ? AND generation = ? AND kind = 'network'").get(runId, g) as { id: number; name: string } | undefined;
    if (known && known.name !== name) throw new InputError(`the network of generation ${g} changed since it was registered as ${known.name} (now ${name}): the run's checkpoints must stay as written`, { file: path });
    return known?.id ?? ensurePlayer(db, { name, kind: "network", game: game.id, modelPath: path, search: params, runId, arm: o.arm ?? null, generation: g, compute: g === 0 ? computeThrough(db, runId, -1) : computeThrough(db, runId, g - 1) });
  };

  for (let g = 0; g < o.generations; g++) {
    if (o.budget !== undefined && g > 0 && computeThrough(db, runId, g - 1).evaluations! >= o.budget) {
      return { runId, generations: g, trainedNow, model: generationModel(o.models, o.run, g), stopped: false };
    }
    const model = generationModel(o.models, o.run, g), next = generationModel(o.models, o.run, g + 1);
    let row = generationRow(g);
    if (row?.trained_at && existsSync(next)) continue;
    if (!row) {
      const threshold = g >= o.resignFrom ? resignThresholdAfter(db, runId, g - 1, o.falseResignations) : null;
      const player = registerPlayer(g);
      db.prepare("INSERT INTO generations (run_id, generation, player_id, resign_threshold) VALUES (?, ?, ?, ?)").run(runId, g, player, threshold);
      row = generationRow(g)!;
    } else registerPlayer(g);
    const threshold = row.resign_threshold;

    // The model self-play plays: with --precision int8, the generation's int8 model if it passes
    // the gates, judged once (the choice is stored with the generation).
    let selfplayModel = model;
    if (settings.precision === "int8") {
      if (row.selfplay_precision === null || (row.selfplay_precision === "int8" && !existsSync(int8Path(model)))) {
        const wallStart = performance.now(), cpuStart = process.cpuUsage();
        const decision = await decidePrecision(db, runId, g, model, o, cache, root);
        // Quantising, judging and the match gate (a stopped one too) are part of the generation's self-play cost.
        const cpu = process.cpuUsage(cpuStart);
        db.prepare("UPDATE generations SET selfplay_cpu_seconds = selfplay_cpu_seconds + ?, selfplay_wall_seconds = selfplay_wall_seconds + ? WHERE run_id = ? AND generation = ?").run(
          (cpu.user + cpu.system) / 1e6,
          (performance.now() - wallStart) / 1000,
          runId,
          g,
        );
        if (decision === null) return { runId, generations: g, trainedNow, model, stopped: true };
        const { precision, gap, match } = decision;
        db.prepare(
          "UPDATE generations SET selfplay_precision = ?, int8_value_gap = ?, int8_policy_kl = ?, int8_top1 = ?, int8_match_id = ?, int8_match_score = ?, int8_match_p = ? WHERE run_id = ? AND generation = ?",
        ).run(precision, gap?.valueMean ?? null, gap?.policyKl ?? null, gap?.top1Agreement ?? null, match?.id ?? null, match?.score ?? null, match?.p ?? null, runId, g);
        row = generationRow(g)!;
      }
      if (row.selfplay_precision === "int8") selfplayModel = int8Path(model);
    }

    // Self-play: the games of this generation not stored yet.
    const prefix = `loop:${runId}:${g}:`;
    const stored = storedIndices(db, runId, prefix);
    const playerId = row.player_id;
    let games = row.games, moves = row.moves, evaluations = row.evaluations;
    let last = performance.now();
    const storeChunk = db.transaction((chunk: SelfPlayChunk) => {
      const ids = insertGamesWithSamples(db, selfPlayRows(game, chunk, playerId, runId, (index) => `${prefix}${index}`));
      let chunkMoves = 0, samples = 0, resigned = 0, noResign = 0, falseResign = 0;
      chunk.games.forEach((played, k) => {
        insertStats.run(ids[k], g, played.index, threshold === null || played.resignDisabled ? 1 : 0, played.lowest[0], played.lowest[1]);
        chunkMoves += played.actions.length;
        samples += played.samples.length;
        if (played.resigned) resigned++;
        if (threshold !== null && played.resignDisabled) noResign++;
        if (played.wouldHaveResigned !== null) falseResign++;
      });
      const now = performance.now();
      addChunk.run(chunk.games.length, chunkMoves, samples, chunk.evaluations, chunk.seconds, (now - last) / 1000, resigned, noResign, falseResign, runId, g);
      last = now;
      games += chunk.games.length;
      moves += chunkMoves;
      evaluations += chunk.evaluations;
    });
    const missing = Array.from({ length: o.games }, (_, i) => i).filter((i) => !stored.has(i));
    onEvent({ phase: "selfplay", generation: g, games, of: o.games, moves, evaluations });
    await runSelfPlayPool(
      { model: selfplayModel, game: game.spec, games: missing, count: missing.length, params: { ...params, resignThreshold: threshold ?? 0 }, seed: `loop:${o.run}:${o.seed}:${g}`, workers: o.workers, signal: o.signal },
      (chunk) => {
        if (chunk.game !== game.spec) throw new Error(`self-play worker played ${chunk.game}, not ${game.spec}`);
        storeChunk(chunk);
        onEvent({ phase: "selfplay", generation: g, games, of: o.games, moves, evaluations });
      },
    );
    if (o.signal?.aborted) return { runId, generations: g, trainedNow, model, stopped: true };
    row = generationRow(g)!;
    if (row.samples === 0) throw new InputError(`generation ${g} of run "${o.run}" stored no training samples (${row.games} games, ${row.moves} moves): nothing to train on; raise --games`);

    // Training: from g's state, on the window, reuse x the new samples.
    const total = db.prepare("SELECT sum(samples) FROM generations WHERE run_id = ? AND generation <= ?").pluck().get(runId, g) as number;
    const window = cache.window(db, runId, windowSize(total, o.windowMin));
    const count = Math.max(o.batch, Math.round(row.samples * o.reuse));
    const state = loadState(model);
    const trainStart = performance.now(), cpuStart = process.cpuUsage();
    const trainer = await openTrainer(state, game, undefined, o.workers);
    let report;
    try {
      const diverged = (step: number, loss: number): InputError =>
        new InputError(`training of generation ${g + 1} diverged at step ${step}: loss ${loss.toPrecision(4)}; nothing of it was saved. Lower --lr (now ${o.lr}) in a new --run`);
      const targets = prior ? await prior.mixed(game, window.batches, settings.klWeight! * 2 ** (-g / settings.klHalfLife!)) : window.batches;
      const batches = windowBatches(game, targets, count, o.batch, root.split("window", g));
      const done = await trainSteps(trainer, batches, null, diverged, (samples, loss) => onEvent({ phase: "train", generation: g, samples, of: count - (count % o.batch), loss }), o.signal);
      if (done.stopped) return { runId, generations: g, trainedNow, model, stopped: true };
      if (done.steps === 0) throw new InputError(`generation ${g}: the window holds ${window.samples} samples, fewer than one batch of ${o.batch}; lower --batch or raise --games`);
      const nextState = await trainer.capture(o.run, { generation: g + 1 });
      if (!allFinite(nextState.weights)) throw diverged(done.steps, NaN);
      saveCheckpoint(next, nextState, { generation: String(g + 1) });
      report = done;
    } finally {
      await trainer.dispose();
    }
    const cpu = process.cpuUsage(cpuStart), trainWall = (performance.now() - trainStart) / 1000;
    const trainCpu = (cpu.user + cpu.system) / 1e6;
    db.transaction(() => {
      db.prepare(
        `UPDATE generations SET window_samples = ?, train_samples = ?, train_steps = ?, policy_loss = ?, value_loss = ?, train_cpu_seconds = ?, train_wall_seconds = ?,
           trained_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE run_id = ? AND generation = ?`,
      ).run(window.samples, report.samples, report.steps, report.policyLoss, report.valueLoss, trainCpu, trainWall, runId, g);
      registerPlayer(g + 1);
    })();
    trainedNow++;
    row = generationRow(g)!;
    onEvent({
      phase: "done",
      report: {
        generation: g,
        games: row.games,
        meanLength: row.moves / Math.max(1, row.games),
        samples: row.samples,
        evaluations: row.evaluations,
        resignThreshold: row.resign_threshold,
        resigned: row.resigned,
        noResignGames: row.no_resign_games,
        falseResignations: row.false_resignations,
        windowSamples: window.samples,
        trainSamples: report.samples,
        trainSteps: report.steps,
        policyLoss: report.policyLoss,
        valueLoss: report.valueLoss,
        selfplayCpuSeconds: row.selfplay_cpu_seconds,
        trainCpuSeconds: trainCpu,
        wallSeconds: row.selfplay_wall_seconds + trainWall,
        model: basename(next),
        precision: row.selfplay_precision === "int8" ? "int8" : "fp32",
        int8Gap: row.int8_value_gap === null ? null : { valueMean: row.int8_value_gap, policyKl: row.int8_policy_kl!, top1Agreement: row.int8_top1! },
        int8Match: row.int8_match_id === null ? null : { score: row.int8_match_score!, games: INT8_MATCH.games, p: row.int8_match_p! },
        int8LostAt: settings.precision === "int8" ? lostMatchGate(db, runId, g + 1) : null,
      },
    });
  }
  return { runId, generations: o.generations, trainedNow, model: generationModel(o.models, o.run, o.generations), stopped: false };
}

/**
 * The prior network's policy on the window's samples, computed once per sample while it stays in
 * the window, and the policy targets with the prior added: the policy loss is a cross-entropy,
 * linear in its target, so the target π + λ·p₀ makes it CE(π) + λ·CE(p₀) = CE(π) + λ·KL(p₀ ‖
 * network) + a constant — the regulariser, with the value and L2 terms as they were. (The policy
 * loss a generation reports then includes λ·CE(p₀).)
 */
class PriorPolicies {
  private model: OnnxModel | null = null;
  private readonly policies = new WeakMap<Batch, Float32Array>();
  constructor(private readonly path: string) {}

  async mixed(game: Game, window: readonly Batch[], lambda: number): Promise<Batch[]> {
    this.model ??= await OnnxModel.load(this.path, { threads: 1, expect: game });
    const a = game.actionCount, cells = game.planes * game.height * game.width;
    const out: Batch[] = [];
    for (const b of window) {
      let p0 = this.policies.get(b);
      if (!p0) {
        p0 = new Float32Array(b.size * a);
        for (let start = 0; start < b.size; start += 256) {
          const n = Math.min(256, b.size - start);
          const { policy } = await this.model.evaluate(b.planes.subarray(start * cells, (start + n) * cells), n);
          for (let i = 0; i < n; i++) maskedSoftmax(policy.subarray(i * a, (i + 1) * a), b.mask.subarray((start + i) * a, (start + i + 1) * a), p0.subarray((start + i) * a, (start + i + 1) * a));
        }
        this.policies.set(b, p0);
      }
      const policy = new Float32Array(b.size * a);
      for (let k = 0; k < policy.length; k++) policy[k] = b.policy[k]! + lambda * p0[k]!;
      out.push({ ...b, policy });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.model?.close();
    this.model = null;
  }
}

/** Softmax of `logits` over the legal actions of `mask` into `out` (illegal ones: 0). */
function maskedSoftmax(logits: Float32Array, mask: Uint8Array, out: Float32Array): void {
  let max = -Infinity;
  for (let k = 0; k < logits.length; k++) if (mask[k] && logits[k]! > max) max = logits[k]!;
  let total = 0;
  for (let k = 0; k < logits.length; k++) {
    out[k] = mask[k] ? Math.exp(logits[k]! - max) : 0;
    total += out[k]!;
  }
  for (let k = 0; k < logits.length; k++) out[k] = out[k]! / total;
}

/**
 * The threshold calibrated on the games of generations g and g - 1 played without resigning (null:
 * none). Two generations, not one: the value head moves between generations, and on the recorded
 * games of two 12-minute go:7 runs (PUCT and Gumbel) the threshold of the last generation alone
 * let 2.0% and 5.8% of would-be resignations be false in the next one, the last two's 2.2% and
 * 3.5%, resigning in as many games.
 */
function resignThresholdAfter(db: Db, runId: number, g: number, target: number): number | null {
  const rows = db
    .prepare(
      `SELECT s.lowest_black AS black, s.lowest_white AS white, g.winner FROM selfplay_games s JOIN games g ON g.id = s.game_id
       WHERE g.run_id = ? AND s.generation IN (?, ?) AND s.resign_disabled = 1`,
    )
    .all(runId, g, g - 1) as { black: number; white: number; winner: 0 | 1 | null }[];
  return calibrateResignation(rows.map((r) => ({ lowest: [r.black, r.white] as const, winner: r.winner })), target);
}

