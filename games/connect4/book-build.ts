/**
 * Computes the Connect Four opening book (book.ts) — every position up to ply N where a perfect
 * player of either colour is to move, having played only best moves against any opponent moves.
 * One line is appended per position as soon as it is solved, so an interrupted run resumes where
 * it stopped and a deeper run extends a shallower book. Worker threads (book-worker.ts) solve the
 * positions of a move number side by side.
 */
import { appendFileSync, existsSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { Piscina } from "piscina";
import { InputError } from "../../core/errors.js";
import { builtFile, packagePath } from "../../core/files.js";
import { WIDTH } from "./bitboard.js";
import { BUILTIN_BOOK, Connect4Book, canonicalKey } from "./book.js";
import { Connect4Solver, type BestMoves } from "./solver.js";
import { columnsText, connect4FromMoves, type Connect4State } from "./state.js";

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
  const rootMoves: number[] = [];
  const root = connect4FromMoves(options.from ?? "", (_, col) => rootMoves.push(col));
  if (root.ended) throw new InputError(`the game is over after ${options.from}`);
  const book = resume(options.out);
  const tableBits = options.tableBits ?? 24;
  const workers = options.workers ?? 1;
  let solve: (moves: string) => Promise<SolvedPosition>;
  let pool: Piscina | null = null;
  if (workers > 1) {
    pool = new Piscina({ filename: builtFile("games", "connect4", "book-worker.js"), minThreads: workers, maxThreads: workers });
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


/**
 * The positions of the value table (values.ts): every position with `plies` stones, the game not
 * over, that `book` does not hold; one of each mirror pair (the first found, columns tried in
 * order); as move texts, sorted.
 */
export function valueTablePositions(plies: number, book: Connect4Book): string[] {
  let layer = new Map<number, [Connect4State, string]>([[0, [connect4FromMoves(""), ""]]]);
  for (let ply = 0; ply < plies; ply++) {
    const next = new Map<number, [Connect4State, string]>();
    for (const [state, moves] of layer.values()) {
      for (let col = 0; col < WIDTH; col++) {
        if (!state.canPlay(col)) continue;
        const after = state.clone();
        after.playLegal(col);
        const { key } = canonicalKey(after);
        if (!after.ended && !next.has(key)) next.set(key, [after, moves + columnsText([col])]);
      }
    }
    layer = next;
  }
  return [...layer.values()].filter(([state]) => book.lookup(state) === null).map(([, moves]) => moves).sort();
}

/**
 * Writes values.ts: the value of each position of `valueTablePositions(plies, book)`, weak-solved
 * (the shipped book and 3 stones: 72 positions, 12 billion positions searched, about 45 minutes
 * on one core). `book`: book.txt alone by default (not the values being rewritten). Regenerate
 * after a new book with `npm run build` and
 * `node -e 'import("./dist/games/connect4/book-build.js").then((m) => m.writeValueTable(3))'`.
 */
export function writeValueTable(plies: number, out = packagePath("games", "connect4", "values.ts"), book = Connect4Book.load(BUILTIN_BOOK), onLine?: (line: string) => void): void {
  const solver = new Connect4Solver(24);
  solver.book = book;
  const lines = valueTablePositions(plies, book).map((moves) => {
    solver.reset();
    const line = `${moves} ${solver.solveWeak(connect4FromMoves(moves))}`;
    onLine?.(line);
    return line;
  });
  writeFileSync(out, valueTableModule(plies, lines));
}

/** The text of values.ts for value lines of positions with `plies` stones. */
export function valueTableModule(plies: number, lines: readonly string[]): string {
  return `/**
 * Generated by writeValueTable (book-build.ts); do not edit. The value (1 win, 0 draw, -1 loss, for
 * the side to move) of every position with ${plies} stones that the opening book (book.txt) does
 * not hold, one of each mirror pair: with them the \`solver\` player answers at once in every
 * position with ${plies - 1} stones, where weak solving would take minutes (book.ts).
 */
export const VALUE_TABLE_PLIES = ${plies};

/** \`<moves> <value>\` lines (Connect4Book.addValues). */
export const VALUE_LINES = \`
${lines.join("\n")}
\`;
`;
}
