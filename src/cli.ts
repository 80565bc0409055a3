#!/usr/bin/env node
/**
 * The `fossil` command. Each subcommand lives in src/commands/. A FossilError (a user's mistake
 * or bad input) becomes one line on stderr and a non-zero exit code; anything else is a bug and
 * keeps its stack trace.
 */
import { readFileSync } from "node:fs";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { FossilError } from "../core/errors.js";
import { c4BookCommand } from "./commands/c4-book.js";
import { c4SolveCommand } from "./commands/c4-solve.js";
import { demoCommand } from "./commands/demo.js";
import { goScoreCommand } from "./commands/go-score.js";
import { modelEvalCommand, modelInfoCommand, modelInitCommand } from "./commands/model.js";
import { gamesExportCommand, gamesImportCommand } from "./commands/games.js";
import { queryCommand } from "./commands/query.js";
import { ratingsCommand } from "./commands/ratings.js";
import { selfplayCommand } from "./commands/selfplay.js";
import { loopCommand } from "./commands/loop.js";
import { matchCommand } from "./commands/match.js";
import { gtpCommand } from "./commands/gtp.js";
import { dataGenerateCommand, dataImportCommand } from "./commands/data.js";
import { evalPredictCommand } from "./commands/eval.js";
import { trainSlCommand } from "./commands/train.js";
import { statusCommand, studyCommand } from "./commands/study.js";
import { serveCommand } from "./commands/serve.js";

/** The package version, read beside the installed files (works from any directory). */
function packageVersion(): string {
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  return (JSON.parse(text) as { version: string }).version;
}

const COMMANDS: Record<string, string[]> = {
  "": ["study", "status", "serve", "demo", "go", "c4", "model", "games", "selfplay", "match", "gtp", "data", "train", "eval", "ratings", "query"],
  go: ["score"],
  c4: ["solve", "book"],
  model: ["init", "info", "eval"],
  games: ["import", "export"],
  data: ["import", "generate"],
  train: ["sl"],
  eval: ["predict"],
};

