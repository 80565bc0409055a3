/** `fossil eval predict --model FILE.onnx PATH... [--json]`: move-prediction accuracy and outcome error (src/eval/predict.ts). */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { FossilError, InputError } from "../../core/errors.js";
import { parseGameSpec, readSgfGames } from "../../games/index.js";
import { readSgfFile } from "../../games/sgf.js";
import { OnnxModel } from "../../models/inference.js";
import { listInputFiles } from "../data/import.js";
import { predictionMetrics, type RecordedGame } from "../eval/predict.js";

interface PredictArgs {
  model: string;
  paths: string[];
  json: boolean;
}

export const evalPredictCommand = {
  builder: (y: Argv) =>
    y
      .positional("paths", { type: "string", array: true, default: undefined, describe: "SGF files, folders, collections" })
      .option("model", { type: "string", demandOption: true, describe: "ONNX model" })
      .option("json", { type: "boolean", default: false, describe: "print JSON" }),
  handler: async (args: ArgumentsCamelCase<PredictArgs>) => {
    const model = await OnnxModel.load(args.model);
    try {
      const game = parseGameSpec(model.arch.game);
      const games: RecordedGame[] = [];
      let unreadable = 0;
      for (const file of listInputFiles(args.paths)) {
        if (!/\.sgf$/i.test(file)) continue;
        try {
          games.push(...readSgfGames(readSgfFile(file), file));
        } catch (e) {
          if (!(e instanceof FossilError)) throw e;
          process.stderr.write(`${e.message}\n`);
          unreadable++;
        }
      }
      const report = await predictionMetrics(model, game, games);
      for (const line of report.problems) process.stderr.write(`${line}\n`);
      if (unreadable > 0 || report.problems.length > 0) process.exitCode = 2;
      if (report.positions === 0) {
        const why = Object.entries(report.skipped).map(([reason, n]) => `${n} skipped: ${reason}`);
        throw new InputError(`no position to predict in ${args.paths.join(", ")} (${games.length} games read${why.length ? `; ${why.join("; ")}` : ""})`);
      }
      if (args.json) {
        process.stdout.write(`${JSON.stringify({ ...report, unreadableFiles: unreadable })}\n`);
        return;
      }
      const pct = (p: { value: number; low: number; high: number }): string => `${(100 * p.value).toFixed(1)}% (95% CI ${(100 * p.low).toFixed(1)}-${(100 * p.high).toFixed(1)}%)`;
      process.stdout.write(`top-1 ${pct(report.top1)}\ntop-3 ${pct(report.top3)}\n`);
      process.stdout.write(
        report.outcomePositions > 0
          ? `outcome MSE ${report.outcomeMse.toFixed(3)} ± ${report.outcomeMseCi95.toFixed(3)} (${report.outcomePositions} positions with a result)\n`
          : "outcome MSE: none (no game has a result)\n",
      );
      const skipped = Object.entries(report.skipped).map(([reason, n]) => `${n} skipped: ${reason}`);
      process.stdout.write(`${report.positions} positions from ${report.games} games${skipped.length ? `; ${skipped.join("; ")}` : ""}\n`);
      process.stderr.write(`next: rate it in play: fossil match --db games.db --game ${game.spec} --black mcts:${args.model}:64 --white random --swap\n`);
    } finally {
      await model.close();
    }
  },
};
