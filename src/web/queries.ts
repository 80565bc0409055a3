/**
 * What the viewer reads from the database (src/web/README.md documents each answer). Every query
 * is a prepared statement whose values are bound: no SQL is built from request text. Filters
 * arrive already checked (filters.ts).
 */
import { FossilError, InputError } from "../../core/errors.js";
import type { Game, GameState, StoredGame } from "../../games/game.js";
import { parseGameSpec } from "../../games/index.js";
import { computeLadder } from "../../db/ladder.js";
import type { Db } from "../../db/schema.js";
import { SCHEMA_VERSION } from "../../db/schema.js";
import { exportRow, sgfFileName, sgfText } from "../data/export.js";
import { loopCost, studyNames, studyStatus } from "../study/status.js";
import { studySnapshot } from "../study/rating.js";
import type { Ladder as LadderAnswer, GamePage, GameRecord, GameSummary, HeadToHead, Info, Position, Run, Study } from "./answers.js";
import { ViewerError, type GameFilter, type LadderFilter } from "./filters.js";

/** The distinct values of an indexed column, each found by one index seek (fast on a million rows). */
function distinct(db: Db, table: "games" | "players", column: "game" | "kind" | "source"): string[] {
  const next = db.prepare(`SELECT min(${column}) FROM ${table} WHERE ${column} > ?`).pluck();
  const out: string[] = [];
  let value = db.prepare(`SELECT min(${column}) FROM ${table}`).pluck().get() as string | null;
  while (value !== null) {
    out.push(value);
    value = next.get(value) as string | null;
  }
  return out;
}

export function info(db: Db, path: string, model: { path: string; game: string } | null): Info {
  const count = (table: string): number => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  return {
    db: path,
    schema: SCHEMA_VERSION,
    games: count("games"),
    players: count("players"),
    runs: count("runs"),
    families: distinct(db, "games", "game"),
    kinds: db.prepare("SELECT DISTINCT kind FROM players ORDER BY kind").pluck().all() as string[],
    sources: distinct(db, "games", "source"),
    model,
  };
}

export function studies(db: Db): Study[] {
  const idOf = db.prepare("SELECT id FROM runs WHERE name = ?").pluck();
  const rated = db.prepare(
    `SELECT p.name AS player, p.run_id AS runId, p.arm, p.generation, p.compute, u.name AS run, r.elo, r.ci95, r.games
     FROM ratings r JOIN players p ON p.id = r.player_id LEFT JOIN runs u ON u.id = p.run_id
     WHERE r.snapshot_id = ? ORDER BY r.elo DESC`,
  );
  return studyStatus(db).map((s) => {
    const id = idOf.get(s.study) as number;
    const snapshot = studySnapshot(db, id);
    const rows = snapshot === null ? [] : (rated.all(snapshot) as { player: string; runId: number | null; arm: string | null; generation: number | null; compute: string | null; run: string | null; elo: number; ci95: number; games: number }[]);
    const prefix = `${s.study}/`;
    const checkpoints: Study["checkpoints"] = [];
    const reference: Study["reference"] = [];
    for (const r of rows) {
      if (r.run?.startsWith(prefix) && r.generation !== null) {
        const compute = JSON.parse(r.compute ?? "{}") as { evaluations?: number; cpu_seconds?: number; wall_seconds?: number };
        const seed = Number(/\/s(\d+)$/.exec(r.run)?.[1] ?? NaN);
        checkpoints.push({
          run: r.run, arm: r.arm ?? r.run.slice(prefix.length).split("/")[0]!, seed, generation: r.generation, player: r.player,
          evaluations: compute.evaluations ?? 0, cpuSeconds: compute.cpu_seconds ?? 0, wallSeconds: compute.wall_seconds ?? 0,
          elo: r.elo, ci95: r.ci95, games: r.games,
        });
      } else if (r.runId === null) {
        reference.push({ player: r.player, elo: r.elo, ci95: r.ci95, games: r.games });
      }
    }
    checkpoints.sort((a, b) => a.run.localeCompare(b.run) || a.generation - b.generation);
    const loops = loopCost(db, s.study);
    return {
      study: s.study,
      preset: s.settings.preset,
      game: s.settings.game,
      budget: s.settings.budget,
      seeds: s.settings.seeds,
      arms: [...new Set(s.runs.map((r) => r.arm))],
      steps: s.steps,
      runs: s.runs.map((r) => ({ run: `${s.study}/${r.arm}/s${r.seed}`, ...r })),
      ratingGames: s.ratingGames,
      ratingTarget: s.settings.rating.games,
      measured: s.measured,
      cpuSeconds: s.steps.reduce((t, x) => t + x.cpuSeconds, 0) + loops.cpu,
      wallSeconds: s.steps.reduce((t, x) => t + x.wallSeconds, 0) + loops.wall,
      snapshot,
      checkpoints,
      reference,
    };
  });
}

