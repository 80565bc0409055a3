/**
 * The study: its answer from rated checkpoints (which must be able to say either thing), its
 * settings, and the smoke preset end to end — interrupted, continued by the command, reported,
 * and shown by `fossil status`.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../db/schema.js";
import { armAnswers, armCurves, conclusion, t975 } from "../src/study/analysis.js";
import { parseAmount, studySettings } from "../src/study/settings.js";
import { studyStatus } from "../src/study/status.js";
import { runStudy } from "../src/study/study.js";
import type { CheckpointResult, Interval, StudySummary } from "../src/study/summary.js";
import { runCli } from "./helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "fossil-study-"));

/** A seed's run: Elo at the given evaluations. */
function run(arm: string, seed: number, points: [number, number][], ci95 = 30): CheckpointResult[] {
  return points.map(([evaluations, elo], generation) => ({
    arm, seed, generation, player: `${arm}/${seed}/${generation}`, evaluations, cpuSeconds: evaluations / 100, wallSeconds: evaluations / 50,
    elo, ci95, games: 40, accuracy: null, outcomeMse: null, valueLosing: null,
  }));
}

const finalsOf = (checkpoints: CheckpointResult[], budget: number): Map<string, Interval> =>
  new Map(armCurves(checkpoints, budget, [1], () => ({ cpuSeconds: 0, wallSeconds: 0 })).map((p) => [p.arm, p.elo]));

