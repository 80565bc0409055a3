/**
 * The study: the prior (if an arm needs one), then for each seed each arm's self-play loop to the
 * same budget of self-play evaluations, then every chosen checkpoint rated on one scale and
 * measured on the held-out prior games, then the summary and report. Every step stores what it
 * finishes (the loops their generations, the rating its games, the metrics their rows), so the
 * same command after a Ctrl-C or a kill goes on where it stopped; a study keeps the settings it
 * started with.
 */
import { availableParallelism, platform } from "node:os";
import { InputError } from "../../core/errors.js";
import { makeFolder } from "../../core/files.js";
import { createPlayer } from "../../selfplay/players.js";
import { ensureRun } from "../../db/store.js";
import type { Db } from "../../db/schema.js";
import { parseGameSpec } from "../../games/index.js";
import type { Game } from "../../games/game.js";
import { parsePlayerSpec, specText } from "../../selfplay/spec.js";
import { differingSettings } from "../play/selfplay.js";
import { runLoop, runProgress, type LoopEvent } from "../train/generations.js";
import { armAnswers, armCurves, conclusion, range } from "./analysis.js";
import { heldOutGames, measureCheckpoint, valuePositions } from "./metrics.js";
import { checkPrior, priorCost, priorData, priorModelOf, priorNetworks, studyArms, type PriorDose, type PriorEvent } from "./prior.js";
import { pickCheckpoints, rateCheckpoints, ratingGames, studyRatings, studySnapshot, usablePool, type CheckpointInfo, type RatedPlayer, type RatingEvent } from "./rating.js";
import { loopCost } from "./status.js";
import { checkStudySettings, type StudySettings } from "./settings.js";
import type { CheckpointResult, Interval, PriorSummary, StudySummary } from "./summary.js";

export interface StudyOptions {
  /** The study's name (its run in the database; its loop runs are `<name>/<arm>/s<seed>`). */
  name: string;
  settings: StudySettings;
  /** Folder of the networks (priors and every generation). */
  models: string;
  workers?: number;
  signal?: AbortSignal;
  /** A published study's summary whose curves the report draws beside ours. */
  replicates?: StudySummary | null;
}

export type StudyEvent =
  /** The checks passed and the study is stored: what to tell the user first. */
  | { phase: "start"; note: string | null }
  | (PriorEvent & { note?: string })
  | { phase: "loop"; arm: string; seed: number; event: LoopEvent; evaluations: number; budget: number; runs: number; run: number }
  | RatingEvent
  | { phase: "metrics"; done: number; of: number; player: string };

/** The study's loop run for an arm and seed. */
export function armRun(study: string, arm: string, seed: number): string {
  return `${study}/${arm}/s${seed}`;
}

/**
 * Finds or starts the study's run. A study of that name with other settings is refused once
 * anything of it is done; before that (a first attempt refused by a later check, such as a folder
 * of human games holding none) the new settings replace the old.
 */
export function studyRun(db: Db, name: string, settings: StudySettings): number {
  const config = { command: "study", ...settings } as Record<string, unknown>;
  const row = db.prepare("SELECT id, config FROM runs WHERE name = ?").get(name) as { id: number; config: string } | undefined;
  if (!row) return ensureRun(db, name, config, settings.seeds[0] ?? null, "fossil 0.1");
  const old = JSON.parse(row.config) as Record<string, unknown>;
  const differs = differingSettings(old, config);
  if (differs.length === 0) return row.id;
  const started =
    old.command !== "study" ||
    db.prepare("SELECT 1 FROM study_steps WHERE run_id = ? AND done_at IS NOT NULL").get(row.id) !== undefined ||
    db.prepare("SELECT 1 FROM runs WHERE substr(name, 1, ?) = ?").get(name.length + 1, `${name}/`) !== undefined ||
    ratingGames(db, row.id) > 0;
  if (!started) {
    db.prepare("UPDATE runs SET config = ? WHERE id = ?").run(JSON.stringify(config), row.id);
    return row.id;
  }
  const what = old.command === "study" ? `study "${name}" was started with other settings (${differs.join(", ")} differ)` : `"${name}" is a ${String(old.command ?? "other")} run, not a study`;
  throw new InputError(`${what}: give another --name for a new study, or the options it started with`, { file: db.name });
}

/**
 * Refuses what would fail later — a prior that cannot be had, a reference player that cannot play
 * the game, a models folder that cannot be one — before the study stores anything.
 */
async function checkStudy(game: Game, s: StudySettings, pool: readonly RatedPlayer[], models: string): Promise<void> {
  if (studyArms(s).some((a) => a !== "zero")) await checkPrior(game, s);
  for (const p of pool) {
    try {
      await (await createPlayer(p.spec, game)).close();
    } catch (e) {
      if (e instanceof InputError) throw new InputError(`reference player ${p.spec}: ${e.message}`);
      throw e;
    }
  }
  makeFolder(models);
}

