/**
 * Games into the database: SGF files, folders and collections (every game replayed under its
 * rules before it is stored) and CSV results (`black,white,result`), for `fossil games import`;
 * and human games as the prior's data with filters (`fossil data import`). Every rejected record
 * is reported with its file and game or line; nothing is stored twice.
 */
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { FossilError, IllegalMoveError, InputError, SgfError } from "../../core/errors.js";
import { readInputBytes } from "../../core/files.js";
import { parseResultText } from "../../core/player.js";
import { parseGameSpec } from "../../games/index.js";
import { parseSgfRecovering, readSgfFile } from "../../games/sgf.js";
import { recordFromTree, replay, type GoRecord } from "../../games/go/record.js";
import { storedOfRecord } from "../../games/go/stored.js";
import type { Db } from "../../db/schema.js";
import { ensurePlayer, insertGames, outcomeColumns, type GameRow, type GameSource, type PlayerKind } from "../../db/store.js";
import { kindOfName } from "../../selfplay/spec.js";

/** Text from a file, safe to print: control characters as "?", at most 60 characters. */
function printable(text: string): string {
  const clean = text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]/g, "?");
  return clean.length > 60 ? `${clean.slice(0, 57)}...` : clean;
}

/** Why a path cannot be read, from a file-system error. */
function unreadable(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "no such file or folder (or a broken link)";
  if (code === "EACCES") return "permission denied";
  if (code === "ELOOP") return "a link that leads back to itself";
  return (e as Error).message;
}

/**
 * Files under the given paths: folders are searched for .sgf and .csv files (sorted; folders
 * reached again through links are read once). A path given that cannot be read — missing, a
 * pipe or device — or a folder that cannot be listed is an InputError naming it; a broken .sgf or
 * .csv inside a folder is listed, and reading it says what is wrong.
 */
export function listInputFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const visited = new Set<string>();
  const kind = (path: string): "folder" | "file" => {
    let stat;
    try {
      stat = statSync(path);
    } catch (e) {
      throw new InputError(unreadable(e), { file: path });
    }
    if (stat.isDirectory()) return "folder";
    if (!stat.isFile()) throw new InputError("not a regular file (a pipe, socket or device)", { file: path });
    return "file";
  };
  const walk = (dir: string): void => {
    const id = `${statSync(dir).dev}:${statSync(dir).ino}`;
    if (visited.has(id)) return;
    visited.add(id);
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch (e) {
      throw new InputError(`cannot read the folder: ${unreadable(e)}`, { file: dir });
    }
    for (const name of names) {
      const path = join(dir, name);
      const wanted = /\.(sgf|csv)$/i.test(name);
      let found: "folder" | "file";
      try {
        found = kind(path);
      } catch (e) {
        // A broken .sgf or .csv is listed, and reading it reports why; other broken entries are not ours.
        if (wanted) out.push(path);
        continue;
      }
      if (found === "folder") walk(path);
      else if (wanted) out.push(path);
    }
  };
  for (const p of paths) {
    if (kind(p) === "folder") walk(p);
    else out.push(p);
  }
  return out;
}

export interface ImportReport {
  stored: number;
  duplicates: number;
  /** One line per rejected record: where it is and why. */
  rejected: string[];
  /** Rejected records by kind of reason ("rank below --min-rank", "illegal move (superko)"), most frequent first when read through `byReason`. */
  reasons: Map<string, number>;
}

/** Records a rejected record: its line, and its kind of reason for the summary. */
function reject(report: ImportReport, line: string, reason: string): void {
  report.rejected.push(line);
  report.reasons.set(reason, (report.reasons.get(reason) ?? 0) + 1);
}

