/** Ratings of the players in a database: the fit over its games, and rating snapshots. */
import { InputError } from "../core/errors.js";
import { blackScoreOf, fitRatings, type Result } from "./ratings.js";
import type { Db } from "./schema.js";

export interface LadderRow {
  player: string;
  elo: number;
  ci95: number;
  games: number;
  /** Points per game, 0..1. */
  score: number;
}

export interface LadderOptions {
  /** Only games of this game id (go:9, connect4). */
  game?: string;
  /** Only games of this run (a study's rating games). */
  runId?: number;
  /** Anchor player name and rating; default: "random" at 0 if present, else the player with most games. */
  anchor?: { name: string; elo: number };
  firstMoveAdvantage?: boolean;
  /** Store the ratings as a new snapshot (one transaction). */
  save?: boolean;
}

export interface Ladder {
  rows: LadderRow[];
  anchor: string;
  anchorElo: number;
  advantage: number;
  advantageCi95: number;
  games: number;
  snapshotId?: number;
}

/** Largest anchor rating accepted, in Elo points (ratings far beyond it print as nonsense). */
const MAX_ANCHOR_ELO = 1_000_000;

/** Parses `NAME=ELO` (the name may contain '='; the last one splits; ELO a decimal number). */
export function parseAnchor(text: string): { name: string; elo: number } {
  const at = text.lastIndexOf("=");
  const value = text.slice(at + 1).trim();
  const elo = /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value) ? Number(value) : NaN;
  if (at <= 0 || !Number.isFinite(elo)) throw new InputError(`--anchor must be NAME=ELO (e.g. random=0), got "${text}"`);
  if (Math.abs(elo) > MAX_ANCHOR_ELO) throw new InputError(`--anchor: ELO must be between -${MAX_ANCHOR_ELO} and ${MAX_ANCHOR_ELO}, got ${value}`);
  return { name: text.slice(0, at), elo };
}

/** A write of the ladder's snapshot failed: one line naming the database file and why. */
function saveFailure(db: Db, e: unknown): never {
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("SQLITE_")) {
    const why = code.startsWith("SQLITE_READONLY") ? "read-only: cannot write" : code === "SQLITE_FULL" ? "disk full: cannot write" : "cannot write";
    throw new InputError(`${why} the rating snapshot (${(e as Error).message}); nothing was saved`, { file: db.name });
  }
  throw e;
}

