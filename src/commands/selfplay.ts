/** `fossil selfplay --model FILE [--game SPEC] --games N --sims S [--workers W] --db FILE` (src/play/selfplay.ts). */
import { basename } from "node:path";
import type { ArgumentsCamelCase, Argv } from "yargs";
import { numberIn, seedOption, wholeNumber } from "../options.js";
import { parseGameSpec } from "../../games/index.js";
import { openDatabase } from "../../db/schema.js";
import { fossilArchitecture, readModelFile } from "../../models/onnx/read.js";
import { DEFAULT_SELFPLAY, selfPlayDefaults, type SelfPlayParams } from "../../selfplay/selfplay.js";
import { runSelfPlay } from "../play/selfplay.js";
import { Progress } from "../progress.js";
import { onInterrupt } from "../interrupt.js";

interface SelfPlayArgs {
  game?: string;
  model: string;
  games: number;
  sims: number;
  cheapSims?: number;
  fullShare: number;
  concurrent: number;
  workers?: number;
  resign: number;
  seed: number;
  run: string;
  db: string;
}

export const selfplayCommand = {
  builder: (y: Argv) =>
    y
      .option("model", { type: "string", demandOption: true, describe: "ONNX model" })
      .option("game", { type: "string", describe: "game spec with rules and komi (default: the model's own, e.g. go:7:tromp-taylor:9)" })
      .option("games", { type: "number", default: 32, describe: "games of the run (a rerun plays those not stored yet)", coerce: wholeNumber("games", 1, 1e9) })
      .option("sims", { type: "number", default: DEFAULT_SELFPLAY.fullSimulations, describe: "simulations of a full search", coerce: wholeNumber("sims", 1, 1e6) })
      .option("cheap-sims", { type: "number", describe: "simulations of a cheap search (default sims / 4)", coerce: wholeNumber("cheap-sims", 1, 1e6) })
      .option("full-share", { type: "number", default: DEFAULT_SELFPLAY.fullSearchShare, describe: "share of moves with a full search (playout cap randomization; 1 = all)", coerce: numberIn("full-share", 0, 1, { min: true }) })
      .option("concurrent", { type: "number", default: DEFAULT_SELFPLAY.concurrentGames, describe: "games per worker played at once (the network batch)", coerce: wholeNumber("concurrent", 1, 4096) })
      .option("workers", { type: "number", describe: "worker threads (default: cores)", coerce: wholeNumber("workers", 1, 64) })
      .option("resign", { type: "number", default: DEFAULT_SELFPLAY.resignThreshold, describe: "resign below this value (0: never); 20% of games never resign", coerce: numberIn("resign", 0, 1, { max: true }) })
      .option("seed", { ...seedOption, describe: "run seed" })
      .option("run", { type: "string", default: "selfplay", describe: "run name in the database" })
      .option("db", { type: "string", demandOption: true, describe: "fossil database" }),
  handler: async (args: ArgumentsCamelCase<SelfPlayArgs>) => {
    const game = parseGameSpec(args.game ?? fossilArchitecture(readModelFile(args.model).info).game);
    const params: SelfPlayParams = {
      ...selfPlayDefaults(game),
      fullSimulations: args.sims,
      cheapSimulations: args.cheapSims ?? Math.max(1, Math.round(args.sims / 4)),
      fullSearchShare: args.fullShare,
      concurrentGames: args.concurrent,
      resignThreshold: args.resign,
    };
    const db = openDatabase(args.db);
    let progress: Progress | null = null;
    const started = performance.now();
    let stored = 0, already = 0;
    const interrupt = onInterrupt(
      () => `${stored} games stored in ${args.db} (run "${args.run}", ${already + stored} of its ${args.games} with seed ${args.seed}); run the same command again to play the rest`,
    );
    try {
      const done = await runSelfPlay(db, { game, model: args.model, games: args.games, params, seed: args.seed, run: args.run, workers: args.workers, signal: interrupt.signal }, (p) => {
        progress ??= new Progress(`selfplay ${basename(args.model)}`, args.games - p.already, "games", started);
        [stored, already] = [p.games, p.already];
        progress.update(p.games, `${p.moves} moves`);
      });
      if (done.already > 0) process.stdout.write(`${done.already} of the run's ${args.games} games (seed ${args.seed}) were stored already: ${done.games === 0 ? "nothing to play (raise --games, or give another --seed or --run)" : "played the rest"}\n`);
      process.stdout.write(
        `${done.games} games of ${game.spec} (${done.moves} moves, ${done.samples} training samples) stored in ${args.db} (run "${args.run}"); ` +
          `${done.evaluations} network evaluations, network ${(100 * done.networkShare).toFixed(0)}% of worker time; resigned ${done.resigned}, ` +
          `false resignations ${done.falseResignations} of ${done.noResign} no-resign games\n`,
      );
      interrupt.finish();
      if (done.games > 0 && !interrupt.signal.aborted) process.stderr.write(`next: rate the network against a reference player: fossil match --db ${args.db} --game ${game.spec} --black mcts:${args.model}:${args.sims} --white random --swap\n`);
    } finally {
      interrupt.dispose();
      db.close();
    }
  },
};
