/**
 * `fossil data import --db FILE PATH... [--size N] [--min-moves M] [--min-rank 10k]
 * [--exclude-players REGEX] [--even]`: human game records for the prior, stored with source
 * `human`, deduplicated by move sequence; every rejected game is reported with its file, game
 * number and reason, and a summary ends the run.
 */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { InputError } from "../core/errors.js";
import type { GoRecord } from "../../games/go/record.js";
import { openDatabase } from "../../db/schema.js";
import { importFiles } from "./games.js";

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

interface DataImportArgs extends HumanFilters {
  db: string;
  paths: string[];
}

export const dataImportCommand = {
  builder: (y: Argv) =>
    y
      .positional("paths", { type: "string", array: true, demandOption: true, describe: "SGF files, folders, collections" })
      .option("db", { type: "string", demandOption: true, describe: "fossil database (created if missing)" })
      .option("size", { type: "number", describe: "keep only this board size" })
      .option("min-moves", { type: "number", describe: "keep only games with at least this many moves" })
      .option("min-rank", { type: "string", describe: "keep only games whose two players are at least this strong (e.g. 10k)" })
      .option("exclude-players", { type: "string", describe: "drop games of players whose name matches this regular expression (bots)" })
      .option("even", { type: "boolean", describe: "drop handicap games" }),
  handler: (args: ArgumentsCamelCase<DataImportArgs>) => {
    const filter = humanFilter(args);
    const db = openDatabase(args.db);
    try {
      const report = importFiles(db, args.paths, { csv: false, sgf: { source: "human", sameGame: "moves", playerKind: "human", filter } });
      for (const line of report.rejected) process.stderr.write(`${line}\n`);
      // Summary by reason (the text after the last location part).
      const reasons = new Map<string, number>();
      for (const line of report.rejected) {
        const reason = line.replace(/^.*?: game \d+(, move \d+ \([^)]*\))?: /, "").replace(/"[^"]*"/g, '"…"').replace(/\d+/g, "N");
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
      const byReason = [...reasons.entries()].sort((a, b) => b[1] - a[1]).map(([r, n]) => `  ${String(n).padStart(6)}  ${r}`);
      process.stdout.write(`stored ${report.stored} human games, ${report.duplicates} duplicates (same moves) skipped, ${report.rejected.length} rejected${byReason.length ? `:\n${byReason.join("\n")}` : ""}\n`);
    } finally {
      db.close();
    }
  },
};
