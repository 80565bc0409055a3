/**
 * From rated checkpoints to curves and an answer. Each seed's run is a curve of Elo against its
 * self-play evaluations (linear between rated checkpoints); an arm's curve is the mean over its
 * seeds. Intervals (95%): a seed's spread is the between-seed variance pooled over the arms at
 * that point (Student's t with the pooled degrees of freedom), never taken below the checkpoints'
 * own rating variance — two seeds that happen to agree do not make a narrow band. With one seed
 * the rating variance alone gives the interval. The compute at which `zero` first matches an arm
 * comes with a bootstrap interval: seeds resampled within each arm and every checkpoint's rating
 * redrawn from its fit's normal error, the crossing found again each time.
 */
import { Rng } from "../../core/rng.js";
import type { ArmAnswer, CheckpointResult, CurvePoint, Gap, Interval } from "./summary.js";

/** Student's t 97.5% quantiles for 1..30 degrees of freedom (beyond: the normal's 1.96 plus a small correction). */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
export function t975(df: number): number {
  if (df < 1) return 1.959964;
  return df <= 30 ? T975[df - 1]! : 1.959964 + 2.4 / df;
}

/** One seed's run as points sorted by evaluations. */
interface SeedCurve {
  seed: number;
  points: CheckpointResult[];
}

/** Linear interpolation of `value` along the evaluations of `points` (clamped at the ends). */
function at<T extends { evaluations: number }>(points: readonly T[], evaluations: number, value: (p: T) => number): number {
  if (evaluations <= points[0]!.evaluations) return value(points[0]!);
  for (let k = 1; k < points.length; k++) {
    const b = points[k]!;
    if (evaluations <= b.evaluations) {
      const a = points[k - 1]!;
      const w = b.evaluations === a.evaluations ? 1 : (evaluations - a.evaluations) / (b.evaluations - a.evaluations);
      return (1 - w) * value(a) + w * value(b);
    }
  }
  return value(points.at(-1)!);
}

const se = (ci95: number): number => ci95 / 1.959964;

function curvesByArm(checkpoints: readonly CheckpointResult[]): Map<string, SeedCurve[]> {
  const byArm = new Map<string, Map<number, CheckpointResult[]>>();
  for (const c of checkpoints) {
    if (!Number.isFinite(c.elo)) continue;
    const seeds = byArm.get(c.arm) ?? new Map<number, CheckpointResult[]>();
    byArm.set(c.arm, seeds);
    seeds.set(c.seed, [...(seeds.get(c.seed) ?? []), c]);
  }
  const out = new Map<string, SeedCurve[]>();
  for (const [arm, seeds] of byArm) out.set(arm, [...seeds].map(([seed, points]) => ({ seed, points: [...points].sort((a, b) => a.evaluations - b.evaluations) })));
  return out;
}

/** The spread of one seed at `evaluations`, pooled over arms, and its degrees of freedom. */
function pooledSpread(byArm: Map<string, SeedCurve[]>, evaluations: number): { variance: number; df: number } {
  let sum = 0, df = 0;
  for (const seeds of byArm.values()) {
    if (seeds.length < 2) continue;
    const values = seeds.map((s) => at(s.points, evaluations, (p) => p.elo));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    sum += values.reduce((a, v) => a + (v - mean) ** 2, 0);
    df += values.length - 1;
  }
  return { variance: df > 0 ? sum / df : 0, df };
}

interface ArmPoint {
  mean: number;
  /** Variance of the mean, and of one seed. */
  varianceOfMean: number;
  n: number;
}

function armPoint(seeds: readonly SeedCurve[], evaluations: number, pooled: { variance: number }): ArmPoint {
  const values = seeds.map((s) => at(s.points, evaluations, (p) => p.elo));
  const ratingVariance = seeds.map((s) => at(s.points, evaluations, (p) => se(p.ci95) ** 2)).reduce((a, b) => a + b, 0) / seeds.length;
  const n = values.length;
  const perSeed = Math.max(pooled.variance, ratingVariance);
  return { mean: values.reduce((a, b) => a + b, 0) / n, varianceOfMean: perSeed / n, n };
}

const interval = (value: number, half: number): Interval => ({ value, low: value - half, high: value + half });

/**
 * A metric's mean over seeds with its 95% interval, made as the Elo's: a seed's variance is the
 * spread between seeds or, when larger, the mean of the seeds' own (interval half-width / 1.96)²;
 * Student's t with n − 1 degrees of freedom (the normal's 1.96 for one seed).
 */
