/**
 * Rules benchmark (`npm run bench`). Everything is measured in this run, on this machine:
 *
 * 1. 9x9 Go uniform-random playouts per second (legal moves that do not fill a one-point own
 *    eye, pass when none, two passes end the game, same move cap): fossil's board against
 *    @sabaki/go-board driven the straightforward way (the baseline of the target: at least
 *    100x), and also driven like fossil's playout (draw a point, then check it), for a
 *    like-for-like ratio of the boards alone.
 * 2. The Connect Four solver's mean time per position on each shared test file, with a fresh
 *    transposition table per file. Targets (5x Pons's C++ solver measured on this machine):
 *    Test_L3_R1 under 30 µs, Test_L2_R1 under 260 µs.
 * 3. Two seeded games of the solver against itself from the empty board (opening book, then
 *    `bestMoves`): total time and the slowest move (no target).
 * 4. The `solver` player's answer off the book (`bestMovesWeak`: columns that keep the value, by
 *    weak solving, with the book and its value table) against the exact `bestMoves` (with the
 *    book), on `BENCH_C4_POSITIONS` (default 20) seeded positions of 2-4 stones after random moves
 *    that the book does not answer; a fresh table for each search; total times and their ratio.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type * as GoBoardModule from "@sabaki/go-board";
import { Rng } from "../core/rng.js";
import { GoState, defaultMoveCap } from "../games/go/state.js";
import { playout } from "../games/go/playout.js";
import { Connect4Solver } from "../games/connect4/solver.js";
import { Connect4Book } from "../games/connect4/book.js";
import { connect4FromMoves, Connect4State } from "../games/connect4/state.js";

// A CommonJS package whose typings claim an ES default export: load it as CommonJS.
const GoBoard = createRequire(import.meta.url)("@sabaki/go-board") as typeof GoBoardModule.default.default;

const SIZE = 9;
const MOVE_CAP = defaultMoveCap(SIZE);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const C4_POSITIONS = Number(process.env.BENCH_C4_POSITIONS ?? 20);

/** Runs `once` repeatedly for about `seconds` (after a short warm-up); returns runs per second. */
function rate(once: () => void, seconds: number): { perSecond: number; runs: number } {
  const warmEnd = performance.now() + 300;
  while (performance.now() < warmEnd) once();
  let runs = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    once();
    runs++;
  }
  return { perSecond: (runs * 1000) / (performance.now() - start), runs };
}

/** fossil: GoState (positional superko, exact liberties) with the shared playout policy. */
function fossilPlayouts(seconds: number): number {
  const rng = Rng.fromSeed("bench-fossil");
  return rate(() => playout(new GoState(SIZE, { moveCap: MOVE_CAP }), rng), seconds).perSecond;
}

type Sign = -1 | 0 | 1;
type Vertex = [number, number];

/**
 * The same policy on @sabaki/go-board (immutable boards, simple ko, analyzeMove for legality).
 * `lazy`: draw a random empty point and check it, as fossil's playout does (the like-for-like
 * driver). Otherwise the straightforward driver: list every legal non-eye move, then draw one.
 */
function sabakiPlayout(rng: Rng, lazy: boolean): void {
  let board = GoBoard.fromDimensions(SIZE);
  let sign: Sign = 1;
  let passes = 0;
  let moves = 0;
  const get = (x: number, y: number): Sign | 2 => (x < 0 || y < 0 || x >= SIZE || y >= SIZE ? 2 : (board.get([x, y]) as Sign));
  const isOwnEye = (x: number, y: number, s: Sign): boolean => {
    let edge = 0;
    for (const [dx, dy] of [[-1, 0], [1, 0], [0, -1], [0, 1]]) {
      const c = get(x + dx!, y + dy!);
      if (c === 2) edge = 1;
      else if (c !== s) return false;
    }
    let bad = 0;
    for (const [dx, dy] of [[-1, -1], [1, -1], [-1, 1], [1, 1]]) if (get(x + dx!, y + dy!) === -s) bad++;
    return bad + edge < 2;
  };
  const playable = (v: Vertex): boolean => {
    if (isOwnEye(v[0], v[1], sign)) return false;
    const a = board.analyzeMove(sign, v);
    return !a.overwrite && !a.suicide && !a.ko;
  };
  while (passes < 2 && moves < MOVE_CAP) {
    const empties: Vertex[] = [];
    for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) if (board.get([x, y]) === 0) empties.push([x, y]);
    let chosen: Vertex | null = null;
    if (lazy) {
      let n = empties.length;
      while (n > 0 && chosen === null) {
        const i = rng.int(n);
        if (playable(empties[i]!)) chosen = empties[i]!;
        else empties[i] = empties[--n]!;
      }
    } else {
      const legal = empties.filter(playable);
      if (legal.length > 0) chosen = legal[rng.int(legal.length)]!;
    }
    if (chosen) {
      board = board.makeMove(sign, chosen);
      passes = 0;
    } else {
      passes++;
    }
    sign = -sign as Sign;
    moves++;
  }
}

function sabakiPlayouts(seconds: number, lazy: boolean): number {
  const rng = Rng.fromSeed("bench-sabaki");
  return rate(() => sabakiPlayout(rng, lazy), seconds).perSecond;
}

function solverFile(name: string, solver: Connect4Solver): { meanMicros: number; positions: number; meanNodes: number } {
  const data = process.env.FOSSIL_SHARED_DATA ?? fileURLToPath(new URL("../../../shared/data", import.meta.url));
  const path = `${data}/connect4/${name}`;
  const states = readFileSync(path, "utf8").trim().split("\n").map((l) => connect4FromMoves(l.trim().split(/\s+/)[0]!));
  solver.reset();
  let nodes = 0;
  const start = performance.now();
  for (const s of states) {
    solver.solve(s);
    nodes += solver.stats.nodes;
  }
  const ms = performance.now() - start;
  return { meanMicros: (ms * 1000) / states.length, positions: states.length, meanNodes: nodes / states.length };
}

