/**
 * The dashboard (`/`): each study (its runs, progress against the budget, steps, compute spent,
 * rating progress and Elo curve) and then every loop run. The studies and runs are asked again
 * every few seconds (`?refresh=SECONDS`, 5 by default) and redrawn only when their JSON changed.
 */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { errorMessage, fetchAnswer, fetchJson, formatCount, formatPercent, formatRounded, formatSeconds, type Info, type Run, type Study } from "./api.js";
import { Curve } from "./chart.js";
import { ErrorMessage, markReady, pageQuery, setTitle } from "./common.js";

/** Seconds between two refreshes: `?refresh=SECONDS` in the page's address, else 5. */
function refreshSeconds(): number {
  const asked = Number(pageQuery().get("refresh"));
  return Number.isFinite(asked) && asked > 0 ? asked : 5;
}

export function DashboardPage() {
  const [info, setInfo] = useState<Info | null>(null);
  const [studies, setStudies] = useState<Study[] | null>(null);
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [refreshError, setRefreshError] = useState<string | null>(null);
  const [chartsDrawn, setChartsDrawn] = useState(0);
  const texts = useRef({ studies: "", runs: "" });

  useEffect(() => {
    setTitle("Runs");
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    fetchJson<Info>("/api/info")
      .then((answer) => !stopped && setInfo(answer))
      .catch(() => {
        // The database summary is optional; the studies' own errors are shown below.
      });
    const load = async (first: boolean): Promise<void> => {
      try {
        const [studyAnswer, runAnswer] = await Promise.all([fetchAnswer<Study[]>("/api/studies"), fetchAnswer<Run[]>("/api/runs")]);
        if (stopped) return;
        if (studyAnswer.text !== texts.current.studies) {
          texts.current.studies = studyAnswer.text;
          setStudies(studyAnswer.data);
        }
        if (runAnswer.text !== texts.current.runs) {
          texts.current.runs = runAnswer.text;
          setRuns(runAnswer.data);
        }
        setRefreshError(null);
        setError(null);
      } catch (e) {
        if (stopped) return;
        if (first) setError(errorMessage(e));
        else setRefreshError(`could not refresh: ${errorMessage(e)}`);
      }
      if (!stopped) timer = setTimeout(() => void load(false), refreshSeconds() * 1000);
    };
    void load(true);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);

  useEffect(() => {
    if (error !== null || (studies !== null && runs !== null && chartsDrawn >= studies.length)) markReady();
  }, [error, chartsDrawn, studies, runs]);
  const onDrawn = useCallback(() => setChartsDrawn((n) => n + 1), []);

  return (
    <>
      <h1>Runs</h1>
      {info !== null && (
        <p class="summary">
          {info.db}: {formatCount(info.games)} games, {formatCount(info.players)} players, {formatCount(info.runs)} runs
          {info.model !== null && ` · model ${info.model.path} (${info.model.game})`}
        </p>
      )}
      <ErrorMessage message={error} />
      <ErrorMessage message={refreshError} />
      {studies !== null && (
        <section>
          <h2>Studies</h2>
          {studies.length === 0 ? <p class="empty">no studies</p> : studies.map((study) => <StudyView key={study.study} study={study} onDrawn={onDrawn} />)}
        </section>
      )}
      {runs !== null && <RunsTable runs={runs} />}
    </>
  );
}

/** One study: heading, runs with progress, steps, compute and rating progress, and its curve. */
function StudyView({ study, onDrawn }: { study: Study; onDrawn: () => void }) {
  return (
    <article class="study">
      <h3>
        {study.study} <span class="meta">{study.game} · preset {study.preset} · budget {formatCount(study.budget)} evaluations a run</span>
      </h3>
      <div class="study-grid">
        <div>
          <table>
            <thead>
              <tr>
                <th>arm</th>
                <th class="num">seed</th>
                <th class="num">generations</th>
                <th class="num">evaluations</th>
                <th>progress</th>
                <th class="num">latest Elo</th>
              </tr>
            </thead>
            <tbody>
              {study.runs.map((run) => {
                const fraction = study.budget > 0 ? Math.min(1, run.evaluations / study.budget) : 0;
                return (
                  <tr key={run.run} title={run.run}>
                    <td>{run.arm}</td>
                    <td class="num">{run.seed}</td>
                    <td class="num">{formatCount(run.generations)}</td>
                    <td class="num">{formatCount(run.evaluations)}</td>
                    <td>
                      <span class="bar" title={`${formatCount(run.evaluations)} of ${formatCount(study.budget)}`}>
                        <span class="bar-fill" style={{ width: `${(100 * fraction).toFixed(1)}%` }} />
                      </span>{" "}
                      <span class="bar-text">{run.done ? "done" : formatPercent(fraction, 0)}</span>
                    </td>
                    <td class="num">{formatRounded(run.latestElo)}</td>
                  </tr>
                );
              })}
              {study.runs.length === 0 && (
                <tr>
                  <td colSpan={6} class="empty">
                    no runs yet
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          <table>
            <thead>
              <tr>
                <th>step</th>
                <th>state</th>
                <th class="num">CPU time</th>
                <th class="num">wall time</th>
              </tr>
            </thead>
            <tbody>
              {study.steps.map((step) => (
                <tr key={step.step}>
                  <td>{step.step}</td>
                  <td>{step.done ? "done" : "to do"}</td>
                  <td class="num">{formatSeconds(step.cpuSeconds)}</td>
                  <td class="num">{formatSeconds(step.wallSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <dl class="facts">
            <dt>compute spent</dt>
            <dd>
              {formatSeconds(study.cpuSeconds)} CPU, {formatSeconds(study.wallSeconds)} wall
            </dd>
            <dt>rating games</dt>
            <dd>
              {formatCount(study.ratingGames)} of {formatCount(study.ratingTarget)}
            </dd>
            <dt>networks measured</dt>
            <dd>{formatCount(study.measured)}</dd>
          </dl>
        </div>
        <Curve study={study} onDrawn={onDrawn} />
      </div>
    </article>
  );
}

/** Every loop run of the database, the studies' included. */
function RunsTable({ runs }: { runs: Run[] }) {
  return (
    <section>
      <h2>All runs</h2>
      {runs.length === 0 ? (
        <p class="empty">no runs</p>
      ) : (
        <table class="wide">
          <thead>
            <tr>
              <th>run</th>
              <th>study</th>
              <th>arm</th>
              <th class="num">seed</th>
              <th>game</th>
              <th class="num">generations</th>
              <th class="num">evaluations</th>
              <th class="num">self-play games</th>
              <th class="num">CPU time</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.run}>
                <td>
                  <a href={`/games?run=${encodeURIComponent(run.run)}`}>{run.run}</a>
                </td>
                <td>{run.study ?? "—"}</td>
                <td>{run.arm ?? "—"}</td>
                <td class="num">{run.seed ?? "—"}</td>
                <td>{run.game ?? "—"}</td>
                <td class="num">{formatCount(run.generations)}</td>
                <td class="num">{formatCount(run.evaluations)}</td>
                <td class="num">{formatCount(run.selfplayGames)}</td>
                <td class="num">{formatSeconds(run.cpuSeconds)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
