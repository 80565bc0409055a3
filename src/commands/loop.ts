/** `fossil loop --db FILE --run NAME --game go:7 [--init MODEL | --blocks B --filters F] --generations G ...` (src/train/generations.ts). */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { openDatabase } from "../../db/schema.js";
import { parseGameSpec } from "../../games/index.js";
import { defaultModels, numberIn, seedOption, wholeNumber } from "../options.js";
import { onInterrupt } from "../interrupt.js";
import { clock, Progress } from "../progress.js";
import { checkLoopOptions, LOOP_DEFAULTS, runLoop, type GenerationReport, type LoopOptions } from "../train/generations.js";

interface LoopArgs {
  db: string;
  run: string;
  game: string;
  init?: string;
  blocks: number;
  filters: number;
  seed: number;
  generations: number;
  games: number;
  sims: number;
  cheapSims?: number;
  batch: number;
  lr: number;
  reuse: number;
  windowMin: number;
  resignFrom: number;
  concurrent: number;
  search: "puct" | "gumbel";
  precision: "fp32" | "int8";
  workers?: number;
  models?: string;
}

/** With --precision int8: the precision self-play played in and what decided it. */
function precisionText(r: GenerationReport): string {
  if (r.int8Gap === null) return r.int8LostAt === null ? "" : `; self-play fp32 (int8 off since generation ${r.int8LostAt} lost its match against fp32)`;
  const match = r.int8Match === null ? "" : `; match against fp32 ${(100 * r.int8Match.score).toFixed(0)}% of ${r.int8Match.games} games, p of a loss ${r.int8Match.p.toFixed(3)}`;
  return `; self-play ${r.precision} (int8 against fp32: |value difference| ${r.int8Gap.valueMean.toFixed(3)}, policy KL ${r.int8Gap.policyKl.toFixed(4)}, same first move ${(100 * r.int8Gap.top1Agreement).toFixed(0)}%${match})`;
}

/** One line per generation: what its self-play and training did and cost. */
export function generationLine(r: GenerationReport): string {
  const resign = r.resignThreshold === null ? "resign off" : `resign below -${r.resignThreshold.toFixed(2)}: ${r.resigned} resigned, ${r.falseResignations} false of ${r.noResignGames} no-resign games`;
  return (
    `generation ${r.generation}: ${r.games} games, ${r.meanLength.toFixed(1)} moves a game, ${r.samples} samples, ${r.evaluations} evaluations; ${resign}; ` +
    `trained ${r.trainSteps} steps on ${r.trainSamples} samples of a ${r.windowSamples}-sample window, policy loss ${r.policyLoss.toFixed(3)}, value loss ${r.valueLoss.toFixed(3)}; ` +
    `CPU ${clock(r.selfplayCpuSeconds)} self-play + ${clock(r.trainCpuSeconds)} training, wall ${clock(r.wallSeconds)} -> ${r.model}` +
    precisionText(r) +
    "\n"
  );
}

