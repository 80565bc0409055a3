/**
 * `fossil model init | info | eval`: create a network, show what a model file is, and look at
 * what a network thinks of a position.
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import type { ArgumentsCamelCase, Argv } from "yargs";
import { seedOption, wholeNumber } from "../options.js";
import { InputError } from "../../core/errors.js";
import { checkOutputFile, makeFolder } from "../../core/files.js";
import { parseGameSpec } from "../../games/index.js";
import type { Game, GameState } from "../../games/game.js";
import { readSgfFile } from "../../games/sgf.js";
import { architectureFor } from "../../models/arch.js";
import { initCheckpoint, statePath } from "../../models/checkpoint.js";
import { fossilArchitecture, readModelFile } from "../../models/onnx/read.js";
import { legalProbabilities, OnnxModel } from "../../models/inference.js";

interface InitArgs {
  game: string;
  blocks: number;
  filters: number;
  valueHidden: number;
  seed: number;
  out: string;
  run: string;
  force: boolean;
}

export const modelInitCommand = {
  builder: (y: Argv) =>
    y
      .option("game", { type: "string", demandOption: true, describe: "game spec: go:N[:rules[:komi]] or connect4" })
      .option("blocks", { type: "number", default: 4, describe: "residual blocks" })
      .option("filters", { type: "number", default: 32, describe: "filters per convolution" })
      .option("value-hidden", { type: "number", default: 64, describe: "units of the value head's hidden layer" })
      .option("seed", { ...seedOption, describe: "seed of the initial weights" })
      .option("run", { type: "string", default: "init", describe: "run name stored in the metadata" })
      .option("out", { type: "string", demandOption: true, describe: "model file to write (.onnx; the training state goes beside it as .state)" })
      .option("force", { type: "boolean", default: false, describe: "overwrite an existing file" }),
  handler: (args: ArgumentsCamelCase<InitArgs>) => {
    const game = parseGameSpec(args.game);
    const arch = architectureFor(game, args.blocks, args.filters, args.valueHidden);
    if (!args.out.toLowerCase().endsWith(".onnx")) throw new InputError(`--out must name a .onnx file, got "${args.out}"`);
    if (existsSync(args.out) && !args.force) throw new InputError("already exists (use --force to overwrite)", { file: args.out });
    makeFolder(dirname(args.out));
    for (const file of [args.out, statePath(args.out)]) checkOutputFile(file);
    const count = initCheckpoint(args.out, arch, args.seed, args.run);
    process.stdout.write(`${args.out}: ${arch.game} ${arch.height}x${arch.width}, resnet ${arch.blocks} blocks x ${arch.filters} filters, ${count.toLocaleString("en-US")} weights\n`);
  },
};

interface InfoArgs {
  model: string;
  json: boolean;
}

export const modelInfoCommand = {
  builder: (y: Argv) =>
    y.positional("model", { type: "string", describe: "ONNX model file" }).option("json", { type: "boolean", default: false, describe: "print JSON" }),
  handler: (args: ArgumentsCamelCase<InfoArgs>) => {
    const { info } = readModelFile(args.model);
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ file: info.file, irVersion: info.irVersion, opset: info.opset, producer: info.producer, metadata: info.metadata }, null, 1)}\n`);
      return;
    }
    const lines = [`file: ${info.file}`, `onnx: IR version ${info.irVersion}, opset ${info.opset}, producer ${info.producer || "?"}`];
    for (const [k, v] of Object.entries(info.metadata)) if (k !== "fossil.architecture_json") lines.push(`${k.replace(/^fossil\./, "")}: ${v}`);
    process.stdout.write(`${lines.join("\n")}\n`);
  },
};

interface EvalArgs {
  model: string;
  sgf?: string;
  moves?: string;
  move?: number;
  game?: number;
  top: number;
  json: boolean;
}

/** The position to evaluate: an SGF's main line (up to --move) or a move list on the model's game. */
function evalPosition(game: Game, args: EvalArgs): GameState {
  if (args.sgf !== undefined && args.moves !== undefined) throw new InputError("give --sgf or --moves, not both");
  if (args.sgf === undefined && (args.game !== undefined || args.move !== undefined)) throw new InputError("--game and --move choose a position of --sgf FILE");
  if (args.sgf !== undefined) {
    if (!game.sgf) throw new InputError(`--sgf is for games SGF holds (Go), not ${game.id}; give the position with --moves`);
    const { state, games } = game.sgf.position(readSgfFile(args.sgf), args.sgf, args.game ?? 1, args.move);
    if (games > 1 && args.game === undefined) process.stderr.write(`${args.sgf} holds ${games} games: this is game 1 (choose another with --game N)\n`);
    return state;
  }
  const state = game.newState();
  game.parseMoves(args.moves ?? "").forEach((action, i) => {
    if (!state.isLegal(action)) throw new InputError(`move ${i + 1} (${game.actionText(action)}) is illegal here`);
    state.play(action);
  });
  return state;
}

export const modelEvalCommand = {
  builder: (y: Argv) =>
    y
      .positional("model", { type: "string", describe: "ONNX model file" })
      .option("sgf", { type: "string", describe: "SGF file: evaluate the position after its main line (or --move N)" })
      .option("game", { type: "number", describe: "with --sgf: the game of a collection (default 1)", coerce: wholeNumber("game", 1) })
      .option("move", { type: "number", describe: "with --sgf: stop after this many moves", coerce: wholeNumber("move", 0) })
      .option("moves", { type: "string", describe: 'moves from the start: Go "C3 D4 pass ...", Connect Four "4453"' })
      .option("top", { type: "number", default: 5, describe: "how many moves to list", coerce: wholeNumber("top", 1) })
      .option("json", { type: "boolean", default: false, describe: "print JSON" }),
  handler: async (args: ArgumentsCamelCase<EvalArgs>) => {
    const { bytes, info } = readModelFile(args.model);
    const game = parseGameSpec(fossilArchitecture(info).game);
    const model = await OnnxModel.load({ bytes, file: args.model }, { expect: game });
    const state = evalPosition(game, args);
    const planes = new Float32Array(game.planes * game.height * game.width);
    game.encode(state, planes);
    const { policy, value } = await model.evaluate(planes, 1);
    await model.close();
    const mask = state.legalMask();
    const legal = [...mask.keys()].filter((a) => mask[a] === 1);
    const ranked = legalProbabilities(policy, mask).map((m) => ({ move: game.actionText(m.action), probability: m.p }));
    const toPlay = game.sideName(state.toPlay);
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ moves: state.moveCount, toPlay, value: value[0], top: ranked.slice(0, args.top) })}\n`);
      return;
    }
    process.stdout.write(`${state.toString()}\nafter ${state.moveCount} moves, ${toPlay} to play${legal.length === 0 ? " (game over)" : ""}\n`);
    process.stdout.write(`value ${value[0]! >= 0 ? "+" : ""}${value[0]!.toFixed(3)} (for ${toPlay}, the side to move)\n`);
    process.stdout.write(`policy (legal moves): ${ranked.slice(0, args.top).map((r) => `${r.move} ${(100 * r.probability).toFixed(1)}%`).join(", ")}\n`);
  },
};
