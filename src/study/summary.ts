/**
 * What a study reports (`summary.json`, and the figures and words of `index.html` drawn from it):
 * its settings, the prior and what it cost, every rated checkpoint, the curves of each arm over
 * its seeds, and the answer. Plain data, so a published summary can be read back (`--replicate`).
 */
import type { StudySettings } from "./settings.js";

/** A value with its 95% interval. */
export interface Interval {
  value: number;
  low: number;
  high: number;
}

export interface ReferencePlayer {
  player: string;
  elo: number;
  ci95: number;
  games: number;
}

/** One rated network: a generation of one arm's run with one seed. */
export interface CheckpointResult {
  arm: string;
  seed: number;
  generation: number;
  player: string;
  /** Compute spent on the run up to this network: self-play evaluations, CPU seconds (self-play and training), wall seconds; the prior's cost not charged. */
  evaluations: number;
  cpuSeconds: number;
  wallSeconds: number;
  elo: number;
  ci95: number;
  games: number;
  /**
   * On the held-out prior games: top-1 move prediction of the raw policy (Wilson interval) and the
   * value's mean squared error against the result (both in [-1, 1], from the side to move: 0 is
   * perfect, 1 is a value that always says 0).
   */
  accuracy: Interval | null;
  outcomeMse: Interval | null;
  /** Connect Four: the share of its moves that lose value, by the solver's judgement. */
  valueLosing: Interval | null;
}

/** An arm's mean over its seeds at one point of the compute axis, with its 95% interval. */
export interface CurvePoint {
  arm: string;
  /** Share of the budget (0..1) and the self-play evaluations it stands for. */
  fraction: number;
  evaluations: number;
  /** CPU hours and wall-clock hours (means over the seeds), the prior's cost not charged. */
  cpuHours: number;
  wallHours: number;
  /** The same with the prior's cost charged (equal to the uncharged ones for arms without a prior). */
  cpuHoursCharged: number;
  wallHoursCharged: number;
  elo: Interval;
  seeds: number;
  accuracy: Interval | null;
  outcomeMse: Interval | null;
  valueLosing: Interval | null;
}

export interface Gap {
  fraction: number;
  evaluations: number;
  /** The arm's Elo minus the baseline arm's (`zero`), with its 95% interval. */
  gap: Interval;
}

export interface ArmAnswer {
  arm: string;
  /** The arm's Elo gap over `zero` at 10%, 50% and 100% of the budget. */
  gaps: Gap[];
  /**
   * When `zero` first matches this arm: the self-play evaluations at which the mean gap first
   * reaches 0 (0 when zero starts level or ahead), with a 95% interval from resampling seeds and
   * ratings; null when it does not within the budget. `share`: the share of resamples in which it
   * catches up within the budget — below 0.975 the interval's upper end lies beyond the budget.
   * `zeroStartsBehind`: the arm is ahead at the start (false: zero was never behind).
   */
  catchUp: { evaluations: Interval | null; fraction: number | null; withinBudget: boolean; share: number; zeroStartsBehind: boolean };
  final: Interval;
}

export interface PriorSummary {
  /** What it imitates: a teacher's spec (`gnugo:1`, `builtin:200`, `solver:0.1`) or `human`. */
  source: string;
  description: string;
  /** Games it was trained on per dose (one dose unless a sweep), and games held out for the metrics. */
  doses: { arm: string; games: number; positions: number; epochs: number; trainCpuSeconds: number; trainWallSeconds: number; model: string }[];
  heldOutGames: number;
  /** Making the data: teacher games (CPU of fossil and the engine), 0 for human games. */
  dataCpuSeconds: number;
  dataWallSeconds: number;
  /** The teacher's own rating on the study's scale, when it is in the pool. */
  teacherElo: ReferencePlayer | null;
}

export interface StudySummary {
  fossil: { version: string; node: string; platform: string; cpus: number };
  study: string;
  createdAt: string;
  settings: StudySettings;
  anchor: { player: string; elo: number };
  prior: PriorSummary | null;
  reference: ReferencePlayer[];
  checkpoints: CheckpointResult[];
  curves: CurvePoint[];
  answers: ArmAnswer[];
  /** The answer in words: a few sentences, the first of them the headline. */
  conclusion: string[];
  /** Rating games played, and how long each phase took (wall seconds). */
  ratingGames: number;
  phases: Record<string, number>;
  /** A published study this one replicates: its curves are drawn beside ours. */
  replicates?: { study: string; createdAt: string; curves: CurvePoint[] } | null;
}
