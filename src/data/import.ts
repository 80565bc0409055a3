/**
 * Games into the database: SGF files, folders and collections (every game replayed under its
 * rules before it is stored) and CSV results (`black,white,result`), for `fossil games import`;
 * and human games as the prior's data with filters (`fossil data import`). Every rejected record
 * is reported with its file and game or line; nothing is stored twice.
 */
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { FossilError, InputError } from "../../core/errors.js";
import { readInputBytes } from "../../core/files.js";
import { parseResultText } from "../../core/player.js";
import { parseGameSpec } from "../../games/index.js";
import { parseSgfRecovering, readSgfFile } from "../../games/sgf.js";
import { recordFromTree, replay, type GoRecord } from "../../games/go/record.js";
import { storedOfRecord } from "../../games/go/stored.js";
import type { Db } from "../../db/schema.js";
import { ensurePlayer, insertGames, outcomeColumns, type GameRow, type GameSource, type PlayerKind } from "../../db/store.js";
import { kindOfName } from "../../selfplay/spec.js";

/** Files under the given paths: folders are searched for .sgf and .csv files (sorted). */
export function listInputFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(sgf|csv)$/i.test(name)) out.push(path);
    }
  };
  for (const p of paths) {
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      throw new InputError("no such file or folder", { file: p });
    }
    if (isDir) walk(p);
    else out.push(p);
  }
  return out;
}

export interface ImportReport {
  stored: number;
  duplicates: number;
  /** One line per rejected record: where it is and why. */
  rejected: string[];
}

const sha = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 32);

/** How SGF records are taken in (games import vs the prior's data import). */
export interface SgfImportOptions {
  source: GameSource;
  /** A reason to reject a record that parsed and replayed, or null to keep it. */
  filter?: (record: GoRecord) => string | null;
  /** "record": a game is the same if everything recorded is; "moves": if the moves are (the prior's dedupe). */
  sameGame: "record" | "moves";
  /** Kind of the players created by name. */
  playerKind?: PlayerKind;
}

/** Imports one SGF file; every game is validated by replaying it. */
function importSgf(db: Db, file: string, options: SgfImportOptions, report: ImportReport): void {
  let collection;
  try {
    // A broken game tree is reported with its number and skipped; the others are read.
    collection = parseSgfRecovering(readSgfFile(file), file);
  } catch (e) {
    if (!(e instanceof FossilError)) throw e;
    report.rejected.push(e.message);
    return;
  }
  for (const error of collection.errors) report.rejected.push(error.message);
  if (collection.games.length === 0 && collection.errors.length === 0) report.rejected.push(`${file}: no SGF game tree found`);
  const rows: GameRow[] = [];
  const seen = new Set<string>();
  const known = db.prepare("SELECT 1 FROM games WHERE fingerprint = ?").pluck();
  collection.games.forEach(({ root, number }) => {
    try {
      const record = recordFromTree(root, collection.source, number);
      const final = replay(record);
      const rejected = options.filter?.(record);
      if (rejected) throw new InputError(rejected, { file, game: number });
      const result = record.result?.trim() ?? "";
      const outcome = parseResultText(result);
      if (outcome === null) throw new InputError(result ? `result RE[${result}] is not a win, loss or draw` : "no result (RE)", { file, game: number });
      const name = (who: string | undefined, color: string): string => (who?.trim() ? who.trim() : `unknown ${color}`);
      const black = name(record.black, "black"), white = name(record.white, "white");
      const stored = storedOfRecord(record);
      const game = parseGameSpec(stored.spec);
      const fingerprint =
        options.sameGame === "moves"
          ? sha(["moves", record.size, stored.setup ?? "", stored.moves].join("|"))
          : sha(["sgf", record.size, record.komi, game.rulesColumns().rules, black, white, result, record.date ?? "", stored.setup ?? "", stored.moves].join("|"));
      // A game already stored (or earlier in this file) creates no players and is counted as such.
      if (seen.has(fingerprint) || known.get(fingerprint)) {
        report.duplicates++;
        return;
      }
      seen.add(fingerprint);
      const player = (who: string, rank: string | undefined): number => ensurePlayer(db, { name: who, kind: options.playerKind ?? kindOfName(who), game: game.id, rank: rank ?? null });
      rows.push({
        ...game.rulesColumns(),
        blackId: player(black, record.blackRank),
        whiteId: player(white, record.whiteRank),
        moves: stored.moves,
        setup: stored.setup,
        ...outcomeColumns(outcome),
        result, // as recorded
        length: final.moveCount,
        source: options.source,
        playedAt: record.date ?? null,
        fingerprint,
      });
    } catch (e) {
      if (!(e instanceof FossilError)) throw e;
      report.rejected.push(e.message.includes(file) ? e.message : `${file}: game ${number}: ${e.message}`);
    }
  });
  const stored = insertGames(db, rows);
  report.stored += stored;
  report.duplicates += rows.length - stored;
}