export const loopCommand = {
  builder: (y: Argv) =>
    y
      .option("db", { type: "string", demandOption: true, describe: "fossil database (games, samples, generations)" })
      .option("run", { type: "string", default: "loop", describe: "run name (rerun the same command to continue it)" })
      .option("game", { type: "string", default: "go:7", describe: "game spec with rules and komi (go:7 = go:7:tromp-taylor:9)" })
      .option("init", { type: "string", describe: "starting network (the prior arm), with its .state beside it; default: fresh weights" })
      .option("blocks", { type: "number", default: 4, describe: "residual blocks of a fresh network", coerce: wholeNumber("blocks", 1, 40) })
      .option("filters", { type: "number", default: 32, describe: "filters of a fresh network", coerce: wholeNumber("filters", 1, 512) })
      .option("seed", { ...seedOption, describe: "run seed (fresh weights, games, training)" })
      .option("generations", { type: "number", default: 10, describe: "generations in all (raise it to continue a run)", coerce: wholeNumber("generations", 1, 100_000) })
      .option("games", { type: "number", default: LOOP_DEFAULTS.games, describe: "self-play games per generation", coerce: wholeNumber("games", 1, 1e7) })
      .option("sims", { type: "number", default: LOOP_DEFAULTS.sims, describe: "simulations of a full search (a training sample)", coerce: wholeNumber("sims", 1, 1e6) })
      .option("cheap-sims", { type: "number", describe: "simulations of a cheap search (default sims / 4)", coerce: wholeNumber("cheap-sims", 1, 1e6) })
      .option("batch", { type: "number", default: LOOP_DEFAULTS.batch, describe: "training mini-batch", coerce: wholeNumber("batch", 1, 65536) })
      .option("lr", { type: "number", default: LOOP_DEFAULTS.lr, describe: "learning rate (SGD, momentum 0.9)", coerce: numberIn("lr", 0, 10, { min: true }) })
      .option("reuse", { type: "number", default: LOOP_DEFAULTS.reuse, describe: "samples trained on per new self-play sample", coerce: numberIn("reuse", 0, 1000, { min: true }) })
      .option("window-min", { type: "number", default: LOOP_DEFAULTS.windowMin, describe: "replay window (samples) before it grows sublinearly", coerce: wholeNumber("window-min", 1, 1e9) })
      .option("resign-from", { type: "number", default: LOOP_DEFAULTS.resignFrom, describe: "first generation that may resign (threshold calibrated for <5% false resignations)", coerce: wholeNumber("resign-from", 0, 100_000) })
      .option("concurrent", { type: "number", default: LOOP_DEFAULTS.concurrent, describe: "self-play games per worker played at once (the network batch)", coerce: wholeNumber("concurrent", 1, 4096) })
      .option("search", { type: "string", choices: ["puct", "gumbel"] as const, default: LOOP_DEFAULTS.search, describe: "self-play search: PUCT (AlphaZero) or Gumbel AlphaZero" })
      .option("precision", { type: "string", choices: ["fp32", "int8"] as const, default: "fp32", describe: "self-play network precision: int8 plays each generation's quantised model where it passes the accuracy gate" })
      .option("workers", { type: "number", describe: "self-play worker threads (default: cores)", coerce: wholeNumber("workers", 1, 64) })
      .option("models", { type: "string", describe: "folder of the run's checkpoints (default: <db>-models beside the database)" }),
  handler: async (args: ArgumentsCamelCase<LoopArgs>) => {
    const game = parseGameSpec(args.game);
    const models = args.models ?? defaultModels(args.db);
    const options: LoopOptions = {
      game, run: args.run, models, init: args.init, blocks: args.blocks, filters: args.filters, seed: args.seed, generations: args.generations,
      games: args.games, sims: args.sims, cheapSims: args.cheapSims ?? Math.max(1, Math.round(args.sims / 4)), batch: args.batch, lr: args.lr, reuse: args.reuse,
      windowMin: args.windowMin, resignFrom: args.resignFrom, falseResignations: LOOP_DEFAULTS.falseResignations, concurrent: args.concurrent, search: args.search, workers: args.workers,
      ...(args.precision === "int8" ? { precision: "int8" as const } : {}),
    };
    // Bad options are refused before a database is made.
    const checked = checkLoopOptions(options);
    const db = openDatabase(args.db);
    let bar: Progress | null = null, barKey = "", already = 0, evaluationsBefore = 0, barStart = 0;
    let where = "";
    const interrupt = onInterrupt(() => `${where}every stored game and written network is kept; run the same command again to continue run "${args.run}"`);
    try {
      const summary = await runLoop(
        db,
        { ...options, signal: interrupt.signal },
        (event) => {
          if (event.phase === "done") {
            bar = null;
            process.stdout.write(generationLine(event.report));
            return;
          }
          const key = `${event.phase}:${event.generation}`;
          if (event.phase === "selfplay") {
            where = `in generation ${event.generation}'s self-play (${event.games}/${event.of} games stored); `;
            // Games stored before this call are not counted in the rate.
            if (barKey !== key) {
              [bar, barKey, already, evaluationsBefore, barStart] = [new Progress(`generation ${event.generation} self-play`, event.of - event.games, "games"), key, event.games, event.evaluations, performance.now()];
            }
            const seconds = (performance.now() - barStart) / 1000;
            bar!.update(event.games - already, `${event.moves} moves, ${seconds > 0 ? Math.round((event.evaluations - evaluationsBefore) / seconds) : 0} evaluations/s`);
          } else {
            where = `in generation ${event.generation}'s training (restarts from its checkpoint); `;
            if (barKey !== key) [bar, barKey] = [new Progress(`generation ${event.generation} training`, event.of, "samples"), key];
            bar!.update(event.samples, `loss ${event.loss.toFixed(3)}`);
          }
        },
        checked,
      );
      interrupt.finish();
      if (summary.stopped) return;
      process.stdout.write(
        summary.trainedNow === 0
          ? `run "${args.run}" has its ${summary.generations} generations already (raise --generations to continue); latest network ${summary.model}\n`
          : `run "${args.run}": ${summary.trainedNow} generation${summary.trainedNow === 1 ? "" : "s"} trained now, ${summary.generations} in all; latest network ${summary.model}\n`,
      );
      process.stderr.write(`next: rate the networks: fossil match --db ${args.db} --game ${game.spec} --black ${args.search === "gumbel" ? "gumbel" : "mcts"}:${summary.model}:${args.sims} --white rollout:200 --swap --games 100\n`);
    } finally {
      interrupt.dispose();
      db.close();
    }
  },
};
