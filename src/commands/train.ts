/** `fossil train sl --db FILE --game go:9 --source human|teacher [...] --out FILE.onnx`. */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { ArgumentsCamelCase, Argv } from "yargs";
import { InputError } from "../../core/errors.js";
import { parseGameSpec } from "../../games/index.js";
import { openDatabase } from "../../db/schema.js";
import type { SupervisedSummary } from "../train/supervised.js";
import { onInterrupt } from "../interrupt.js";

interface TrainArgs {
  db: string;
  game: string;
  source?: string;
  blocks?: number;
  filters?: number;
  epochs: number;
  batch?: number;
  lr?: number;
  validation?: number;
  patience: number;
  maxGames?: number;
  seed?: number;
  run: string;
  out: string;
}

/** One value of an option that yargs turns into a list when given twice. */
function once<T>(value: T | T[], flag: string): T {
  if (Array.isArray(value)) throw new InputError(`give --${flag} once (got ${value.join(", ")})`);
  return value;
}

function wholeNumber(value: number | undefined, flag: string, min: number, max = Infinity): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
    throw new InputError(`--${flag} must be a whole number ${max < Infinity ? `from ${min} to ${max}` : `of at least ${min}`}, got ${value}`);
  }
}

/**
 * Refuses bad options before any work. The settings a run fixes (blocks, filters, lr, batch,
 * validation, seed, source, max-games) have no yargs default: left out, a new run takes the
 * defaults (SUPERVISED_DEFAULTS) and a resumed run its own.
 */
function checkArgs(args: ArgumentsCamelCase<TrainArgs>): void {
  for (const flag of ["db", "game", "source", "run", "out", "blocks", "filters", "epochs", "batch", "lr", "validation", "patience", "max-games", "seed"]) once(args[flag], flag);
  wholeNumber(args.epochs, "epochs", 1);
  wholeNumber(args.patience, "patience", 1);
  wholeNumber(args.batch, "batch", 1);
  wholeNumber(args.maxGames, "max-games", 1);
  wholeNumber(args.blocks, "blocks", 0, 40);
  wholeNumber(args.filters, "filters", 1, 512);
  if (args.seed !== undefined && !Number.isSafeInteger(args.seed)) throw new InputError(`--seed must be a whole number, got ${args.seed}`);
  if (args.lr !== undefined && !(Number.isFinite(args.lr) && args.lr > 0)) throw new InputError(`--lr must be a number above 0, got ${args.lr}`);
  if (args.validation !== undefined && !(args.validation >= 0 && args.validation < 1)) {
    throw new InputError(`--validation must be a share from 0 (no validation set) to below 1, got ${args.validation}`);
  }
  if (!args.out.toLowerCase().endsWith(".onnx")) throw new InputError(`--out must name a .onnx file, got "${args.out}"`);
}

