/**
 * A study's settings: which game, arms, seeds and budget, the prior, the loop every arm runs, and
 * how checkpoints are rated. Presets name tested combinations; options override them; the
 * settings a study starts with are stored (`runs.config`) and a rerun continues with them.
 */
import { InputError } from "../../core/errors.js";
import type { Game } from "../../games/game.js";
import { parseGameSpec } from "../../games/index.js";
import { parsePlayerSpec, specText } from "../../selfplay/spec.js";
import { checkSettings, LOOP_DEFAULTS, type LoopSettings } from "../train/generations.js";

/** `zero` (fresh weights), `prior` (the supervised network), `prior-kl` (prior kept as a decaying KL term); a dose sweep names its prior arms `prior@N`. */
export type ArmKind = "zero" | "prior" | "prior-kl";

export interface PriorSettings {
  /** A teacher's player spec (`gnugo:1`, `builtin:200`, `solver:0.1`), or `human` (games imported from `paths`). */
  source: string;
  /** SGF files or folders of human games (source `human`). */
  paths: string[];
  /** Prior games per dose, ascending (one dose: the prior arm; several: a dose–response sweep). */
  games: number[];
  /** Prior games held out of training, for move prediction and outcome error of every checkpoint. */
  heldOut: number;
  /**
   * Teacher games: up to this many random opening moves each (marked random: no policy target).
   * A deterministic teacher (GNU Go) repeats itself from one opening: with up to 2 of them on 7x7,
   * 900 games asked for gave 745 distinct ones.
   */
  openings: number;
  /** Supervised training: epochs (at most), patience, learning rate, mini-batch. */
  epochs: number;
  patience: number;
  lr: number;
  batch: number;
  /** Human games: the weakest rank kept (e.g. "5k"); null: all. */
  minRank: string | null;
}

export interface RatingSettings {
  /** Checkpoints rated per run besides generation 0, evenly spaced in self-play evaluations. */
  checkpoints: number;
  /** Reference players (player specs); those that cannot run here (GNU Go not installed) are left out. */
  pool: string[];
  /** Games each checkpoint first plays against each reference player (colours alternate). */
  initialGames: number;
  /** Then games are scheduled in pairs of this many where ratings are least certain, until `games` rating games in all. */
  batch: number;
  games: number;
  /** Games played at once in a match. */
  concurrent: number;
}

export interface StudySettings {
  preset: string;
  /** Full game spec (`go:7:tromp-taylor:9`, `connect4`). */
  game: string;
  arms: ArmKind[];
  seeds: number[];
  /** Self-play network evaluations per arm and seed. */
  budget: number;
  blocks: number;
  filters: number;
  loop: LoopSettings;
  /** prior-kl: λ at the first generation and its half-life in generations. */
  kl: { weight: number; halfLife: number };
  prior: PriorSettings;
  rating: RatingSettings;
  /** Connect Four: positions on which each checkpoint's value-losing moves are counted. */
  valuePositions: number;
}

const priorDefaults: PriorSettings = { source: "gnugo:1", paths: [], games: [1200], heldOut: 100, openings: 4, epochs: 4, patience: 2, lr: 0.02, batch: 128, minRank: null };
const ratingDefaults: RatingSettings = { checkpoints: 5, pool: referencePool(parseGameSpec("go:7"), "gnugo:1"), initialGames: 2, batch: 4, games: 700, concurrent: 8 };

/** The default: a first answer with intervals on a laptop (its time on a 2-core machine is in the README). */
const quick: StudySettings = {
  preset: "quick",
  game: "go:7",
  arms: ["prior", "zero"],
  seeds: [1, 2],
  budget: 2_500_000,
  blocks: 4,
  filters: 32,
  loop: { ...LOOP_DEFAULTS, games: 100 },
  kl: { weight: 1, halfLife: 5 },
  prior: priorDefaults,
  rating: ratingDefaults,
  valuePositions: 200,
};

