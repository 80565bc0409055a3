/**
 * `fossil data import --db FILE PATH... [filters]`: human games as the prior's data
 * (src/data/import.ts); `fossil data generate --teacher SPEC --game G --games N --db FILE`: teacher
 * games (src/data/teacher.ts).
 */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { parseGameSpec } from "../../games/index.js";
import { openDatabase } from "../../db/schema.js";
import { importHumanGames, type HumanFilters } from "../data/import.js";
import { generateTeacherGames } from "../data/teacher.js";
import { Progress } from "../progress.js";

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
    const db = openDatabase(args.db);
    try {
      const report = importHumanGames(db, args.paths, args);
      for (const line of report.rejected) process.stderr.write(`${line}\n`);
      const byReason = report.byReason.map(([r, n]) => `  ${String(n).padStart(6)}  ${r}`);
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
      .option("teacher", {
        type: "string",
        demandOption: true,
        describe:
          "a player spec that plays itself. Go: gnugo or gnugo:LEVEL (0-10; bare: a random level 1-10 per game), builtin[:N] (the built-in classical engine, N playouts per move, default 200); Connect Four: solver[:ERROR] (a random move with probability ERROR, default 0.1)",
      })
      .option("game", { type: "string", demandOption: true, describe: "game spec (go:N..., connect4)" })
      .option("games", { type: "number", default: 100, describe: "games to generate" })
      .option("workers", { type: "number", default: 2, describe: "games at once (GNU Go: one process each)" })
      .option("openings", { type: "number", default: 4, describe: "up to this many random opening moves per game" })
      .option("seed", { type: "number", default: 1, describe: "seed of levels, engine seeds and openings" })
      .option("min-moves", { type: "number", describe: "drop games shorter than this (default: the board width; early resignations teach little)" })
      .option("db", { type: "string", demandOption: true, describe: "fossil database" }),
  handler: async (args: ArgumentsCamelCase<GenerateArgs>) => {
    const game = parseGameSpec(args.game);
    const minMoves = args.minMoves ?? game.width;
    const db = openDatabase(args.db);
    try {
      const progress = new Progress(`teacher ${args.teacher}`, args.games, "games");
      const done = await generateTeacherGames(
        db,
        { game, teacher: args.teacher, games: args.games, openingMoves: args.openings, workers: args.workers, seed: args.seed, minMoves },
        (p, error) => {
          if (error) process.stderr.write(`${error}\n`);
          progress.update(p.done);
        },
      );
      process.stdout.write(
        `stored ${done.stored} teacher games, ${done.duplicates} duplicates (same moves) skipped, ${done.failed} dropped${done.short ? `, ${done.short} shorter than ${minMoves} moves left out` : ""}\n`,
      );
    } finally {
      db.close();
    }
  },
};
