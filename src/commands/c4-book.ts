/**
 * `fossil c4 book --plies N [--out FILE] [--from MOVES]`: computes the Connect Four opening book
 * (games/connect4/book.ts) — every position up to ply N where a perfect player of either colour
 * is to move, having played only best moves against any opponent moves. One line is appended
 * per position as soon as it is solved, so an interrupted run resumes where it stopped and a
 * deeper run extends a shallower book.
 */
import { appendFileSync, existsSync, readFileSync, truncateSync } from "node:fs";
import { cpus } from "node:os";
import { Piscina } from "piscina";
import type { ArgumentsCamelCase, Argv } from "yargs";
import { Connect4Book, BUILTIN_BOOK, canonicalKey, columnsText } from "../../games/connect4/book.js";
import { WIDTH } from "../../games/connect4/bitboard.js";
import { Connect4Solver, type BestMoves } from "../../games/connect4/solver.js";
import { connect4FromMoves, type Connect4State } from "../../games/connect4/state.js";
import { InputError } from "../../core/errors.js";
import { builtFile } from "../../core/files.js";

const HEADER = "# fossil Connect Four opening book: <moves> <score> <best columns> (games/connect4/book.ts)\n";

export interface BookOptions {
  plies: number;
  out: string;
  from?: string;
  tableBits?: number;
  /** Worker threads solving positions side by side (default 1: in this thread). */
  workers?: number;
  /** Called after each position (solved or already in the file). */
  onPosition?: (info: { moves: string; ply: number; done: number; queued: number; seconds: number; nodes: number; fromFile: boolean }) => void;
}

/** What solving one position gives (the book worker's answer). */
export interface SolvedPosition {
  best: BestMoves;
  nodes: number;
  seconds: number;
}

/** Reads what an earlier run wrote, cutting a last line that a killed run left unfinished. */
function resume(out: string): Connect4Book {
  if (!existsSync(out)) {
    appendFileSync(out, HEADER);
    return new Connect4Book();
  }
  const text = readFileSync(out, "utf8");
  const whole = text.endsWith("\n") || text === "" ? text : text.slice(0, text.lastIndexOf("\n") + 1);
  if (whole.length < text.length) truncateSync(out, Buffer.byteLength(whole));
  return Connect4Book.parse(whole, out);
}

/**
 * Builds or extends a book file; returns the book. Plies are taken two at a time (the positions
 * of both players at one move number), every position of a round solved side by side.
 */
