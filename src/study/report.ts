/**
 * A finished study's report: `summary.json`, its figures as SVG (Vega-Lite specs with inline
 * data, rendered in Node without a browser) and `index.html`, one self-contained page that opens
 * offline (no scripts, no outside styles or fonts, the figures inlined) and reads in two minutes:
 * the answer first, then the figures, the prior, the reference players, every checkpoint and the
 * settings.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { makeFolder } from "../../core/files.js";
import type { ArmAnswer, CheckpointResult, CurvePoint, Interval, StudySummary } from "./summary.js";

/** Writes the report into `outDir` (created if need be); `files`: the paths written. */
export async function writeReport(summary: StudySummary, outDir: string): Promise<{ files: string[] }> {
  makeFolder(outDir);
  const files: string[] = [];
  const write = (name: string, text: string): void => {
    const path = join(outDir, name);
    writeFileSync(path, text);
    files.push(path);
  };
  write("summary.json", JSON.stringify(summary, null, 2) + "\n");
  const figures: RenderedFigure[] = [];
  for (const figure of buildFigures(summary)) {
    const svg = await renderSvg(figure.spec);
    write(figure.file, svg);
    figures.push({ ...figure, svg });
  }
  write("index.html", page(summary, figures));
  return { files };
}

// ---------------------------------------------------------------------------------------------
// Figures

const WIDTH = 640;
const HEIGHT = 360;
/** Tableau 10, the Vega default: an arm keeps its colour in every figure. */
const PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d", "#ff9da6", "#bab0ac"];
const SOLID = [1, 0];
const DASHED = [6, 3];
/** The names of the dashed series: an arm with the prior's cost charged, a replicated study's arm. */
const CHARGED = ", prior's cost charged";
const REPLICATED = " (replicated study)";
const EVALUATIONS_AXIS: AxisSpec = { title: "self-play network evaluations", format: "~s" };

interface Figure {
  file: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}
interface RenderedFigure extends Figure {
  svg: string;
}

/** One line of a figure: an arm's mean over its seeds, its 95% band drawn or not. */
interface Series {
  name: string;
  arm: string;
  dashed: boolean;
  band: boolean;
  points: { x: number; y: Interval }[];
}

interface AxisSpec {
  title: string;
  /** A d3 format for the tick labels; none: Vega's default. */
  format?: string;
  /** Whether the scale includes 0 (default: yes). */
  zero?: boolean;
}

interface CurveChart {
  x: AxisSpec;
  y: AxisSpec;
  series: Series[];
  /** Arm → colour, the same in every figure. */
  colours: Map<string, string>;
  /** Rated checkpoints as points with ±95% bars. */
  points?: { arm: string; x: number; y: number; ci95: number }[];
  /** Horizontal dashed rules labelled at their right end (the reference players). */
  rules?: { label: string; y: number }[];
}

type Layer = Extract<TopLevelSpec, { layer: unknown }>["layer"][number];

/**
 * The one chart of the report: per series a mean line (dashed or not) over a translucent 95%
 * band, optionally points with error bars and labelled horizontal rules. Lines and bars take
 * their colour from the `stroke` scale (the legend); bands and points from a `fill` scale with
 * the same colours and no legend of its own.
 */