export const trainSlCommand = {
  builder: (y: Argv) =>
    y
      .option("db", { type: "string", demandOption: true, describe: "fossil database with the prior's games" })
      .option("game", { type: "string", demandOption: true, describe: "game spec (go:9, connect4)" })
      .option("source", { type: "string", choices: ["human", "teacher", "import", "selfplay", "match"], defaultDescription: "human", describe: "which games to imitate" })
      .option("blocks", { type: "number", defaultDescription: "4", describe: "residual blocks (0 to 40)" })
      .option("filters", { type: "number", defaultDescription: "32", describe: "filters (1 to 512)" })
      .option("epochs", { type: "number", default: 4, describe: "epochs at most, counting those of a resumed run" })
      .option("batch", { type: "number", defaultDescription: "128", describe: "batch size" })
      .option("lr", { type: "number", defaultDescription: "0.02", describe: "learning rate, above 0 (SGD with momentum 0.9)" })
      .option("validation", { type: "number", defaultDescription: "0.05", describe: "share of games held out for validation, in [0, 1); 0: none, every epoch's network is saved" })
      .option("patience", { type: "number", default: 2, describe: "epochs without a better validation loss before stopping" })
      .option("max-games", { type: "number", defaultDescription: "all", describe: "use at most this many games" })
      .option("seed", { type: "number", defaultDescription: "1", describe: "seed (a whole number)" })
      .option("run", { type: "string", default: "prior", describe: "run name in the model metadata" })
      .option("out", {
        type: "string",
        demandOption: true,
        describe: "model file (.onnx): the best network; <out>.last.onnx holds the latest state for resuming (a rerun resumes with the run's settings)",
      }),
  handler: async (args: ArgumentsCamelCase<TrainArgs>) => {
    checkArgs(args);
    const game = parseGameSpec(args.game);
    // TensorFlow.js loads only for training, not with every fossil command.
    const { checkOutPath, lastPath, runFiles } = await import("../train/loop.js");
    checkOutPath(args.out);
    if (runFiles(args.out).some((file) => resolve(file) === resolve(args.db))) throw new InputError(`--out ${args.out} would overwrite the database ${args.db}`);
    const { settleSupervised, trainSupervised } = await import("../train/supervised.js");
    const { settings, resumedEpoch } = settleSupervised(args.out, game, {
      source: args.source,
      blocks: args.blocks,
      filters: args.filters,
      lr: args.lr,
      batch: args.batch,
      validation: args.validation,
      seed: args.seed,
      "max-games": args.maxGames,
    });
    const db = openDatabase(args.db, { readonly: true });
    let epochsDone = 0;
    const interrupt = onInterrupt(() =>
      epochsDone > 0 || resumedEpoch !== null
        ? `the latest finished epoch is kept in ${lastPath(args.out)}; run the same command again to resume from it`
        : "no epoch finished, nothing was written; run the same command again to start",
    );
    try {
      const tty = Boolean(process.stderr.isTTY);
      if (resumedEpoch !== null) {
        const kept = (["blocks", "filters", "lr", "batch", "validation", "seed", "source", "max-games"] as const).map((k) => (settings[k] === null ? `no --${k}` : `--${k} ${settings[k]}`)).join(" ");
        process.stderr.write(`resuming ${lastPath(args.out)} after epoch ${resumedEpoch}, with its settings: ${kept}\n`);
      }
      let epochStart = performance.now();
      const result = await trainSupervised(
        db,
        game,
        {
          source: settings.source,
          blocks: settings.blocks,
          filters: settings.filters,
          epochs: args.epochs,
          batchSize: settings.batch,
          learningRate: settings.lr,
          validationShare: settings.validation,
          patience: args.patience,
          chunkGames: 300,
          maxGames: settings["max-games"] ?? undefined,
          seed: settings.seed,
          run: args.run,
          out: args.out,
          signal: interrupt.signal,
        },
        (samples, loss) => {
          if (samples % (settings.batch * (tty ? 5 : 200)) !== 0) return;
          const rate = samples / ((performance.now() - epochStart) / 1000);
          process.stderr.write(`${tty ? "\r" : ""}training: ${samples} samples, loss ${loss.toFixed(3)}, ${rate.toFixed(0)} samples/s${tty ? "\x1b[K" : "\n"}`);
        },
        (e) => {
          if (tty) process.stderr.write("\r\x1b[K");
          const validation =
            e.validationLoss === null
              ? `no validation${e.saved ? " (saved)" : ""}`
              : `validation loss ${e.validationLoss.toFixed(3)}, top-1 ${(100 * e.validationTop1!).toFixed(1)}%, value MSE ${e.validationValueMse!.toFixed(3)}${e.improved ? " (best, saved)" : ""}`;
          process.stderr.write(`epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(3)}, ${e.samples} samples at ${e.samplesPerSecond.toFixed(0)}/s; ${validation}\n`);
          epochStart = performance.now();
          epochsDone++;
        },
      );
      process.stdout.write(summary(result, args, settings.source, lastPath(args.out)) + "\n");
      interrupt.finish();
      if (existsSync(args.out) && !interrupt.signal.aborted) process.stderr.write(`next: measure it on held-out games (fossil eval predict --model ${args.out} FILES...), or rate it in play (fossil match --game ${game.spec} --black mcts:${args.out}:64 --white random --swap --db games.db)\n`);
    } finally {
      interrupt.dispose();
      db.close();
    }
  },
};

/** The last line: what was trained and which file holds which network, never a file that was not written. */
function summary(r: SupervisedSummary, args: TrainArgs, source: string, last: string): string {
  const ran = r.epochs - r.startEpoch;
  const parts: string[] = [];
  if (ran === 0) {
    parts.push(`nothing to train: the run in ${last} has done ${r.startEpoch} epoch${r.startEpoch === 1 ? "" : "s"}${r.stoppedEarly ? `, then stopped early (--patience ${args.patience})` : ` of --epochs ${args.epochs}`}`);
  } else {
    parts.push(`trained on ${r.trainGames} games, ${r.validated ? `validated on ${r.validationGames} (${r.validationPositions} positions)` : "no validation set (--validation 0)"}`);
    if (r.otherGames) parts.push(`${r.otherGames} ${source} games of other games or sizes skipped`);
    if (r.stoppedEarly) parts.push(`stopped early after epoch ${r.epochs}: ${args.patience} epoch${args.patience === 1 ? "" : "s"} without a better validation loss`);
  }
  const epoch = r.savedEpoch !== null ? `epoch ${r.savedEpoch}` : "";
  if (!existsSync(args.out)) parts.push(`no model: ${args.out} was not written${existsSync(last) ? `; the latest network is ${last}` : ""}`);
  else if (r.validated) parts.push(`best model: ${args.out}${epoch ? ` (${epoch}${r.bestLoss !== null ? `, validation loss ${r.bestLoss.toFixed(3)}` : ""})` : ""}`);
  else parts.push(`model: ${args.out}${epoch ? ` (the network after ${epoch})` : ""}`);
  return parts.join("; ");
}
