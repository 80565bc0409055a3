/**
 * A knowledge-guided ("heavy") playout policy in the pre-deep-learning style of MoGo and GNU Go's
 * Monte-Carlo mode, the move generator of the built-in teacher: around the last move, capture
 * enemy chains left in atari and save own chains in atari by extending when that gains liberties;
 * elsewhere play uniformly random legal moves that neither fill a one-point own eye nor put a
 * chain of two or more own stones into atari (self-atari), falling back to any non-eye move.
 */
import type { Rng } from "../../core/rng.js";
import { EMPTY, type Board, type StoneColor } from "./board.js";
import { playoutMove } from "./playout.js";
import type { GoState } from "./state.js";

/** Liberties the chain of `color` at empty cell p would have after playing there (no capture counted). */
function libertiesAfter(b: Board, p: number, color: StoneColor, limit: number): number {
  const s = b.stride;
  const seen = new Set<number>();
  const add = (q: number): void => {
    if (q !== p && b.color[q] === EMPTY) seen.add(q);
  };
  for (const q of [p - 1, p + 1, p - s, p + s]) {
    add(q);
    if (b.color[q] === color) {
      const h = b.head[q]!;
      let r = h;
      do {
        add(r - 1);
        add(r + 1);
        add(r - s);
        add(r + s);
        if (seen.size >= limit) return seen.size;
        r = b.next[r]!;
      } while (r !== h);
    }
  }
  return seen.size;
}

/** Whether playing at p captures an enemy chain. */
function captures(b: Board, p: number, color: StoneColor): boolean {
  const s = b.stride, opp = 3 - color;
  for (const q of [p - 1, p + 1, p - s, p + s]) if (b.color[q] === opp && b.libs[b.head[q]!] === 1) return true;
  return false;
}

/** The single liberty of the chain with head h (in atari). */
function lastLiberty(b: Board, h: number): number {
  const s = b.stride;
  let r = h;
  do {
    for (const q of [r - 1, r + 1, r - s, r + s]) if (b.color[q] === EMPTY) return q;
    r = b.next[r]!;
  } while (r !== h);
  return -1;
}

/** A self-atari: after the move its chain has one liberty and it captures nothing. */
function isSelfAtari(b: Board, p: number, color: StoneColor): boolean {
  if (captures(b, p, color)) return false;
  return libertiesAfter(b, p, color, 2) < 2;
}

export function heavyPlayoutMove(state: GoState, rng: Rng): number {
  const b = state.board;
  const color = (state.toPlay + 1) as StoneColor;
  const opp = (3 - color) as StoneColor;
  const last = state.lastAction;
  if (last >= 0 && last < state.passAction) {
    const lp = b.pointOfAction(last);
    const s = b.stride;
    const around = [lp, lp - 1, lp + 1, lp - s, lp + s];
    // Capture enemy chains in atari next to the last move (the last move's own chain included).
    for (const q of around) {
      if (b.color[q] !== opp || b.libs[b.head[q]!] !== 1) continue;
      const lib = lastLiberty(b, b.head[q]!);
      if (lib >= 0 && state.isLegalPoint(lib)) return b.actionOf(lib);
    }
    // Save own chains the last move put in atari, when extending gains liberties.
    for (const q of around) {
      if (b.color[q] !== color || b.libs[b.head[q]!] !== 1) continue;
      const lib = lastLiberty(b, b.head[q]!);
      if (lib >= 0 && state.isLegalPoint(lib) && libertiesAfter(b, lib, color, 2) >= 2) return b.actionOf(lib);
    }
  }
  // Random moves, avoiding own eyes and self-atari; at most a few tries before the light policy.
  for (let tries = 0; tries < 8 && b.emptyCount > 0; tries++) {
    const p = b.empties[rng.int(b.emptyCount)]!;
    if (b.isOwnEye(p, color) || !state.isLegalPoint(p) || isSelfAtari(b, p, color)) continue;
    return b.actionOf(p);
  }
  return playoutMove(state, rng);
}

/** Plays heavy-policy moves to the end of the game. */
export function heavyPlayout(state: GoState, rng: Rng): void {
  while (!state.ended) state.playLegal(heavyPlayoutMove(state, rng));
}