function curveSpec(chart: CurveChart): TopLevelSpec {
  // The legend lists each arm's series together (`prior`, `prior, prior's cost charged`), one arm a row.
  const arms = [...new Set(chart.series.map((s) => s.arm))];
  const series = [...chart.series].sort((a, b) => arms.indexOf(a.arm) - arms.indexOf(b.arm));
  const perArm = Math.max(1, ...arms.map((arm) => series.filter((s) => s.arm === arm).length));
  const names = [...new Set([...series.map((s) => s.name), ...(chart.points ?? []).map((p) => p.arm)])];
  const armOf = new Map<string, string>(names.map((n) => [n, n]));
  for (const s of series) armOf.set(s.name, s.arm);
  const colourScale = { domain: names, range: names.map((n) => chart.colours.get(armOf.get(n)!) ?? "#888") };
  const dashScale = { domain: names, range: names.map((n) => (series.find((s) => s.name === n)?.dashed ? DASHED : SOLID)) };
  const x = { field: "x", type: "quantitative", title: chart.x.title, axis: axisFormat(chart.x) } as const;
  const y = { field: "y", type: "quantitative", title: chart.y.title, scale: { zero: chart.y.zero ?? true }, axis: axisFormat(chart.y) } as const;
  const fill = { field: "key", type: "nominal", scale: colourScale, legend: null } as const;
  const stroke = { field: "series", type: "nominal", scale: colourScale, title: null } as const;
  const rows = series.flatMap((s) => s.points.map((p) => ({ series: s.name, key: s.name, band: s.band, x: p.x, y: p.y.value, low: p.y.low, high: p.y.high })));

  const layer: Layer[] = [
    {
      data: { values: rows.filter((r) => r.band) },
      mark: { type: "area", opacity: 0.18 },
      encoding: { x, y: { ...y, field: "low" }, y2: { field: "high" }, fill },
    },
    {
      data: { values: rows },
      mark: { type: "line", strokeWidth: 2 },
      encoding: { x, y, stroke, strokeDash: { field: "series", type: "nominal", scale: dashScale, title: null } },
    },
  ];
  if (chart.points && chart.points.length > 0) {
    const values = chart.points.map((p) => ({ series: p.arm, key: p.arm, x: p.x, y: p.y, low: p.y - p.ci95, high: p.y + p.ci95 }));
    layer.push(
      { data: { values }, mark: { type: "rule", opacity: 0.45 }, encoding: { x, y: { ...y, field: "low" }, y2: { field: "high" }, stroke } },
      { data: { values }, mark: { type: "point", filled: true, size: 22, opacity: 0.8 }, encoding: { x, y, fill } },
    );
  }
  if (chart.rules && chart.rules.length > 0) {
    const values = chart.rules.map((r) => ({ label: r.label, y: r.y }));
    layer.push(
      { data: { values }, mark: { type: "rule", color: "#999", strokeDash: [4, 4] }, encoding: { y } },
      {
        data: { values },
        mark: { type: "text", align: "right", baseline: "bottom", dy: -2, color: "#666", fontSize: 10 },
        encoding: { x: { value: "width" }, y, text: { field: "label", type: "nominal" } },
      },
    );
  }
  return {
    width: WIDTH,
    height: HEIGHT,
    background: "white",
    config: {
      legend: { orient: "bottom", direction: "horizontal", ...(perArm > 1 ? { columns: perArm } : {}), symbolType: "stroke", symbolStrokeWidth: 2, symbolOpacity: 1, symbolSize: 400, labelLimit: 320, labelFontSize: 12 },
      axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal" },
    },
    layer,
  };
}

/** The axis' tick format; a zero stays "0" (an SI format shares the span's prefix: "0k"). */
function axisFormat(axis: AxisSpec): { format?: string; labelExpr?: string } {
  return axis.format ? { format: axis.format, labelExpr: "datum.value === 0 ? '0' : datum.label" } : {};
}

async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Every arm the summary names: the settings' order, then dose arms (`prior@500`) as they come. */
function armOrder(summary: StudySummary): string[] {
  return [
    ...new Set<string>([
      ...summary.settings.arms,
      ...summary.curves.map((c) => c.arm),
      ...summary.checkpoints.map((c) => c.arm),
      ...summary.answers.map((a) => a.arm),
      ...(summary.replicates?.curves ?? []).map((c) => c.arm),
    ]),
  ];
}

/** One series per arm from its curve points, `y` null where the metric was not measured. */
function armSeries(arms: string[], curves: CurvePoint[], x: (c: CurvePoint) => number, y: (c: CurvePoint) => Interval | null, style: { suffix: string; dashed: boolean; band: boolean }): Series[] {
  return arms.flatMap((arm) => {
    const points = curves.filter((c) => c.arm === arm).flatMap((c) => {
      const value = y(c);
      return value ? [{ x: x(c), y: value }] : [];
    });
    return points.length > 0 ? [{ name: arm + style.suffix, arm, dashed: style.dashed, band: style.band, points }] : [];
  });
}

