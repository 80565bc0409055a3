/**
 * Feature planes of a Go position for networks, from the side to move's view, in NCHW order
 * (plane, row from the top, column from the left). Version "go-v1", 18 planes:
 *
 * | plane | meaning |
 * |-------|---------|
 * | 0 | stones of the side to move |
 * | 1 | opponent stones |
 * | 2 | empty points |
 * | 3, 4, 5 | own chains with 1, 2, 3+ liberties |
 * | 6, 7, 8 | opponent chains with 1, 2, 3+ liberties |
 * | 9 | empty points the side to move may not play because of ko / superko |
 * | 10-13 | the last four moves (10: the opponent's last move, 11: the one before, ...); passes mark nothing |
 * | 14 | all ones if the opponent's last move was a pass (passing back ends the game) |
 * | 15 | all ones if Black is to move |
 * | 16 | komi from the side to move's view (positive when it receives komi) divided by N², everywhere |
 * | 17 | all ones (shows the board's extent to zero-padded convolutions) |
 */
import { EMPTY, type StoneColor } from "./board.js";
import type { GoState } from "./state.js";

export const GO_PLANE_VERSION = "go-v1";
export const GO_PLANES = 18;
export const GO_HISTORY = 4;

export function encodeGo(state: GoState, out: Float32Array, offset = 0): void {
  const b = state.board;
  const n = b.size, area = n * n;
  out.fill(0, offset, offset + GO_PLANES * area);
  const own = (state.toPlay + 1) as StoneColor;
  const plane = (k: number, a: number): number => offset + k * area + a;
  for (let a = 0; a < area; a++) {
    const p = b.pointOfAction(a);
    const c = b.color[p]!;
    if (c === EMPTY) {
      out[plane(2, a)] = 1;
      if (!state.ended && !b.isSuicide(p, own) && state.repeats(p)) out[plane(9, a)] = 1;
      continue;
    }
    const mine = c === own;
    out[plane(mine ? 0 : 1, a)] = 1;
    const libs = b.libs[b.head[p]!]!;
    out[plane((mine ? 3 : 6) + Math.min(libs, 3) - 1, a)] = 1;
  }
  const recent = state.recentActions;
  for (let k = 0; k < GO_HISTORY; k++) {
    const action = recent[k]!;
    if (action >= 0 && action < area) out[plane(10 + k, action)] = 1;
  }
  const fill = (k: number, value: number): void => {
    if (value !== 0) out.fill(value, plane(k, 0), plane(k, 0) + area);
  };
  fill(14, recent[0] === area ? 1 : 0);
  fill(15, state.toPlay === 0 ? 1 : 0);
  fill(16, ((state.toPlay === 1 ? 1 : -1) * state.rules.komi) / area);
  fill(17, 1);
}
