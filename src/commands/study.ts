/** `fossil study [--preset quick] [--game ...] [--seeds K] [--budget N] [--prior ...] [--arms ...] --db FILE --out DIR` and `fossil status --db FILE` (src/study/). */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ArgumentsCamelCase, Argv } from "yargs";
import { InputError } from "../../core/errors.js";
import { makeFolder } from "../../core/files.js";
import { openDatabase } from "../../db/schema.js";
import { GNUGO } from "../../selfplay/spec.js";
import { onInterrupt } from "../interrupt.js";
import { defaultModels, wholeNumber } from "../options.js";
import { amount } from "../study/analysis.js";
import { checkStudySettings, parseAmount, PRESETS, studySettings, type ArmKind, type StudySettings } from "../study/settings.js";
import { studyStatus } from "../study/status.js";
import { runStudy, type StudyEvent } from "../study/study.js";
import type { StudySummary } from "../study/summary.js";
import { clock } from "../progress.js";

interface StudyArgs {
  preset: string;
  game?: string;
  seeds?: string;
  budget?: string;
  prior?: string;
  priorGames?: string;
  arms?: string;
  precision?: "fp32" | "int8";
  db: string;
  out: string;
  name?: string;
  models?: string;
  workers?: number;
  replicate?: string;
}

/** A list of whole numbers ("1,2,3"), or K meaning 1..K for seeds. */
function numbers(text: string, what: string, example: string): number[] {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.some((p) => !/^\d+[kKmM]?$/.test(p))) throw new InputError(`${what}: "${text}" is not a list of whole numbers (e.g. ${example})`);
  return parts.map((p) => parseAmount(p, what));
}

/** The study's settings from the command line, or from a published summary (`--replicate`). */
function settingsOf(args: StudyArgs): { settings: StudySettings; notes: string[]; replicates: StudySummary | null } {
  if (args.replicate) {
    const given = ["game", "seeds", "budget", "prior", "priorGames", "arms"].filter((k) => args[k as keyof StudyArgs] !== undefined);
    if (given.length > 0) throw new InputError(`--replicate reruns a study with its own settings: drop ${given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")}`);
    let summary: StudySummary;
    try {
      summary = JSON.parse(readFileSync(args.replicate, "utf8")) as StudySummary;
    } catch (e) {
      throw new InputError(`cannot read the study summary: ${(e as Error).message.split("\n")[0]}`, { file: args.replicate });
    }
    if (typeof summary !== "object" || summary === null || !Array.isArray(summary.curves) || typeof summary.study !== "string") throw new InputError("not a fossil study summary (summary.json of a report): no study name or curves", { file: args.replicate });
    try {
      checkStudySettings(summary.settings);
    } catch (e) {
      if (e instanceof InputError) throw new InputError(`not a study summary fossil can rerun: ${e.message}`, { file: args.replicate });
      throw e;
    }
    return { settings: summary.settings, notes: [`replicating study "${summary.study}" of ${summary.createdAt} with its settings (preset ${summary.settings.preset})`], replicates: summary };
  }
  let seeds: number[] | undefined;
  if (args.seeds !== undefined) {
    if (/^\d+$/.test(args.seeds.trim())) {
      const count = Number(args.seeds);
      if (count > 100) throw new InputError(`--seeds: at most 100 seeds, got ${args.seeds}`);
      seeds = Array.from({ length: count }, (_, k) => k + 1);
    } else seeds = numbers(args.seeds, "--seeds", "3, or 1,2,5");
  }
  if (seeds && seeds.length === 0) throw new InputError("--seeds: at least one seed");
  const { settings, notes } = studySettings(
    args.preset,
    {
      game: args.game,
      seeds,
      budget: args.budget === undefined ? undefined : parseAmount(args.budget, "--budget"),
      prior: args.prior,
      priorGames: args.priorGames === undefined ? undefined : numbers(args.priorGames, "--prior-games", "500,2000,8000"),
      arms: args.arms === undefined ? undefined : (args.arms.split(",").map((a) => a.trim()) as ArmKind[]),
      precision: args.precision,
    },
    existsSync(GNUGO),
  );
  return { settings, notes, replicates: null };
}

/** The live view: one line redrawn in place on a terminal; on a pipe, a line per finished generation, phase or run. */
class StudyView {
  private readonly tty = Boolean(process.stderr.isTTY);
  private readonly start = performance.now();
  private last = 0;
  private lastKey = "";
  /** Loop progress over all runs, for the ETA: evaluations done now and when this call began. */
  private loopStart: { at: number; done: number } | null = null;
  /** The self-play phase shown: its run and generation, when it began and the games stored then. */
  private selfplay = { key: "", at: 0, games: 0 };

