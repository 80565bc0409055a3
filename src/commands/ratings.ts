/** `fossil ratings --db FILE [--anchor NAME=ELO] [--game G] [--advantage] [--top N] [--save] [--json]`. */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { parseGameSpec } from "../../games/index.js";
import { InputError } from "../../core/errors.js";
import { computeLadder, formatLadder, parseAnchor } from "../../db/ladder.js";
import { openDatabase } from "../../db/schema.js";

interface RatingsArgs {
  db: string;
  anchor?: string;
  game?: string;
  advantage: boolean;
  top?: string;
  save: boolean;
  json: boolean;
}

/** An option given once (yargs makes an array of an option given twice). */
function once<T>(value: T | T[], option: string): T {
  if (Array.isArray(value)) throw new InputError(`${option} given more than once`);
  return value;
}

/** `--top N`: a whole number of rows, at least 1 (read as text, so that the message shows what was typed). */
export function parseTop(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(once(value, "--top")).trim();
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new InputError(`--top must be a whole number of rows, at least 1, got "${text}"`);
  return Math.min(Number(text), Number.MAX_SAFE_INTEGER);
}

export const ratingsCommand = {
  builder: (y: Argv) =>
    y
      .option("db", { type: "string", demandOption: true, describe: "fossil database file" })
      .option("anchor", { type: "string", describe: "NAME=ELO: the player whose rating is fixed (default: random=0, else the most active player)" })
      .option("game", { type: "string", describe: "rate only games of this game (go:9, connect4)" })
      .option("advantage", { type: "boolean", default: false, describe: "fit a first-move advantage" })
      .option("top", { type: "string", describe: "print only the N best players (all are rated and saved)" })
      .option("save", { type: "boolean", default: false, describe: "store the ratings as a snapshot (the ladder view shows the latest)" })
      .option("json", { type: "boolean", default: false, describe: "print JSON" }),
  handler: (args: ArgumentsCamelCase<RatingsArgs>) => {
    // Every argument is checked before the database is opened or anything is written.
    const top = parseTop(args.top);
    const anchor = args.anchor === undefined ? undefined : parseAnchor(once(args.anchor, "--anchor"));
    // The family of a game spec: go:9:chinese:7.5 rates with go:9 (an unknown game is refused here).
    const game = args.game === undefined ? undefined : parseGameSpec(once(args.game, "--game")).id;
    const db = openDatabase(once(args.db, "--db"), { readonly: !args.save });
    try {
      const ladder = computeLadder(db, { game, anchor, firstMoveAdvantage: args.advantage, save: args.save });
      const players = ladder.rows.length;
      const shown = top === undefined ? ladder : { ...ladder, rows: ladder.rows.slice(0, top) };
      if (args.json) {
        process.stdout.write(`${JSON.stringify({ ...shown, players }, null, 1)}\n`);
        return;
      }
      process.stdout.write(`${formatLadder(shown)}\n`);
      const advantage = args.advantage ? `; first-move advantage ${ladder.advantage.toFixed(0)} ± ${ladder.advantageCi95.toFixed(0)} Elo` : "";
      const count = top === undefined ? "" : `${shown.rows.length} of ${players} player${players === 1 ? "" : "s"} shown; `;
      process.stdout.write(`${count}${ladder.games} games; anchor ${ladder.anchor} = ${ladder.anchorElo}; ±95% is relative to the anchor${advantage}\n`);
    } finally {
      db.close();
    }
  },
};