/** Edit distance of two short words. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** A command close to an unknown word typed where a command goes, or null. */
function closestCommand(word: string, argv: readonly string[]): string | null {
  const at = argv.indexOf(word);
  const parent = at > 0 && COMMANDS[argv[at - 1]!] ? argv[at - 1]! : "";
  if (at > (parent ? 1 : 0)) return null; // not where a command goes
  // Two edits for a word of 4 letters or more ("trian"), one for shorter ones ("foo" is not "go").
  let best: string | null = null, bestDistance = word.length >= 4 ? 3 : 2;
  for (const name of COMMANDS[parent]!) {
    const d = distance(word.toLowerCase(), name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best === null ? null : parent ? `${parent} ${best}` : best;
}

/**
 * What yargs lets through on its own: an option given twice (it would make an array of it, or
 * join it) and an empty value (`--seed ""` would read as 0). Null when the command line is fine.
 */
const EMPTY_ALLOWED = new Set(["moves"]);

export function commandLineProblem(argv: readonly string[]): string | null {
  const seen = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--") break;
    const m = /^--([^=]+)(=(.*))?$/.exec(token);
    if (!m) continue;
    const name = m[1]!.replace(/^no-/, "").replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    if (seen.has(name)) return `--${name} given more than once`;
    seen.add(name);
    const value = m[2] !== undefined ? m[3]! : argv[i + 1];
    // An empty move list is the start position; elsewhere an empty value is a slip (`--seed ""` reads as 0).
    if (value !== undefined && value.trim() === "" && !EMPTY_ALLOWED.has(name)) return `--${name} needs a value, got an empty one`;
  }
  return null;
}

export async function main(argv: string[]): Promise<void> {
  const problem = commandLineProblem(argv);
  if (problem) {
    process.stderr.write(`fossil: ${problem}\n`);
    process.exitCode = 2;
    return;
  }
  await yargs(argv)
    .scriptName("fossil")
    .usage("$0 <command> [options]\n\nDoes a prior learned from human or expert games beat self-play from scratch? Small-board Go and Connect Four.")
    .command("study", "the study: prior against zero at equal compute, several seeds, rated on one scale, with a report (resumable)", studyCommand.builder, studyCommand.handler)
    .command("status", "where each study in a database stands", statusCommand.builder, statusCommand.handler)
    .command("serve", "the web viewer of a database: studies and their curves, the ladder, games move by move", serveCommand.builder, serveCommand.handler)
    .command("demo", "play a seeded random Go game and solve a Connect Four position (a rules demo)", demoCommand.builder, demoCommand.handler)
    .command("go", "Go tools: score SGF games", (y) =>
      y.command("score <files..>", "replay SGF games and print the Tromp-Taylor area result of each", goScoreCommand.builder, goScoreCommand.handler).demandCommand(1, "name a go subcommand (score)"),
    )
    .command("c4", "Connect Four tools: solve positions, compute the opening book", (y) =>
      y
        .command("solve [files..]", "solve positions given as move strings (from files or stdin)", c4SolveCommand.builder, c4SolveCommand.handler)
        .command("book", "compute or extend the opening book of the solver (resumable)", c4BookCommand.builder, c4BookCommand.handler)
        .demandCommand(1, "name a c4 subcommand (solve, book)"),
    )
    .command("model", "networks: init, info, eval", (y) =>
      y
        .command("init", "create a network with fresh weights (ONNX model + training state)", modelInitCommand.builder, modelInitCommand.handler)
        .command("info <model>", "print what an ONNX model file is (game, board, planes, architecture, step)", modelInfoCommand.builder, modelInfoCommand.handler)
        .command("eval <model>", "print a network's value and top moves for a position", modelEvalCommand.builder, modelEvalCommand.handler)
        .demandCommand(1, "name a model subcommand (init, info, eval)"),
    )
    .command("games", "the game database: import, export", (y) =>
      y
        .command("import <paths..>", "store SGF games (files, folders, collections) and CSV results (black,white,result)", gamesImportCommand.builder, gamesImportCommand.handler)
        .command("export", "write Go games as SGF files", gamesExportCommand.builder, gamesExportCommand.handler)
        .demandCommand(1, "name a games subcommand (import, export)"),
    )
    .command("selfplay", "play self-play games with a network on worker threads and store them with their training samples", selfplayCommand.builder, selfplayCommand.handler)
    .command("loop", "self-play reinforcement learning: generations of self-play and training, resumable", loopCommand.builder, loopCommand.handler)
    .command("match", "play a match between two players, store the games and print the ladder", matchCommand.builder, matchCommand.handler)
    .command("gtp", "play a Go network over GTP (for Sabaki, GoGui, other engines)", gtpCommand.builder, gtpCommand.handler)
    .command("data", "the prior's data: import human games, generate teacher games", (y) =>
      y
        .command("import <paths..>", "store human SGF games (filters, deduplicated by moves) as the prior's data", dataImportCommand.builder, dataImportCommand.handler)
        .command("generate", "let GNU Go play itself (varied levels, seeds and openings) and store the games as teacher games", dataGenerateCommand.builder, dataGenerateCommand.handler)
        .demandCommand(1, "name a data subcommand (import, generate)"),
    )
    .command("train", "train networks: sl (supervised, on prior games)", (y) =>
      y.command("sl", "supervised pretraining on human or teacher games, early stopping, resumable", trainSlCommand.builder, trainSlCommand.handler).demandCommand(1, "name a train subcommand (sl)"),
    )
    .command("eval", "measure networks: predict", (y) =>
      y.command("predict <paths..>", "move-prediction accuracy (top-1, top-3) and outcome MSE of a network on SGF games", evalPredictCommand.builder, evalPredictCommand.handler).demandCommand(1, "name an eval subcommand (predict)"),
    )
    .command("ratings", "Bradley-Terry Elo ladder of the players in a database, with 95% intervals", ratingsCommand.builder, ratingsCommand.handler)
    .command("query <sql>", "run a read-only SQL query on a database (views: ladder, head_to_head, elo_by_generation, game_stats)", queryCommand.builder, queryCommand.handler)
    .demandCommand(1, "name a command (see --help)")
    .strict()
    .help()
    .alias("h", "help")
    .version(packageVersion())
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      // Errors of our handlers go on to the caller; yargs' own (a refused option value) are usage errors.
      if (error && error.name !== "YError") throw error;
      const text = message ?? error?.message ?? "bad usage";
      const unknown = /^Unknown arguments?: (\S+?),?(\s|$)/.exec(text);
      const hint = unknown ? closestCommand(unknown[1]!, argv) : null;
      // A value the options refuse (src/options.ts) is bad input (2); a command line yargs cannot read is usage (1).
      const badValue = /^--\S+ must be /.test(text);
      process.stderr.write(`fossil: ${text}${hint ? ` (did you mean ${hint}?)` : ""}${badValue ? "" : "\nRun 'fossil --help' for usage."}\n`);
      process.exit(badValue ? 2 : 1);
    })
    .parseAsync();
}

// A reader that stops early (`fossil query ... | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(process.exitCode ?? 0);
  });
}

try {
  await main(hideBin(process.argv));
} catch (error) {
  if (error instanceof FossilError) {
    process.stderr.write(`fossil: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    throw error;
  }
}
