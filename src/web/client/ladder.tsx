/**
 * The ladder (`/ladder?game=G&kind=K&player=NAME`): the players of one game family with Elo, 95%
 * interval, games and score, filtered by kind; a chosen player's head-to-head table below it.
 */
import { useEffect, useState } from "preact/hooks";
import { errorMessage, fetchJson, formatCount, formatPercent, formatRounded, withQuery, type HeadToHead, type Info, type Ladder } from "./api.js";
import { ErrorMessage, markReady, pageQuery, setTitle, submitWithoutEmptyFields } from "./common.js";

/** The link to a player's games. */
function gamesOf(player: string): string {
  return withQuery("/games", { player });
}

export function LadderPage() {
  const query = pageQuery();
  const askedGame = query.get("game") ?? "";
  const kind = query.get("kind") ?? "";
  const player = query.get("player") ?? "";
  const [info, setInfo] = useState<Info | null>(null);
  const [ladder, setLadder] = useState<Ladder | null>(null);
  const [headToHead, setHeadToHead] = useState<HeadToHead | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [headToHeadError, setHeadToHeadError] = useState<string | null>(null);

  useEffect(() => {
    setTitle(player === "" ? "Ladder" : `Ladder · ${player}`);
    fetchJson<Info>("/api/info")
      .then(setInfo)
      .catch((e: unknown) => setError(errorMessage(e)));
    fetchJson<Ladder>(withQuery("/api/ladder", { game: askedGame, kind }))
      .then((answer) => {
        setLadder(answer);
        if (player === "") return;
        const game = askedGame !== "" ? askedGame : (answer.game ?? "");
        return fetchJson<HeadToHead>(withQuery("/api/head-to-head", { player, game }))
          .then(setHeadToHead)
          .catch((e: unknown) => setHeadToHeadError(errorMessage(e)));
      })
      .catch((e: unknown) => setError(errorMessage(e)));
  }, []);

  const headToHeadSettled = player === "" || headToHead !== null || headToHeadError !== null;
  useEffect(() => {
    if (error !== null || (ladder !== null && headToHeadSettled)) markReady();
  }, [error, ladder, headToHeadSettled]);

  const game = askedGame !== "" ? askedGame : (ladder?.game ?? "");
  const families = info?.families ?? [];
  const kinds = info?.kinds ?? [];
  return (
    <>
      <h1>Ladder</h1>
      <form class="filters" method="get" action="/ladder" onSubmit={(event) => submitWithoutEmptyFields(event, "/ladder")}>
        <label>
          game{" "}
          <select name="game">
            {game === "" && (
              <option value="" selected>
                the family with most games
              </option>
            )}
            {(families.includes(game) || game === "" ? families : [game, ...families]).map((family) => (
              <option key={family} value={family} selected={family === game}>
                {family}
              </option>
            ))}
          </select>
        </label>
        <label>
          kind{" "}
          <select name="kind">
            <option value="" selected={kind === ""}>
              all
            </option>
            {(kinds.includes(kind) || kind === "" ? kinds : [kind, ...kinds]).map((k) => (
              <option key={k} value={k} selected={k === kind}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">show</button>
      </form>
      <ErrorMessage message={error} />
      {ladder !== null && <LadderTable ladder={ladder} game={game} kind={kind} player={player} />}
      {player !== "" && ladder !== null && (
        <section class="head-to-head">
          <h2>
            Head-to-head: {player} <a href={gamesOf(player)}>(games)</a>
          </h2>
          <ErrorMessage message={headToHeadError} />
          {headToHead !== null && <HeadToHeadTable headToHead={headToHead} />}
        </section>
      )}
    </>
  );
}

/** The ladder's rows; each player's name chooses its head-to-head table. */
function LadderTable({ ladder, game, kind, player }: { ladder: Ladder; game: string; kind: string; player: string }) {
  if (ladder.rows.length === 0) return <p class="empty">{ladder.note ?? `no rated players${kind !== "" ? ` of kind ${kind}` : ""}`}</p>;
  return (
    <>
      <p class="summary">
        {ladder.game || game}: {formatCount(ladder.games)} games
        {ladder.anchor !== null && ladder.anchor !== "" && `; anchor ${ladder.anchor} = ${formatRounded(ladder.anchorElo)} Elo; ±95% is relative to the anchor`}
      </p>
      <table class="wide">
        <thead>
          <tr>
            <th class="num">rank</th>
            <th>player</th>
            <th>kind</th>
            <th class="num">Elo</th>
            <th class="num">±95%</th>
            <th class="num">games</th>
            <th class="num">score</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {ladder.rows.map((row, index) => (
            <tr key={row.player} data-testid="ladder-row" data-player={row.player} class={row.player === player ? "selected" : undefined}>
              <td class="num" data-col="rank">
                {index + 1}
              </td>
              <td data-col="player">
                <a href={withQuery("/ladder", { game, kind, player: row.player })}>{row.player}</a>
              </td>
              <td data-col="kind">{row.kind}</td>
              <td class="num" data-col="elo">
                {formatRounded(row.elo)}
              </td>
              <td class="num" data-col="ci95">
                {formatRounded(row.ci95)}
              </td>
              <td class="num" data-col="games">
                {row.games}
              </td>
              <td class="num" data-col="score">
                {formatPercent(row.score)}
              </td>
              <td>
                <a href={gamesOf(row.player)}>games</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** A player's results against each opponent, most games first. */
function HeadToHeadTable({ headToHead }: { headToHead: HeadToHead }) {
  if (headToHead.rows.length === 0) return <p class="empty">no games against other players</p>;
  return (
    <table>
      <thead>
        <tr>
          <th>opponent</th>
          <th class="num">games</th>
          <th class="num">wins</th>
          <th class="num">draws</th>
          <th class="num">losses</th>
          <th class="num">score</th>
        </tr>
      </thead>
      <tbody>
        {headToHead.rows.map((row) => (
          <tr key={row.opponent} data-testid="head-to-head-row" data-opponent={row.opponent}>
            <td>
              <a href={gamesOf(row.opponent)}>{row.opponent}</a>
            </td>
            <td class="num">{row.games}</td>
            <td class="num">{row.wins}</td>
            <td class="num">{row.draws}</td>
            <td class="num">{row.losses}</td>
            <td class="num">{formatPercent(row.games > 0 ? (row.wins + row.draws / 2) / row.games : null)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
