/**
 * Piscina worker of `fossil c4 book --workers N`: solves book positions, one solver (and its
 * transposition table, kept between positions) per worker thread.
 */
import { Connect4Solver } from "../../games/connect4/solver.js";
import { solvePosition, type SolvedPosition } from "./c4-book.js";

let solver: Connect4Solver | null = null;

export default function solveBookPosition(task: { moves: string; tableBits: number }): SolvedPosition {
  solver ??= new Connect4Solver(task.tableBits);
  return solvePosition(solver, task.moves);
}
