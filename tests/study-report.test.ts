/**
 * A study's report from a small synthetic summary: summary.json, the SVG figures (drawn with
 * Vega-Lite from the data, skipped when their data is absent) and index.html, self-contained and
 * escaped.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeReport } from "../src/study/report.js";
import { PRESETS } from "../src/study/settings.js";
import type { CheckpointResult, CurvePoint, Interval, StudySummary } from "../src/study/summary.js";

const root = mkdtempSync(join(tmpdir(), "fossil-report-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// The smoke preset, with the game and budget the assertions below name.
const BUDGET = 40_000;
const SETTINGS = { ...PRESETS.smoke!, game: "go:5", budget: BUDGET };
const WEIRD = `prior-s1-g2 <best> & "co"`;
const HEADLINE = "The prior arm leads zero by 123 Elo at half the budget, and zero catches up at 24.0k evaluations.";

const iv = (value: number, spread: number): Interval => ({ value, low: value - spread, high: value + spread });

interface Metrics {
  accuracy: boolean;
  valueLosing: boolean;
}

function curve(arm: string, fraction: number, elo: number, m: Metrics): CurvePoint {
  const cpuHours = 0.5 * fraction;
  const wallHours = 0.2 * fraction;
  const prior = arm === "prior";
  return {
    arm,
    fraction,
    evaluations: fraction * BUDGET,
    cpuHours,
    wallHours,
    cpuHoursCharged: prior ? cpuHours + 0.1 : cpuHours,
    wallHoursCharged: prior ? wallHours + 0.05 : wallHours,
    elo: iv(elo, 40),
    seeds: 2,
    accuracy: m.accuracy ? iv(prior ? 0.4 + 0.05 * fraction : 0.05 + 0.2 * fraction, 0.03) : null,
    outcomeMse: iv(prior ? 0.6 - 0.1 * fraction : 0.9 - 0.3 * fraction, 0.05),
    valueLosing: m.valueLosing ? iv(prior ? 0.2 - 0.1 * fraction : 0.5 - 0.3 * fraction, 0.04) : null,
  };
}

function checkpoint(arm: string, seed: number, generation: number, elo: number, m: Metrics): CheckpointResult {
  return {
    arm,
    seed,
    generation,
    player: arm === "prior" && seed === 1 && generation === 2 ? WEIRD : `${arm}-s${seed}-g${generation}`,
    evaluations: generation * 10_000,
    cpuSeconds: generation * 450,
    wallSeconds: generation * 180,
    elo,
    ci95: 55,
    games: 30,
    accuracy: m.accuracy ? iv(0.4321, 0.03) : null,
    outcomeMse: iv(0.5678, 0.05),
    valueLosing: m.valueLosing ? iv(0.1234, 0.02) : null,
  };
}

function summary(m: Metrics = { accuracy: true, valueLosing: true }): StudySummary {
  const eloPrior = [300, 420, 520];
  const eloZero = [0, 297, 560];
  const fractions = [0, 0.5, 1];
  return {
    fossil: { version: "0.1.0", node: "v20.19.0", platform: "linux-x64", cpus: 2 },
    study: "synthetic",
    createdAt: "2025-01-02T03:04:05.000Z",
    settings: SETTINGS,
    anchor: { player: "random", elo: 0 },
    prior: {
      source: "builtin:20",
      description: "imitates the builtin player with 20 simulations",
      doses: [{ arm: "prior", games: 60, positions: 1234, epochs: 1, trainCpuSeconds: 321, trainWallSeconds: 120, model: "prior.onnx" }],
      heldOutGames: 10,
      dataCpuSeconds: 4567,
      dataWallSeconds: 900,
      teacherElo: { player: "builtin:20", elo: 250, ci95: 30, games: 40 },
    },
    reference: [
      { player: "random", elo: 0, ci95: 0, games: 120 },
      { player: "rollout:20", elo: 387, ci95: 41, games: 120 },
    ],
    checkpoints: [1, 2].flatMap((seed) =>
      [0, 2, 4].flatMap((generation) => [
        checkpoint("prior", seed, generation, 300 + 50 * generation + seed, m),
        checkpoint("zero", seed, generation, 60 * generation - seed, m),
      ]),
    ),
    curves: fractions.flatMap((f, k) => [curve("prior", f, eloPrior[k]!, m), curve("zero", f, eloZero[k]!, m)]),
    answers: [
      {
        arm: "prior",
        gaps: [
          { fraction: 0.1, evaluations: 4000, gap: { value: 287.4, low: 210.2, high: 350.6 } },
          { fraction: 0.5, evaluations: 20_000, gap: { value: 123.2, low: 45.1, high: 200.8 } },
          { fraction: 1, evaluations: 40_000, gap: { value: -40.4, low: -120.3, high: 39.5 } },
        ],
        catchUp: { leader: "arm", evaluations: { value: 24_000, low: 16_000, high: 32_000 }, fraction: 0.6, highBeyondBudget: false },
        final: { value: 520, low: 480, high: 560 },
      },
    ],
    conclusion: [HEADLINE, "Charged with the prior's cost, the prior arm is ahead only briefly."],
    ratingGames: 600,
    phases: { prior: 95, selfplay: 1800, rating: 420 },
  };
}

async function report(s: StudySummary, name: string) {
  const dir = join(root, name);
  const { files } = await writeReport(s, dir);
  const read = (file: string): string => readFileSync(join(dir, file), "utf8");
  return { dir, files, read };
}

/** index.html without the SVG namespace declarations: what is left must name no address. */
const addresses = (html: string): string[] => html.replace(/\sxmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, "").match(/https?:\/\/[^\s"'<>]*/g) ?? [];

describe("writeReport", () => {
  it("writes summary.json, every figure as SVG and a self-contained index.html", async () => {
    const s = summary();
    const { dir, files, read } = await report(s, "full");
    const names = ["summary.json", "elo-evaluations.svg", "elo-cpu.svg", "elo-wall.svg", "prediction.svg", "outcome-error.svg", "value-losing.svg", "index.html"];
    expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual([...names].sort());
    for (const name of names) expect(existsSync(join(dir, name))).toBe(true);
    expect(JSON.parse(read("summary.json"))).toEqual(s);

    for (const name of names.filter((n) => n.endsWith(".svg"))) {
      const svg = read(name);
      expect(svg.startsWith("<svg")).toBe(true);
      expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
      expect(svg).not.toMatch(/NaN|undefined/);
    }
    // Elo against evaluations: axis titles, compact tick labels, the reference players' labels, the arms' legend.
    const evals = read("elo-evaluations.svg");
    expect(evals).toContain(">self-play network evaluations<");
    expect(evals).toContain(">Elo (random = 0)<");
    expect(evals).toContain(">20k<");
    expect(evals).toContain(">rollout:20<");
    expect(evals).toContain(">random<");
    expect(evals).toContain(">prior<");
    expect(evals).toContain(">zero<");
    expect(evals).not.toContain("cost charged");
    // The arm keeps its colour: prior is the first colour, zero the second, in every Elo figure.
    for (const name of ["elo-evaluations.svg", "elo-cpu.svg", "elo-wall.svg"]) {
      expect(read(name)).toContain('stroke="#4c78a8"');
      expect(read(name)).toContain('stroke="#f58518"');
    }
    // CPU and wall hours: the prior arm's charged series (zero's cost is the same either way).
    const cpu = read("elo-cpu.svg");
    expect(cpu).toContain(">CPU hours (self-play and training)<");
    expect(cpu).toMatch(/>prior, prior(&#39;|'|&apos;)s cost charged</);
    expect(cpu).not.toMatch(/>zero, prior/);
    expect(cpu).toContain(">rollout:20<");
    expect(read("elo-wall.svg")).toContain(">wall-clock hours<");
    expect(read("elo-wall.svg")).toMatch(/>prior, prior(&#39;|'|&apos;)s cost charged</);
    expect(read("prediction.svg")).toContain(">top-1 move prediction (%)<");
    expect(read("prediction.svg")).toMatch(/>\d+%</);
    expect(read("outcome-error.svg")).toContain(">outcome mean squared error<");
    expect(read("value-losing.svg")).toContain(">value-losing moves (%)<");

    const html = read("index.html");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain("<h1>fossil study: synthetic</h1>");
    expect(html).toContain("go:5 · preset smoke · arms prior, zero · seeds 1, 2 · budget 40.0k evaluations per arm and seed");
    expect(html).toContain(`<strong>${HEADLINE}</strong>`);
    expect(html).toContain("Charged with the prior&#39;s cost, the prior arm is ahead only briefly.");
    // The answers: gaps, catch-up, final Elo, in the same interval format.
    expect(html).toContain("+287 [210, 351]");
    expect(html).toContain("+123 [45, 201]");
    expect(html).toContain("-40 [-120, 40]");
    expect(html).toContain("zero matches it at 24.0k evaluations [16.0k, 32.0k] (60% of the budget)");
    expect(html).toContain("520 [480, 560]");
    expect(html).toContain("560 [520, 600]"); // zero's final Elo, the baseline row
    // Every figure inlined once, with its caption, in order.
    expect(html.match(/<svg/g)?.length).toBe(6);
    expect(html).toContain("bands are 95% intervals over the seeds");
    const at = (text: string): number => html.indexOf(text);
    expect(at("The answer")).toBeLessThan(at("elo-evaluations.svg"));
    expect(at("elo-evaluations.svg")).toBeLessThan(at("elo-cpu.svg"));
    expect(at("value-losing.svg")).toBeLessThan(at("<h2>The prior</h2>"));
    // The prior, the reference players, the checkpoints, the settings.
    expect(html).toContain("<code>builtin:20</code>");
    expect(html).toContain("4,567 CPU s");
    expect(html).toContain("rates 250 ± 30 Elo");
    expect(html).toContain("<td>rollout:20</td><td class=\"n\">387</td><td class=\"n\">41</td><td class=\"n\">120</td>");
    expect(html).toContain("Elo anchored at random = 0.");
    expect(html).toContain("prior-s1-g2 &lt;best&gt; &amp; &quot;co&quot;");
    expect(html).not.toContain(WEIRD);
    expect(html).toContain("<td class=\"n\">402 ± 55</td>"); // prior, seed 2, generation 2
    expect(html).toContain("43.2%");
    expect(html).toContain("0.568");
    expect(html).toContain("12.3%");
    expect(html).toContain("&quot;preset&quot;: &quot;smoke&quot;");
    expect(html).toContain("fossil 0.1.0, Node v20.19.0, linux-x64, 2 CPUs; created 2025-01-02T03:04:05.000Z; 600 rating games.");
    expect(html).toContain("<td>selfplay</td><td class=\"n\">30.0 min</td>");
    // Offline: no scripts, no outside styles, fonts or images.
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(addresses(html)).toEqual([]);
  });

  it("leaves out the figures whose data is absent, and says when zero led from the start", async () => {
    const s = summary({ accuracy: false, valueLosing: false });
    s.answers[0]!.catchUp = { leader: "zero", evaluations: null, fraction: null, highBeyondBudget: true };
    const { dir, files, read } = await report(s, "sparse");
    const names = files.map((f) => f.slice(dir.length + 1));
    expect(names).toContain("outcome-error.svg");
    expect(names).not.toContain("prediction.svg");
    expect(names).not.toContain("value-losing.svg");
    expect(existsSync(join(dir, "prediction.svg"))).toBe(false);
    expect(existsSync(join(dir, "value-losing.svg"))).toBe(false);
    const html = read("index.html");
    expect(html.match(/<svg/g)?.length).toBe(4);
    expect(html).not.toContain("prediction.svg");
    expect(html).toContain("prior does not catch up within the budget");
    // Blank cells where a checkpoint has no accuracy or value-losing share.
    expect(html).toMatch(/<td class="n"><\/td><td class="n">0\.568<\/td><td class="n"><\/td><\/tr>/);
  });

  it("says when zero does not catch up within the budget", async () => {
    const s = summary();
    s.answers[0]!.catchUp = { leader: "arm", evaluations: null, fraction: null, highBeyondBudget: true };
    const { read } = await report(s, "ahead");
    expect(read("index.html")).toContain("<td>zero does not catch up within the budget</td>");
    // Caught up, but too few resamples do within the budget for the interval to close inside it.
    s.answers[0]!.catchUp = { leader: "arm", evaluations: { value: 24_000, low: 16_000, high: 40_000 }, fraction: 0.6, highBeyondBudget: true };
    expect((await report(s, "open")).read("index.html")).toContain("zero matches it at 24.0k evaluations [16.0k, beyond the budget] (60% of the budget)");
  });

  it("draws a replicated study's curves beside ours", async () => {
    const s = summary();
    s.replicates = { study: "published-2024", createdAt: "2024-06-01T00:00:00.000Z", curves: s.curves.map((c) => ({ ...c, elo: iv(c.elo.value - 25, 50) })) };
    const { read } = await report(s, "replicated");
    const evals = read("elo-evaluations.svg");
    expect(evals).toContain(">prior (replicated study)<");
    expect(evals).toContain(">zero (replicated study)<");
    expect(read("elo-cpu.svg")).not.toContain("replicated study");
    const html = read("index.html");
    expect(html).toContain("dashed lines are the replicated study published-2024");
    expect(html).toContain("Replicates the study published-2024 (created 2024-06-01T00:00:00.000Z).");
    // Without one, no replicated series.
    expect((await report(summary(), "plain")).read("elo-evaluations.svg")).not.toContain("replicated study");
  });
});