const fmt = (x: number, digits = 0): string => x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

console.log(`fossil rules benchmark — node ${process.version}, ${SECONDS} s per measurement`);
console.log(`\n9x9 Go uniform-random playouts (no own-eye filling, move cap ${MOVE_CAP}), one core:`);
const ours = fossilPlayouts(SECONDS);
console.log(`  fossil           ${fmt(ours).padStart(9)} playouts/s`);
const straightforward = sabakiPlayouts(SECONDS, false);
console.log(`  @sabaki/go-board ${fmt(straightforward, 1).padStart(9)} playouts/s  baseline: straightforward driver (lists every legal move, draws one)`);
const lazy = sabakiPlayouts(SECONDS, true);
console.log(`  @sabaki/go-board ${fmt(lazy, 1).padStart(9)} playouts/s  like-for-like driver (draws a point, then checks it, as fossil does)`);
const ratio = ours / straightforward;
console.log(`  ratio to the baseline      ${fmt(ratio, 1).padStart(7)}x   target >= 100x: ${ratio >= 100 ? "met" : "NOT met"}`);
console.log(`  ratio, like-for-like       ${fmt(ours / lazy, 1).padStart(7)}x   (no target)`);

console.log("\nConnect Four solver, mean time per position (fresh transposition table per file):");
const solver = new Connect4Solver();
// Warm the JIT on part of one file, then measure each file from a cleared table.
solverFile("Test_L2_R1", solver);
const targets: Record<string, number> = { Test_L3_R1: 30, Test_L2_R1: 260 };
for (const name of Object.keys(targets)) {
  const r = solverFile(name, solver);
  const target = targets[name]!;
  console.log(`  ${name}  ${fmt(r.meanMicros, 1).padStart(7)} µs  (${fmt(r.meanNodes, 0)} nodes/position, ${r.positions} positions)  target < ${target} µs: ${r.meanMicros < target ? "met" : "NOT met"}`);
}

// The solver as a player from the empty board: the opening book, then search.
console.log("\nConnect Four solver against itself from the empty board (opening book, then bestMoves):");
{
  const player = new Connect4Solver();
  player.book = Connect4Book.builtin();
  const rng = Rng.fromSeed("bench-solver-games");
  const times: number[] = [];
  let slowest = { ms: 0, ply: 0 };
  for (let g = 0; g < 2; g++) {
    const state = new Connect4State();
    while (!state.ended) {
      const start = performance.now();
      const { moves } = player.bestMoves(state);
      const ms = performance.now() - start;
      times.push(ms);
      if (ms > slowest.ms) slowest = { ms, ply: state.moveCount };
      state.playLegal(moves[rng.int(moves.length)]!);
    }
  }
  const total = times.reduce((a, b) => a + b, 0);
  console.log(`  ${times.length} moves in ${fmt(total / 1000, 1)} s (book through ply ${player.book.maxPly}, ${player.book.size} positions); slowest move ${fmt(slowest.ms / 1000, 2)} s at ply ${slowest.ply}`);
}

// The solver player off the book: weak solving (what it plays) against the exact best moves.
console.log(`\nConnect Four off the book, ${C4_POSITIONS} positions of 2-4 stones after random moves: the solver player's columns that keep the value (weak) against the exact best columns:`);
{
  const book = Connect4Book.builtin();
  const solver = new Connect4Solver();
  solver.book = book;
  const rng = Rng.fromSeed("bench-c4-weak");
  let weakMs = 0, exactMs = 0, weakNodes = 0, exactNodes = 0;
  for (let i = 0; i < C4_POSITIONS; ) {
    const state = new Connect4State();
    const moves: number[] = [];
    const plies = 2 + rng.int(3);
    while (moves.length < plies && !state.ended) {
      const legal = [0, 1, 2, 3, 4, 5, 6].filter((col) => state.canPlay(col));
      const col = legal[rng.int(legal.length)]!;
      state.playLegal(col);
      moves.push(col);
    }
    if (state.ended || book.lookup(state) || solver.answersAtOnce(state)) continue; // the book answers: no search
    i++;
    solver.reset();
    let start = performance.now();
    const weak = solver.bestMovesWeak(state);
    const weakTime = performance.now() - start;
    weakNodes += solver.stats.nodes;
    solver.reset();
    start = performance.now();
    const exact = solver.bestMoves(state);
    const exactTime = performance.now() - start;
    exactNodes += solver.stats.nodes;
    weakMs += weakTime;
    exactMs += exactTime;
    const text = moves.map((c) => c + 1).join("");
    console.log(`  ${text.padEnd(5)} weak ${fmt(weakTime / 1000, 2).padStart(7)} s (value ${weak.value}, columns ${weak.moves.map((c) => c + 1).join("")})  exact ${fmt(exactTime / 1000, 2).padStart(7)} s (score ${exact.score}, columns ${exact.moves.map((c) => c + 1).join("")})`);
  }
  console.log(`  total: weak ${fmt(weakMs / 1000, 1)} s (${fmt(weakNodes / 1e6, 0)} M positions), exact ${fmt(exactMs / 1000, 1)} s (${fmt(exactNodes / 1e6, 0)} M positions); exact / weak time ${fmt(exactMs / weakMs, 1)}x`);
}
