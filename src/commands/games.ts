/**
 * `fossil games import --db FILE [--game G] PATH...` (src/data/import.ts) and `fossil games export
 * --db FILE --out DIR [--player NAME] [--source S]` (src/data/export.ts).
 */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { openDatabase } from "../../db/schema.js";
import { exportGames } from "../data/export.js";
import { importFiles } from "../data/import.js";

interface ImportArgs {
  db: string;
  paths: string[];
  game?: string;
}

export const gamesImportCommand = {
  builder: (y: Argv) =>
    y
      .positional("paths", { type: "string", array: true, default: undefined, describe: "SGF files, folders, CSV files (black,white,result)" })
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
      const { written, otherGames, resultsOnly } = exportGames(db, args.out, { player: args.player, source: args.source });
      const skipped = [otherGames ? `${otherGames} games of other games than Go: SGF holds Go` : "", resultsOnly ? `${resultsOnly} results without moves` : ""].filter(Boolean);
      process.stdout.write(`wrote ${written} SGF files to ${args.out}${skipped.length ? ` (skipped: ${skipped.join("; ")})` : ""}\n`);
    } finally {
      db.close();
    }
  },
};