/** Every self-play training run (the loop's runs), oldest first. */
export function runs(db: Db): Run[] {
  const rows = db
    .prepare(
      `SELECT r.name AS run, r.seed, r.config, r.created_at AS createdAt,
              sum(g.trained_at IS NOT NULL) AS generations, coalesce(sum(CASE WHEN g.trained_at IS NOT NULL THEN g.evaluations END), 0) AS evaluations,
              sum(g.games) AS selfplayGames, sum(g.selfplay_cpu_seconds + coalesce(g.train_cpu_seconds, 0)) AS cpuSeconds,
              sum(g.selfplay_wall_seconds + coalesce(g.train_wall_seconds, 0)) AS wallSeconds,
              (SELECT p.arm FROM players p WHERE p.run_id = r.id AND p.arm IS NOT NULL LIMIT 1) AS arm
       FROM runs r JOIN generations g ON g.run_id = r.id GROUP BY r.id ORDER BY r.id`,
    )
    .all() as (Omit<Run, "study" | "game"> & { config: string })[];
  const studies = new Set(studyNames(db));
  return rows.map(({ config, ...r }) => {
    const slash = r.run.indexOf("/");
    const study = slash > 0 && studies.has(r.run.slice(0, slash)) ? r.run.slice(0, slash) : null;
    const game = (JSON.parse(config) as { game?: unknown }).game;
    return { ...r, study, game: typeof game === "string" ? game : null };
  });
}

/** 404 for a game family the database has no games of. */
export function checkFamily(db: Db, game: string): void {
  if (db.prepare("SELECT 1 FROM games WHERE game = ? LIMIT 1").get(game) === undefined) throw new ViewerError(404, `no games of ${game} in this database`);
}

/**
 * The ladders of the game families: the same fit as `fossil ratings --game G`. Each family's fit
 * is kept while no other connection has written to the database (SQLite's data_version), and
 * after a write while that family's games are the same (their count and largest id), so a reload
 * or a change of family and back costs nothing.
 */
export class LadderCache {
  private version = -1;
  private defaultFamily: string | null = null;
  private readonly fits = new Map<string, { key: string; ladder: LadderAnswer }>();

  get(db: Db, filter: LadderFilter): LadderAnswer {
    const version = db.pragma("data_version", { simple: true }) as number;
    const changed = version !== this.version;
    this.version = version;
    if (changed || this.defaultFamily === null) this.defaultFamily = mostPlayed(db, distinct(db, "games", "game"));
    const game = filter.game ?? this.defaultFamily;
    if (game === null) return { game: null, games: 0, anchor: null, anchorElo: null, rows: [], note: "no games in this database" };
    let fit = this.fits.get(game);
    if (changed || !fit) {
      checkFamily(db, game);
      const stamp = db.prepare("SELECT count(*) AS n, max(id) AS last FROM games WHERE game = ?").get(game) as { n: number; last: number };
      const key = `${stamp.n}|${stamp.last}`;
      if (fit?.key !== key) {
        fit = { key, ladder: familyLadder(db, game) };
        this.fits.set(game, fit);
      }
    }
    return { ...fit!.ladder, rows: filter.kind ? fit!.ladder.rows.filter((r) => r.kind === filter.kind) : fit!.ladder.rows };
  }
}

/** One family's fit with each player's kind; games that rate no one make an empty ladder with a note. */
function familyLadder(db: Db, game: string): LadderAnswer {
  let ladder;
  try {
    ladder = computeLadder(db, { game });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { game, games: 0, anchor: null, anchorElo: null, rows: [], note: e.message };
  }
  const kindOf = db.prepare("SELECT kind FROM players WHERE name = ?").pluck();
  return { ...ladder, game, rows: ladder.rows.map((r) => ({ ...r, kind: kindOf.get(r.player) as string })) };
}

function mostPlayed(db: Db, families: string[]): string | null {
  const count = db.prepare("SELECT count(*) FROM games WHERE game = ?").pluck();
  let best: string | null = null, most = -1;
  for (const f of families) {
    const n = count.get(f) as number;
    if (n > most) [best, most] = [f, n];
  }
  return best;
}