export async function buildBook(options: BookOptions): Promise<Connect4Book> {
  const root = connect4FromMoves(options.from ?? "");
  if (root.ended) throw new InputError(`the game is over after ${options.from}`);
  const book = resume(options.out);
  const tableBits = options.tableBits ?? 24;
  const workers = options.workers ?? 1;
  let solve: (moves: string) => Promise<SolvedPosition>;
  let pool: Piscina | null = null;
  if (workers > 1) {
    pool = new Piscina({ filename: builtFile("src", "commands", "c4-book-worker.js"), minThreads: workers, maxThreads: workers });
    solve = (moves) => pool!.run({ moves, tableBits }) as Promise<SolvedPosition>;
  } else {
    const solver = new Connect4Solver(tableBits);
    solver.book = book;
    solve = async (moves) => solvePosition(solver, moves);
  }
  // Positions by ply, each once up to mirror image, in the order found.
  const levels = new Map<number, Map<number, number[]>>();
  const enqueue = (state: Connect4State, moves: number[]): void => {
    if (state.ended || state.moveCount > options.plies) return;
    const level = levels.get(state.moveCount) ?? new Map<number, number[]>();
    levels.set(state.moveCount, level);
    const { key } = canonicalKey(state);
    if (!level.has(key)) level.set(key, moves);
  };
  const rootMoves = [...(options.from ?? "")].map((ch) => Number(ch) - 1);
  enqueue(root, rootMoves); // the perfect player moves first...
  for (let col = 0; col < WIDTH; col++) {
    if (!root.canPlay(col)) continue; // ...or second
    const next = root.clone();
    next.playLegal(col);
    enqueue(next, [...rootMoves, col]);
  }
  let done = 0;
  const position = async (moves: number[]): Promise<void> => {
    const text = columnsText(moves);
    const state = connect4FromMoves(text);
    let best = book.lookup(state);
    const fromFile = best !== null;
    let solved: SolvedPosition = { best: best!, nodes: 0, seconds: 0 };
    if (best === null) {
      solved = await solve(text);
      best = solved.best;
      book.add(state, best);
      appendFileSync(options.out, Connect4Book.line(moves, best) + "\n");
    }
    done++;
    const queued = [...levels.values()].reduce((n, level) => n + level.size, 0);
    options.onPosition?.({ moves: text, ply: state.moveCount, done, queued, seconds: solved.seconds, nodes: solved.nodes, fromFile });
    // Every best move, then every reply: the next positions of the same player.
    for (const own of best.moves) {
      const after = state.clone();
      after.playLegal(own);
      if (after.ended) continue;
      for (let reply = 0; reply < WIDTH; reply++) {
        if (!after.canPlay(reply)) continue;
        const next = after.clone();
        next.playLegal(reply);
        enqueue(next, [...moves, own, reply]);
      }
    }
  };
  try {
    for (let ply = root.moveCount; ply <= options.plies; ply += 2) {
      const round = [...(levels.get(ply)?.values() ?? []), ...(levels.get(ply + 1)?.values() ?? [])];
      // Each worker takes the next position when it is free (Piscina would hand out the whole
      // round at once, and a worker stuck on a hard position would hold its share).
      let next = 0;
      const drain = async (): Promise<void> => {
        while (next < round.length) await position(round[next++]!);
      };
      await Promise.all(Array.from({ length: workers }, drain));
    }
  } finally {
    await pool?.destroy();
  }
  return book;
}

/** Solves one position for the book. */
export function solvePosition(solver: Connect4Solver, moves: string): SolvedPosition {
  const started = performance.now();
  const best = solver.bestMoves(connect4FromMoves(moves));
  return { best, nodes: solver.stats.nodes, seconds: (performance.now() - started) / 1000 };
}

interface BookArgs {
  plies: number;
  out: string;
  from?: string;
  tableBits: number;
  workers: number;
}

export const c4BookCommand = {
  builder: (y: Argv) =>
    y
      .option("plies", { type: "number", default: 8, describe: "deepest position of the book (stones on the board)" })
      .option("out", { type: "string", default: BUILTIN_BOOK, describe: "book file (extended if it exists)" })
      .option("from", { type: "string", describe: "root position as columns 1-7 (default: the empty board)" })
      .option("table-bits", { type: "number", default: 24, describe: "log2 of the transposition-table entries (8 bytes each) per worker" })
      .option("workers", { type: "number", default: cpus().length, defaultDescription: "the cores", describe: "worker threads solving positions side by side" })
      .check((a) => {
        if (!Number.isInteger(a.plies) || a.plies < 0 || a.plies > 41) throw new Error("--plies must be a whole number from 0 to 41");
        if (!Number.isInteger(a["table-bits"]) || a["table-bits"] < 10 || a["table-bits"] > 28) throw new Error("--table-bits must be a whole number from 10 to 28");
        if (!Number.isInteger(a.workers) || a.workers < 1) throw new Error("--workers must be a whole number of at least 1");
        return true;
      }),
  handler: async (args: ArgumentsCamelCase<BookArgs>) => {
    const started = performance.now();
    const book = await buildBook({
      plies: args.plies,
      out: args.out,
      from: args.from,
      tableBits: args.tableBits,
      workers: args.workers,
      onPosition: (p) => {
        if (p.fromFile) return;
        process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0)} s] ply ${p.ply} ${p.done}/${p.queued} ${p.moves || "-"}: ${p.seconds.toFixed(1)} s, ${(p.nodes / 1e6).toFixed(1)} M nodes\n`);
      },
    });
    process.stdout.write(`${args.out}: ${book.size} positions up to ply ${book.maxPly}\n`);
  },
};