function meanInterval(seeds: readonly SeedCurve[], evaluations: number, pick: (c: CheckpointResult) => Interval | null, bounds: [number, number]): Interval | null {
  const values: number[] = [], variances: number[] = [];
  for (const s of seeds) {
    const known = s.points.filter((p) => pick(p) !== null);
    if (known.length === 0) return null;
    values.push(at(known, evaluations, (p) => pick(p)!.value));
    variances.push(at(known, evaluations, (p) => ((pick(p)!.high - pick(p)!.low) / 2 / 1.959964) ** 2));
  }
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const spread = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  const perSeed = Math.max(spread, variances.reduce((a, b) => a + b, 0) / n);
  const i = interval(mean, (n > 1 ? t975(n - 1) : 1.959964) * Math.sqrt(perSeed / n));
  // Within what the metric can be (a share in [0, 1], a squared error at least 0).
  return { value: i.value, low: Math.max(bounds[0], i.low), high: Math.min(bounds[1], i.high) };
}

export interface PriorCharge {
  cpuSeconds: number;
  wallSeconds: number;
}

/** The arms' curves at `fractions` of the budget. */
export function armCurves(checkpoints: readonly CheckpointResult[], budget: number, fractions: readonly number[], charge: (arm: string) => PriorCharge): CurvePoint[] {
  const byArm = curvesByArm(checkpoints);
  const out: CurvePoint[] = [];
  for (const f of fractions) {
    const evaluations = f * budget;
    const pooled = pooledSpread(byArm, evaluations);
    const t = t975(pooled.df);
    for (const [arm, seeds] of byArm) {
      const p = armPoint(seeds, evaluations, pooled);
      const mean = (pick: (c: CheckpointResult) => number): number => seeds.reduce((a, s) => a + at(s.points, evaluations, pick), 0) / seeds.length;
      const cpuHours = mean((c) => c.cpuSeconds) / 3600, wallHours = mean((c) => c.wallSeconds) / 3600;
      const cost = charge(arm);
      out.push({
        arm,
        fraction: f,
        evaluations,
        cpuHours,
        wallHours,
        cpuHoursCharged: cpuHours + cost.cpuSeconds / 3600,
        wallHoursCharged: wallHours + cost.wallSeconds / 3600,
        elo: interval(p.mean, (pooled.df > 0 ? t : 1.959964) * Math.sqrt(p.varianceOfMean)),
        seeds: p.n,
        accuracy: meanInterval(seeds, evaluations, (c) => c.accuracy, [0, 1]),
        outcomeMse: meanInterval(seeds, evaluations, (c) => c.outcomeMse, [0, 4]),
        valueLosing: meanInterval(seeds, evaluations, (c) => c.valueLosing, [0, 1]),
      });
    }
  }
  return out;
}

/** The gap of `arm` over `baseline` at `evaluations`, with its interval. */
function gapAt(byArm: Map<string, SeedCurve[]>, arm: string, baseline: string, evaluations: number): Interval {
  const pooled = pooledSpread(byArm, evaluations);
  const a = armPoint(byArm.get(arm)!, evaluations, pooled), b = armPoint(byArm.get(baseline)!, evaluations, pooled);
  return interval(a.mean - b.mean, (pooled.df > 0 ? t975(pooled.df) : 1.959964) * Math.sqrt(a.varianceOfMean + b.varianceOfMean));
}