describe("the study's answer", () => {
  // Prior: 800 -> 900 at 50 -> 1000 at 100. Zero: 0 -> 700 at 50 -> 1200 at 100. They meet where
  // 900 + 2x = 700 + 10x past 50: x = 25, at 75 evaluations.
  const crossing = [
    ...run("prior", 1, [[0, 790], [50, 890], [100, 990]]),
    ...run("prior", 2, [[0, 810], [50, 910], [100, 1010]]),
    ...run("zero", 1, [[0, -10], [50, 690], [100, 1190]]),
    ...run("zero", 2, [[0, 10], [50, 710], [100, 1210]]),
  ];

  it("a prior ahead early that zero overtakes: the gaps, the catch-up point and the words", () => {
    const [answer] = armAnswers(crossing, 100, [0.1, 0.5, 1]);
    expect(answer!.arm).toBe("prior");
    // At 10: prior 820, zero 140.
    expect(answer!.gaps[0]!.gap.value).toBeCloseTo(680, 6);
    expect(answer!.gaps[0]!.gap.low).toBeGreaterThan(0);
    expect(answer!.gaps[2]!.gap.value).toBeCloseTo(-200, 6);
    expect(answer!.catchUp.leader).toBe("arm");
    expect(answer!.catchUp.evaluations!.value).toBe(75);
    // The band: the gap falls 8 Elo per evaluation past 50, its half-width is t(2) x the ratings' error (±30 each).
    const half = t975(2) * Math.sqrt(2 * (30 / 1.959964) ** 2 / 2);
    expect(answer!.catchUp.evaluations!.low).toBeCloseTo(Math.ceil(2 * (75 - half / 8)) / 2, 6);
    expect(answer!.catchUp.evaluations!.high).toBeCloseTo(Math.ceil(2 * (75 + half / 8)) / 2, 6);
    expect(answer!.catchUp.highBeyondBudget).toBe(false);
    const words = conclusion([answer!], finalsOf(crossing, 100), 2, "go:7").join(" ");
    expect(words).toContain("prior is ahead of zero at 10% of the budget by +680 Elo");
    expect(words).toContain("zero first matches it after 75 self-play evaluations (75% of the budget");
    expect(words).toContain("at the full budget prior is behind by −200 Elo");
  });

  it("says the opposite when the numbers point the other way", () => {
    const flipped = crossing.map((c) => ({ ...c, arm: c.arm === "prior" ? "zero" : "prior" }));
    const [answer] = armAnswers(flipped, 100, [0.1, 0.5, 1]);
    expect(answer!.catchUp.leader).toBe("zero");
    expect(answer!.catchUp.evaluations!.value).toBe(75);
    expect(answer!.gaps[0]!.gap.value).toBeCloseTo(-680, 6);
    const words = conclusion([answer!], finalsOf(flipped, 100), 2, "go:7").join(" ");
    expect(words).toContain("prior is behind zero at 10% of the budget by −680 Elo");
    expect(words).toContain("zero led from the start, and prior first matches it after 75 self-play evaluations");
    expect(words).toContain("at the full budget prior is ahead by +200 Elo");
    // Neither catches the other: said as such.
    const apart = [...run("prior", 1, [[0, 500], [100, 900]]), ...run("prior", 2, [[0, 520], [100, 920]]), ...run("zero", 1, [[0, 0], [100, 400]]), ...run("zero", 2, [[0, 20], [100, 420]])];
    const never = armAnswers(apart, 100, [0.1, 1])[0]!;
    expect(never.catchUp).toMatchObject({ leader: "arm", evaluations: null });
    expect(conclusion([never], finalsOf(apart, 100), 2, "go:7").join(" ")).toContain("zero did not catch up within the budget");
  });

  it("calls it level when seeds disagree more than the arms differ, and never narrower than the ratings", () => {
    const noisy = [
      ...run("prior", 1, [[0, 400], [100, 1400]]),
      ...run("prior", 2, [[0, -200], [100, 600]]),
      ...run("zero", 1, [[0, 300], [100, 1300]]),
      ...run("zero", 2, [[0, -300], [100, 500]]),
    ];
    const [answer] = armAnswers(noisy, 100, [0.1, 1]);
    const end = answer!.gaps.at(-1)!.gap;
    expect(end.value).toBeCloseTo(100, 6);
    expect(end.low).toBeLessThan(0);
    expect(conclusion([answer!], finalsOf(noisy, 100), 2, "go:7").join(" ")).toContain("at the full budget the two are level within the intervals (+100 Elo");
    // Identical seeds: the spread between them is 0, the ratings' own error remains (±30 each, t with 2 df).
    const same = [...run("prior", 1, [[0, 100], [100, 200]]), ...run("prior", 2, [[0, 100], [100, 200]]), ...run("zero", 1, [[0, 0], [100, 100]]), ...run("zero", 2, [[0, 0], [100, 100]])];
    const gap = armAnswers(same, 100, [1])[0]!.gaps[0]!.gap;
    const half = t975(2) * Math.sqrt(2 * (30 / 1.959964) ** 2 / 2);
    expect(gap.high - gap.value).toBeCloseTo(half, 6);
  });

  it("with one seed per arm the intervals come from the ratings alone, and it says so", () => {
    const one = [...run("prior", 1, [[0, 500], [100, 600]], 100), ...run("zero", 1, [[0, 0], [100, 900]], 100)];
    const [answer] = armAnswers(one, 100, [1]);
    expect(answer!.gaps[0]!.gap.high - answer!.gaps[0]!.gap.value).toBeCloseTo(1.959964 * Math.sqrt(2) * (100 / 1.959964), 6);
    expect(conclusion([answer!], finalsOf(one, 100), 1, "go:7").join(" ")).toContain("the intervals hold the rating error only");
  });
});

