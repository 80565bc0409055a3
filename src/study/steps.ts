/**
 * A study's steps outside the loops (`study_steps`): each is done once, and what every attempt at
 * it cost — CPU of fossil and of the engines it ran, wall clock — is added up, so an interrupted
 * step's work is charged too.
 */
import { readFileSync } from "node:fs";
import type { Db } from "../../db/schema.js";

export interface StepRow {
  step: string;
  cpu_seconds: number;
  wall_seconds: number;
  info: string | null;
  done_at: string | null;
}

export function stepRow(db: Db, studyId: number, step: string): StepRow | undefined {
  return db.prepare("SELECT step, cpu_seconds, wall_seconds, info, done_at FROM study_steps WHERE run_id = ? AND step = ?").get(studyId, step) as StepRow | undefined;
}

export function stepInfo<T>(db: Db, studyId: number, step: string): T | null {
  const row = stepRow(db, studyId, step);
  return row?.done_at && row.info ? (JSON.parse(row.info) as T) : null;
}

/** CPU seconds of this process and of its finished child processes (GNU Go engines): Linux's /proc, else this process alone. */
export function cpuSecondsWithChildren(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    // Fields after the command name: state is field 3; cutime and cstime are fields 16 and 17, in clock ticks (100 a second on Linux).
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    children = (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    children = 0;
  }
  return (own.user + own.system) / 1e6 + (Number.isFinite(children) ? children : 0);
}

/**
 * Runs `work` as step `step` of the study unless it is done: its cost is added to the step's row
 * as it goes (`charge`, which long work calls now and then, so that even a killed attempt is
 * mostly charged) and when it ends, whether it finishes or stops; `finished` says whether it did
 * (then `info` is stored and the step marked done). Returns the stored info of the done step.
 */
export async function runStep<T>(db: Db, studyId: number, step: string, work: (charge: () => void) => Promise<{ finished: boolean; info: T }>): Promise<{ info: T | null; done: boolean }> {
  const done = stepInfo<T>(db, studyId, step);
  if (done !== null) return { info: done, done: true };
  db.prepare("INSERT INTO study_steps (run_id, step) VALUES (?, ?) ON CONFLICT DO NOTHING").run(studyId, step);
  const add = db.prepare("UPDATE study_steps SET cpu_seconds = cpu_seconds + ?, wall_seconds = wall_seconds + ? WHERE run_id = ? AND step = ?");
  let cpu = cpuSecondsWithChildren(), wall = performance.now(), last = wall;
  const charge = (force = false): void => {
    const now = performance.now();
    if (!force && now - last < 5000) return;
    const c = cpuSecondsWithChildren();
    add.run(c - cpu, (now - wall) / 1000, studyId, step);
    [cpu, wall, last] = [c, now, now];
  };
  let result: { finished: boolean; info: T } | null = null;
  try {
    result = await work(() => charge());
    return { info: result.finished ? result.info : null, done: result.finished };
  } finally {
    charge(true);
    if (result?.finished) db.prepare("UPDATE study_steps SET info = ?, done_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE run_id = ? AND step = ?").run(JSON.stringify(result.info), studyId, step);
  }
}
