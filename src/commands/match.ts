/** `fossil match --game G --black SPEC --white SPEC --games N [--swap] [--openings K] --db FILE` (src/play/match.ts). */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { parseGameSpec } from "../../games/index.js";
import { formatLadder } from "../../db/ladder.js";
import { openDatabase } from "../../db/schema.js";
import { PLAYER_SPEC_HELP } from "../../selfplay/spec.js";
import { runMatch } from "../play/match.js";
import { Progress } from "../progress.js";

interface MatchArgs {
  game: string;
  black: string;
  white: string;
  games: number;
  swap: boolean;
  openings?: number;
  seed: number;
  concurrent: number;
  db: string;
}

export const matchCommand = {
  builder: (y: Argv) =>
    y
      .option("game", { type: "string", demandOption: true, describe: "game spec: go:N[:rules[:komi]] or connect4" })
      .option("black", { type: "string", demandOption: true, describe: `player spec: ${PLAYER_SPEC_HELP}` })
      .option("white", { type: "string", demandOption: true, describe: "player spec (the second player)" })
      .option("games", { type: "number", default: 10, describe: "games to play" })
      .option("swap", { type: "boolean", default: false, describe: "alternate colours between games" })
      .option("openings", { type: "number", describe: "random opening moves per game (default: 2 in Go, 1 in Connect Four)" })
      .option("seed", { type: "number", default: 1, describe: "seed of openings and random choices" })
      .option("concurrent", { type: "number", default: 16, describe: "games played at once (network players batch across them; GTP engines play one at a time)" })
      .option("db", { type: "string", demandOption: true, describe: "fossil database" }),
  handler: async (args: ArgumentsCamelCase<MatchArgs>) => {
    const game = parseGameSpec(args.game);
    const db = openDatabase(args.db);
    try {
      const progress = new Progress(`match ${args.black} vs ${args.white}`, args.games, "games");
      const { ladder, voided } = await runMatch(
        db,
        { game, black: args.black, white: args.white, games: args.games, swap: args.swap, openings: args.openings, seed: args.seed, concurrent: args.concurrent },
        (g, done) => {
          if (g.error) process.stderr.write(`game ${g.index + 1}: no result (${g.endReason}): ${g.error}\n`);
          progress.update(done);
        },
      );
      if (voided > 0) process.stderr.write(`${voided} game${voided > 1 ? "s" : ""} without a result (not rated)\n`);
      process.stdout.write(`${formatLadder(ladder)}\n${ladder.games} rated games of ${game.id}; anchor ${ladder.anchor} = ${ladder.anchorElo}\n`);
    } finally {
      db.close();
    }
  },
};