describe("study settings", () => {
  it("takes amounts with suffixes and refuses what is not one", () => {
    expect(parseAmount("8M", "--budget")).toBe(8_000_000);
    expect(parseAmount("2.5e6", "--budget")).toBe(2_500_000);
    expect(parseAmount("500k", "--budget")).toBe(500_000);
    expect(() => parseAmount("lots", "--budget")).toThrow('--budget: "lots" is not an amount');
  });

  it("without GNU Go imitates the built-in teacher and says so; another game gets its own pool and teacher", () => {
    const { settings, notes } = studySettings("quick", {}, false);
    expect(settings.prior.source).toBe("builtin:200");
    expect(notes.join("\n")).toContain("GNU Go is not installed");
    expect(studySettings("quick", {}, true).settings.prior.source).toBe("gnugo:1");
    const c4 = studySettings("quick", { game: "connect4" }, true).settings;
    expect(c4.prior.source).toBe("solver:0.1");
    expect(c4.rating.pool).toEqual(["random", "rollout:50", "rollout:200", "solver:0.5", "solver:0.25", "solver:0.1"]);
    expect(studySettings("quick", { prior: "human:a.sgf,b", priorGames: [500, 2000] }, true).settings.prior).toMatchObject({ source: "human", paths: ["a.sgf", "b"], games: [500, 2000] });

    // int8 self-play is a setting of the loop every arm runs; fp32 leaves the stored settings as before.
    expect(studySettings("quick", { precision: "int8" }, true).settings.loop.precision).toBe("int8");
    expect(studySettings("quick", { precision: "fp32" }, true).settings.loop).toEqual(studySettings("quick", {}, true).settings.loop);
  });

  it("refuses settings it cannot run, naming the option", () => {
    expect(() => studySettings("huge", {}, true)).toThrow('--preset: unknown preset "huge"');
    expect(() => studySettings("quick", { arms: ["prior", "alpha" as never] }, true)).toThrow('--arms: unknown arm "alpha"');
    expect(() => studySettings("quick", { priorGames: [2000, 500] }, true)).toThrow("--prior-games must rise");
    expect(() => studySettings("quick", { seeds: [1, 1] }, true)).toThrow("--seeds: a seed is given twice");
    expect(() => studySettings("quick", { budget: 0 }, true)).toThrow("--budget must be a number of self-play evaluations above 0");
  });
});

