/** `fossil ratings --db FILE [--anchor NAME=ELO] [--game G] [--advantage] [--save] [--json]`. */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { computeLadder, formatLadder, parseAnchor } from "../../db/ladder.js";
import { openDatabase } from "../../db/schema.js";

interface RatingsArgs {
  db: string;
  anchor?: string;
  game?: string;
  advantage: boolean;
  save: boolean;
  json: boolean;
}

export const ratingsCommand = {
  builder: (y: Argv) =>
    y
      .option("db", { type: "string", demandOption: true, describe: "fossil database file" })
      .option("anchor", { type: "string", describe: "NAME=ELO: the player whose rating is fixed (default: random=0, else the most active player)" })
      .option("game", { type: "string", describe: "rate only games of this game (go:9, connect4)" })
      .option("advantage", { type: "boolean", default: false, describe: "fit a first-move advantage" })
      .option("save", { type: "boolean", default: false, describe: "store the ratings as a snapshot (the ladder view shows the latest)" })
      .option("json", { type: "boolean", default: false, describe: "print JSON" }),
  handler: (args: ArgumentsCamelCase<RatingsArgs>) => {
    const db = openDatabase(args.db, { readonly: !args.save });
    try {
      const ladder = computeLadder(db, { game: args.game, anchor: args.anchor ? parseAnchor(args.anchor) : undefined, firstMoveAdvantage: args.advantage, save: args.save });
      if (args.json) {
        process.stdout.write(`${JSON.stringify(ladder, null, 1)}\n`);
        return;
      }
      process.stdout.write(`${formatLadder(ladder)}\n`);
      const advantage = args.advantage ? `; first-move advantage ${ladder.advantage.toFixed(0)} ± ${ladder.advantageCi95.toFixed(0)} Elo` : "";
      process.stdout.write(`${ladder.games} games; anchor ${ladder.anchor} = ${ladder.anchorElo}; ±95% is relative to the anchor${advantage}\n`);
    } finally {
      db.close();
    }
  },
};
