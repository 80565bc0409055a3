import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BUILTIN_BOOK, Connect4Book } from "../games/connect4/book.js";
import { Connect4Solver, type BestMoves } from "../games/connect4/solver.js";
import { connect4FromMoves, type Connect4State } from "../games/connect4/state.js";
import { Rng } from "../core/rng.js";
import { buildBook } from "../games/connect4/book-build.js";
import { runCli } from "./helpers/cli.js";

interface Entry {
  moves: string;
  state: Connect4State;
  best: BestMoves;
}

function entries(text: string): Entry[] {
  return text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const [moves, score, best] = line.split(" ") as [string, string, string];
      return { moves, state: connect4FromMoves(moves === "-" ? "" : moves), best: { score: Number(score), moves: [...best].map((c) => Number(c) - 1) } };
    });
}

const after = (state: Connect4State, col: number): Connect4State => {
  const next = state.clone();
  next.playLegal(col);
  return next;
};
const winScore = (state: Connect4State): number => Math.trunc((43 - state.moveCount) / 2);

/**
 * Checks an entry against the book one level down: each best move must leave the opponent the
 * negated score, computed from the book's entries for every reply (null when one is missing).
 */
function checkedByNextLevel(entry: Entry, book: Connect4Book): boolean | null {
  for (const own of entry.best.moves) {
    const q = after(entry.state, own);
    let opponent: number;
    if (q.won) opponent = -winScore(entry.state);
    else if (q.ended) opponent = 0;
    else {
      opponent = -Infinity;
      for (let reply = 0; reply < 7; reply++) {
        if (!q.canPlay(reply)) continue;
        const r = after(q, reply);
        const known = r.ended ? null : book.lookup(r);
        if (!r.ended && known === null) return null;
        opponent = Math.max(opponent, r.won ? winScore(q) : r.ended ? 0 : -known!.score);
      }
    }
    if (-opponent !== entry.best.score) return false;
  }
  return true;
}

describe("Connect Four opening book", () => {
  it("holds what the solver finds for every position a perfect player meets, and resumes a cut file", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "fossil-book-")), "book.txt");
    const book = await buildBook({ plies: 13, out, from: "445321556", tableBits: 20 });
    const text = readFileSync(out, "utf8");
    const all = entries(text);
    expect(all.length).toBe(book.size);
    expect(all.length).toBeGreaterThan(50);
    const solver = new Connect4Solver(20);
    for (const { moves, state, best } of all) {
      const scores = solver.analyze(state);
      const top = Math.max(...scores.filter((s): s is number => s !== null));
      expect(best, moves).toEqual({ score: top, moves: scores.flatMap((s, col) => (s === top ? [col] : [])) });
      expect(book.lookup(state)).toEqual(best);
      // The player's next positions (a best move, any reply) are in the book too.
      if (state.moveCount + 2 <= 13) expect(checkedByNextLevel({ moves, state, best }, book), moves).toBe(true);
    }
    // A run killed mid-line: the next run cuts the broken line and appends the rest, the same.
    const cut = text.indexOf("\n", text.length / 2) - 3;
    writeFileSync(out, text.slice(0, cut));
    await buildBook({ plies: 13, out, from: "445321556", tableBits: 20 });
    expect(readFileSync(out, "utf8")).toBe(text);
    // Two worker threads: the same positions (perhaps reached by other move orders), the same answers.
    const parallelOut = join(mkdtempSync(join(tmpdir(), "fossil-book-")), "book.txt");
    const parallel = await buildBook({ plies: 13, out: parallelOut, from: "445321556", tableBits: 20, workers: 2 });
    expect(parallel.size).toBe(book.size);
    for (const { state, best } of entries(readFileSync(parallelOut, "utf8"))) expect(book.lookup(state)).toEqual(best);
  });

  it("answers for a position and its mirror image", () => {
    const book = new Connect4Book();
    book.add(connect4FromMoves("112"), { score: 3, moves: [0, 2] });
    expect(book.lookup(connect4FromMoves("112"))).toEqual({ score: 3, moves: [0, 2] });
    expect(book.lookup(connect4FromMoves("776"))).toEqual({ score: 3, moves: [4, 6] });
    expect(book.lookup(connect4FromMoves("113"))).toBeNull();
    expect(Connect4Book.line([6, 6, 5], { score: -2, moves: [0, 6] })).toBe("776 -2 17");
  });

  it("names the file and line of a malformed entry", () => {
    const parse = (text: string) => () => Connect4Book.parse(text, "b.txt");
    expect(parse("# book\n- 1 4\n44 x 4\n")).toThrow('b.txt:3: score "x" is not a whole number within ±20');
    expect(parse("4444444 0 1")).toThrow("b.txt:1: column 4 is full at move 7");
    expect(parse("- 1 8")).toThrow('b.txt:1: best columns "8" are not digits 1-7');
    expect(parse("444444 1 4")).toThrow("b.txt:1: best column 4 is full");
    expect(parse("- 1")).toThrow('b.txt:1: expected "<moves> <score> <best columns>", found 2 field(s)');
    expect(parse("1212121 0 3")).toThrow("b.txt:1: the game is over after 1212121");
  });

  it("the shipped book agrees with itself level by level and with the solver at its deepest level", () => {
    const all = entries(readFileSync(BUILTIN_BOOK, "utf8"));
    const book = Connect4Book.builtin();
    expect(book.size).toBe(all.length);
    expect(book.lookup(connect4FromMoves(""))).not.toBeNull();
    // The last round of plies may be unfinished (the book is extended by resuming its run), so
    // an entry may lack its next level there, but no entry may disagree with it.
    let checked = 0;
    for (const entry of all) {
      const verdict = checkedByNextLevel(entry, book);
      expect(verdict, entry.moves).not.toBe(false);
      if (entry.state.moveCount + 3 <= book.maxPly) expect(verdict, entry.moves).toBe(true);
      if (verdict) checked++;
    }
    expect(checked).toBeGreaterThan(0);
    // A few of the deepest positions solved again without the book.
    const deepest = all.filter((e) => e.state.moveCount === book.maxPly);
    const rng = Rng.fromSeed(3);
    const solver = new Connect4Solver(22);
    for (let k = 0; k < 3; k++) {
      const entry = deepest[rng.int(deepest.length)]!;
      expect(solver.bestMoves(entry.state), entry.moves).toEqual(entry.best);
    }
  });

  it("fossil c4 book refuses a bad root position", () => {
    const r = runCli(["c4", "book", "--from", "1218", "--out", join(mkdtempSync(join(tmpdir(), "fossil-book-")), "b.txt")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("fossil: invalid column '8' at move 4 (columns are 1-7)\n");
  });
});
