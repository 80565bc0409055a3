/**
 * The games (`/games?player=&source=&run=&result=&min_length=&max_length=&from=&to=&game=&before=`):
 * a filter form that rewrites the address, the matching games newest first, and links to the
 * next page and back to the first.
 */
import { useEffect, useState } from "preact/hooks";
import { errorMessage, fetchJson, formatDate, withQuery, type GamePage, type Info } from "./api.js";
import { ErrorMessage, markReady, pageQuery, setTitle, submitWithoutEmptyFields } from "./common.js";

/** The filters of the games list, in the order of the form. */
const FILTERS = ["player", "source", "run", "result", "min_length", "max_length", "from", "to", "game"] as const;

/** The page's filters from its address (empty ones left out), `before` and `limit` kept. */
function currentFilters(): URLSearchParams {
  const query = pageQuery();
  const kept = new URLSearchParams();
  for (const key of [...FILTERS, "limit", "before"]) {
    const value = query.get(key);
    if (value !== null && value !== "") kept.set(key, value);
  }
  return kept;
}

export function GamesPage() {
  const filters = currentFilters();
  const filterText = filters.toString();
  const [info, setInfo] = useState<Info | null>(null);
  const [page, setPage] = useState<GamePage | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setTitle("Games");
    fetchJson<Info>("/api/info")
      .then(setInfo)
      .catch(() => {
        // The form's choices are a convenience; the list's own error is shown.
      });
    fetchJson<GamePage>(filterText === "" ? "/api/games" : `/api/games?${filterText}`)
      .then(setPage)
      .catch((e: unknown) => setError(errorMessage(e)));
  }, []);

  useEffect(() => {
    if (page !== null || error !== null) markReady();
  }, [page, error]);

  const value = (key: string): string => filters.get(key) ?? "";
  const withoutBefore = new URLSearchParams(filters);
  withoutBefore.delete("before");
  const nextPage = new URLSearchParams(withoutBefore);
  if (page !== null && page.next !== null) nextPage.set("before", String(page.next));
  const choices = (name: string, options: readonly string[], anyLabel: string) => {
    const chosen = value(name);
    const all = chosen === "" || options.includes(chosen) ? options : [chosen, ...options];
    return (
      <select name={name}>
        <option value="" selected={chosen === ""}>
          {anyLabel}
        </option>
        {all.map((option) => (
          <option key={option} value={option} selected={option === chosen}>
            {option}
          </option>
        ))}
      </select>
    );
  };

  return (
    <>
      <h1>Games</h1>
      <form class="filters" method="get" action="/games" onSubmit={(event) => submitWithoutEmptyFields(event, "/games")}>
        <label>
          player <input type="text" name="player" defaultValue={value("player")} size={14} />
        </label>
        <label>source {choices("source", info?.sources ?? ["selfplay", "match", "import", "teacher", "human"], "any")}</label>
        <label>
          run <input type="text" name="run" defaultValue={value("run")} size={14} />
        </label>
        <label>result {choices("result", ["black", "white", "draw"], "any")}</label>
        <label>
          moves from <input type="number" name="min_length" min={0} defaultValue={value("min_length")} class="short" />
        </label>
        <label>
          to <input type="number" name="max_length" min={0} defaultValue={value("max_length")} class="short" />
        </label>
        <label>
          stored from <input type="date" name="from" defaultValue={value("from")} />
        </label>
        <label>
          to <input type="date" name="to" defaultValue={value("to")} />
        </label>
        <label>game {choices("game", info?.families ?? [], "any")}</label>
        {value("limit") !== "" && <input type="hidden" name="limit" value={value("limit")} />}
        <button type="submit">show</button>{" "}
        <a href="/games">clear</a>
      </form>
      <ErrorMessage message={error} />
      {page !== null && (
        <>
          {page.games.length === 0 ? (
            <p class="empty">no games</p>
          ) : (
            <table class="wide">
              <thead>
                <tr>
                  <th class="num">id</th>
                  <th>game</th>
                  <th>black</th>
                  <th>white</th>
                  <th>result</th>
                  <th class="num">moves</th>
                  <th>source</th>
                  <th>run</th>
                  <th>stored</th>
                </tr>
              </thead>
              <tbody>
                {page.games.map((game) => (
                  <tr key={game.id} data-testid="game-row" data-id={String(game.id)}>
                    <td class="num">
                      <a href={`/games/${encodeURIComponent(String(game.id))}`}>{game.id}</a>
                    </td>
                    <td title={game.spec}>{game.game}</td>
                    <td>{game.black}</td>
                    <td>{game.white}</td>
                    <td>{game.result ?? "—"}</td>
                    <td class="num">{game.length ?? "—"}</td>
                    <td>{game.source}</td>
                    <td>{game.run ?? "—"}</td>
                    <td class="date">{formatDate(game.storedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p class="pager">
            {filters.has("before") && <a href={withQuery("/games", withoutBefore)}>first page</a>}
            {page.next !== null && (
              <a href={withQuery("/games", nextPage)} rel="next">
                next page
              </a>
            )}
          </p>
        </>
      )}
    </>
  );
}