describe("the smoke study", () => {
  it("runs end to end: stopped in its second loop, continued by the command to a report; status shows each run", async () => {
    const db = join(dir, "smoke.db"), out = join(dir, "report");
    // The settings the command makes of the preset (full game spec, the teacher in the pool).
    const settings = studySettings("smoke", {}, false).settings;
    const store = openDatabase(db);
    const controller = new AbortController();
    const stopped = await runStudy(store, { name: "smoke", settings, models: join(dir, "smoke-models"), signal: controller.signal }, (e) => {
      if (e.phase === "loop" && e.run === 2 && e.event.phase === "train" && e.event.generation === 1) controller.abort();
    });
    expect(stopped).toBeNull();
    const status = studyStatus(store)[0]!;
    expect(status.steps.map((s) => [s.step, s.done])).toEqual([["prior-data", true], [`prior-train@${settings.prior.games[0]}`, true]]);
    expect(status.runs.map((r) => [r.arm, r.seed, r.done])).toEqual([["prior", 1, true], ["zero", 1, false], ["prior", 2, false], ["zero", 2, false]]);
    expect(status.runs[1]!.generations).toBe(1);
    store.close();

    const r = runCli(["study", "--preset", "smoke", "--db", db, "--out", out]);
    expect(r.stderr).not.toContain("    at ");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("On go:6:tromp-taylor:4 with 2 seeds per arm, prior");
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as StudySummary;
    expect(existsSync(join(out, "index.html"))).toBe(true);
    expect(new Set(summary.checkpoints.map((c) => `${c.arm}/s${c.seed}`))).toEqual(new Set(["prior/s1", "zero/s1", "prior/s2", "zero/s2"]));
    for (const c of summary.checkpoints) {
      expect(Number.isFinite(c.elo) && Number.isFinite(c.ci95)).toBe(true);
      expect(c.accuracy!.value).toBeGreaterThanOrEqual(0);
      expect(c.accuracy!.value).toBeLessThanOrEqual(1);
    }
    // Generation 0 of each run is rated, at no compute spent (the prior's weights under each run's name).
    const g0 = summary.checkpoints.filter((c) => c.generation === 0);
    expect(g0.map((c) => [c.arm, c.seed, c.evaluations])).toEqual([["prior", 1, 0], ["zero", 1, 0], ["prior", 2, 0], ["zero", 2, 0]]);
    // Each run reached the budget, and its last checkpoint is its last network.
    for (const c of summary.checkpoints.filter((x) => x.generation > 0)) expect(c.evaluations).toBeGreaterThan(0);
    expect(summary.reference.find((p) => p.player === "random")!.elo).toBe(0);
    expect(summary.prior!.teacherElo!.player).toBe(settings.prior.source);
    expect(summary.curves.length).toBe(2 * 21);
    expect(summary.answers.map((a) => a.arm)).toEqual(["prior"]);

    const after = openDatabase(db, { readonly: true });
    const counts = (d: typeof after) => d.prepare("SELECT source, count(*) AS n FROM games GROUP BY source ORDER BY source").all();
    const before = counts(after);
    expect(studyStatus(after)[0]!.runs.every((x) => x.done)).toBe(true);
    after.close();
    const shown = runCli(["status", "--db", db]);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toMatch(/zero s2 +done: \d+ generations/);
    // Again: nothing left to do, nothing played twice, the same report.
    const again = runCli(["study", "--preset", "smoke", "--db", db, "--out", out]);
    expect(again.status).toBe(0);
    const reopened = openDatabase(db, { readonly: true });
    expect(counts(reopened)).toEqual(before);
    reopened.close();
    expect(again.stdout.split("\n")[1]).toBe(r.stdout.split("\n")[1]);

    // Replicated in another database from its summary: the same settings, its curves drawn beside the new ones.
    const copy = join(dir, "replica");
    const replica = runCli(["study", "--replicate", join(out, "summary.json"), "--db", join(dir, "replica.db"), "--out", copy]);
    expect(replica.stderr).toContain('replicating study "smoke"');
    expect(replica.status).toBe(0);
    const replicated = JSON.parse(readFileSync(join(copy, "summary.json"), "utf8")) as StudySummary;
    expect(replicated.settings).toEqual(summary.settings);
    expect(replicated.replicates!.curves).toEqual(summary.curves);
    // Seeded: the same networks (named by content), the same rating games, the same ratings — though the first was interrupted.
    const rated = (x: StudySummary) => x.checkpoints.map((c) => [c.player, c.elo.toFixed(6), c.games, c.accuracy!.value]);
    expect(rated(replicated)).toEqual(rated(summary));
    expect(readFileSync(join(copy, "elo-evaluations.svg"), "utf8")).toContain("prior (replicated study)");
  }, 300_000);

  it("refuses a study of the same name with other settings, and a bad replicate file, in one line", () => {
    const db = join(dir, "smoke.db");
    const r = runCli(["study", "--preset", "smoke", "--budget", "60k", "--db", db, "--out", join(dir, "other")]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`fossil: ${db}: study "smoke" was started with other settings (budget differ): give another --name`);
    expect(r.stderr).toContain("give another --name");
    expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(3);
    // A prior that cannot be had is refused before the study stores its settings.
    const fresh = join(dir, "fresh.db");
    const missing = runCli(["study", "--preset", "smoke", "--prior", `human:${join(dir, "no-such-games")}`, "--db", fresh, "--out", join(dir, "none")]);
    expect(missing.stderr).toContain(`fossil: ${join(dir, "no-such-games")}: no such file or folder of human games (--prior human:PATH)`);
    expect(missing.status).toBe(2);
    expect(runCli(["status", "--db", fresh]).stdout).toBe(`no study in ${fresh} (start one with fossil study --db ${fresh})\n`);
    const bad = join(dir, "bad.json");
    const w = runCli(["study", "--replicate", bad, "--db", join(dir, "x.db")]);
    expect(w.status).not.toBe(0);
    expect(w.stderr).toContain("cannot read the study summary");
    expect(w.stderr).not.toContain("    at ");
    writeFileSync(bad, JSON.stringify({ study: "x", curves: [], settings: { preset: "x", game: "go:7", arms: ["prior"], seeds: [1] } }));
    const shapeless = runCli(["study", "--replicate", bad, "--db", join(dir, "x.db")]);
    expect(shapeless.stderr).toBe(`fossil: ${bad}: not a study summary fossil can rerun: the study settings have no valid valuePositions\n`);
    expect(shapeless.status).toBe(2);
  });
});
