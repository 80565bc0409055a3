/**
 * `fossil selfplay --game go:7 --model FILE --games N --sims S [--workers W] --db FILE`: plays
 * self-play games on worker threads and stores each chunk of games with its training samples in
 * one transaction.
 */
import { basename } from "node:path";
import type { ArgumentsCamelCase, Argv } from "yargs";
import { InputError } from "../../core/errors.js";
import { parseGameSpec } from "../../games/index.js";
import { openDatabase } from "../../db/schema.js";
import { ensurePlayer, ensureRun, gameColumns, insertGamesWithSamples, outcomeColumns } from "../../db/store.js";
import { readModelFile, checkModelFits } from "../../models/onnx/read.js";
import { DEFAULT_SELFPLAY, checkSelfPlayParams, type SelfPlayParams } from "../../selfplay/selfplay.js";
import { runSelfPlayPool } from "../../selfplay/pool.js";
import { Progress } from "../progress.js";

interface SelfPlayArgs {
  game: string;
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
      .option("game", { type: "string", demandOption: true, describe: "game spec (must match the model)" })
      .option("model", { type: "string", demandOption: true, describe: "ONNX model" })
      .option("games", { type: "number", default: 32, describe: "games to play" })
      .option("sims", { type: "number", default: 64, describe: "simulations of a full search" })
      .option("cheap-sims", { type: "number", describe: "simulations of a cheap search (default sims / 4)" })
      .option("full-share", { type: "number", default: 0.25, describe: "share of moves with a full search (playout cap randomization; 1 = all)" })
      .option("concurrent", { type: "number", default: 32, describe: "games per worker played at once (the network batch)" })
      .option("workers", { type: "number", describe: "worker threads (default: cores)" })
      .option("resign", { type: "number", default: 0.95, describe: "resign below this value (0: never); 20% of games never resign" })
      .option("seed", { type: "number", default: 1, describe: "run seed" })
      .option("run", { type: "string", default: "selfplay", describe: "run name in the database" })
      .option("db", { type: "string", demandOption: true, describe: "fossil database" }),
  handler: async (args: ArgumentsCamelCase<SelfPlayArgs>) => {
    const game = parseGameSpec(args.game);
    const { info } = readModelFile(args.model);
    checkModelFits(info, { game: game.id, planeVersion: game.planeVersion, height: game.height, width: game.width });
    if (!Number.isInteger(args.games) || args.games < 1) throw new InputError(`--games must be a positive integer, got ${args.games}`);
    const params: SelfPlayParams = {
      ...DEFAULT_SELFPLAY,
      fullSimulations: args.sims,
      cheapSimulations: args.cheapSims ?? Math.max(1, Math.round(args.sims / 4)),
      fullSearchShare: args.fullShare,
      concurrentGames: args.concurrent,
      resignThreshold: args.resign,
    };
    try {
      checkSelfPlayParams(params);
    } catch (e) {
      throw new InputError((e as Error).message);
    }
    const db = openDatabase(args.db);
    try {
      const runId = ensureRun(db, args.run, { command: "selfplay", game: game.id, model: args.model, params }, args.seed, "fossil 0.1");
      const spec = `mcts:${args.model}:${args.sims}`;
      const player = ensurePlayer(db, { name: spec, kind: "network", game: game.id, modelPath: args.model, search: params, runId });
      const progress = new Progress(`selfplay ${basename(args.model)}`, args.games, "games");
      let done = 0, positions = 0, evaluations = 0, networkSeconds = 0, seconds = 0, resigned = 0, falseResign = 0, noResign = 0;
      await runSelfPlayPool({ model: args.model, game: game.id, games: args.games, params, seed: args.seed, workers: args.workers }, (chunk) => {
        insertGamesWithSamples(
          db,
          chunk.games.map((g) => ({
            game: {
              ...gameColumns(game, g.actions),
              blackId: player,
              whiteId: player,
              ...outcomeColumns(g.outcome),
              source: "selfplay",
              runId,
              playedAt: new Date().toISOString(),
            },
            samples: g.samples.map((s) => ({ ply: s.ply, toPlay: s.toPlay, visits: s.visits })),
          })),
        );
        for (const g of chunk.games) {
          positions += g.actions.length;
          if (g.resigned) resigned++;
          if (g.resignDisabled) noResign++;
          if (g.wouldHaveResigned !== null) falseResign++;
        }
        evaluations += chunk.evaluations;
        networkSeconds += chunk.networkSeconds;
        seconds += chunk.seconds;
        done += chunk.games.length;
        progress.update(done, `${positions} positions`);
      });
      process.stdout.write(
        `${done} games, ${positions} positions stored in ${args.db} (run "${args.run}"); ${evaluations} network evaluations, ` +
          `network ${(100 * networkSeconds / Math.max(seconds, 1e-9)).toFixed(0)}% of worker time; resigned ${resigned}, ` +
          `false resignations ${falseResign} of ${noResign} no-resign games\n`,
      );
    } finally {
      db.close();
    }
  },
};