export function headToHead(db: Db, player: string, game: string | undefined): HeadToHead {
  const id = db.prepare("SELECT id FROM players WHERE name = ?").pluck().get(player) as number | undefined;
  if (id === undefined) throw new ViewerError(404, `no player named "${player}"`);
  const rows = db
    .prepare(
      `SELECT o.name AS opponent, count(*) AS games,
              sum((g.black_id = :id AND g.winner = 0) OR (g.white_id = :id AND g.winner = 1)) AS wins,
              sum(g.winner IS NULL AND g.result = '0') AS draws,
              sum((g.black_id = :id AND g.winner = 1) OR (g.white_id = :id AND g.winner = 0)) AS losses
       FROM games g JOIN players o ON o.id = CASE WHEN g.black_id = :id THEN g.white_id ELSE g.black_id END
       WHERE (g.black_id = :id OR g.white_id = :id) AND g.black_id <> g.white_id AND (:game IS NULL OR g.game = :game)
       GROUP BY o.id ORDER BY games DESC, o.name`,
    )
    .all({ id, game: game ?? null }) as { opponent: string; games: number; wins: number; draws: number; losses: number }[];
  return { player, rows };
}

/**
 * A page of games, newest first, after the game `before` (keyset pagination: each page is an
 * index walk from where the last ended, as fast on the last page as on the first).
 */
export function gameList(db: Db, f: GameFilter): GamePage {
  const where: string[] = [];
  const params: Record<string, string | number> = { limit: f.limit + 1 };
  if (f.run !== undefined) {
    const id = db.prepare("SELECT id FROM runs WHERE name = ?").pluck().get(f.run) as number | undefined;
    if (id === undefined) throw new ViewerError(404, `no run named "${f.run}"`);
    params.run = id;
    where.push("g.run_id = :run");
  }
  if (f.source !== undefined) (params.source = f.source), where.push("g.source = :source");
  if (f.game !== undefined) (params.game = f.game), where.push("g.game = :game");
  if (f.result === "black") where.push("g.winner = 0");
  if (f.result === "white") where.push("g.winner = 1");
  if (f.result === "draw") where.push("g.winner IS NULL AND g.result = '0'");
  if (f.minLength !== undefined) (params.minLength = f.minLength), where.push("g.length >= :minLength");
  if (f.maxLength !== undefined) (params.maxLength = f.maxLength), where.push("g.length <= :maxLength");
  // Dates of storing: stored_at is ISO text, so text comparison orders it.
  if (f.from !== undefined) (params.from = f.from), where.push("g.stored_at >= :from");
  if (f.to !== undefined) (params.to = `${f.to}T99`), where.push("g.stored_at < :to");
  if (f.before !== undefined) (params.before = f.before), where.push("g.id < :before");
  if (f.player !== undefined) {
    const id = db.prepare("SELECT id FROM players WHERE name = ?").pluck().get(f.player) as number | undefined;
    if (id === undefined) throw new ViewerError(404, `no player named "${f.player}"`);
    params.player = id;
    // A player's games are two walks down the colour indexes, newest first, each stopping at a
    // page: "black_id = ? OR white_id = ?" would collect and sort all of them (85,000 of a
    // million: 150 ms) to show 50.
    const rest = where.map((w) => ` AND ${w}`).join("");
    where.length = 0;
    where.push(`g.id IN (
      SELECT id FROM (SELECT g.id FROM games g WHERE g.black_id = :player${rest} ORDER BY g.id DESC LIMIT :limit)
      UNION ALL
      SELECT id FROM (SELECT g.id FROM games g WHERE g.white_id = :player AND g.black_id <> :player${rest} ORDER BY g.id DESC LIMIT :limit))`);
  }
  // The column list and clauses are fixed text; only bound values come from the request.
  const rows = db
    .prepare(
      `SELECT g.id, g.game, g.spec, b.name AS black, w.name AS white, g.result, g.winner, g.length, g.source, r.name AS run,
              g.played_at AS playedAt, g.stored_at AS storedAt
       FROM games g JOIN players b ON b.id = g.black_id JOIN players w ON w.id = g.white_id LEFT JOIN runs r ON r.id = g.run_id
       ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY g.id DESC LIMIT :limit`,
    )
    .all(params) as GameSummary[];
  const more = rows.length > f.limit;
  if (more) rows.pop();
  return { games: rows, next: more ? rows.at(-1)!.id : null };
}