/** Every trained network of a loop run, with the compute spent to make it. */
function runNetworks(db: Db, run: string, arm: string, seed: number, sims: number, gumbel: boolean): CheckpointInfo[] {
  const rows = db
    .prepare(
      `SELECT p.name, p.model_path AS path, p.generation, p.compute, r.id AS runId FROM players p JOIN runs r ON r.id = p.run_id
       WHERE r.name = ? AND p.kind = 'network' AND p.generation IS NOT NULL ORDER BY p.generation`,
    )
    .all(run) as { name: string; path: string; generation: number; compute: string; runId: number }[];
  return rows.map((r) => {
    const c = JSON.parse(r.compute) as { evaluations: number; cpu_seconds: number; wall_seconds: number };
    return { spec: specText({ type: "mcts", model: r.path, simulations: sims, gumbel }), name: r.name, path: r.path, arm, seed, generation: r.generation, runId: r.runId, evaluations: c.evaluations, cpuSeconds: c.cpu_seconds, wallSeconds: c.wall_seconds };
  });
}

/** Runs (or continues) a study; the summary, or null when stopped. */
export async function runStudy(db: Db, o: StudyOptions, onEvent: (e: StudyEvent) => void = () => {}): Promise<StudySummary | null> {
  const s = o.settings;
  checkStudySettings(s);
  const game = parseGameSpec(s.game);
  const { pool, missing } = usablePool(s.rating.pool);
  await checkStudy(game, s, pool, o.models);
  const studyId = studyRun(db, o.name, s);
  const seed = s.seeds[0]!;
  const arms = studyArms(s);
  onEvent({ phase: "start", note: missing.length > 0 ? `reference players left out (GNU Go is not installed at /usr/games/gnugo): ${missing.join(", ")}` : null });

  // The prior.
  let doses: PriorDose[] = [];
  let heldOut: number[] = [];
  if (arms.some((a) => a !== "zero")) {
    const data = await priorData(db, studyId, game, s, seed, o.signal, onEvent);
    if (!data) return null;
    heldOut = data.heldOut;
    const trained = await priorNetworks(db, studyId, o.name, game, s, data, o.models, seed, o.signal, onEvent);
    if (!trained) return null;
    doses = trained;
  }

  // The loops: seed by seed, so a stopped study has its seeds evenly done.
  const runs = s.seeds.length * arms.length;
  let index = 0;
  for (const runSeed of s.seeds) {
    for (const arm of arms) {
      index++;
      const run = armRun(o.name, arm, runSeed);
      // Evaluations of the generations done before this call (the live view's share of the budget).
      let spent = runProgress(db, run).evaluations;
      const summary = await runLoop(
        db,
        {
          ...s.loop,
          ...(arm === "prior-kl" ? { klWeight: s.kl.weight, klHalfLife: s.kl.halfLife } : {}),
          game,
          run,
          models: o.models,
          init: priorModelOf(s, o.models, o.name, arm) ?? undefined,
          blocks: s.blocks,
          filters: s.filters,
          seed: runSeed,
          generations: 100_000,
          budget: s.budget,
          arm,
          workers: o.workers,
          signal: o.signal,
        },
        (event) => {
          if (event.phase === "done") spent += event.report.evaluations;
          onEvent({ phase: "loop", arm, seed: runSeed, event, evaluations: spent, budget: s.budget, runs, run: index });
        },
      );
      if (summary.stopped) return null;
    }
  }

  // Rating: generation 0 and evenly spaced checkpoints of every run.
  const gumbel = s.loop.search === "gumbel";
  const checkpoints: CheckpointInfo[] = [];
  for (const runSeed of s.seeds) for (const arm of arms) checkpoints.push(...pickCheckpoints(runNetworks(db, armRun(o.name, arm, runSeed), arm, runSeed, s.loop.sims, gumbel), s.rating.checkpoints));
  const ratingStart = performance.now(), gamesBefore = ratingGames(db, studyId);
  if (!(await rateCheckpoints(db, studyId, game, s, checkpoints, pool, seed, o.signal, onEvent))) return null;
  // A snapshot of the fit when it has new games (a rerun of a finished study saves none).
  const ratings = studyRatings(db, studyId, game, ratingGames(db, studyId) > gamesBefore || studySnapshot(db, studyId) === null);
  const ratingSeconds = (performance.now() - ratingStart) / 1000;

  // Metrics on the held-out prior games.
  const recorded = heldOutGames(db, heldOut);
  const positions = valuePositions(game, recorded, s.valuePositions, seed);
  const results: CheckpointResult[] = [];
  for (const c of checkpoints) {
    if (o.signal?.aborted) return null;
    onEvent({ phase: "metrics", done: results.length, of: checkpoints.length, player: c.name });
    const r = ratings.get(c.name);
    const m = recorded.length > 0 ? await measureCheckpoint(db, studyId, game, c, recorded, positions, seed) : null;
    results.push({
      arm: c.arm, seed: c.seed, generation: c.generation, player: c.name, evaluations: c.evaluations, cpuSeconds: c.cpuSeconds, wallSeconds: c.wallSeconds,
      elo: r?.elo ?? NaN, ci95: r?.ci95 ?? NaN, games: r?.games ?? 0, accuracy: m?.accuracy ?? null, outcomeMse: m?.outcomeMse ?? null, valueLosing: m?.valueLosing ?? null,
    });
  }
  return summarize(db, studyId, o, game, results, ratings, doses, heldOut.length, pool.map((p) => p.name), ratingSeconds);
}

