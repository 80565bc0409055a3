import { expect } from "vitest";
import { Board, BLACK_STONE, BORDER, EMPTY, WHITE_STONE, zobristHi, zobristLo, type StoneColor } from "../../games/go/board.js";
import { parseGoAction } from "../../games/go/coords.js";
import { makeRules, type RulesName } from "../../games/go/rules.js";
import { GoState } from "../../games/go/state.js";

/** Rows of `X` (black), `O` (white), `.` (empty), top row first; spaces ignored. */
export function parseAscii(ascii: string): { size: number; stones: Uint8Array } {
  const rows = ascii.trim().split("\n").map((r) => r.replace(/\s+/g, ""));
  const size = rows.length;
  const stones = new Uint8Array(size * size);
  rows.forEach((row, y) => {
    if (row.length !== size) throw new Error(`row ${y} has ${row.length} points, expected ${size}`);
    for (let x = 0; x < size; x++) stones[y * size + x] = ".XO".indexOf(row[x]!);
  });
  return { size, stones };
}

/** A position from ASCII, `toPlay` to move. */
export function position(ascii: string, options: { toPlay?: 0 | 1; komi?: number; rules?: RulesName } = {}): GoState {
  const { size, stones } = parseAscii(ascii);
  const state = new GoState(size, { rules: makeRules(options.rules ?? "tromp-taylor", options.komi ?? 0), moveCap: Infinity });
  if (!state.setup(stones)) throw new Error("position has a chain without liberties");
  state.toPlay = options.toPlay ?? 0;
  return state;
}

/** The board as normalised ASCII (rows joined by newlines). */
export function ascii(text: string): string {
  return text.trim().split("\n").map((r) => r.replace(/\s+/g, "")).join("\n");
}

/** Plays moves given as GTP text ("C3", "pass"). */
export function playAll(state: GoState, moves: string[]): void {
  for (const m of moves) state.play(parseGoAction(m, state.size));
}

/**
 * Recomputes chains, liberties, chain hashes, the Zobrist hash, stone counts and the empty-point
 * list from the colours alone, and checks the incremental board against them.
 */
export function checkInvariants(board: Board): void {
  const n = board.size, s = board.stride;
  const seen = new Int32Array(board.cells).fill(-1);
  let hashLo = 0, hashHi = 0;
  const counts = [0, 0, 0];
  let empties = 0;
  for (let p = 0; p < board.cells; p++) {
    const c = board.color[p]!;
    const x = board.xOf(p), y = board.yOf(p);
    const onBoard = x >= 0 && x < n && y >= 0 && y < n;
    expect(c === BORDER).toBe(!onBoard);
    if (c === EMPTY) {
      empties++;
      expect(board.emptyIndex[p]).toBeGreaterThanOrEqual(0);
      expect(board.empties[board.emptyIndex[p]!]).toBe(p);
      continue;
    }
    if (c === BORDER) continue;
    counts[c]!++;
    hashLo ^= zobristLo(c as StoneColor, p);
    hashHi ^= zobristHi(c as StoneColor, p);
    if (seen[p]! >= 0) continue;
    // Flood fill this chain.
    const chain: number[] = [p];
    seen[p] = p;
    const libs = new Set<number>();
    let lo = 0, hi = 0;
    for (let i = 0; i < chain.length; i++) {
      const q = chain[i]!;
      lo ^= zobristLo(c as StoneColor, q);
      hi ^= zobristHi(c as StoneColor, q);
      for (const r of [q - 1, q + 1, q - s, q + s]) {
        if (board.color[r] === EMPTY) libs.add(r);
        else if (board.color[r] === c && seen[r]! < 0) {
          seen[r] = p;
          chain.push(r);
        }
      }
    }
    const head = board.head[p]!;
    for (const q of chain) expect(board.head[q]).toBe(head);
    expect(board.libs[head]).toBe(libs.size);
    expect(board.chainSize[head]).toBe(chain.length);
    expect(board.chainHashLo[head]).toBe(lo);
    expect(board.chainHashHi[head]).toBe(hi);
    expect(libs.size).toBeGreaterThan(0);
    // The circular list visits exactly the chain.
    const visited = new Set<number>();
    let q = head;
    do {
      visited.add(q);
      q = board.next[q]!;
    } while (q !== head && visited.size <= chain.length);
    expect([...visited].sort((a, b) => a - b)).toEqual([...chain].sort((a, b) => a - b));
  }
  // Distinct chains have distinct heads.
  const headsByChain = new Map<number, number>();
  for (let p = 0; p < board.cells; p++) {
    if (seen[p]! >= 0) {
      const h = board.head[p]!;
      if (headsByChain.has(h)) expect(headsByChain.get(h)).toBe(seen[p]);
      else headsByChain.set(h, seen[p]!);
    }
  }
  expect(board.hashLo).toBe(hashLo);
  expect(board.hashHi).toBe(hashHi);
  expect(board.stones[BLACK_STONE]).toBe(counts[1]);
  expect(board.stones[WHITE_STONE]).toBe(counts[2]);
  expect(board.emptyCount).toBe(empties);
}
