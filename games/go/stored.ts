/**
 * Go's stored form (db/README.md, table `games`): moves as SGF points, two letters each, "tt" for
 * a pass, colours alternating from the first player, a move in capitals played by the same
 * colour as the move before it (records where one side let the other play twice); setup stones
 * and the first player as "B:aabb W:cc PL:W". A stored game converts to and from a GoRecord, so
 * replaying it and writing it as SGF are the record's own code.
 */
import { playerLetter, type Player } from "../../core/player.js";
import type { SgfHeader, StoredGame } from "../game.js";
import { sgfPoint } from "./coords.js";
import { firstPlayerOf, recordRules, type GoMove, type GoRecord } from "./record.js";
import { goSpec, type GoRules } from "./rules.js";

/** The stored text of moves: `{player, action}` pairs, or actions alternating from `first`. */
export function encodeGoMoves(moves: readonly GoMove[] | readonly number[], size: number, first: Player = 0): string {
  let out = "";
  let expected = first;
  for (const m of moves) {
    const { player, action } = typeof m === "number" ? { player: expected, action: m } : m;
    const pair = sgfPoint(action, size, "tt");
    out += player === expected ? pair : pair.toUpperCase();
    expected = (1 - player) as Player;
  }
  return out;
}

export function decodeGoMoves(text: string, size: number, first: Player = 0): GoMove[] {
  const out: GoMove[] = [];
  let expected = first;
  for (let i = 0; i + 1 < text.length; i += 2) {
    const raw = text.slice(i, i + 2);
    const pair = raw.toLowerCase();
    const player = (raw !== pair ? 1 - expected : expected) as Player;
    out.push({ player, action: pair === "tt" ? size * size : (pair.charCodeAt(1) - 97) * size + (pair.charCodeAt(0) - 97) });
    expected = (1 - player) as Player;
  }
  return out;
}

/** The stored setup of a record: "B:aabb W:cc PL:W"; null when it has no setup stones and Black starts. */
export function encodeSetup(record: Pick<GoRecord, "size" | "setupBlack" | "setupWhite" | "firstPlayer" | "handicap">): string | null {
  const first = firstPlayerOf(record);
  if (record.setupBlack.length === 0 && record.setupWhite.length === 0 && first === 0) return null;
  const points = (list: readonly number[]): string => list.map((a) => sgfPoint(a, record.size)).join("");
  return `B:${points(record.setupBlack)} W:${points(record.setupWhite)} PL:${playerLetter(first)}`;
}

/** Setup stones as stored (null: none, Black first). */
export function decodeSetup(text: string | null, size: number): { black: number[]; white: number[]; first: Player } {
  const out = { black: [] as number[], white: [] as number[], first: 0 as Player };
  for (const part of (text ?? "").split(" ").filter(Boolean)) {
    const [key, value = ""] = part.split(":");
    if (key === "PL") out.first = value === "W" ? 1 : 0;
    else (key === "B" ? out.black : out.white).push(...decodeGoMoves(value, size).map((m) => m.action));
  }
  return out;
}

/** The record of a stored game of a `size` board played under `rules`, with an SGF header. */
export function recordOfStored(stored: Omit<StoredGame, "spec">, size: number, rules: GoRules, header?: SgfHeader): GoRecord {
  const setup = decodeSetup(stored.setup, size);
  return {
    size,
    komi: rules.komi,
    rules: rules.name,
    black: header?.black,
    white: header?.white,
    blackRank: header?.blackRank,
    whiteRank: header?.whiteRank,
    result: header?.result,
    date: header?.date,
    event: header?.event,
    setupBlack: setup.black,
    setupWhite: setup.white,
    // Written only when stored: a record without PL means Black first, or White after handicap stones.
    firstPlayer: stored.setup ? setup.first : undefined,
    moves: decodeGoMoves(stored.moves, size, setup.first),
  };
}

/** The stored form of a record (its replay is the caller's check): spec from its size, rules and komi; moves; setup. */
export function storedOfRecord(record: GoRecord): StoredGame {
  return { spec: goSpec(record.size, recordRules(record)), moves: encodeGoMoves(record.moves, record.size, firstPlayerOf(record)), setup: encodeSetup(record) };
}
