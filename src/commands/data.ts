/**
 * `fossil data import --db FILE PATH... [filters]`: human games as the prior's data
 * (src/data/import.ts); `fossil data generate --teacher SPEC --game G --games N --db FILE`: teacher
 * games (src/data/teacher.ts).
 */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { numberIn, seedOption, wholeNumber } from "../options.js";
import { parseGameSpec } from "../../games/index.js";
import { parsePlayerSpec } from "../../selfplay/spec.js";
import { openDatabase } from "../../db/schema.js";
import { byReason, humanFilter, importHumanGames, type HumanFilters } from "../data/import.js";
import { generateTeacherGames } from "../data/teacher.js";
import { Progress } from "../progress.js";
import { onInterrupt } from "../interrupt.js";

interface DataImportArgs extends HumanFilters {
  db: string;
  paths: string[];
}

export const dataImportCommand = {
  builder: (y: Argv) =>
    y
      .positional("paths", { type: "string", array: true, default: undefined, describe: "SGF files, folders, collections" })
      .option("db", { type: "string", demandOption: true, describe: "fossil database (created if missing)" })
      .option("size", { type: "number", describe: "keep only this board size (2-19)", coerce: wholeNumber("size", 2, 19) })
      .option("min-moves", { type: "number", describe: "keep only games with at least this many moves", coerce: wholeNumber("min-moves", 0) })
      .option("min-rank", { type: "string", describe: "keep only games whose two players are at least this strong (e.g. 10k)" })
      .option("exclude-players", { type: "string", describe: "drop games of players whose name matches this regular expression (bots)" })
      .option("even", { type: "boolean", describe: "drop handicap games" }),
  handler: (args: ArgumentsCamelCase<DataImportArgs>) => {
    humanFilter(args); // refuses bad filters before the database is made
    const db = openDatabase(args.db);
    try {
      const report = importHumanGames(db, args.paths, args);
      for (const line of report.rejected) process.stderr.write(`${line}\n`);
      const reasons = byReason(report).map(([r, n]) => `  ${String(n).padStart(6)}  ${r}`);
      process.stdout.write(`stored ${report.stored} human games, ${report.duplicates} duplicates (same moves) skipped, ${report.rejected.length} rejected${reasons.length ? `:\n${reasons.join("\n")}` : ""}\n`);
      // Filters turning some games away is what they are for; turning every game away is a mistake.
      if (report.stored === 0 && report.duplicates === 0 && report.rejected.length > 0) {
        process.stderr.write("fossil: no game was stored: every game was rejected (see the reasons above)\n");
        process.exitCode = 2;
      }
      if (report.stored > 0) process.stderr.write(`next: pretrain a network on them: fossil train sl --db ${args.db} --game go:N --source human --out prior.onnx\n`);
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
  engineTimeout: number;
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
      .option("games", { type: "number", default: 100, describe: "games to generate", coerce: wholeNumber("games", 1, 1e9) })
      .option("workers", { type: "number", default: 2, describe: "games at once (GNU Go: one process per game at once)", coerce: wholeNumber("workers", 1, 64) })
      .option("openings", { type: "number", default: 4, describe: "up to this many random opening moves per game", coerce: wholeNumber("openings", 0) })
      .option("seed", { ...seedOption, describe: "seed of levels, engine seeds and openings" })
      .option("engine-timeout", { type: "number", default: 60, describe: "seconds a GTP engine may take to answer one command", coerce: numberIn("engine-timeout", 0, 86400, { min: true }) })
      .option("min-moves", { type: "number", describe: "drop games shorter than this (default: the board width; early resignations teach little)", coerce: wholeNumber("min-moves", 0) })
      .option("db", { type: "string", demandOption: true, describe: "fossil database" }),
  handler: async (args: ArgumentsCamelCase<GenerateArgs>) => {
    const game = parseGameSpec(args.game);
    parsePlayerSpec(args.teacher); // refuses a bad teacher before the database is made
    const minMoves = args.minMoves ?? game.width;
    const db = openDatabase(args.db);
    let stored = 0;
    const interrupt = onInterrupt(() => `${stored} teacher games stored in ${args.db}; run the same command again to go on (the games already stored come out the same and are skipped)`);
    try {
      const progress = new Progress(`teacher ${args.teacher}`, args.games, "games");
      const done = await generateTeacherGames(
        db,
        { game, teacher: args.teacher, games: args.games, openingMoves: args.openings, workers: args.workers, seed: args.seed, minMoves, engineTimeout: args.engineTimeout, signal: interrupt.signal },
        (p, error) => {
          if (error) process.stderr.write(`${error}\n`);
          stored = p.stored;
          progress.update(p.done);
        },
      );
      process.stdout.write(
        `stored ${done.stored} teacher games, ${done.duplicates} duplicates (same moves) skipped, ${done.failed} dropped${done.short ? `, ${done.short} shorter than ${minMoves} moves left out` : ""}\n`,
      );
      interrupt.finish();
      if (done.stored === 0 && done.duplicates === 0 && done.failed + done.short > 0) {
        process.stderr.write(`fossil: no game was stored: ${done.failed ? "the teacher failed in every game (see the errors above)" : `every game was shorter than --min-moves ${minMoves}`}\n`);
        process.exitCode = 2;
      }
      if (done.stored > 0 && !interrupt.signal.aborted) process.stderr.write(`next: pretrain a network on them: fossil train sl --db ${args.db} --game ${game.spec} --source teacher --out prior.onnx\n`);
    } finally {
      interrupt.dispose();
      db.close();
    }
  },
};
