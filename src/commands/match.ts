/**
 * `fossil match --game go:7 --black SPEC --white SPEC --games N [--swap] [--openings K] --db FILE`:
 * plays a match, stores every game (one transaction each) and prints the rating ladder of the
 * game's players at the end.
 */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { InputError } from "../../core/errors.js";
import { Rng } from "../../core/rng.js";
import { parseGameSpec } from "../../games/index.js";
import { GoGame } from "../../games/go/game.js";
import { computeLadder, formatLadder } from "../../db/ladder.js";
import { openDatabase } from "../../db/schema.js";
import { createMatch, ensurePlayer, gameColumns, insertGames, outcomeColumns } from "../../db/store.js";
import { createPlayer, type MatchPlayer } from "../../selfplay/players.js";
import { playMatch } from "../../selfplay/match.js";
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
      .option("black", { type: "string", demandOption: true, describe: "player spec: random, rollout:N, policy:MODEL, mcts:MODEL:SIMS, solver, gtp:COMMAND" })
      .option("white", { type: "string", demandOption: true, describe: "player spec (the second player)" })
      .option("games", { type: "number", default: 10, describe: "games to play" })
      .option("swap", { type: "boolean", default: false, describe: "alternate colours between games" })
      .option("openings", { type: "number", describe: "random opening moves per game (default: 2 in Go, 1 in Connect Four)" })
      .option("seed", { type: "number", default: 1, describe: "seed of openings and random choices" })
      .option("concurrent", { type: "number", default: 16, describe: "games played at once (network players batch across them; GTP engines play one at a time)" })
      .option("db", { type: "string", demandOption: true, describe: "fossil database" }),
  handler: async (args: ArgumentsCamelCase<MatchArgs>) => {
    const game = parseGameSpec(args.game);
    if (!Number.isInteger(args.games) || args.games < 1) throw new InputError(`--games must be a positive integer, got ${args.games}`);
    const openings = args.openings ?? (game instanceof GoGame ? 2 : 1);
    const players: MatchPlayer[] = [];
    const db = openDatabase(args.db);
    try {
      players.push(await createPlayer(args.black, game));
      players.push(args.white === args.black ? players[0]! : await createPlayer(args.white, game));
      const ids = new Map(players.map((p) => [p.spec, ensurePlayer(db, { name: p.spec, kind: p.kind, game: game.id })]));
      const matchId = createMatch(db, game.id, { black: args.black, white: args.white, games: args.games, swap: args.swap, openings, seed: args.seed });
      const progress = new Progress(`match ${args.black} vs ${args.white}`, args.games, "games");
      const root = Rng.fromSeed(args.seed);
      let done = 0, voided = 0;
      const options = { games: args.games, swap: args.swap, openingMoves: openings, rngFor: (i: number) => root.split("match", i), concurrency: args.concurrent };
      await playMatch(game, players[0]!, players[1]!, options, (g) => {
        if (g.error) {
          voided++;
          process.stderr.write(`game ${g.index + 1}: no result (${g.endReason}): ${g.error}\n`);
        }
        insertGames(db, [
          {
            ...gameColumns(game, g.actions),
            blackId: ids.get(g.black)!,
            whiteId: ids.get(g.white)!,
            ...outcomeColumns(g.outcome),
            endReason: g.endReason,
            source: "match",
            matchId,
            playedAt: new Date().toISOString(),
          },
        ]);
        progress.update(++done);
      });
      if (voided > 0) process.stderr.write(`${voided} game${voided > 1 ? "s" : ""} without a result (not rated)\n`);
      const ladder = computeLadder(db, { game: game.id, save: true });
      process.stdout.write(`${formatLadder(ladder)}\n${ladder.games} rated games of ${game.id}; anchor ${ladder.anchor} = ${ladder.anchorElo}\n`);
    } finally {
      for (const p of new Set(players)) await p.close();
      db.close();
    }
  },
};