function summarize(
  db: Db,
  studyId: number,
  o: StudyOptions,
  game: Game,
  checkpoints: CheckpointResult[],
  ratings: Map<string, { elo: number; ci95: number; games: number }>,
  doses: PriorDose[],
  heldOut: number,
  pool: string[],
  ratingSeconds: number,
): StudySummary {
  const s = o.settings;
  const cost = priorCost(db, studyId, s);
  const doseOf = new Map(doses.map((d) => [d.arm, d]));
  const chargeOf = (arm: string): { cpuSeconds: number; wallSeconds: number } => {
    const dose = arm === "prior-kl" ? doses.at(-1) : doseOf.get(arm);
    if (!dose) return { cpuSeconds: 0, wallSeconds: 0 };
    const train = cost.train.get(dose.wanted) ?? { cpu: 0, wall: 0 };
    // A smaller dose of a sweep is charged its share of the data (the largest dose all of it).
    const share = dose.games / Math.max(...doses.map((d) => d.games));
    return { cpuSeconds: share * cost.dataCpu + train.cpu, wallSeconds: share * cost.dataWall + train.wall };
  };
  const fractions = Array.from({ length: 21 }, (_, k) => k / 20);
  const curves = armCurves(checkpoints, s.budget, fractions, chargeOf);
  const answers = armAnswers(checkpoints, s.budget, [0.1, 0.5, 1]);
  const finals = new Map<string, Interval>();
  for (const point of curves) if (point.fraction === 1) finals.set(point.arm, point.elo);
  const reference = pool.map((name) => ({ player: name, ...(ratings.get(name) ?? { elo: NaN, ci95: NaN, games: 0 }) }));
  const teacher = s.prior.source === "human" ? null : specText(parsePlayerSpec(s.prior.source));
  const prior: PriorSummary | null =
    doses.length === 0
      ? null
      : {
          source: s.prior.source,
          description:
            s.prior.source === "human"
              ? `human games imported from ${s.prior.paths.join(", ")}${s.prior.minRank ? ` (players ${s.prior.minRank} or stronger)` : ""}`
              : `games of ${teacher} against itself, played here with up to ${s.prior.openings} random opening move${s.prior.openings === 1 ? "" : "s"}`,
          doses: doses.map((d) => {
            const c = cost.train.get(d.wanted) ?? { cpu: 0, wall: 0 };
            return { arm: d.arm, games: d.games, positions: d.positions, epochs: d.epochs, trainCpuSeconds: c.cpu, trainWallSeconds: c.wall, model: d.model };
          }),
          heldOutGames: heldOut,
          dataCpuSeconds: cost.dataCpu,
          dataWallSeconds: cost.dataWall,
          teacherElo: teacher && ratings.has(teacher) ? { player: teacher, ...ratings.get(teacher)! } : null,
        };
  const words = conclusion(answers, finals, s.seeds.length, s.game);
  if (prior) {
    const g0 = curves.find((p) => p.fraction === 0 && p.arm === (doses.at(-1)?.arm ?? "prior"));
    const priorCpu = chargeOf(doses.at(-1)!.arm).cpuSeconds;
    const loopCpu = curves.find((p) => p.fraction === 1 && p.arm === "zero")?.cpuHours;
    words.push(
      `The prior (${prior.description}; ${doses.map((d) => `${d.games} games`).join(", ")}) cost ${(priorCpu / 60).toFixed(1)} CPU minutes to make and train` +
        (loopCpu ? `, ${((100 * priorCpu) / (loopCpu * 3600)).toFixed(0)}% of an arm's self-play and training` : "") +
        (g0 ? `; the network trained on it (generation 0) rates ${Math.round(g0.elo.value)} ${range(g0.elo).replace(/[+]/g, "")}` : "") +
        (prior.teacherElo ? `, its teacher ${prior.teacherElo.player} ${Math.round(prior.teacherElo.elo)} ± ${Math.round(prior.teacherElo.ci95)}` : "") +
        ".",
    );
  }
  const phases: Record<string, number> = {};
  for (const row of db.prepare("SELECT step, wall_seconds FROM study_steps WHERE run_id = ?").all(studyId) as { step: string; wall_seconds: number }[]) phases[row.step] = row.wall_seconds;
  phases.loops = loopCost(db, o.name).wall;
  phases["rating (this call)"] = ratingSeconds;
  return {
    fossil: { version: "0.1.0", node: process.version, platform: platform(), cpus: availableParallelism() },
    study: o.name,
    createdAt: new Date().toISOString(),
    settings: s,
    anchor: { player: "random", elo: 0 },
    prior,
    reference,
    checkpoints,
    curves,
    answers,
    conclusion: words,
    ratingGames: ratingGames(db, studyId),
    phases,
    replicates: o.replicates ? { study: o.replicates.study, createdAt: o.replicates.createdAt, curves: o.replicates.curves } : null,
  };
}