/** The three Elo figures: what they put on the x axis. */
const ELO_AXES = [
  {
    file: "elo-evaluations.svg",
    title: "Elo against self-play evaluations",
    axis: EVALUATIONS_AXIS,
    what: "self-play network evaluations",
    curve: (c: CurvePoint) => c.evaluations,
    charged: null,
    checkpoint: (c: CheckpointResult) => c.evaluations,
    replicates: true,
  },
  {
    file: "elo-cpu.svg",
    title: "Elo against CPU time",
    axis: { title: "CPU hours (self-play and training)", format: ",~g" },
    what: "CPU hours",
    curve: (c: CurvePoint) => c.cpuHours,
    charged: (c: CurvePoint) => c.cpuHoursCharged,
    checkpoint: (c: CheckpointResult) => c.cpuSeconds / 3600,
    replicates: false,
  },
  {
    file: "elo-wall.svg",
    title: "Elo against wall-clock time",
    axis: { title: "wall-clock hours", format: ",~g" },
    what: "wall-clock hours",
    curve: (c: CurvePoint) => c.wallHours,
    charged: (c: CurvePoint) => c.wallHoursCharged,
    checkpoint: (c: CheckpointResult) => c.wallSeconds / 3600,
    replicates: false,
  },
] as const;

/** The figures of the held-out metrics against evaluations. */
const METRICS = [
  {
    file: "prediction.svg",
    title: "Move prediction",
    axis: { title: "top-1 move prediction (%)", format: ".0%" },
    what: "each arm's top-1 move prediction on the held-out prior games",
    pick: (c: CurvePoint) => c.accuracy,
  },
  {
    file: "outcome-error.svg",
    title: "Outcome error",
    axis: { title: "outcome mean squared error" },
    what: "the mean squared error of each arm's value against the results of the held-out prior games",
    pick: (c: CurvePoint) => c.outcomeMse,
  },
  {
    file: "value-losing.svg",
    title: "Value-losing moves",
    axis: { title: "value-losing moves (%)", format: ".0%" },
    what: "the share of each arm's moves that lose value by the solver's judgement",
    pick: (c: CurvePoint) => c.valueLosing,
  },
] as const;

const BANDS = "bands are 95% intervals over the seeds";

/**
 * The reference players' rules; players rated within 50 Elo of each other share one label ("gnugo:1,
 * gnugo:10"), which would otherwise be drawn over each other.
 */
function referenceRules(summary: StudySummary): { label: string; y: number }[] {
  const sorted = summary.reference.filter((r) => Number.isFinite(r.elo)).sort((a, b) => a.elo - b.elo);
  const rules: { label: string; y: number }[] = [];
  let head: { label: string; y: number } | null = null;
  for (const r of sorted) {
    if (head && r.elo - head.y < 50) {
      head.label += `, ${r.player}`;
      rules.push({ label: "", y: r.elo });
    } else {
      head = { label: r.player, y: r.elo };
      rules.push(head);
    }
  }
  return rules;
}