interface StoredRecord extends GameSummary {
  score: number | null;
  endReason: string | null;
  match: number | null;
  moves: string | null;
  setup: string | null;
}

/** Replays a stored game; a game that does not replay is the database's fault, a 500 naming it. */
function replayStored(game: Game, id: number, stored: StoredGame, visit?: (state: GameState, action: number, index: number) => void): GameState {
  try {
    return game.replay(stored, visit);
  } catch (e) {
    if (e instanceof FossilError) throw new ViewerError(500, `game ${id} in the database does not replay: ${e.message}`);
    throw e;
  }
}

function gameRecord(db: Db, id: number): StoredRecord {
  const row = db
    .prepare(
      `SELECT g.id, g.game, g.spec, b.name AS black, w.name AS white, g.result, g.winner, g.score, g.length, g.end_reason AS endReason,
              g.source, r.name AS run, g.match_id AS match, g.played_at AS playedAt, g.stored_at AS storedAt, g.moves, g.setup
       FROM games g JOIN players b ON b.id = g.black_id JOIN players w ON w.id = g.white_id LEFT JOIN runs r ON r.id = g.run_id
       WHERE g.id = ?`,
    )
    .get(id) as StoredRecord | undefined;
  if (!row) throw new ViewerError(404, `no game ${id} in this database`);
  return row;
}

/** One game with every position replayed by the rules: the start and the position after each move. */
export function gameDetail(db: Db, id: number): GameRecord {
  const { moves, setup, ...record } = gameRecord(db, id);
  const game = parseGameSpec(record.spec);
  const positions: Position[] = [];
  const captures: [number, number] = [0, 0];
  let previous: Uint8Array | null = null;
  const add = (state: GameState, move: string | null): void => {
    const cells = state.cells();
    let last: number | null = null;
    if (previous) {
      const mover = 1 - state.toPlay;
      for (let c = 0; c < cells.length; c++) {
        if (previous[c] === 0 && cells[c] !== 0) last = c;
        // A stone of the side that did not move that is gone was taken by the mover.
        if (previous[c] === 2 - mover && cells[c] === 0) captures[mover as 0 | 1]++;
      }
    }
    positions.push({ ply: positions.length, move, toPlay: state.toPlay, cells: cells.join(""), captures: [captures[0], captures[1]], last });
    previous = cells;
  };
  if (moves === null) {
    add(game.newState(), null);
  } else {
    // replay shows each position before its move: a position is added when the next one arrives.
    let move: string | null = null;
    const final = replayStored(game, id, { spec: record.spec, moves, setup }, (state, action) => {
      add(state, move);
      move = game.actionText(action);
    });
    add(final, move);
  }
  return {
    ...record,
    height: game.height,
    width: game.width,
    board: game.boardStyle,
    sides: [game.sideName(0), game.sideName(1)],
    sgf: game.sgf !== undefined && moves !== null,
    positions,
  };
}

/** The SGF text of a game, and its file name; 404 for games SGF does not hold. */
export function gameSgf(db: Db, id: number): { name: string; text: string } {
  const row = exportRow(db, id);
  if (!row) throw new ViewerError(404, `no game ${id} in this database`);
  const sgf = parseGameSpec(row.spec).sgf;
  if (!sgf || row.moves === null) throw new ViewerError(404, `game ${id} has no SGF record (${row.moves === null ? "a result without moves" : `SGF holds Go, not ${parseGameSpec(row.spec).id}`})`);
  return { name: sgfFileName(id), text: sgfText(row, row.moves, sgf) };
}

/** 404 for a game id the database does not hold (the game's page; its JSON replays it). */
export function checkGame(db: Db, id: number): void {
  gameRecord(db, id);
}

/** The stored game `id` replayed to its position after `ply` moves (for the model's evaluation). */
export function gamePosition(db: Db, id: number, ply: number): { game: Game; state: GameState } {
  const row = gameRecord(db, id);
  const game = parseGameSpec(row.spec);
  if (row.moves === null) throw new ViewerError(404, `game ${id} is a result without moves`);
  let found: GameState | null = null;
  let played = 0;
  const final = replayStored(game, id, { spec: row.spec, moves: row.moves, setup: row.setup }, (state, _action, index) => {
    if (index === ply) found = state.clone();
    played++;
  });
  if (found === null && ply === played) found = final;
  if (found === null) throw new ViewerError(404, `game ${id} has no position after ${ply} moves`);
  return { game, state: found };
}