export function computeLadder(db: Db, options: LadderOptions = {}): Ladder {
  if (options.game !== undefined && options.game.trim() === "") throw new InputError("--game needs a game (go:9, connect4)");
  const ofGame = options.game ? ` of ${options.game}` : "";
  const where = [...(options.game ? ["game = ?"] : []), ...(options.runId !== undefined ? ["run_id = ?"] : [])];
  const rows = db
    .prepare(`SELECT black_id AS black, white_id AS white, result FROM games${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""}`)
    .raw()
    .all(...(options.game ? [options.game] : []), ...(options.runId !== undefined ? [options.runId] : [])) as [number, number, string][];
  // Players get an index only when they have a rated game: a game against oneself says nothing
  // about one's strength (self-play), and a player without rated games has no rating.
  const ids: number[] = [];
  const indexOf = new Map<number, number>();
  const idx = (id: number): number => {
    let i = indexOf.get(id);
    if (i === undefined) {
      i = ids.length;
      ids.push(id);
      indexOf.set(id, i);
    }
    return i;
  };
  const results: Result[] = [];
  let againstItself = 0;
  for (const [black, white, result] of rows) {
    const s = blackScoreOf(result);
    if (s === null) continue;
    if (black === white) {
      againstItself++;
      continue;
    }
    results.push({ black: idx(black), white: idx(white), blackScore: s });
  }
  if (results.length === 0) {
    let why = "";
    if (againstItself > 0) why = ` (its ${againstItself} game${againstItself === 1 ? " is" : "s are"} a player against itself, which rates no one)`;
    else if (options.game) {
      const present = db.prepare("SELECT DISTINCT game FROM games ORDER BY game").pluck().all() as string[];
      if (present.length > 0) why = ` (it has games of ${present.join(", ")})`;
    }
    throw new InputError(`no rated games${ofGame} in the database${why}`);
  }
  const names = new Map<number, string>();
  for (const [id, name] of db.prepare("SELECT id, name FROM players").raw().all() as [number, string][]) if (indexOf.has(id)) names.set(id, name);
  let anchorIndex: number;
  let anchorElo = 0;
  if (options.anchor) {
    const found = ids.findIndex((id) => names.get(id) === options.anchor!.name);
    if (found < 0) {
      const alone = db
        .prepare(`SELECT count(*) FROM games g JOIN players p ON p.id = g.black_id WHERE p.name = ? AND g.white_id = g.black_id${options.game ? " AND g.game = ?" : ""}`)
        .pluck()
        .get(options.anchor.name, ...(options.game ? [options.game] : [])) as number;
      const only = alone > 0 ? ` (only games against itself, which rate no one); anchor a player with rated games` : "";
      throw new InputError(`anchor player "${options.anchor.name}" has no rated games${ofGame}${only}`);
    }
    anchorIndex = found;
    anchorElo = options.anchor.elo;
  } else {
    anchorIndex = ids.findIndex((id) => names.get(id) === "random");
    if (anchorIndex < 0) {
      const counts = new Float64Array(ids.length);
      for (const r of results) {
        counts[r.black]!++;
        counts[r.white]!++;
      }
      anchorIndex = 0;
      counts.forEach((c, i) => {
        if (c > counts[anchorIndex]!) anchorIndex = i;
      });
    }
  }
  const fit = fitRatings(ids.length, results, { anchor: anchorIndex, anchorElo, firstMoveAdvantage: options.firstMoveAdvantage });
  const ladder: LadderRow[] = ids
    .map((id, i) => ({ player: names.get(id)!, elo: fit.elo[i]!, ci95: fit.ci95[i]!, games: fit.games[i]!, score: fit.score[i]! }))
    .sort((a, b) => b.elo - a.elo);
  const out: Ladder = { rows: ladder, anchor: names.get(ids[anchorIndex]!)!, anchorElo, advantage: fit.advantage, advantageCi95: fit.advantageCi95, games: results.length };
  if (options.save) {
    try {
      out.snapshotId = db.transaction(() => {
        const snap = Number(
          db
            .prepare("INSERT INTO rating_snapshots (game, anchor, method, params) VALUES (?, ?, ?, ?)")
            .run(options.game ?? null, `${out.anchor}=${anchorElo}`, "bradley-terry elo", JSON.stringify({ firstMoveAdvantage: fit.advantage, games: results.length, priorElo: 1000, ...(options.runId !== undefined ? { runId: options.runId } : {}) })).lastInsertRowid,
        );
        const insert = db.prepare("INSERT INTO ratings (snapshot_id, player_id, elo, ci95, games, score) VALUES (?, ?, ?, ?, ?, ?)");
        ids.forEach((id, i) => insert.run(snap, id, fit.elo[i]!, fit.ci95[i]!, fit.games[i]!, fit.score[i]!));
        return snap;
      }).immediate();
    } catch (e) {
      saveFailure(db, e);
    }
  }
  return out;
}

/** The ladder as aligned text: player, Elo, ±95%, games, score%. */
export function formatLadder(ladder: Ladder): string {
  const width = Math.max(6, ...ladder.rows.map((r) => r.player.length));
  const lines = [`${"player".padEnd(width)}     Elo    ±95%   games  score`];
  for (const r of ladder.rows) {
    lines.push(`${r.player.padEnd(width)} ${r.elo.toFixed(0).padStart(7)} ${(r.ci95 === 0 ? "anchor" : r.ci95.toFixed(0)).padStart(7)} ${String(r.games).padStart(7)} ${(100 * r.score).toFixed(1).padStart(5)}%`);
  }
  return lines.join("\n");
}