/** The presets, each a change of `quick`; `smoke` is the tests' end-to-end twin. */
export const PRESETS: Record<string, StudySettings> = {
  smoke: {
    ...quick,
    preset: "smoke",
    game: "go:6",
    budget: 50_000,
    blocks: 1,
    filters: 8,
    loop: { ...LOOP_DEFAULTS, games: 24, sims: 8, cheapSims: 4, batch: 32, windowMin: 500, concurrent: 12 },
    kl: { weight: 1, halfLife: 2 },
    prior: { ...priorDefaults, source: "builtin:20", games: [60], heldOut: 10, epochs: 1, patience: 1, batch: 32 },
    rating: { checkpoints: 2, pool: ["random", "rollout:20"], initialGames: 2, batch: 2, games: 60, concurrent: 8 },
    valuePositions: 20,
  },
  quick,
  standard: {
    ...quick,
    preset: "standard",
    arms: ["prior", "zero", "prior-kl"],
    seeds: [1, 2, 3],
    budget: 10_000_000,
    loop: { ...LOOP_DEFAULTS, games: 200 },
    kl: { weight: 1, halfLife: 10 },
    prior: { ...priorDefaults, games: [3000], heldOut: 200 },
    rating: { ...ratingDefaults, checkpoints: 8, games: 3000 },
  },
  human9: {
    ...quick,
    preset: "human9",
    game: "go:9",
    seeds: [1, 2, 3],
    budget: 6_000_000,
    loop: { ...LOOP_DEFAULTS, games: 200 },
    kl: { weight: 1, halfLife: 10 },
    prior: { ...priorDefaults, source: "human", paths: ["../shared/data/go9-ogs-human"], games: [13_000], heldOut: 500, epochs: 3 },
    rating: { ...ratingDefaults, checkpoints: 8, pool: referencePool(parseGameSpec("go:9"), null), games: 3000 },
    valuePositions: 0,
  },
  connect4: {
    ...quick,
    preset: "connect4",
    game: "connect4",
    seeds: [1, 2, 3],
    budget: 10_000_000,
    loop: { ...LOOP_DEFAULTS, games: 200 },
    kl: { weight: 1, halfLife: 10 },
    prior: { ...priorDefaults, source: "solver:0.1", games: [3000] },
    rating: { ...ratingDefaults, pool: referencePool(parseGameSpec("connect4"), "solver:0.1"), games: 2500 },
  },
};