function buildFigures(summary: StudySummary): Figure[] {
  const arms = armOrder(summary);
  const colours = new Map(arms.map((arm, k) => [arm, PALETTE[k % PALETTE.length]!]));
  const seeds = `${summary.settings.seeds.length} seed${summary.settings.seeds.length === 1 ? "" : "s"}`;
  const eloAxis = { title: `Elo (${summary.anchor.player} = ${summary.anchor.elo})`, zero: false };
  const rules = referenceRules(summary);
  const figures: Figure[] = [];

  for (const axis of ELO_AXES) {
    const series = armSeries(arms, summary.curves, axis.curve, (c) => c.elo, { suffix: "", dashed: false, band: true });
    const charged = axis.charged;
    if (charged) {
      const differs = (arm: string): boolean => summary.curves.some((c) => c.arm === arm && Math.abs(charged(c) - axis.curve(c)) > 1e-9);
      series.push(...armSeries(arms.filter(differs), summary.curves, charged, (c) => c.elo, { suffix: CHARGED, dashed: true, band: false }));
    }
    const replicated = axis.replicates && summary.replicates ? summary.replicates : null;
    if (replicated) series.push(...armSeries(arms, replicated.curves, axis.curve, (c) => c.elo, { suffix: REPLICATED, dashed: true, band: false }));
    const points = summary.checkpoints.map((c) => ({ arm: c.arm, x: axis.checkpoint(c), y: c.elo, ci95: c.ci95 }));
    if (series.length === 0 && points.length === 0) continue;
    const extras = [
      series.some((s) => s.name.endsWith(CHARGED)) ? "dashed lines charge the prior arms with the cost of making the prior's data and training it" : "",
      replicated ? `dashed lines are the replicated study ${replicated.study}` : "",
    ].filter((e) => e !== "");
    figures.push({
      file: axis.file,
      title: axis.title,
      caption:
        `Elo of each arm against ${axis.what}: lines are means over ${seeds}, ${BANDS}, points the rated checkpoints (bars ±95%) and grey dashed rules the reference players` +
        (extras.length > 0 ? `; ${extras.join("; ")}.` : "."),
      spec: curveSpec({ x: axis.axis, y: eloAxis, series, colours, points, rules }),
    });
  }

  for (const metric of METRICS) {
    const series = armSeries(arms, summary.curves, (c) => c.evaluations, metric.pick, { suffix: "", dashed: false, band: true });
    if (series.length === 0) continue;
    figures.push({
      file: metric.file,
      title: metric.title,
      caption: `${capitalise(metric.what)} against self-play network evaluations: lines are means over ${seeds}, ${BANDS}.`,
      spec: curveSpec({ x: EVALUATIONS_AXIS, y: metric.axis, series, colours }),
    });
  }
  return figures;
}

// ---------------------------------------------------------------------------------------------
// The page

