/**
 * `fossil games import --db FILE [--game G] PATH...`: SGF (files, folders, collections) and CSV
 * (`black,white,result`) into the database; `fossil games export --db FILE --out DIR
 * [--player NAME] [--source S]`: Go games as SGF files that Sabaki and GoGui open.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ArgumentsCamelCase, Argv } from "yargs";
import { FossilError, InputError } from "../../core/errors.js";
import { parseResultText, playerLetter } from "../../core/player.js";
import { parseSgfRecovering } from "../../games/sgf.js";
import { parseGameSpec } from "../../games/index.js";
import { firstPlayerOf, recordFromTree, replay, writeGoRecords, type GoRecord } from "../../games/go/record.js";
import { makeRules, parseRulesText, rulesText } from "../../games/go/rules.js";
import { openDatabase, type Db } from "../../db/schema.js";
import { decodeGoMoves, decodeSetup, encodeGoMoves, ensurePlayer, outcomeColumns, insertGames, kindOfSpec, type GameRow, type GameSource, type PlayerKind } from "../../db/store.js";
import { readInputBytes } from "../../core/files.js";
import { readSgfFile } from "../io.js";

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
  rejected: string[];
}

const sha = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 32);

/** Setup stones and first player as stored ("B:aabb W:cc PL:W"); NULL when none and Black starts. */
function setupText(record: GoRecord): string | null {
  if (record.setupBlack.length === 0 && record.setupWhite.length === 0 && firstPlayerOf(record) === 0) return null;
  const points = (list: number[]): string => list.map((a) => String.fromCharCode(97 + (a % record.size)) + String.fromCharCode(97 + Math.floor(a / record.size))).join("");
  return `B:${points(record.setupBlack)} W:${points(record.setupWhite)} PL:${playerLetter(firstPlayerOf(record))}`;
}

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
  const source = options.source;
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
      const moves = encodeGoMoves(record.moves, record.size, firstPlayerOf(record));
      const setup = setupText(record);
      const rules = rulesText(makeRules(record.rules, record.komi));
      const fingerprint =
        options.sameGame === "moves"
          ? sha(["moves", record.size, setup ?? "", moves].join("|"))
          : sha(["sgf", record.size, record.komi, rules, black, white, result, record.date ?? "", setup ?? "", moves].join("|"));
      // A game already stored (or earlier in this file) creates no players and is counted as such.
      if (seen.has(fingerprint) || known.get(fingerprint)) {
        report.duplicates++;
        return;
      }
      seen.add(fingerprint);
      rows.push({
        game: `go:${record.size}`,
        boardSize: record.size,
        rules,
        komi: record.komi,
        blackId: ensurePlayer(db, { name: black, kind: options.playerKind ?? kindOfSpec(black), game: `go:${record.size}`, rank: record.blackRank ?? null }),
        whiteId: ensurePlayer(db, { name: white, kind: options.playerKind ?? kindOfSpec(white), game: `go:${record.size}`, rank: record.whiteRank ?? null }),
        moves,
        setup,
        ...outcomeColumns(outcome),
        result, // as recorded
        length: final.moveCount,
        source,
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

/** Imports match results `black,white,result` of one game id; one game per line. */
function importCsv(db: Db, file: string, game: string | undefined, source: GameSource, report: ImportReport): void {
  const bytes = readInputBytes(file);
  const lines = bytes.toString("utf8").split(/\r?\n/);
  const header = csvFields(lines[0] ?? "").map((h) => h.toLowerCase());
  if (header.length < 3 || header[0] !== "black" || header[1] !== "white" || header[2] !== "result") {
    report.rejected.push(`${file}:1: the header must be black,white,result (got "${lines[0] ?? ""}")`);
    return;
  }
  if (!game) {
    report.rejected.push(`${file}: CSV results need --game (e.g. --game go:9) to say which game they are`);
    return;
  }
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
      game,
      blackId: ensurePlayer(db, { name: black, kind: kindOfSpec(black), game }),
      whiteId: ensurePlayer(db, { name: white, kind: kindOfSpec(white), game }),
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

export function importFiles(db: Db, paths: readonly string[], options: { game?: string; sgf?: SgfImportOptions; csv?: boolean } = {}): ImportReport {
  const report: ImportReport = { stored: 0, duplicates: 0, rejected: [] };
  const game = options.game === undefined ? undefined : parseGameSpec(options.game).id;
  for (const file of listInputFiles(paths)) {
    try {
      if (/\.csv$/i.test(file)) {
        if (options.csv === false) report.rejected.push(`${file}: CSV holds results, not games; give SGF files`);
        else importCsv(db, file, game, "import", report);
      } else importSgf(db, file, options.sgf ?? { source: "import", sameGame: "record" }, report);
    } catch (e) {
      if (!(e instanceof FossilError)) throw e;
      report.rejected.push(e.message);
    }
  }
  return report;
}

interface ImportArgs {
  db: string;
  paths: string[];
  game?: string;
}

export const gamesImportCommand = {
  builder: (y: Argv) =>
    y
      .positional("paths", { type: "string", array: true, demandOption: true, describe: "SGF files, folders, CSV files (black,white,result)" })
      .option("db", { type: "string", demandOption: true, describe: "fossil database file (created if missing)" })
      .option("game", { type: "string", describe: "the game of CSV results (go:9, connect4)" }),
  handler: (args: ArgumentsCamelCase<ImportArgs>) => {
    const db = openDatabase(args.db);
    try {
      const report = importFiles(db, args.paths, { game: args.game });
      for (const line of report.rejected) process.stderr.write(`${line}\n`);
      process.stdout.write(`stored ${report.stored} games, ${report.duplicates} already stored, ${report.rejected.length} rejected\n`);
      if (report.rejected.length > 0) process.exitCode = 2;
    } finally {
      db.close();
    }
  },
};

interface ExportArgs {
  db: string;
  out: string;
  player?: string;
  source?: string;
}

interface ExportRow {
  id: number;
  game: string;
  board_size: number | null;
  rules: string | null;
  komi: number | null;
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

export const gamesExportCommand = {
  builder: (y: Argv) =>
    y
      .option("db", { type: "string", demandOption: true, describe: "fossil database file" })
      .option("out", { type: "string", demandOption: true, describe: "folder for the SGF files (one per game, named by game id)" })
      .option("player", { type: "string", describe: "only games of this player (either colour)" })
      .option("source", { type: "string", choices: ["selfplay", "match", "import", "teacher", "human"], describe: "only games of this source" }),
  handler: (args: ArgumentsCamelCase<ExportArgs>) => {
    const db = openDatabase(args.db, { readonly: true });
    try {
      const where: string[] = [];
      const params: (string | number)[] = [];
      if (args.player) {
        const p = db.prepare("SELECT id FROM players WHERE name = ?").get(args.player) as { id: number } | undefined;
        if (!p) throw new InputError(`no player named "${args.player}" in the database`, { file: args.db });
        where.push("(g.black_id = ? OR g.white_id = ?)");
        params.push(p.id, p.id);
      }
      if (args.source) {
        where.push("g.source = ?");
        params.push(args.source);
      }
      const rows = db
        .prepare(
          `SELECT g.id, g.game, g.board_size, g.rules, g.komi, b.name AS black, w.name AS white, b.rank AS black_rank, w.rank AS white_rank,
                  g.moves, g.setup, g.result, g.played_at, g.source
           FROM games g JOIN players b ON b.id = g.black_id JOIN players w ON w.id = g.white_id
           ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY g.id`,
        )
        .all(...params) as ExportRow[];
      mkdirSync(args.out, { recursive: true });
      let written = 0, skipped = 0;
      for (const row of rows) {
        if (!row.game.startsWith("go:") || row.board_size === null) {
          skipped++;
          continue;
        }
        const size = row.board_size;
        const setup = decodeSetup(row.setup, size);
        const rules = row.rules ? parseRulesText(row.rules) : makeRules("tromp-taylor", row.komi ?? 0);
        const record: GoRecord = {
          size,
          komi: row.komi ?? rules.komi,
          rules: rules.name,
          black: row.black,
          white: row.white,
          blackRank: row.black_rank ?? undefined,
          whiteRank: row.white_rank ?? undefined,
          result: row.result,
          // The date of play only: inventing one (the storage date) would make a different record.
          date: row.played_at ?? undefined,
          event: `fossil ${row.source} game ${row.id}`,
          setupBlack: setup.black,
          setupWhite: setup.white,
          firstPlayer: row.setup ? setup.first : undefined,
          moves: row.moves ? decodeGoMoves(row.moves, size, setup.first) : [],
        };
        writeFileSync(join(args.out, `game-${String(row.id).padStart(6, "0")}.sgf`), writeGoRecords([record]));
        written++;
      }
      process.stdout.write(`wrote ${written} SGF files to ${args.out}${skipped ? ` (${skipped} games of other games than Go skipped: SGF holds Go)` : ""}\n`);
    } finally {
      db.close();
    }
  },
};