/** Refuses settings a study cannot run with, naming the option. */
export function checkStudySettings(s: StudySettings): void {
  // Settings read back from a file (--replicate) may be anything: their shape first.
  const shape = (path: string, ok: boolean): void => {
    if (!ok) throw new InputError(`the study settings have no valid ${path}`);
  };
  const isObject = (v: unknown): boolean => typeof v === "object" && v !== null && !Array.isArray(v);
  shape("settings", isObject(s));
  shape("game", typeof s.game === "string");
  shape("preset", typeof s.preset === "string");
  shape("arms", Array.isArray(s.arms));
  shape("seeds", Array.isArray(s.seeds));
  shape("valuePositions", Number.isInteger(s.valuePositions) && s.valuePositions >= 0);
  for (const part of ["loop", "kl", "prior", "rating"] as const) shape(part, isObject(s[part]));
  for (const key of ["games", "sims", "cheapSims", "batch", "lr", "reuse", "windowMin", "resignFrom", "falseResignations", "concurrent"] as const) shape(`loop.${key}`, typeof s.loop[key] === "number");
  shape("loop.search", s.loop.search === "puct" || s.loop.search === "gumbel");
  shape("loop.precision", s.loop.precision === undefined || s.loop.precision === "int8");
  shape("kl.weight", typeof s.kl.weight === "number" && s.kl.weight >= 0);
  shape("kl.halfLife", typeof s.kl.halfLife === "number" && s.kl.halfLife > 0);
  shape("prior.source", typeof s.prior.source === "string");
  shape("prior.paths", Array.isArray(s.prior.paths) && s.prior.paths.every((p) => typeof p === "string"));
  shape("prior.games", Array.isArray(s.prior.games));
  for (const key of ["heldOut", "openings", "epochs", "patience", "lr", "batch"] as const) shape(`prior.${key}`, typeof s.prior[key] === "number");
  shape("rating.pool", Array.isArray(s.rating.pool) && s.rating.pool.every((p) => typeof p === "string"));
  for (const key of ["checkpoints", "initialGames", "batch", "games", "concurrent"] as const) shape(`rating.${key}`, typeof s.rating[key] === "number");
  const whole = (name: string, value: number, min: number): void => {
    if (!Number.isSafeInteger(value) || value < min) throw new InputError(`${name} must be a whole number of at least ${min}, got ${value}`);
  };
  checkSettings(s.loop, 1);
  if (s.loop.cheapSims > s.loop.sims) throw new InputError(`loop.cheapSims (${s.loop.cheapSims}) cannot be more than loop.sims (${s.loop.sims})`);
  whole("prior batch", s.prior.batch, 1);
  whole("prior opening moves", s.prior.openings, 0);
  whole("prior patience", s.prior.patience, 1);
  if (!(Number.isFinite(s.prior.lr) && s.prior.lr > 0)) throw new InputError(`the prior's learning rate must be above 0, got ${s.prior.lr}`);
  if (s.prior.minRank !== null && typeof s.prior.minRank !== "string") throw new InputError(`the prior's minimum rank must be like "5k", got ${JSON.stringify(s.prior.minRank)}`);
  whole("rating concurrent games", s.rating.concurrent, 1);
  if (s.seeds.length > 100) throw new InputError(`--seeds: at most 100 seeds, got ${s.seeds.length}`);
  if (s.arms.length === 0) throw new InputError("--arms: at least one arm");
  for (const arm of s.arms) if (!["zero", "prior", "prior-kl"].includes(arm)) throw new InputError(`--arms: unknown arm "${arm}" (zero, prior, prior-kl)`);
  if (new Set(s.arms).size !== s.arms.length) throw new InputError(`--arms: an arm is named twice (${s.arms.join(",")})`);
  if (s.seeds.length === 0) throw new InputError("--seeds: at least one seed");
  for (const seed of s.seeds) whole("a seed", seed, 0);
  if (new Set(s.seeds).size !== s.seeds.length) throw new InputError(`--seeds: a seed is given twice (${s.seeds.join(",")})`);
  if (!(Number.isFinite(s.budget) && s.budget > 0)) throw new InputError(`--budget must be a number of self-play evaluations above 0, got ${s.budget}`);
  whole("--blocks", s.blocks, 1);
  whole("--filters", s.filters, 1);
  if (s.prior.games.length === 0) throw new InputError("--prior-games: at least one amount");
  for (const n of s.prior.games) whole("--prior-games", n, 2);
  for (let k = 1; k < s.prior.games.length; k++) if (s.prior.games[k]! <= s.prior.games[k - 1]!) throw new InputError(`--prior-games must rise (${s.prior.games.join(",")})`);
  whole("held-out prior games", s.prior.heldOut, 1);
  whole("prior epochs", s.prior.epochs, 1);
  whole("checkpoints", s.rating.checkpoints, 1);
  whole("rating games", s.rating.games, 0);
  whole("initial rating games", s.rating.initialGames, 1);
  whole("rating batch", s.rating.batch, 1);
  if (!s.rating.pool.includes("random")) throw new InputError("the rating pool must hold random: it is the anchor (Elo 0)");
  if (s.prior.source === "human" && s.prior.paths.length === 0) throw new InputError("--prior human:PATH needs the SGF files or folders of the human games");
}

/** Amounts like 8000000, 8e6, 8M, 500k. */
export function parseAmount(text: string, what: string): number {
  const m = /^\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([kKmMgG]?)\s*$/.exec(text);
  if (!m) throw new InputError(`${what}: "${text}" is not an amount (e.g. 8000000, 8e6, 8M, 500k)`);
  const scale = { "": 1, k: 1e3, m: 1e6, g: 1e9 }[m[2]!.toLowerCase() as "" | "k" | "m" | "g"];
  return Math.round(Number(m[1]) * scale);
}