/** The kinds of reason of a report, most frequent first. */
export function byReason(report: ImportReport): [string, number][] {
  return [...report.reasons.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** A record a filter turns away: the line for it, and its kind of reason for the summary. */
export class Rejection extends InputError {
  constructor(
    detail: string,
    readonly reason: string,
  ) {
    super(detail);
  }
}

/** The kind of reason of an error met reading a record. */
function reasonOf(e: FossilError): string {
  if (e instanceof Rejection) return e.reason;
  if (e instanceof IllegalMoveError) return `illegal move (${e.reason})`;
  if (e instanceof SgfError) return "malformed SGF";
  return e.detail;
}

const sha = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 32);

/** How SGF records are taken in (games import vs the prior's data import). */
export interface SgfImportOptions {
  source: GameSource;
  /** Why to reject a record that parsed and replayed, or null to keep it. */
  filter?: (record: GoRecord) => Rejection | null;
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
    reject(report, e.message, e instanceof SgfError ? "malformed SGF" : "unreadable file");
    return;
  }
  for (const error of collection.errors) reject(report, error.message, "malformed SGF");
  if (collection.games.length === 0 && collection.errors.length === 0) reject(report, `${file}: no SGF game tree found`, "no SGF game tree");
  const rows: GameRow[] = [];
  const seen = new Set<string>();
  const known = db.prepare("SELECT 1 FROM games WHERE fingerprint = ?").pluck();
  const exported = db.prepare("SELECT spec, moves, setup FROM games WHERE id = ?");
  collection.games.forEach(({ root, number }) => {
    try {
      const record = recordFromTree(root, collection.source, number);
      const final = replay(record);
      const rejected = options.filter?.(record);
      if (rejected) throw rejected;
      const result = record.result?.trim() ?? "";
      const outcome = parseResultText(result);
      if (outcome === null) throw result ? new Rejection(`result RE[${result}] is not a win, loss or draw`, "result not a win, loss or draw") : new Rejection("no result (RE)", "no result (RE)");
      const name = (who: string | undefined, color: string): string => (who?.trim() ? who.trim() : `unknown ${color}`);
      const black = name(record.black, "black"), white = name(record.white, "white");
      const stored = storedOfRecord(record);
      const game = parseGameSpec(stored.spec);
      const fingerprint =
        options.sameGame === "moves"
          ? sha(["moves", record.size, stored.setup ?? "", stored.moves].join("|"))
          : sha(["sgf", record.size, record.komi, game.rulesColumns().rules, black, white, result, record.date ?? "", stored.setup ?? "", stored.moves].join("|"));
      // A game already stored (or earlier in this file) creates no players and is counted as such;
      // so is a game fossil exported (EV[fossil <source> game <id>]) that is still stored as it was.
      const own = /^fossil \w+ game (\d+)$/.exec(record.event ?? "");
      const original = own ? (exported.get(Number(own[1])) as { spec: string; moves: string | null; setup: string | null } | undefined) : undefined;
      const isOwn = original !== undefined && original.spec === stored.spec && (original.moves ?? "") === stored.moves && original.setup === stored.setup;
      if (isOwn || seen.has(fingerprint) || known.get(fingerprint)) {
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
      reject(report, e.message.includes(file) ? e.message : `${file}: game ${number}: ${e.message}`, reasonOf(e));
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
    reject(report, `${file}:1: the header must be black,white,result (got "${printable(lines[0] ?? "")}")`, "CSV without the header black,white,result");
    return;
  }
  if (!spec) {
    reject(report, `${file}: CSV results need --game (e.g. --game go:9) to say which game they are`, "CSV results without --game");
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
      reject(report, `${where}: black and white must be named`, "a player not named");
      continue;
    }
    if (black === white) {
      reject(report, `${where}: a player cannot play itself (${black})`, "a player against itself");
      continue;
    }
    const written = /^draw$/i.test(result ?? "") ? "0" : (result ?? "").toUpperCase().replace(/^([BW])\+/, "$1+");
    const outcome = /^(0|[BW]\+(\d+(\.\d+)?|R|T|F)?)$/i.test(written) ? parseResultText(written) : null;
    if (outcome === null) {
      reject(report, `${where}: result "${result ?? ""}" is not in SGF form (B+R, W+3.5, 0, Draw)`, "result not in SGF form");
      continue;
    }
    // A draw is stored as "0", also when written as a win by nothing (B+0, W+0.0).
    const normalised = outcome.winner === null ? "0" : written;
    rows.push({
      // Results only: the game family and its board; the rules they were played under are not known.
      ...game.rulesColumns(),
      spec: game.id,
      rules: null,
      komi: null,
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
  const report: ImportReport = { stored: 0, duplicates: 0, rejected: [], reasons: new Map() };
  if (options.game !== undefined) parseGameSpec(options.game); // a bad spec is the user's first error
  for (const file of listInputFiles(paths)) {
    try {
      if (/\.csv$/i.test(file)) {
        if (options.csv === false) reject(report, `${file}: CSV holds results, not games; give SGF files`, "CSV results, not games");
        else importCsv(db, file, options.game, "import", report);
      } else importSgf(db, file, options.sgf ?? { source: "import", sameGame: "record" }, report);
    } catch (e) {
      if (!(e instanceof FossilError)) throw e;
      reject(report, e.message, reasonOf(e));
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

/** The filter of `data import`: why to reject a record, or null. */
export function humanFilter(filters: HumanFilters): (record: GoRecord) => Rejection | null {
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
    if (filters.size !== undefined && record.size !== filters.size) return new Rejection(`board ${record.size}x${record.size}, not ${filters.size}x${filters.size}`, `board not ${filters.size}x${filters.size} (--size)`);
    if (filters.minMoves !== undefined && record.moves.length < filters.minMoves) return new Rejection(`only ${record.moves.length} moves (at least ${filters.minMoves} wanted)`, `fewer than ${filters.minMoves} moves (--min-moves)`);
    if (filters.even && ((record.handicap ?? 0) > 1 || record.setupBlack.length > 0 || record.setupWhite.length > 0)) return new Rejection("handicap game (--even)", "handicap game (--even)");
    if (exclude) {
      for (const name of [record.black, record.white]) if (name && exclude.test(name)) return new Rejection(`player "${name}" matches --exclude-players`, "player matches --exclude-players");
    }
    if (minRank !== null) {
      for (const [who, rank] of [[record.black, record.blackRank], [record.white, record.whiteRank]] as const) {
        const value = rankValue(rank);
        if (value === null) return new Rejection(`rank of ${who ?? "a player"} unknown (${rank ?? "no BR/WR"})`, "rank unknown (--min-rank)");
        if (value < minRank) return new Rejection(`${who ?? "a player"} is ${rank}, below ${filters.minRank}`, `rank below ${filters.minRank} (--min-rank)`);
      }
    }
    return null;
  };
}

/** Human games as the prior's data (source `human`, players of kind `human`), deduplicated by moves. */
export function importHumanGames(db: Db, paths: readonly string[], filters: HumanFilters): ImportReport {
  const filter = humanFilter(filters);
  return importFiles(db, paths, { csv: false, sgf: { source: "human", sameGame: "moves", playerKind: "human", filter } });
}