/** Splits one CSV line (RFC 4180 quotes). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = "", quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(field);
      field = "";
    } else field += c;
  }
  out.push(field);
  return out.map((f) => f.trim());
}

/** Imports match results `black,white,result` of one game (its spec); one game per line. */
function importCsv(db: Db, file: string, spec: string | undefined, source: GameSource, report: ImportReport): void {
  const bytes = readInputBytes(file);
  const lines = bytes.toString("utf8").split(/\r?\n/);
  const header = csvFields(lines[0] ?? "").map((h) => h.toLowerCase());
  if (header.length < 3 || header[0] !== "black" || header[1] !== "white" || header[2] !== "result") {
    report.rejected.push(`${file}:1: the header must be black,white,result (got "${lines[0] ?? ""}")`);
    return;
  }
  if (!spec) {
    report.rejected.push(`${file}: CSV results need --game (e.g. --game go:9) to say which game they are`);
    return;
  }
  const game = parseGameSpec(spec);
  const fileHash = createHash("sha256").update(bytes).digest("hex");
  const rows: GameRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i]!.trim() === "") continue;
    const [black, white, result] = csvFields(lines[i]!);
    const where = `${file}:${i + 1}`;
    if (!black || !white) {
      report.rejected.push(`${where}: black and white must be named`);
      continue;
    }
    if (black === white) {
      report.rejected.push(`${where}: a player cannot play itself (${black})`);
      continue;
    }
    const normalised = /^draw$/i.test(result ?? "") ? "0" : (result ?? "").toUpperCase().replace(/^([BW])\+/, "$1+");
    const outcome = /^(0|[BW]\+(\d+(\.\d+)?|R|T|F)?)$/i.test(normalised) ? parseResultText(normalised) : null;
    if (outcome === null) {
      report.rejected.push(`${where}: result "${result ?? ""}" is not in SGF form (B+R, W+3.5, 0, Draw)`);
      continue;
    }
    rows.push({
      ...game.rulesColumns(),
      blackId: ensurePlayer(db, { name: black, kind: kindOfName(black), game: game.id }),
      whiteId: ensurePlayer(db, { name: white, kind: kindOfName(white), game: game.id }),
      ...outcomeColumns(outcome),
      result: normalised,
      source,
      fingerprint: sha(`csv|${fileHash}|${i + 1}`),
    });
  }
  const stored = insertGames(db, rows);
  report.stored += stored;
  report.duplicates += rows.length - stored;
}

/** Imports SGF and CSV files (CSV needs `game`, the spec of its results; `csv: false` refuses CSV files). */
export function importFiles(db: Db, paths: readonly string[], options: { game?: string; sgf?: SgfImportOptions; csv?: boolean } = {}): ImportReport {
  const report: ImportReport = { stored: 0, duplicates: 0, rejected: [] };
  if (options.game !== undefined) parseGameSpec(options.game); // a bad spec is the user's first error
  for (const file of listInputFiles(paths)) {
    try {
      if (/\.csv$/i.test(file)) {
        if (options.csv === false) report.rejected.push(`${file}: CSV holds results, not games; give SGF files`);
        else importCsv(db, file, options.game, "import", report);
      } else importSgf(db, file, options.sgf ?? { source: "import", sameGame: "record" }, report);
    } catch (e) {
      if (!(e instanceof FossilError)) throw e;
      report.rejected.push(e.message);
    }
  }
  return report;
}

