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
import { REPEATS, type GoState } from "./state.js";

export const GO_PLANE_VERSION = "go-v1";
export const GO_PLANES = 18;
export const GO_HISTORY = 4;

export function encodeGo(state: GoState, out: Float32Array, offset = 0): void {
  const b = state.board;
  const n = b.size, area = n * n;
  out.fill(0, offset, offset + GO_PLANES * area);
  const own = (state.toPlay + 1) as StoneColor;
  // Plane k of this position starts at offset + k * area (written out: no closure per call).
  // The ko plane is empty once the game is over (nothing may be played).
  const kinds = state.ended ? null : state.pointKinds();
  const color = b.color, head = b.head, libs = b.libs;
  for (let a = 0; a < area; a++) {
    const p = b.pointOfAction(a);
    const c = color[p]!;
    if (c === EMPTY) {
      out[offset + 2 * area + a] = 1;
      if (kinds !== null && kinds[a] === REPEATS) out[offset + 9 * area + a] = 1;
      continue;
    }
    const mine = c === own;
    out[offset + (mine ? 0 : 1) * area + a] = 1;
    out[offset + ((mine ? 3 : 6) + Math.min(libs[head[p]!]!, 3) - 1) * area + a] = 1;
  }
  const recent = state.recentActions;
  for (let k = 0; k < GO_HISTORY; k++) {
    const action = recent[k]!;
    if (action >= 0 && action < area) out[offset + (10 + k) * area + action] = 1;
  }
  if (recent[0] === area) out.fill(1, offset + 14 * area, offset + 15 * area);
  if (state.toPlay === 0) out.fill(1, offset + 15 * area, offset + 16 * area);
  const komi = ((state.toPlay === 1 ? 1 : -1) * state.rules.komi) / area;
  if (komi !== 0) out.fill(komi, offset + 16 * area, offset + 17 * area);
  out.fill(1, offset + 17 * area, offset + 18 * area);
}
