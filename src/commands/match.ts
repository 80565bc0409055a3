/** `fossil match --game G --black SPEC --white SPEC --games N [--swap] [--openings K] --db FILE` (src/play/match.ts). */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { parseGameSpec } from "../../games/index.js";
import { formatLadder } from "../../db/ladder.js";
import { openDatabase } from "../../db/schema.js";
import { PLAYER_SPEC_HELP } from "../../selfplay/spec.js";
import { runMatch, type MatchScore } from "../play/match.js";
import { Progress } from "../progress.js";
import { onInterrupt } from "../interrupt.js";
import { numberIn, seedOption, wholeNumber } from "../options.js";

interface MatchArgs {
  game: string;
  black: string;
  white: string;
  games: number;
  swap: boolean;
  openings?: number;
  seed: number;
  concurrent: number;
  engineTimeout: number;
  db: string;
}

/** "A vs B: 7 wins, 2 losses, 1 draw (75.0%); Elo difference +191 ± 240 (95%)". */
export function formatScore(s: MatchScore): string {
  const n = s.wins + s.losses + s.draws;
  if (s.first === s.second) return `${s.first} against itself: ${n} games, the first player won ${s.wins}, the second ${s.losses}, ${s.draws} drawn (not rated)`;
  const plural = (k: number, word: string): string => `${k} ${word}${k === 1 ? "" : word.endsWith("s") ? "es" : "s"}`;
  const elo = Number.isFinite(s.eloDifference) ? `; Elo difference ${s.eloDifference >= 0 ? "+" : ""}${s.eloDifference.toFixed(0)} ± ${s.eloCi95.toFixed(0)} (95%)` : "";
  const voided = s.voided ? `; ${plural(s.voided, "game")} without a result` : "";
  return `${s.first} vs ${s.second}: ${plural(s.wins, "win")}, ${plural(s.losses, "loss")}, ${plural(s.draws, "draw")}${n ? ` (${((100 * (s.wins + s.draws / 2)) / n).toFixed(1)}%)` : ""}${elo}${voided}`;
}

export const matchCommand = {
  builder: (y: Argv) =>
    y
      .option("game", { type: "string", demandOption: true, describe: "game spec: go:N[:rules[:komi]] or connect4" })
      .option("black", { type: "string", demandOption: true, describe: `the first player (Black in game 1): ${PLAYER_SPEC_HELP}` })
      .option("white", { type: "string", demandOption: true, describe: "the second player (a player spec)" })
      .option("games", { type: "number", default: 10, describe: "games of the match (a rerun plays those not stored yet)", coerce: wholeNumber("games", 1, 1e6) })
      .option("swap", { type: "boolean", default: false, describe: "alternate colours between games" })
      .option("openings", { type: "number", describe: "random opening moves per game (default: 2 in Go, 1 in Connect Four)", coerce: wholeNumber("openings", 0) })
      .option("seed", { ...seedOption, describe: "seed of openings and random choices" })
      .option("concurrent", { type: "number", default: 16, describe: "games played at once (network players batch across them; GTP engines play one at a time)", coerce: wholeNumber("concurrent", 1, 4096) })
      .option("engine-timeout", { type: "number", default: 60, describe: "seconds a GTP engine may take to answer one command", coerce: numberIn("engine-timeout", 0, 86400, { min: true }) })
      .option("db", { type: "string", demandOption: true, describe: "fossil database" }),
  handler: async (args: ArgumentsCamelCase<MatchArgs>) => {
    const game = parseGameSpec(args.game);
    const db = openDatabase(args.db);
    let played = 0;
    const interrupt = onInterrupt(() => `${played} games of this match stored in ${args.db}; run the same command again to play the rest`);
    try {
      let progress: Progress | null = null;
      const started = performance.now();
      const options = { game, black: args.black, white: args.white, games: args.games, swap: args.swap, openings: args.openings, seed: args.seed, concurrent: args.concurrent, engineTimeout: args.engineTimeout, signal: interrupt.signal };
      const { ladder, score, already } = await runMatch(db, options, (g, { done, toPlay }) => {
        played = done;
        progress ??= new Progress(`match ${args.black} vs ${args.white}`, toPlay, "games", started);
        if (g.error) process.stderr.write(`game ${g.index + 1}: no result (${g.endReason}): ${g.error}\n`);
        progress.update(done);
      });
      if (already > 0) process.stdout.write(`${already} of the match's ${args.games} games were stored already${played === 0 ? " (nothing to play: raise --games for more)" : ""}\n`);
      process.stdout.write(`${formatScore(score)}\n`);
      if (played > 0 && score.wins + score.losses + score.draws === 0) {
        process.stderr.write("fossil: no game had a result: see the errors above (is the engine command right?)\n");
        process.exitCode = 2;
      }
      if (ladder) {
        const involved = new Set([score.first, score.second]);
        const rows = ladder.rows.filter((r) => involved.has(r.player));
        process.stdout.write(
          `${formatLadder({ ...ladder, rows })}\n${ladder.rows.length} rated players and ${ladder.games} rated games of ${game.id} in ${args.db}; anchor ${ladder.anchor} = ${ladder.anchorElo}` +
            `${ladder.rows.length > rows.length ? `; the whole ladder: fossil ratings --db ${args.db} --game ${game.id}` : ""}\n`,
        );
      }
      interrupt.finish();
    } finally {
      interrupt.dispose();
      db.close();
    }
  },
};