/**
 * A rank as a number on one scale: 30k = -29 ... 1k = 0, 1d = 1 ... (servers such as OGS show
 * dan ranks past 9d), 1p = 21 ... (so stronger is larger). Trailing "?" (uncertain) is ignored;
 * null when unreadable.
 */
export function rankValue(text: string | undefined): number | null {
  const m = /^\s*(\d{1,2})\s*([kdp])/i.exec(text ?? "");
  if (!m) return null;
  const n = Number(m[1]);
  const kind = m[2]!.toLowerCase();
  if (kind === "k") return n >= 1 && n <= 30 ? 1 - n : null;
  if (kind === "d") return n >= 1 && n <= 20 ? n : null;
  return n >= 1 && n <= 9 ? 20 + n : null;
}

export interface HumanFilters {
  size?: number;
  minMoves?: number;
  minRank?: string;
  excludePlayers?: string;
  even?: boolean;
}

/** The filter of `data import`: a reason to reject a record, or null. */
export function humanFilter(filters: HumanFilters): (record: GoRecord) => string | null {
  const minRank = filters.minRank === undefined ? null : rankValue(filters.minRank);
  if (filters.minRank !== undefined && minRank === null) throw new InputError(`--min-rank must look like 10k, 1d or 2p, got "${filters.minRank}"`);
  let exclude: RegExp | null = null;
  if (filters.excludePlayers !== undefined) {
    try {
      exclude = new RegExp(filters.excludePlayers, "i");
    } catch (e) {
      throw new InputError(`--exclude-players is not a regular expression: ${(e as Error).message}`);
    }
  }
  return (record) => {
    if (filters.size !== undefined && record.size !== filters.size) return `board ${record.size}x${record.size}, not ${filters.size}x${filters.size}`;
    if (filters.minMoves !== undefined && record.moves.length < filters.minMoves) return `only ${record.moves.length} moves (at least ${filters.minMoves} wanted)`;
    if (filters.even && ((record.handicap ?? 0) > 1 || record.setupBlack.length > 0 || record.setupWhite.length > 0)) return "handicap game (--even)";
    if (exclude) {
      for (const name of [record.black, record.white]) if (name && exclude.test(name)) return `player "${name}" matches --exclude-players`;
    }
    if (minRank !== null) {
      for (const [who, rank] of [[record.black, record.blackRank], [record.white, record.whiteRank]] as const) {
        const value = rankValue(rank);
        if (value === null) return `rank of ${who ?? "a player"} unknown (${rank ?? "no BR/WR"})`;
        if (value < minRank) return `${who ?? "a player"} is ${rank}, below ${filters.minRank}`;
      }
    }
    return null;
  };
}

/** Human games as the prior's data (source `human`, players of kind `human`), deduplicated by moves. */
export function importHumanGames(db: Db, paths: readonly string[], filters: HumanFilters): ImportReport & { byReason: [string, number][] } {
  const filter = humanFilter(filters);
  const report = importFiles(db, paths, { csv: false, sgf: { source: "human", sameGame: "moves", playerKind: "human", filter } });
  // Summary by reason (the text after the last location part).
  const reasons = new Map<string, number>();
  for (const line of report.rejected) {
    const reason = line.replace(/^.*?: game \d+(, move \d+ \([^)]*\))?: /, "").replace(/"[^"]*"/g, '"…"').replace(/\d+/g, "N");
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return { ...report, byReason: [...reasons.entries()].sort((a, b) => b[1] - a[1]) };
}