  constructor(
    private readonly settings: StudySettings,
    /** Said once the study's checks pass: the notes on its settings, then what it is. */
    private readonly opening: string[],
  ) {}

  private show(text: string, permanent: boolean): void {
    if (this.tty) {
      const now = performance.now();
      if (!permanent && now - this.last < 250) return;
      this.last = now;
      process.stderr.write(`\r${text.slice(0, (process.stderr.columns ?? 160) - 1)}\x1b[K${permanent ? "\n" : ""}`);
    } else if (permanent) process.stderr.write(`${text}\n`);
  }

  event(e: StudyEvent): void {
    const elapsed = clock((performance.now() - this.start) / 1000);
    switch (e.phase) {
      case "start":
        for (const line of [...this.opening, ...(e.note ? [e.note] : [])]) this.show(line, true);
        return;
      case "prior-data": {
        // On a pipe: a line per tenth of the games.
        const key = `data:${Math.floor((10 * e.done) / Math.max(1, e.of))}`;
        this.show(`[prior] ${this.settings.prior.source} games ${e.done}/${e.of}, ${elapsed}`, key !== this.lastKey);
        this.lastKey = key;
        return;
      }
      case "prior-train": {
        const key = `train:${e.arm}:${e.epoch}`;
        this.show(`[prior] training ${e.arm}: epoch ${e.epoch}/${e.epochs}, ${e.samples} samples, loss ${e.loss.toFixed(3)}, ${elapsed}`, e.epoch > 0 && key !== this.lastKey);
        this.lastKey = key;
        return;
      }
      case "loop": {
        const s = this.settings;
        const total = s.budget * e.runs;
        const current = e.event.phase === "selfplay" ? e.evaluations + e.event.evaluations : e.evaluations;
        const done = (e.run - 1) * s.budget + Math.min(s.budget, current);
        this.loopStart ??= { at: performance.now(), done };
        const seconds = (performance.now() - this.loopStart.at) / 1000;
        const rate = seconds > 5 ? (done - this.loopStart.done) / seconds : 0;
        const eta = rate > 0 ? clock((total - done) / rate) : "?";
        const head = `[${e.arm} s${e.seed}, run ${e.run}/${e.runs}]`;
        const budget = `budget ${Math.min(100, (100 * current) / s.budget).toFixed(0)}% of ${amount(s.budget)}`;
        const ev = e.event;
        if (ev.phase === "selfplay") {
          const key = `${e.run}:${ev.generation}`;
          if (key !== this.selfplay.key) this.selfplay = { key, at: performance.now(), games: ev.games };
          const seconds = (performance.now() - this.selfplay.at) / 1000;
          const speed = seconds > 1 ? `, ${((ev.games - this.selfplay.games) / seconds).toFixed(1)} games/s` : "";
          this.show(`${head} generation ${ev.generation} self-play ${ev.games}/${ev.of} games${speed}, ${budget}, study ${elapsed}, loops ETA ${eta}`, false);
        }
        else if (ev.phase === "train") this.show(`${head} generation ${ev.generation} training ${ev.samples}/${ev.of} samples, loss ${ev.loss.toFixed(3)}, ${budget}, loops ETA ${eta}`, false);
        else {
          const r = ev.report;
          this.show(`${head} generation ${r.generation} done: ${r.games} games (${r.meanLength.toFixed(0)} moves), policy loss ${r.policyLoss.toFixed(3)}, value loss ${r.valueLoss.toFixed(3)}, ${budget}, study ${elapsed}, loops ETA ${eta}`, !this.tty);
        }
        return;
      }
      case "rating": {
        // On a pipe: a line per hundred games.
        const key = `rating:${Math.floor(e.games / 100)}`;
        this.show(`[rating] ${e.games}/${e.of} games, last ${short(e.player)} vs ${short(e.opponent)}${Number.isFinite(e.widest) ? `, widest ±${Math.round(e.widest)} Elo` : ""}, ${elapsed}`, !this.tty && key !== this.lastKey);
        this.lastKey = key;
        return;
      }
      case "metrics":
        this.show(`[metrics] ${e.done}/${e.of} networks on the held-out prior games, ${elapsed}`, e.done + 1 >= e.of);
        return;
    }
  }
}

