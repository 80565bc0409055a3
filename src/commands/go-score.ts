/** `fossil go score FILE...`: Tromp–Taylor area result of each game's main line. */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { FossilError } from "../../core/errors.js";
import { resultText, outcomeFromScore } from "../../core/player.js";
import { recordFromTree, replay } from "../../games/go/record.js";
import { parseSgfRecovering } from "../../games/sgf.js";
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
    let collection;
    try {
      collection = parseSgfRecovering(readSgfFile(file), file);
    } catch (error) {
      if (!(error instanceof FossilError)) throw error;
      rows.push({ file, game: 0, error: error.message });
      continue;
    }
    if (collection.games.length === 0 && collection.errors.length === 0) {
      rows.push({ file, game: 0, error: `${file}: no SGF game tree found (an SGF file starts with '(;')` });
    }
    // Broken game trees are reported in their place; the other games are scored.
    const entries: { number: number; run: () => ScoreRow }[] = [
      ...collection.errors.map((e) => ({ number: e.where.game ?? 0, run: (): ScoreRow => ({ file, game: e.where.game ?? 0, error: e.message }) })),
      ...collection.games.map(({ root, number }) => ({
        number,
        run: (): ScoreRow => {
          try {
            const record = recordFromTree(root, collection.source, number);
            const state = replay(record);
            const [blackArea, whiteArea] = state.board.area();
            const result = resultText(outcomeFromScore(blackArea - whiteArea - record.komi, "score"));
            return { file, game: number, result, blackArea, whiteArea, komi: record.komi, moves: record.moves.length };
          } catch (error) {
            if (!(error instanceof FossilError)) throw error;
            return { file, game: number, error: error.message };
          }
        },
      })),
    ];
    for (const entry of entries.sort((a, b) => a.number - b.number)) rows.push(entry.run());
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
