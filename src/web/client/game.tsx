/**
 * One game replayed (`/games/ID#ply=K`): the players and result, the board at ply K with buttons,
 * a slider and the arrow, Home and End keys to move through it, and, when the server's model fits
 * the game, the network's policy on the board and its value of the position.
 */
import { useEffect, useState } from "preact/hooks";
import { errorMessage, fetchJson, formatDate, isAbort, type Evaluation, type GameRecord, type Info } from "./api.js";
import { ConnectFourBoard, GoBoard, shortPercent } from "./board.js";
import { ErrorMessage, markReady, setTitle } from "./common.js";

/** The ply asked for by the address's hash (`#ply=K`), or null. */
function hashPly(): number | null {
  const match = /(?:^#|&)ply=(\d+)/.exec(location.hash);
  return match === null ? null : Number(match[1]);
}

/** Milliseconds to wait after the last change of ply before asking for its evaluation. */
const EVALUATION_DELAY = 120;

export function GamePage({ id }: { id: string }) {
  const [game, setGame] = useState<GameRecord | null>(null);
  const [info, setInfo] = useState<Info | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ply, setPly] = useState<number>(() => hashPly() ?? 0);

  useEffect(() => {
    setTitle(`Game ${id}`);
    fetchJson<GameRecord>(`/api/games/${encodeURIComponent(id)}`)
      .then((answer) => {
        setGame(answer);
        const sides = `${answer.black} vs ${answer.white}`;
        setTitle(`Game ${answer.id}: ${sides}`);
      })
      .catch((e: unknown) => setError(errorMessage(e)));
    fetchJson<Info>("/api/info")
      .then(setInfo)
      .catch(() => {
        // Without the server's description there is no evaluation; the game itself still shows.
        setInfo(null);
      });
    const onHash = (): void => {
      const asked = hashPly();
      if (asked !== null) setPly(asked);
    };
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  const last = game === null ? 0 : Math.max(0, game.positions.length - 1);
  const shown = Math.min(Math.max(0, ply), last);

  // The ply in the address, so that a link opens this position.
  useEffect(() => {
    if (game === null) return;
    if (hashPly() !== shown) history.replaceState(null, "", `${location.pathname}${location.search}#ply=${shown}`);
  }, [game, shown]);

  useEffect(() => {
    if (game !== null || error !== null) markReady();
  }, [game, error]);

  // The arrow keys step one move, Home and End go to the ends (not while typing in a field).
  useEffect(() => {
    if (game === null) return;
    const onKey = (event: KeyboardEvent): void => {
      if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
      const target = event.target as HTMLElement | null;
      if (target !== null && /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) return;
      const step: Record<string, (k: number) => number> = {
        ArrowLeft: (k) => k - 1,
        ArrowRight: (k) => k + 1,
        Home: () => 0,
        End: () => last,
      };
      const move = step[event.key];
      if (move === undefined) return;
      event.preventDefault();
      setPly((k) => Math.min(Math.max(0, move(Math.min(Math.max(0, k), last))), last));
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [game, last]);

  const model = info?.model ?? null;
  const evaluates = game !== null && model !== null && model.game === game.game;
  const evaluation = useEvaluation(evaluates ? (game?.id ?? null) : null, shown);

  if (error !== null) {
    return (
      <>
        <h1>Game {id}</h1>
        <ErrorMessage message={error} />
      </>
    );
  }
  if (game === null) return <p class="loading">loading game {id}…</p>;

  const onPoints = game.board === "points";
  const sides = game.sides;
  const position = game.positions[shown];
  const boardProps = position === undefined ? null : { position, width: game.width, height: game.height, evaluation: evaluation.answer };
  return (
    <>
      <h1>
        {game.black} <span class="versus">vs</span> {game.white}
      </h1>
      <GameFacts game={game} sides={sides} />
      <div class="replay">
        <div class="board-column">
          {boardProps === null ? <p class="error">this game has no positions</p> : onPoints ? <GoBoard {...boardProps} /> : <ConnectFourBoard {...boardProps} />}
          <div class="controls">
            <button type="button" title="start (Home)" disabled={shown === 0} onClick={() => setPly(0)}>
              |&lt;
            </button>
            <button type="button" title="back one move (←)" disabled={shown === 0} onClick={() => setPly(Math.max(0, shown - 1))}>
              &lt;
            </button>
            <button type="button" title="forward one move (→)" disabled={shown === last} onClick={() => setPly(Math.min(last, shown + 1))}>
              &gt;
            </button>
            <button type="button" title="end (End)" disabled={shown === last} onClick={() => setPly(last)}>
              &gt;|
            </button>
            <input type="range" data-testid="slider" aria-label="move" min={0} max={last} step={1} value={shown} onInput={(event) => setPly(Number((event.currentTarget as HTMLInputElement).value))} />
          </div>
        </div>
        <div class="side-panel">
          <p class="move-number" data-testid="move-number">
            move {shown} of {last}
          </p>
          {position !== undefined && (
            <dl class="facts">
              <dt>move</dt>
              <dd>{position.move === null ? "start position" : `${capitalised(sides[game.positions[shown - 1]?.toPlay === 1 ? 1 : 0])}: ${position.move}`}</dd>
              {shown < last ? (
                <>
                  <dt>to play</dt>
                  <dd>{capitalised(sides[position.toPlay === 1 ? 1 : 0])}</dd>
                </>
              ) : (
                <>
                  <dt>result</dt>
                  <dd class="result">
                    {game.result ?? "no result"}
                    {game.endReason !== null && ` (${game.endReason})`}
                  </dd>
                </>
              )}
              {(onPoints || position.captures[0] > 0 || position.captures[1] > 0) && (
                <>
                  <dt>captures</dt>
                  <dd>
                    {capitalised(sides[0])} took {position.captures[0]}, {sides[1]} took {position.captures[1]}
                  </dd>
                </>
              )}
            </dl>
          )}
          {model !== null && !evaluates && (
            <p class="note">
              The model plays {model.game}, not {game.game}: no evaluation.
            </p>
          )}
          {evaluates && <EvaluationPanel evaluation={evaluation} sides={sides} onPoints={onPoints} ply={shown} />}
          <p class="hint">keys: ← → one move, Home / End</p>
        </div>
      </div>
    </>
  );
}

/** "first player" → "First player". */
function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The game's description: result, source, run, spec, end, length, date, SGF download. */
function GameFacts({ game, sides }: { game: GameRecord; sides: [string, string] }) {
  return (
    <dl class="facts game-facts">
      <dt>{sides[0]}</dt>
      <dd>
        <a href={`/games?player=${encodeURIComponent(game.black)}`}>{game.black}</a>
      </dd>
      <dt>{sides[1]}</dt>
      <dd>
        <a href={`/games?player=${encodeURIComponent(game.white)}`}>{game.white}</a>
      </dd>
      <dt>result</dt>
      <dd>{game.result ?? "—"}</dd>
      <dt>source</dt>
      <dd>{game.source}</dd>
      <dt>run</dt>
      <dd>{game.run === null ? "—" : <a href={`/games?run=${encodeURIComponent(game.run)}`}>{game.run}</a>}</dd>
      <dt>game</dt>
      <dd>{game.spec}</dd>
      <dt>end</dt>
      <dd>{game.endReason ?? "—"}</dd>
      <dt>length</dt>
      <dd>{game.length ?? game.positions.length - 1} moves</dd>
      <dt>date</dt>
      <dd>{formatDate(game.playedAt ?? game.storedAt)}</dd>
      {game.sgf && (
        <>
          <dt>SGF</dt>
          <dd>
            <a href={`/api/games/${encodeURIComponent(String(game.id))}/sgf`} download={`game-${game.id}.sgf`}>
              download
            </a>
          </dd>
        </>
      )}
    </dl>
  );
}

/** The evaluation of the ply shown: the answer, or why there is none yet. */
interface EvaluationState {
  ply: number;
  answer: Evaluation | null;
  error: string | null;
}

/**
 * Asks for the network's evaluation of one ply of a game (none when `gameId` is null), a short
 * while after the ply last changed; an answer for a ply no longer shown is dropped.
 */
function useEvaluation(gameId: number | null, ply: number): EvaluationState {
  const [state, setState] = useState<EvaluationState>({ ply: -1, answer: null, error: null });
  useEffect(() => {
    if (gameId === null) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      fetchJson<Evaluation>(`/api/games/${encodeURIComponent(String(gameId))}/eval?ply=${ply}`, controller.signal)
        .then((answer) => setState({ ply, answer, error: null }))
        .catch((e: unknown) => {
          if (!isAbort(e)) setState({ ply, answer: null, error: errorMessage(e) });
        });
    }, EVALUATION_DELAY);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [gameId, ply]);
  return state.ply === ply ? state : { ply, answer: null, error: null };
}

/** The network's value of the position (as text) and the probability it gives a pass. */
function EvaluationPanel({ evaluation, sides, onPoints, ply }: { evaluation: EvaluationState; sides: [string, string]; onPoints: boolean; ply: number }) {
  const { answer, error } = evaluation;
  // A plain "-" (not "−"), so the number reads back as a number.
  const signed = (v: number): string => `${v >= 0 ? "+" : "-"}${Math.abs(v).toFixed(2)}`;
  return (
    <div class="eval" data-testid="eval" data-ply={String(ply)} data-state={answer !== null ? "done" : error !== null ? "error" : "waiting"}>
      <h3>Network</h3>
      {error !== null && <p class="error">{error}</p>}
      {answer === null && error === null && <p class="loading">evaluating…</p>}
      {answer !== null && <EvaluationText answer={answer} sides={sides} onPoints={onPoints} signed={signed} />}
    </div>
  );
}

/** The value as text (for Black or the first player, and for the side to move), the pass, the likeliest moves. */
function EvaluationText({ answer, sides, onPoints, signed }: { answer: Evaluation; sides: [string, string]; onPoints: boolean; signed: (v: number) => string }) {
  const mover = answer.toPlay === 1 ? 1 : 0;
  const forFirst = mover === 0 ? answer.value : -answer.value;
  const passes = answer.policy.filter((m) => m.cell === null);
  const top = [...answer.policy].sort((a, b) => b.p - a.p).slice(0, 5);
  return (
    <>
      <p class="value">
        value for {onPoints ? sides[0] : `the ${sides[0]}`}: {signed(forFirst)}
      </p>
      <p class="value-detail">
        {signed(answer.value)} for the side to move ({sides[mover]}); from −1, a loss, to +1, a win
      </p>
      {passes.length > 0 && <p class="pass">pass: {shortPercent(passes.reduce((sum, m) => sum + m.p, 0))}</p>}
      {top.length > 0 && (
        <p class="top-moves">
          likeliest: {top.map((m) => `${m.move} ${shortPercent(m.p)}`).join(", ")}
        </p>
      )}
      {answer.policy.length === 0 && <p class="note">no legal moves</p>}
    </>
  );
}
