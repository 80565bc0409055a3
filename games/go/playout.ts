/**
 * Uniform random playouts: the light policy of classic Monte-Carlo Go. Each move is drawn
 * uniformly from the legal moves that do not fill a one-point own eye (Board.isOwnEye); with
 * none left the player passes. Used by the rollout reference player and the rules benchmark.
 */
import type { Rng } from "../../core/rng.js";
import type { StoneColor } from "./board.js";
import type { GoState } from "./state.js";

/**
 * Draws the playout move for the side to move: an action index, or the pass action. The order
 * of the board's empty-point list is changed (it has no meaning), nothing else.
 */
export function playoutMove(state: GoState, rng: Rng): number {
  const b = state.board;
  const empties = b.empties, emptyIndex = b.emptyIndex;
  const color = (state.toPlay + 1) as StoneColor;
  let n = b.emptyCount;
  while (n > 0) {
    const i = rng.int(n);
    const p = empties[i]!;
    if (!b.isOwnEye(p, color) && state.isLegalPoint(p)) return b.actionOf(p);
    // Move the rejected point behind the candidates.
    const last = empties[--n]!;
    empties[i] = last;
    emptyIndex[last] = i;
    empties[n] = p;
    emptyIndex[p] = n;
  }
  return state.passAction;
}

/** Plays random moves until the game ends (two passes or the move cap); returns the moves played. */
export function playout(state: GoState, rng: Rng): number {
  const start = state.moveCount;
  while (!state.ended) state.playLegal(playoutMove(state, rng));
  return state.moveCount - start;
}