const STYLE = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
.sub { color: #555; margin-top: 0; }
.headline { font-size: 1.15rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 0.9rem; }
th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid #eee; text-align: left; vertical-align: top; }
th { border-bottom: 1px solid #bbb; font-weight: 600; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5rem 0; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: #444; font-size: 0.9rem; }
pre { background: #f6f6f6; padding: 0.8rem; overflow-x: auto; font-size: 0.8rem; }
code { font-size: 0.9em; }
details summary { cursor: pointer; color: #333; }
`;

function page(summary: StudySummary, figures: RenderedFigure[]): string {
  const s = summary.settings;
  const subtitle = [
    s.game,
    `preset ${s.preset}`,
    `arms ${s.arms.join(", ")}`,
    `seeds ${s.seeds.join(", ")}`,
    `budget ${compact(s.budget)} evaluations per arm and seed`,
  ].join(" · ");
  const title = `fossil study: ${summary.study}`;
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    `<h1>${esc(title)}</h1>`,
    `<p class="sub">${esc(subtitle)}</p>`,
    answerSection(summary),
    figureSection(figures),
    priorSection(summary),
    referenceSection(summary),
    checkpointSection(summary),
    settingsSection(summary),
    "</body>",
    "</html>",
  ]
    .filter((part) => part !== "")
    .join("\n") + "\n";
}

function answerSection(summary: StudySummary): string {
  const [headline, ...rest] = summary.conclusion;
  const words = headline === undefined ? ["<p>No conclusion was drawn.</p>"] : [`<p class="headline"><strong>${esc(headline)}</strong></p>`, ...rest.map((p) => `<p>${esc(p)}</p>`)];
  return ["<h2>The answer</h2>", ...words, answerTable(summary)].join("\n");
}

function answerTable(summary: StudySummary): string {
  if (summary.answers.length === 0) return "";
  const budget = summary.settings.budget;
  const fractions = [...new Set(summary.answers.flatMap((a) => a.gaps.map((g) => g.fraction)))].sort((a, b) => a - b);
  const head = [
    "arm",
    ...fractions.map((f) => numeric(`Elo gap over zero at ${percent(f, 0)} of the budget (${compact(f * budget)})`)),
    "zero catches up",
    numeric("final Elo"),
  ];
  const rows = summary.answers.map((a) => [
    a.arm,
    ...fractions.map((f) => {
      const gap = a.gaps.find((g) => Math.abs(g.fraction - f) < 1e-9);
      return numeric(gap ? interval(gap.gap, true) : "");
    }),
    catchUp(a, budget),
    numeric(interval(a.final)),
  ]);
  const zero = finalOf(summary.curves, "zero");
  if (zero) rows.push(["zero (baseline)", ...fractions.map(() => ""), "", numeric(interval(zero))]);
  return table(head, rows);
}

/** The arm's Elo at the last point of its curve. */
function finalOf(curves: CurvePoint[], arm: string): Interval | null {
  const own = curves.filter((c) => c.arm === arm);
  return own.length === 0 ? null : own.reduce((a, b) => (b.fraction > a.fraction ? b : a)).elo;
}

function catchUp(answer: ArmAnswer, budget: number): string {
  const c = answer.catchUp;
  if (c.leader === "level") return "level at the start";
  const who = c.leader === "arm" ? "zero matches it" : `zero led from the start; ${answer.arm} matches it`;
  if (c.evaluations === null) return `${c.leader === "arm" ? "zero" : answer.arm} does not catch up within the budget`;
  const e = c.evaluations;
  const share = c.fraction ?? e.value / budget;
  const high = c.highBeyondBudget ? "beyond the budget" : compact(e.high);
  return `${who} at ${compact(e.value)} evaluations [${compact(e.low)}, ${high}] (${percent(share, 0)} of the budget)`;
}

function figureSection(figures: RenderedFigure[]): string {
  if (figures.length === 0) return "";
  return [
    "<h2>Figures</h2>",
    ...figures.map((f) => `<figure id="${esc(f.file.replace(/\.svg$/, ""))}">\n${f.svg}\n<figcaption><strong>${esc(f.title)}.</strong> ${esc(f.caption)} (<code>${esc(f.file)}</code>)</figcaption>\n</figure>`),
  ].join("\n");
}

function priorSection(summary: StudySummary): string {
  const prior = summary.prior;
  if (!prior) return "<h2>The prior</h2>\n<p>This study has no prior arm.</p>";
  const doses = table(
    ["arm", numeric("games"), numeric("positions"), numeric("epochs"), numeric("training CPU s")],
    prior.doses.map((d) => [d.arm, ...[d.games, d.positions, d.epochs, d.trainCpuSeconds].map((x) => numeric(num(x)))]),
  );
  const teacher = prior.teacherElo;
  return [
    "<h2>The prior</h2>",
    `<p>Source <code>${esc(prior.source)}</code>: ${esc(prior.description)}</p>`,
    doses,
    `<p>${esc(`${num(prior.heldOutGames)} games held out for move prediction and outcome error. Making the data took ${num(prior.dataCpuSeconds)} CPU s (${duration(prior.dataWallSeconds)} wall-clock).`)}` +
      (teacher ? ` ${esc(`The teacher, ${teacher.player}, rates ${round(teacher.elo)} ± ${round(teacher.ci95)} Elo on this study's scale (${num(teacher.games)} games).`)}` : "") +
      "</p>",
    `<p>The curves marked “prior's cost charged” add the cost of making the data and training the prior to the prior arms' CPU and wall-clock hours.</p>`,
  ].join("\n");
}

function referenceSection(summary: StudySummary): string {
  const players = [...summary.reference].sort((a, b) => a.elo - b.elo);
  return [
    "<h2>Reference players</h2>",
    `<p>${esc(`Elo anchored at ${summary.anchor.player} = ${summary.anchor.elo}.`)}</p>`,
    table(
      ["player", numeric("Elo"), numeric("±95%"), numeric("games")],
      players.map((r) => [r.player, numeric(num(r.elo)), numeric(num(r.ci95)), numeric(num(r.games))]),
    ),
  ].join("\n");
}

function checkpointSection(summary: StudySummary): string {
  const arms = armOrder(summary);
  const sorted = [...summary.checkpoints].sort((a, b) => arms.indexOf(a.arm) - arms.indexOf(b.arm) || a.seed - b.seed || a.generation - b.generation);
  const n = numeric;
  const rows = sorted.map((c) => [
    c.arm,
    n(String(c.seed)),
    n(String(c.generation)),
    c.player,
    n(compact(c.evaluations)),
    n(num(c.cpuSeconds)),
    n(`${round(c.elo)} ± ${round(c.ci95)}`),
    n(num(c.games)),
    n(c.accuracy ? percent(c.accuracy.value, 1) : ""),
    n(c.outcomeMse ? c.outcomeMse.value.toFixed(3) : ""),
    n(c.valueLosing ? percent(c.valueLosing.value, 1) : ""),
  ]);
  const head = ["arm", n("seed"), n("generation"), "player", n("evaluations"), n("CPU s"), n("Elo ± 95%"), n("games"), n("accuracy"), n("outcome MSE"), n("value-losing")];
  return [
    "<h2>Checkpoints</h2>",
    `<details><summary>${esc(`${sorted.length} rated networks: Elo, and on the held-out prior games top-1 accuracy and outcome error`)}</summary>`,
    table(head, rows),
    "</details>",
  ].join("\n");
}

function settingsSection(summary: StudySummary): string {
  const f = summary.fossil;
  const phases = Object.entries(summary.phases);
  return [
    "<h2>Settings</h2>",
    `<p>${esc(`fossil ${f.version}, Node ${f.node}, ${f.platform}, ${f.cpus} CPUs; created ${summary.createdAt}; ${num(summary.ratingGames)} rating games.`)}</p>`,
    phases.length > 0 ? table(["phase", numeric("wall-clock")], phases.map(([phase, seconds]) => [phase, numeric(duration(seconds))])) : "",
    summary.replicates ? `<p>${esc(`Replicates the study ${summary.replicates.study} (created ${summary.replicates.createdAt}).`)}</p>` : "",
    `<pre>${esc(JSON.stringify(summary.settings, null, 2))}</pre>`,
  ]
    .filter((part) => part !== "")
    .join("\n");
}

// ---------------------------------------------------------------------------------------------
// Small helpers

type Cell = string | { text: string; numeric: boolean };

/** A right-aligned table cell. */
function numeric(text: string): Cell {
  return { text, numeric: true };
}

function table(head: Cell[], rows: Cell[][]): string {
  const cell = (tag: "th" | "td", c: Cell): string => {
    const { text, numeric } = typeof c === "string" ? { text: c, numeric: false } : c;
    return `<${tag}${numeric ? ' class="n"' : ""}>${esc(text)}</${tag}>`;
  };
  return [
    "<table>",
    `<thead><tr>${head.map((c) => cell("th", c)).join("")}</tr></thead>`,
    "<tbody>",
    ...rows.map((r) => `<tr>${r.map((c) => cell("td", c)).join("")}</tr>`),
    "</tbody>",
    "</table>",
  ].join("\n");
}

/** Text made safe for HTML content and attribute values. */
function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function round(x: number): string {
  return String(Math.round(x)); // String(-0) is "0"
}

/** "+123 [45, 201]": the value (signed for gaps) and its 95% interval, rounded. */
function interval(i: Interval, signed = false): string {
  const value = round(i.value);
  return `${signed && Math.round(i.value) > 0 ? "+" : ""}${value} [${round(i.low)}, ${round(i.high)}]`;
}

/** 8000000 → "8.0M", 40000 → "40.0k", 400000 → "400k". */
function compact(x: number): string {
  for (const [unit, suffix] of [[1e9, "G"], [1e6, "M"], [1e3, "k"]] as const) {
    if (Math.abs(x) >= unit) {
      const v = x / unit;
      return `${Math.abs(v) < 100 ? v.toFixed(1) : v.toFixed(0)}${suffix}`;
    }
  }
  return String(Math.round(x));
}

function num(x: number): string {
  return Math.round(x).toLocaleString("en-US");
}

function percent(share: number, digits: number): string {
  return `${(share * 100).toFixed(digits)}%`;
}

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(0)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
