/**
 * `fossil demo`: the rules at work on built-in defaults — a seeded uniform-random 9x9 Go game
 * (board, Tromp–Taylor result, SGF) and the exact value of a Connect Four opening. It stands in
 * for the study runner until that exists.
 */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { Rng } from "../../core/rng.js";
import { resultText } from "../../core/player.js";
import { GoGame } from "../../games/go/game.js";
import { playoutMove } from "../../games/go/playout.js";
import { writeGoRecords, type GoMove } from "../../games/go/record.js";
import { makeRules } from "../../games/go/rules.js";
import { Connect4Solver } from "../../games/connect4/solver.js";
import { connect4FromMoves } from "../../games/connect4/state.js";

interface DemoArgs {
  seed: number;
  size: number;
  komi: number;
  c4: string;
}

export const demoCommand = {
  builder: (y: Argv) =>
    y
      .option("seed", { type: "number", default: 1, describe: "random seed of the Go game" })
      .option("size", { type: "number", default: 9, describe: "Go board size (2-19)" })
      .option("komi", { type: "number", default: 7, describe: "komi" })
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
    const position = connect4FromMoves(args.c4);
    const t0 = performance.now();
    const scores = solver.analyze(position);
    const ms = performance.now() - t0;
    process.stdout.write(`\nConnect Four after "${args.c4}", ${position.toPlay === 0 ? "first" : "second"} player to move:\n${position.toString()}\n`);
    process.stdout.write(`column scores (positive: the mover wins): ${scores.map((s, c) => `${c + 1}:${s ?? "full"}`).join(" ")}  (${ms.toFixed(0)} ms)\n`);
  },
};
