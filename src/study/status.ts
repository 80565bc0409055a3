/** Where each study in a database stands (`fossil status`): the prior's steps, each arm and seed's loop, the rating, the metrics. */
import type { Db } from "../../db/schema.js";
import { runProgress } from "../train/generations.js";
import { amount } from "./analysis.js";
import { studyArms } from "./prior.js";
import { ratingGames, studySnapshot } from "./rating.js";
import type { StudySettings } from "./settings.js";

export interface RunStatus {
  arm: string;
  seed: number;
  /** Generations trained, self-play evaluations of those, and whether the budget is reached. */
  generations: number;
  evaluations: number;
  done: boolean;
  /** The latest network's Elo in the latest rating snapshot, if rated. */
  latestElo: number | null;
}

export interface StudyStatus {
  study: string;
  settings: StudySettings;
  steps: { step: string; done: boolean; cpuSeconds: number; wallSeconds: number }[];
  runs: RunStatus[];
  ratingGames: number;
  measured: number;
  lines: string[];
}

/** CPU and wall seconds of a study's loops so far: self-play and training of every generation of its runs. */
export function loopCost(db: Db, study: string): { cpu: number; wall: number } {
  return db
    .prepare(
      `SELECT coalesce(sum(g.selfplay_cpu_seconds + coalesce(g.train_cpu_seconds, 0)), 0) AS cpu,
              coalesce(sum(g.selfplay_wall_seconds + coalesce(g.train_wall_seconds, 0)), 0) AS wall
       FROM generations g JOIN runs r ON r.id = g.run_id WHERE r.name LIKE ? ESCAPE '\\'`,
    )
    .get(`${study.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`) as { cpu: number; wall: number };
}

/** The names of the studies in a database, oldest first. */
export function studyNames(db: Db): string[] {
  return db.prepare("SELECT name FROM runs WHERE json_extract(config, '$.command') = 'study' ORDER BY id").pluck().all() as string[];
}

export function studyStatus(db: Db): StudyStatus[] {
  const studies = db.prepare("SELECT id, name, config FROM runs ORDER BY id").all() as { id: number; name: string; config: string }[];
  const out: StudyStatus[] = [];
  for (const row of studies) {
    const config = JSON.parse(row.config) as { command?: string } & StudySettings;
    if (config.command !== "study") continue;
    const settings = config;
    const steps = (db.prepare("SELECT step, done_at, cpu_seconds, wall_seconds FROM study_steps WHERE run_id = ? ORDER BY rowid").all(row.id) as { step: string; done_at: string | null; cpu_seconds: number; wall_seconds: number }[]).map((s) => ({
      step: s.step,
      done: s.done_at !== null,
      cpuSeconds: s.cpu_seconds,
      wallSeconds: s.wall_seconds,
    }));
    const runs: RunStatus[] = [];
    for (const seed of settings.seeds) {
      for (const arm of studyArms(settings)) {
        const g = runProgress(db, `${row.name}/${arm}/s${seed}`);
        const elo = g.last === null ? undefined : (db
          .prepare(
            `SELECT r.elo FROM ratings r JOIN players p ON p.id = r.player_id JOIN runs u ON u.id = p.run_id
             WHERE u.name = ? AND r.snapshot_id = ? ORDER BY p.generation DESC LIMIT 1`,
          )
          .pluck()
          .get(`${row.name}/${arm}/s${seed}`, studySnapshot(db, row.id)) as number | undefined);
        runs.push({ arm, seed, generations: g.generations, evaluations: g.evaluations, done: g.evaluations >= settings.budget, latestElo: elo ?? null });
      }
    }
    const rated = ratingGames(db, row.id);
    const measured = db.prepare("SELECT count(*) FROM checkpoint_metrics WHERE run_id = ?").pluck().get(row.id) as number;
    const lines = [`study "${row.name}" (preset ${settings.preset}): ${settings.game}, ${amount(settings.budget)} self-play evaluations per arm and seed`];
    for (const s of steps) lines.push(`  ${s.step.padEnd(18)} ${s.done ? "done" : "unfinished"}, ${(s.cpuSeconds / 60).toFixed(1)} CPU min, ${(s.wallSeconds / 60).toFixed(1)} min`);
    for (const r of runs) {
      const state = r.done ? "done" : r.generations > 0 ? "in progress" : "not started";
      lines.push(`  ${`${r.arm} s${r.seed}`.padEnd(18)} ${state}: ${r.generations} generations, ${amount(r.evaluations)} evaluations (${Math.min(100, (100 * r.evaluations) / settings.budget).toFixed(0)}%)${r.latestElo === null ? "" : `, latest rated Elo ${Math.round(r.latestElo)}`}`);
    }
    lines.push(`  rating             ${rated}/${settings.rating.games} games; metrics of ${measured} networks`);
    out.push({ study: row.name, settings, steps, runs, ratingGames: rated, measured, lines });
  }
  return out;
}
