/**
 * A study's curve: Elo against compute (self-play evaluations, or the runs' CPU hours of self-play
 * and training), a Vega-Lite chart drawn by vega-embed as SVG. Expressions are interpreted (`ast: true`), never compiled with `new Function`, so the
 * chart draws under a Content-Security-Policy without 'unsafe-eval'.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import embed, { type Result } from "vega-embed";
import type { Study } from "./api.js";

/** The rated checkpoints of a study, the points its chart draws. */
export function ratedCheckpoints(study: Study) {
  return study.checkpoints.filter((c) => c.elo !== null && Number.isFinite(c.elo));
}

/** The compute axes a curve can be drawn against. */
const AXES = {
  evaluations: { title: "self-play evaluations", format: "~s" },
  cpuHours: { title: "CPU hours (self-play and training; the prior's cost not charged)", format: "~r" },
} as const;
export type Axis = keyof typeof AXES;

/** The Vega-Lite specification of a study's curve. */
export function curveSpec(study: Study, axis: Axis = "evaluations"): object {
  const points = ratedCheckpoints(study).map((c) => {
    const ci95 = c.ci95 !== null && Number.isFinite(c.ci95) ? c.ci95 : 0;
    return {
      run: c.run,
      arm: c.arm,
      seed: String(c.seed),
      generation: c.generation,
      player: c.player,
      evaluations: c.evaluations,
      cpuHours: c.cpuSeconds / 3600,
      games: c.games,
      elo: Math.round(c.elo!),
      ci95: Math.round(ci95),
      low: c.elo! - ci95,
      high: c.elo! + ci95,
    };
  });
  const reference = study.reference
    .filter((r) => r.elo !== null && Number.isFinite(r.elo))
    .map((r) => ({ player: r.player, elo: Math.round(r.elo!), label: `${r.player} (${Math.round(r.elo!)})` }));
  const x = { field: axis, type: "quantitative", title: AXES[axis].title, axis: { format: AXES[axis].format } };
  const color = { field: "arm", type: "nominal", title: "arm", scale: { domain: study.arms.length > 0 ? study.arms : undefined } };
  const y = (field: string) => ({ field, type: "quantitative", title: "Elo", scale: { zero: false } });
  const tooltip = [
    { field: "player", title: "network" },
    { field: "arm" },
    { field: "seed" },
    { field: "generation" },
    { field: "evaluations", format: "," },
    { field: "cpuHours", title: "CPU hours", format: ".3f" },
    { field: "elo", title: "Elo" },
    { field: "ci95", title: "±95%" },
    { field: "games" },
  ];
  const layers: object[] = [
    {
      data: { values: points },
      mark: { type: "rule", opacity: 0.6 },
      encoding: { x, y: y("low"), y2: { field: "high" }, color },
    },
    {
      data: { values: points },
      mark: { type: "line", strokeWidth: 1.5 },
      encoding: { x, y: y("elo"), color, detail: { field: "seed", type: "nominal" }, order: { field: axis, type: "quantitative" } },
    },
    {
      data: { values: points },
      mark: { type: "point", filled: true, size: 40 },
      encoding: { x, y: y("elo"), color, shape: { field: "seed", type: "nominal", title: "seed" }, tooltip },
    },
  ];
  if (reference.length > 0) {
    layers.push(
      {
        data: { values: reference },
        mark: { type: "rule", color: "#888", strokeDash: [4, 4] },
        encoding: { y: y("elo"), tooltip: [{ field: "player" }, { field: "elo", title: "Elo" }] },
      },
      {
        data: { values: reference },
        mark: { type: "text", align: "right", baseline: "bottom", dx: -4, dy: -2, color: "#555", fontSize: 11 },
        encoding: { y: y("elo"), x: { value: "width" }, text: { field: "label" } },
      },
    );
  }
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    width: 620,
    height: 300,
    layer: layers,
    resolve: { scale: { y: "shared" } },
    config: { view: { stroke: "#ddd" }, font: "system-ui, sans-serif" },
  };
}

/**
 * A study's chart (`data-testid="curve"`, `data-points` the rated checkpoints drawn), or the text
 * "no ratings yet". It redraws only when the study's data changes; `onDrawn` is called after the
 * first drawing (or its failure), and at once when there is nothing to draw.
 */
export function Curve({ study, onDrawn }: { study: Study; onDrawn: () => void }) {
  const count = ratedCheckpoints(study).length;
  const [axis, setAxis] = useState<Axis>("evaluations");
  const spec = JSON.stringify(curveSpec(study, axis));
  const element = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const drawnOnce = useRef(false);
  const drawn = (): void => {
    if (!drawnOnce.current) {
      drawnOnce.current = true;
      onDrawn();
    }
  };

  useEffect(() => {
    if (count === 0 || element.current === null) {
      drawn();
      return;
    }
    let cancelled = false;
    let result: Result | null = null;
    embed(element.current, JSON.parse(spec), { actions: false, renderer: "svg", ast: true, defaultStyle: false, tooltip: true })
      .then((r) => {
        result = r;
        if (cancelled) r.finalize();
        else setError(null);
      })
      .catch((e: unknown) => {
        if (!cancelled) setError(`the chart could not be drawn: ${e instanceof Error ? e.message : String(e)}`);
      })
      .finally(drawn);
    return () => {
      cancelled = true;
      result?.finalize();
    };
  }, [spec, count]);

  return (
    <div class="curve" data-testid="curve" data-points={String(count)}>
      <h4>
        Elo against{" "}
        <select aria-label="compute axis" value={axis} onChange={(e) => setAxis((e.currentTarget as HTMLSelectElement).value as Axis)}>
          <option value="evaluations">self-play evaluations</option>
          <option value="cpuHours">CPU hours</option>
        </select>
      </h4>
      {count === 0 ? <p class="empty">no ratings yet</p> : <div class="chart" ref={element} />}
      {error !== null && <p class="error">{error}</p>}
    </div>
  );
}