const short = (name: string): string => name.replace(/^mcts:(.*)@([0-9a-f]{6})[0-9a-f]*:/, "$1@$2:");

export const studyCommand = {
  builder: (y: Argv) =>
    y
      .option("preset", { type: "string", default: "quick", requiresArg: true, describe: `the study's settings: ${Object.keys(PRESETS).join(", ")} (README: what each takes and how long)` })
      .option("game", { type: "string", requiresArg: true, describe: "game spec (default: the preset's, e.g. go:7)" })
      .option("seeds", { type: "string", requiresArg: true, describe: "seeds per arm: K (seeds 1..K) or a list 1,2,5" })
      .option("budget", { type: "string", requiresArg: true, describe: "self-play network evaluations per arm and seed (e.g. 8M)" })
      .option("prior", { type: "string", requiresArg: true, describe: "the prior's games: gnugo[:LEVEL] | builtin[:N] | solver[:ERROR] | human:PATH[,PATH] (default: GNU Go where installed, else the built-in teacher)" })
      .option("prior-games", { type: "string", requiresArg: true, describe: "prior games to train on; a list (500,2000,8000) sweeps the dose" })
      .option("arms", { type: "string", requiresArg: true, describe: "arms: prior,zero[,prior-kl]" })
      .option("precision", { type: "string", choices: ["fp32", "int8"] as const, describe: "self-play precision of every arm (default fp32): int8 plays each checkpoint's quantised model where it passes the accuracy gate" })
      .option("db", { type: "string", requiresArg: true, default: "fossil.db", describe: "the study's database (games, samples, ratings)" })
      .option("out", { type: "string", requiresArg: true, default: "fossil-report", describe: "report folder (index.html, figures, summary.json)" })
      .option("name", { type: "string", requiresArg: true, describe: "the study's name in the database (default: the preset's)" })
      .option("models", { type: "string", requiresArg: true, describe: "folder of the networks (default: <db>-models beside the database)" })
      .option("workers", { type: "number", describe: "self-play worker threads (default: cores)", coerce: wholeNumber("workers", 1, 64) })
      .option("replicate", { type: "string", requiresArg: true, describe: "summary.json of a published study: rerun its settings and draw its curves beside the new ones" }),
  handler: async (args: ArgumentsCamelCase<StudyArgs>) => {
    const { settings, notes, replicates } = settingsOf(args);
    const name = args.name ?? replicates?.study ?? settings.preset;
    if (resolve(args.out) === resolve(args.db)) throw new InputError(`--out ${args.out} is the database`);
    // The report's folder is made now: a path that cannot be one is refused before hours of work.
    makeFolder(args.out);
    const db = openDatabase(args.db);
    const banner = `study "${name}": ${settings.game}, arms ${settings.arms.join(", ")}, seeds ${settings.seeds.join(", ")}, ${amount(settings.budget)} self-play evaluations each; database ${args.db}`;
    const view = new StudyView(settings, [...notes, banner]);
    const interrupt = onInterrupt(() => `everything finished is kept in ${args.db}; run the same command again to continue study "${name}" (fossil status --db ${args.db} shows where it stands)`);
    try {
      const summary = await runStudy(db, { name, settings, models: args.models ?? defaultModels(args.db), workers: args.workers, signal: interrupt.signal, replicates }, (e) => view.event(e));
      interrupt.finish();
      if (!summary) return;
      const { writeReport } = await import("../study/report.js");
      await writeReport(summary, args.out);
      process.stdout.write(`\n${summary.conclusion.join("\n")}\n\nreport: ${join(args.out, "index.html")}\n`);
    } finally {
      interrupt.dispose();
      db.close();
    }
  },
};

export const statusCommand = {
  builder: (y: Argv) => y.option("db", { type: "string", requiresArg: true, default: "fossil.db", describe: "a study's database" }).option("json", { type: "boolean", default: false, describe: "print JSON" }),
  handler: (args: ArgumentsCamelCase<{ db: string; json: boolean }>) => {
    if (!existsSync(args.db)) throw new InputError("no such database", { file: args.db });
    const db = openDatabase(args.db, { readonly: true });
    try {
      const status = studyStatus(db);
      if (args.json) process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
      else if (status.length === 0) process.stdout.write(`no study in ${args.db} (start one with fossil study --db ${args.db})\n`);
      else for (const s of status) process.stdout.write(`${s.lines.join("\n")}\n`);
    } finally {
      db.close();
    }
  },
};
