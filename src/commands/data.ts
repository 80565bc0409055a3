/**
 * `fossil data import --db FILE PATH... [--size N] [--min-moves M] [--min-rank 10k]
 * [--exclude-players REGEX] [--even]`: human game records for the prior, stored with source
 * `human`, deduplicated by move sequence; every rejected game is reported with its file, game
 * number and reason, and a summary ends the run.
 */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { InputError } from "../../core/errors.js";
import type { GoRecord } from "../../games/go/record.js";
import { openDatabase } from "../../db/schema.js";
import { createHash } from "node:crypto";
import { parseGameSpec } from "../../games/index.js";
import { GoGame } from "../../games/go/game.js";
import { Rng } from "../../core/rng.js";
import { ensurePlayer, gameColumns, insertGames, outcomeColumns } from "../../db/store.js";
import { generateBuiltinGames, generateConnect4Games, generateTeacherGames } from "../prior/teacher.js";
import { Progress } from "../progress.js";
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

interface GenerateArgs {
  teacher: string;
  minMoves?: number;
  game: string;
  games: number;
  workers: number;
  openings: number;
  seed: number;
  db: string;
}

export const dataGenerateCommand = {
  builder: (y: Argv) =>
    y
      .option("teacher", { type: "string", demandOption: true, describe: "Go: gnugo or gnugo:LEVEL (0-10; default: a random level 1-10 per game), or builtin[:N] (the built-in classical engine, N playouts per move, default 200); Connect Four: solver[:ERROR] (a random move with probability ERROR, default 0.1)" })
      .option("game", { type: "string", demandOption: true, describe: "game spec (go:N...)" })
      .option("games", { type: "number", default: 100, describe: "games to generate" })
      .option("workers", { type: "number", default: 2, describe: "GNU Go processes at once" })
      .option("openings", { type: "number", default: 4, describe: "up to this many random opening moves per game" })
      .option("seed", { type: "number", default: 1, describe: "seed of levels, engine seeds and openings" })
      .option("min-moves", { type: "number", describe: "drop games shorter than this (default: the board width; early resignations teach little)" })
      .option("db", { type: "string", demandOption: true, describe: "fossil database" }),
  handler: async (args: ArgumentsCamelCase<GenerateArgs>) => {
    const game = parseGameSpec(args.game);
    const builtin = /^builtin(?::(\d+))?$/.exec(args.teacher);
    const m = /^gnugo(?::(\d+))?$/.exec(args.teacher);
    const solver = /^solver(?::(0(?:\.\d+)?|1))?$/.exec(args.teacher);
    if (!m && !builtin && !solver) throw new InputError(`unknown teacher "${args.teacher}" (gnugo, gnugo:LEVEL, builtin, builtin:N, solver, solver:ERROR)`);
    if (solver ? game.id !== "connect4" : !(game instanceof GoGame)) throw new InputError(solver ? "the solver teaches Connect Four only" : "GNU Go and the built-in engine teach Go only (for Connect Four: --teacher solver)");
    const level = m?.[1] === undefined ? null : Number(m[1]);
    if (level !== null && level > 10) throw new InputError(`GNU Go levels are 0 to 10, got ${level}`);
    const db = openDatabase(args.db);
    try {
      const root = Rng.fromSeed(args.seed);
      const progress = new Progress(`teacher ${args.teacher}`, args.games, "games");
      let stored = 0, duplicates = 0, failed = 0, short = 0, done = 0;
      const minMoves = args.minMoves ?? game.width;
      const options = { games: args.games, level, openingMoves: args.openings, workers: args.workers, rngFor: (i: number) => root.split("teacher", i) };
      const errorRate = Number(solver?.[1] ?? 0.1);
      const generate = solver
        ? generateConnect4Games.bind(null, game, errorRate)
        : builtin
          ? generateBuiltinGames.bind(null, game as GoGame, Number(builtin[1] ?? 200))
          : generateTeacherGames.bind(null, game as GoGame);
      await generate(options, (g) => {
        done++;
        if (!g.outcome) {
          failed++;
          process.stderr.write(`game ${g.index + 1}: dropped: ${g.error}\n`);
        } else if (g.actions.length < minMoves) {
          short++;
        } else {
          const columns = gameColumns(game, g.actions);
          const player = ensurePlayer(
            db,
            solver ? { name: `solver:${errorRate}`, kind: "solver", game: game.id } : builtin ? { name: `builtin:${builtin[1] ?? 200}`, kind: "other", game: game.id } : { name: `gnugo:${g.level}`, kind: "gtp", game: game.id },
          );
          const n = insertGames(db, [
            {
              ...columns,
              blackId: player,
              whiteId: player,
              ...outcomeColumns(g.outcome),
              source: "teacher",
              playedAt: new Date().toISOString(),
              fingerprint: createHash("sha256").update(`teacher|${game.id}|${columns.moves}`).digest("hex").slice(0, 32),
            },
          ]);
          stored += n;
          duplicates += 1 - n;
        }
        progress.update(done);
      });
      process.stdout.write(`stored ${stored} teacher games, ${duplicates} duplicates (same moves) skipped, ${failed} dropped${short ? `, ${short} shorter than ${minMoves} moves left out` : ""}\n`);
    } finally {
      db.close();
    }
  },
};