/** What a study's options may change in a preset. */
export interface StudyOverrides {
  game?: string;
  seeds?: number[];
  budget?: number;
  /** `gnugo[:LEVEL]`, `builtin[:N]`, `solver[:ERROR]`, or `human:PATH[,PATH...]`. */
  prior?: string;
  priorGames?: number[];
  arms?: ArmKind[];
  /** Self-play precision of every arm: int8 (each checkpoint quantised, behind the accuracy gate) or fp32. */
  precision?: "fp32" | "int8";
}

/** The reference pool for a game: random, rollouts, and the experts it has (built-in playouts, GNU Go over GTP, perfect play). */
export function referencePool(game: Game, teacher: string | null): string[] {
  const pool = ["random", "rollout:50", "rollout:200"];
  if (game.hasExpertPlayouts) pool.push("builtin:200");
  if (game.gtp) pool.push("gnugo:1", "gnugo:10");
  if (game.perfectPlay) pool.push("solver:0.5", "solver:0.25", "solver:0.1");
  if (teacher && !pool.includes(teacher)) pool.push(teacher);
  return pool;
}

/** The teacher of a game's prior by default: GNU Go level 1 where it plays the game and is installed, else the built-in expert, else the solver erring 10% of the time. */
function defaultTeacher(game: Game, gnugo: boolean): string | null {
  if (game.gtp && gnugo) return "gnugo:1";
  if (game.hasExpertPlayouts) return "builtin:200";
  if (game.perfectPlay) return "solver:0.1";
  return null;
}

/** The settings of a preset with the options over it; `notes` say what was chosen for the user. */
export function studySettings(preset: string, o: StudyOverrides, gnugo: boolean): { settings: StudySettings; notes: string[] } {
  const base = PRESETS[preset];
  if (!base) throw new InputError(`--preset: unknown preset "${preset}" (${Object.keys(PRESETS).join(", ")})`);
  const s: StudySettings = structuredClone(base);
  const notes: string[] = [];
  const game = parseGameSpec(o.game ?? s.game);
  const sameFamily = parseGameSpec(s.game).id === game.id;
  s.game = game.spec;
  if (o.seeds) s.seeds = o.seeds;
  if (o.budget !== undefined) s.budget = o.budget;
  if (o.arms) s.arms = o.arms;
  if (o.priorGames) s.prior.games = o.priorGames;
  // The same for every arm: the loop's settings are the study's.
  if (o.precision === "int8") s.loop.precision = "int8";
  else if (o.precision === "fp32") delete s.loop.precision;
  if (o.prior !== undefined) {
    if (o.prior.startsWith("human:")) {
      s.prior.source = "human";
      s.prior.paths = o.prior.slice("human:".length).split(",").filter((p) => p !== "");
    } else {
      s.prior.source = specText(parsePlayerSpec(o.prior === "gnugo" ? "gnugo:1" : o.prior === "solver" ? "solver:0.1" : o.prior));
      s.prior.paths = [];
    }
  } else if (!sameFamily || (s.prior.source.startsWith("gnugo") && !gnugo)) {
    const teacher = defaultTeacher(game, gnugo);
    if (!teacher) throw new InputError(`${game.id} has no built-in teacher: give the prior's games with --prior human:PATH`);
    if (s.prior.source.startsWith("gnugo") && !gnugo && sameFamily) notes.push(`GNU Go is not installed (/usr/games/gnugo): the prior imitates the built-in teacher ${teacher} instead`);
    s.prior.source = teacher;
    s.prior.paths = [];
  }
  const priorArm = s.arms.some((a) => a !== "zero");
  if (s.prior.source !== "human" && priorArm) notes.push(`the prior: ${s.prior.games.join(", ")} games of ${s.prior.source} against itself`);
  const teacher = s.prior.source !== "human" && priorArm ? s.prior.source : null;
  if (!sameFamily) s.rating.pool = referencePool(game, teacher);
  else if (teacher && !s.rating.pool.includes(teacher)) s.rating.pool.push(teacher);
  checkStudySettings(s);
  return { settings: s, notes };
}
