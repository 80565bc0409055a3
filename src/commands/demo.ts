/**
 * `fossil demo`: the rules at work on built-in defaults — a seeded uniform-random 9x9 Go game
 * (board, Tromp–Taylor result, SGF) and the exact value of a Connect Four opening. It stands in
 * for the study runner until that exists.
 */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { numberIn, seedOption, wholeNumber } from "../options.js";
import { Rng } from "../../core/rng.js";
import { resultText } from "../../core/player.js";
import { GoGame } from "../../games/go/game.js";
import { playoutMove } from "../../games/go/playout.js";
import { writeGoRecords, type GoMove } from "../../games/go/record.js";
import { makeRules } from "../../games/go/rules.js";
import { Connect4Solver } from "../../games/connect4/solver.js";
import { connect4FromMoves } from "../../games/connect4/state.js";
import { Connect4Book } from "../../games/connect4/book.js";
import { QUICK_SOLVE_FROM } from "../../games/connect4/game.js";
import { InputError } from "../../core/errors.js";

interface DemoArgs {
  seed: number;
  size: number;
  komi: number;
  c4: string;
}

export const demoCommand = {
  builder: (y: Argv) =>
    y
      .option("seed", { ...seedOption, describe: "random seed of the Go game" })
      .option("size", { type: "number", default: 9, describe: "Go board size (2-19)", coerce: wholeNumber("size", 2, 19) })
      .option("komi", { type: "number", default: 7, describe: "komi", coerce: numberIn("komi", -1000, 1000) })
      .option("c4", { type: "string", default: "52753311433677442422121", describe: "Connect Four moves (columns 1-7) to solve" }),
  handler: (args: ArgumentsCamelCase<DemoArgs>) => {
    const game = new GoGame(args.size, { rules: makeRules("tromp-taylor", args.komi) });
    const rng = Rng.fromSeed(args.seed).split("demo");
    const state = game.newState();
    const moves: GoMove[] = [];
    while (!state.ended) {
      const action = playoutMove(state, rng);
      moves.push({ player: state.toPlay, action });
      state.play(action);
    }
    const outcome = state.outcome()!;
    const [black, white] = state.board.area();
    process.stdout.write(`Go ${game.size}x${game.size}, uniform random moves (seed ${args.seed}), ${moves.length} moves:\n`);
    process.stdout.write(`${state.board.toString()}\n`);
    process.stdout.write(`Black area ${black}, White area ${white}, komi ${args.komi}: ${resultText(outcome)}\n`);
    process.stdout.write(writeGoRecords([{ size: game.size, komi: args.komi, rules: "tromp-taylor", black: "random", white: "random", result: resultText(outcome), setupBlack: [], setupWhite: [], moves }]));
    const solver = new Connect4Solver(20);
    solver.book = Connect4Book.builtin();
    const position = connect4FromMoves(args.c4);
    process.stdout.write(`\nConnect Four after "${args.c4}", ${position.toPlay === 0 ? "first" : "second"} player to move:\n${position.toString()}\n`);
    if (position.ended) {
      process.stdout.write(position.won ? `the game is over: the ${position.toPlay === 0 ? "second" : "first"} player has four in a row\n` : "the game is over: the board is full (a draw)\n");
    } else {
      // Every reply must be quick to solve: in the opening book, or late enough for the search.
      const slow = [...Array(7).keys()].some((col) => {
        if (!position.canPlay(col)) return false;
        const next = position.clone();
        next.playLegal(col);
        return !next.ended && next.moveCount < QUICK_SOLVE_FROM && solver.book!.lookup(next) === null;
      });
      if (slow) throw new InputError(`the demo analyses positions whose replies are in the opening book or have ${QUICK_SOLVE_FROM} stones or more; solving "${args.c4}" exactly takes minutes: fossil c4 solve`);
      const t0 = performance.now();
      const scores = solver.analyze(position);
      const ms = performance.now() - t0;
      process.stdout.write(`column scores (positive: the mover wins): ${scores.map((s, c) => `${c + 1}:${s ?? "full"}`).join(" ")}  (${ms.toFixed(0)} ms)\n`);
    }
    process.stderr.write(
      "\nnext: the prior's data — human SGF games (fossil data import --db prior.db --size 9 FILES...) or teacher games " +
        "(fossil data generate --teacher builtin --game go:9 --games 100 --db prior.db); then fossil train sl, eval predict, match, ratings (README: Commands)\n",
    );
  },
};
