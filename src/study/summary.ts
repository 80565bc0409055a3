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
   * Who led at the start (`arm`: this arm was ahead of zero; `zero`; `level`), and the self-play
   * evaluations at which the other side first matches it (the mean gap reaches 0): its interval
   * runs from where the gap's 95% band first reaches 0 to where the whole band has passed 0 —
   * `highBeyondBudget` when that is not within the budget (then `high` is the budget). Null: no
   * crossing within the budget. `fraction`: the crossing as a share of the budget.
   */
  catchUp: { leader: "arm" | "zero" | "level"; evaluations: Interval | null; fraction: number | null; highBeyondBudget: boolean };
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
