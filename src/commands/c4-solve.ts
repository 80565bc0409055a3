/**
 * `fossil c4 solve [FILE...]`: reads lines `<moves>[ <anything>]` (moves: columns 1-7 from the
 * empty board, Pons's test-file format) and prints `<moves> <score>` with the exact score for
 * the side to move (positive: it wins; larger: sooner; 0: draw). A position that takes longer
 * than `PROGRESS_AFTER_SECONDS` reports each step of its search on stderr, one plain line per step
 * (stdout keeps only the answers).
 */
import { createInterface } from "node:readline";
import type { ArgumentsCamelCase, Argv } from "yargs";
import { FossilError, InputError } from "../../core/errors.js";
import { Connect4Book } from "../../games/connect4/book.js";
import { Connect4Solver, scorePosition } from "../../games/connect4/solver.js";
import { connect4FromMoves } from "../../games/connect4/state.js";
import { readTextFile } from "../../core/files.js";

interface SolveArgs {
  files?: string[];
}

/** Seconds a position may take before its search reports progress on stderr. */
const PROGRESS_AFTER_SECONDS = 2;

const count = (n: number): string => n.toLocaleString("en-US");

/** Solves each line; returns false if some line or file was bad (reported on stderr). */
function solveLines(name: string, lines: Iterable<string>, solver: Connect4Solver): boolean {
  let ok = true;
  let lineNumber = 0;
  for (const text of lines) {
    lineNumber++;
    const trimmed = text.trim();
    if (trimmed === "") continue;
    const moves = trimmed.split(/\s+/)[0]!;
    solver.onProgress = ({ low, high, nodes, seconds }) => {
      if (seconds < PROGRESS_AFTER_SECONDS) return;
      const known = low === high ? `score ${low}` : `score in [${low}, ${high}]`;
      process.stderr.write(`fossil c4 solve: ${moves}: ${known} after ${seconds.toFixed(1)} s, ${count(nodes)} positions\n`);
    };
    try {
      process.stdout.write(`${moves} ${scorePosition(connect4FromMoves(moves), solver)}\n`);
    } catch (error) {
      if (!(error instanceof FossilError)) throw error;
      ok = false;
      process.stderr.write(`${name}:${lineNumber}: ${error.message}\n`);
    }
  }
  return ok;
}

export const c4SolveCommand = {
  builder: (y: Argv) => y.positional("files", { type: "string", array: true, describe: "files of move strings; standard input when none" }),
  handler: async (args: ArgumentsCamelCase<SolveArgs>) => {
    const solver = new Connect4Solver();
    solver.book = Connect4Book.builtin(); // exact answers for the first moves
    let ok = true;
    const files = args.files ?? [];
    if (files.length === 0) {
      const lines: string[] = [];
      for await (const text of createInterface({ input: process.stdin, crlfDelay: Infinity })) lines.push(text);
      ok = solveLines("<stdin>", lines, solver);
    }
    for (const file of files) {
      let text: string;
      try {
        text = readTextFile(file);
      } catch (error) {
        if (!(error instanceof FossilError)) throw error;
        process.stderr.write(`fossil: ${error.message}\n`);
        ok = false;
        continue;
      }
      ok = solveLines(file, text.split(/\r?\n/), solver) && ok;
    }
    if (!ok) process.exitCode = 2;
  },
};
