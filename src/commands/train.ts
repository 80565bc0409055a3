/** `fossil train sl --db FILE --game go:9 --source human|teacher [...] --out FILE.onnx`. */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { InputError } from "../../core/errors.js";
import { parseGameSpec } from "../../games/index.js";
import { openDatabase } from "../../db/schema.js";

interface TrainArgs {
  db: string;
  game: string;
  source: string;
  blocks: number;
  filters: number;
  epochs: number;
  batch: number;
  lr: number;
  validation: number;
  patience: number;
  maxGames?: number;
  seed: number;
  run: string;
  out: string;
}

export const trainSlCommand = {
  builder: (y: Argv) =>
    y
      .option("db", { type: "string", demandOption: true, describe: "fossil database with the prior's games" })
      .option("game", { type: "string", demandOption: true, describe: "game spec (go:9, connect4)" })
      .option("source", { type: "string", choices: ["human", "teacher", "import", "selfplay", "match"], default: "human", describe: "which games to imitate" })
      .option("blocks", { type: "number", default: 4, describe: "residual blocks" })
      .option("filters", { type: "number", default: 32, describe: "filters" })
      .option("epochs", { type: "number", default: 4, describe: "epochs at most" })
      .option("batch", { type: "number", default: 128, describe: "batch size" })
      .option("lr", { type: "number", default: 0.02, describe: "learning rate (SGD with momentum 0.9)" })
      .option("validation", { type: "number", default: 0.05, describe: "share of games held out for validation" })
      .option("patience", { type: "number", default: 2, describe: "epochs without a better validation loss before stopping" })
      .option("max-games", { type: "number", describe: "use at most this many games" })
      .option("seed", { type: "number", default: 1, describe: "seed" })
      .option("run", { type: "string", default: "prior", describe: "run name in the model metadata" })
      .option("out", { type: "string", demandOption: true, describe: "model file (.onnx): the best network; <out>.last.onnx holds the latest state for resuming" }),
  handler: async (args: ArgumentsCamelCase<TrainArgs>) => {
    const game = parseGameSpec(args.game);
    if (!args.out.toLowerCase().endsWith(".onnx")) throw new InputError(`--out must name a .onnx file, got "${args.out}"`);
    const db = openDatabase(args.db, { readonly: true });
    try {
      const tty = Boolean(process.stderr.isTTY);
      let epochStart = performance.now();
      // TensorFlow.js loads only for training, not with every fossil command.
      const { trainSupervised } = await import("../train/supervised.js");
      const result = await trainSupervised(
        db,
        game,
        { source: args.source, blocks: args.blocks, filters: args.filters, epochs: args.epochs, batchSize: args.batch, learningRate: args.lr, validationShare: args.validation, patience: args.patience, chunkGames: 300, maxGames: args.maxGames, seed: args.seed, run: args.run, out: args.out },
        (samples, loss) => {
          if (samples % (args.batch * (tty ? 5 : 200)) !== 0) return;
          const rate = samples / ((performance.now() - epochStart) / 1000);
          process.stderr.write(`${tty ? "\r" : ""}training: ${samples} samples, loss ${loss.toFixed(3)}, ${rate.toFixed(0)} samples/s${tty ? "\x1b[K" : "\n"}`);
        },
        (e) => {
          if (tty) process.stderr.write("\r\x1b[K");
          process.stderr.write(
            `epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(3)}, ${e.samples} samples at ${e.samplesPerSecond.toFixed(0)}/s; validation loss ${e.validationLoss.toFixed(3)}, top-1 ${(100 * e.validationTop1).toFixed(1)}%, value MSE ${e.validationValueMse.toFixed(3)}${e.improved ? " (best, saved)" : ""}\n`,
          );
          epochStart = performance.now();
        },
      );
      process.stdout.write(`trained on ${result.trainGames} games, validated on ${result.validationGames} (${result.validationPositions} positions)${result.otherGames ? `; ${result.otherGames} ${args.source} games of other games or sizes skipped` : ""}; best model: ${args.out}\n`);
    } finally {
      db.close();
    }
  },
};