/** Each arm against `zero`: gaps at the given fractions, who led at the start and when the other caught up, final strength. */
export function armAnswers(checkpoints: readonly CheckpointResult[], budget: number, gapFractions: readonly number[]): ArmAnswer[] {
  const byArm = curvesByArm(checkpoints);
  const answers: ArmAnswer[] = [];
  if (!byArm.has("zero")) return answers;
  const grid = Array.from({ length: 201 }, (_, k) => (k / 200) * budget);
  for (const arm of byArm.keys()) {
    if (arm === "zero") continue;
    const gaps: Gap[] = gapFractions.map((f) => ({ fraction: f, evaluations: f * budget, gap: gapAt(byArm, arm, "zero", f * budget) }));
    const band = grid.map((e) => ({ e, gap: gapAt(byArm, arm, "zero", e) }));
    const start = band[0]!.gap.value;
    const leader = start > 0 ? "arm" : start < 0 ? "zero" : "level";
    // Measured from the leader's side: the gap is positive while it leads.
    const sign = start >= 0 ? 1 : -1;
    const lead = (g: Interval): Interval => (sign > 0 ? g : { value: -g.value, low: -g.high, high: -g.low });
    const first = (test: (g: Interval) => boolean): number | null => band.find((b) => test(lead(b.gap)))?.e ?? null;
    const found = leader === "level" ? 0 : first((g) => g.value <= 0);
    const low = first((g) => g.low <= 0), high = first((g) => g.high <= 0);
    const final = (() => {
      const pooled = pooledSpread(byArm, budget);
      const p = armPoint(byArm.get(arm)!, budget, pooled);
      return interval(p.mean, (pooled.df > 0 ? t975(pooled.df) : 1.959964) * Math.sqrt(p.varianceOfMean));
    })();
    answers.push({
      arm,
      gaps,
      catchUp: {
        leader,
        evaluations: found === null ? null : { value: found, low: Math.min(low ?? found, found), high: high ?? budget },
        fraction: found === null ? null : found / budget,
        highBeyondBudget: high === null,
      },
      final,
    });
  }
  return answers;
}

const elo = (x: number): string => `${x >= 0 ? "+" : "−"}${Math.abs(Math.round(x))}`;
export const range = (i: Interval): string => `[${elo(i.low)}, ${elo(i.high)}]`;
export const amount = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(0)}k` : `${Math.round(n)}`);

/** The answer in words, from the numbers: it says whichever way they point. */
export function conclusion(answers: readonly ArmAnswer[], finals: ReadonlyMap<string, Interval>, seeds: number, game: string): string[] {
  const lines: string[] = [];
  const zero = finals.get("zero");
  for (const a of answers) {
    const early = a.gaps[0]!, end = a.gaps.at(-1)!;
    const side = (g: Interval): "ahead" | "behind" | "level" => (g.low > 0 ? "ahead" : g.high < 0 ? "behind" : "level");
    const earlyText =
      side(early.gap) === "level"
        ? `is level with zero within the intervals at ${Math.round(100 * early.fraction)}% of the budget (${elo(early.gap.value)} Elo ${range(early.gap)})`
        : `is ${side(early.gap) === "ahead" ? "ahead of" : "behind"} zero at ${Math.round(100 * early.fraction)}% of the budget by ${elo(early.gap.value)} Elo ${range(early.gap)}`;
    const c = a.catchUp;
    const when = (e: Interval): string =>
      `after ${amount(e.value)} self-play evaluations (${Math.round((100 * e.value) / a.gaps.at(-1)!.evaluations)}% of the budget; 95% interval ${amount(e.low)} to ${c.highBeyondBudget ? "beyond the budget" : amount(e.high)})`;
    let catchText: string;
    if (c.leader === "level") catchText = "the two started level";
    else if (c.leader === "arm") catchText = c.evaluations ? `zero first matches it ${when(c.evaluations)}` : "zero did not catch up within the budget";
    else catchText = c.evaluations ? `zero led from the start, and ${a.arm} first matches it ${when(c.evaluations)}` : `zero led from the start, and ${a.arm} did not catch up within the budget`;
    const endText =
      side(end.gap) === "level"
        ? `at the full budget the two are level within the intervals (${elo(end.gap.value)} Elo ${range(end.gap)})`
        : `at the full budget ${a.arm} is ${side(end.gap)} by ${elo(end.gap.value)} Elo ${range(end.gap)}`;
    lines.push(`On ${game} with ${seeds} seed${seeds === 1 ? "" : "s"} per arm, ${a.arm} ${earlyText}; ${catchText}; ${endText}.`);
  }
  if (answers.length === 0) lines.push("The study has no zero arm to compare with: only the arms' strengths are reported.");
  const strengths = [...finals].map(([arm, f]) => `${arm} ${Math.round(f.value)} ${range(f).replace(/[+]/g, "")}`);
  if (strengths.length > 0) lines.push(`Final strengths (Elo, random = 0): ${strengths.join("; ")}.`);
  if (zero && seeds === 1) lines.push("With one seed per arm the intervals hold the rating error only, not the spread between runs.");
  if (answers.length > 0 && seeds > 1) lines.push("Every seed of a prior arm starts from the one prior network: the intervals hold the spread between self-play runs (pooled over the arms), not that of pretraining.");
  return lines;
}
