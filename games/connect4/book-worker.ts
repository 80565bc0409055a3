/**
 * Piscina worker of `fossil c4 book --workers N`: solves book positions, one solver (and its
 * transposition table, kept between positions) per worker thread.
 */
import { solvePosition, type SolvedPosition } from "./book-build.js";
import { Connect4Solver } from "./solver.js";

let solver: Connect4Solver | null = null;

export default function solveBookPosition(task: { moves: string; tableBits: number }): SolvedPosition {
  solver ??= new Connect4Solver(task.tableBits);
  return solvePosition(solver, task.moves);
}
