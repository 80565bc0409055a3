/** `fossil go score FILE...`: Tromp–Taylor area result of each game's main line. */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { FossilError } from "../core/errors.js";
import { resultText, outcomeFromScore } from "../core/player.js";
import { readGoRecords, replay } from "../../games/go/record.js";
import { readSgfFile } from "../io.js";

interface ScoreArgs {
  files: string[];
  json: boolean;
}

interface ScoreRow {
  file: string;
  game: number;
  result?: string;
  blackArea?: number;
  whiteArea?: number;
  komi?: number;
  moves?: number;
  error?: string;
}

/** Scores every game of every file; problems are collected per game, never thrown. */
export function scoreFiles(files: readonly string[]): ScoreRow[] {
  const rows: ScoreRow[] = [];
  for (const file of files) {
    let records;
    try {
      records = readGoRecords(readSgfFile(file), file);
    } catch (error) {
      if (!(error instanceof FossilError)) throw error;
      rows.push({ file, game: 0, error: error.message });
      continue;
    }
    for (const record of records) {
      const game = record.game ?? 1;
      try {
        const state = replay(record);
        const [blackArea, whiteArea] = state.board.area();
        const result = resultText(outcomeFromScore(blackArea - whiteArea - record.komi, "score"));
        rows.push({ file, game, result, blackArea, whiteArea, komi: record.komi, moves: record.moves.length });
      } catch (error) {
        if (!(error instanceof FossilError)) throw error;
        rows.push({ file, game, error: error.message });
      }
    }
  }
  return rows;
}

export const goScoreCommand = {
  builder: (y: Argv) =>
    y
      .positional("files", { type: "string", array: true, demandOption: true, describe: "SGF files (collections allowed)" })
      .option("json", { type: "boolean", default: false, describe: "print a JSON array with black/white area, komi and move count" }),
  handler: (args: ArgumentsCamelCase<ScoreArgs>) => {
    const rows = scoreFiles(args.files);
    const gamesPerFile = new Map<string, number>();
    for (const row of rows) gamesPerFile.set(row.file, (gamesPerFile.get(row.file) ?? 0) + 1);
    let failed = false;
    for (const row of rows) {
      if (row.error !== undefined) {
        failed = true;
        process.stderr.write(`${row.error}\n`);
      } else if (!args.json) {
        const label = gamesPerFile.get(row.file)! > 1 ? `${row.file} game ${row.game}` : row.file;
        process.stdout.write(`${label} ${row.result}\n`);
      }
    }
    if (args.json) process.stdout.write(`${JSON.stringify(rows, null, 1)}\n`);
    if (failed) process.exitCode = 2;
  },
};
