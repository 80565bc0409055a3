/** Games out of the database: SGF files that Sabaki and GoGui open, for games SGF can hold (`Game.sgf`). */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../../core/errors.js";
import { makeFolder } from "../../core/files.js";
import { parseGameSpec } from "../../games/index.js";
import type { Db } from "../../db/schema.js";
import type { SgfSupport } from "../../games/game.js";

export interface ExportFilter {
  /** Only games of this player (either colour). */
  player?: string;
  /** Only games of this source. */
  source?: string;
}

/** A stored game with what its SGF record names. */
export interface ExportRow {
  id: number;
  spec: string;
  black: string;
  white: string;
  black_rank: string | null;
  white_rank: string | null;
  moves: string | null;
  setup: string | null;
  result: string;
  played_at: string | null;
  source: string;
}

export interface ExportReport {
  written: number;
  /** Games of games SGF does not hold (Connect Four), and results stored without moves (CSV imports). */
  otherGames: number;
  resultsOnly: number;
}

const EXPORT_SELECT = `SELECT g.id, g.spec, b.name AS black, w.name AS white, b.rank AS black_rank, w.rank AS white_rank,
       g.moves, g.setup, g.result, g.played_at, g.source
     FROM games g JOIN players b ON b.id = g.black_id JOIN players w ON w.id = g.white_id`;

/** One stored game as export reads it, or undefined. */
export function exportRow(db: Db, id: number): ExportRow | undefined {
  return db.prepare(`${EXPORT_SELECT} WHERE g.id = ?`).get(id) as ExportRow | undefined;
}

/** The file name of a game's SGF record: `game-000042.sgf`. */
export const sgfFileName = (id: number): string => `game-${String(id).padStart(6, "0")}.sgf`;

/** The SGF text of a stored game with moves, by its game's SGF support. */
export function sgfText(row: ExportRow, moves: string, sgf: SgfSupport): string {
  return sgf.write(
    { spec: row.spec, moves, setup: row.setup },
    {
      black: row.black,
      white: row.white,
      blackRank: row.black_rank ?? undefined,
      whiteRank: row.white_rank ?? undefined,
      result: row.result,
      // The date of play only: inventing one (the storage date) would make a different record.
      date: row.played_at ?? undefined,
      event: `fossil ${row.source} game ${row.id}`,
    },
  );
}

/** Writes one SGF file per game (`game-000042.sgf`, by game id) into `dir`; what SGF cannot hold is counted, not written. */
export function exportGames(db: Db, dir: string, filter: ExportFilter = {}): ExportReport {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (filter.player) {
    const p = db.prepare("SELECT id FROM players WHERE name = ?").get(filter.player) as { id: number } | undefined;
    if (!p) throw new InputError(`no player named "${filter.player}" in the database`, { file: db.name });
    where.push("(g.black_id = ? OR g.white_id = ?)");
    params.push(p.id, p.id);
  }
  if (filter.source) {
    where.push("g.source = ?");
    params.push(filter.source);
  }
  const rows = db.prepare(`${EXPORT_SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY g.id`).all(...params) as ExportRow[];
  makeFolder(dir);
  const report: ExportReport = { written: 0, otherGames: 0, resultsOnly: 0 };
  for (const row of rows) {
    const sgf = parseGameSpec(row.spec).sgf;
    if (!sgf || row.moves === null) {
      if (!sgf) report.otherGames++;
      else report.resultsOnly++;
      continue;
    }
    const text = sgfText(row, row.moves, sgf);
    const file = join(dir, sgfFileName(row.id));
    try {
      writeFileSync(file, text);
    } catch (e) {
      throw new InputError(`cannot write: ${(e as Error).message}`, { file });
    }
    report.written++;
  }
  return report;
}
