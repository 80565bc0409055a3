/** `fossil go score FILE...`: Tromp–Taylor area result of each game's main line (games/go/score.ts). */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { scoreFiles } from "../../games/go/score.js";

interface ScoreArgs {
  files: string[];
  json: boolean;
}

export const goScoreCommand = {
  builder: (y: Argv) =>
    y
      .positional("files", { type: "string", array: true, default: undefined, describe: "SGF files (collections allowed)" })
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
