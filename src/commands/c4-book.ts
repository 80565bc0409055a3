/**
 * `fossil c4 book --plies N [--out FILE] [--from MOVES] [--workers W]`: computes or extends the
 * Connect Four opening book (games/connect4/book-build.ts).
 */
import { cpus } from "node:os";
import type { ArgumentsCamelCase, Argv } from "yargs";
import { BUILTIN_BOOK } from "../../games/connect4/book.js";
import { buildBook } from "../../games/connect4/book-build.js";
import { wholeNumber } from "../options.js";

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
      .option("plies", { type: "number", default: 8, describe: "deepest position of the book (stones on the board)", coerce: wholeNumber("plies", 0, 41) })
      .option("out", { type: "string", default: BUILTIN_BOOK, describe: "book file (extended if it exists)" })
      .option("from", { type: "string", describe: "root position as columns 1-7 (default: the empty board)" })
      .option("table-bits", { type: "number", default: 24, describe: "log2 of the transposition-table entries (8 bytes each) per worker", coerce: wholeNumber("table-bits", 10, 28) })
      .option("workers", { type: "number", default: cpus().length, defaultDescription: "the cores", describe: "worker threads solving positions side by side", coerce: wholeNumber("workers", 1, 64) }),
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
