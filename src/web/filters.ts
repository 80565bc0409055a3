/**
 * The viewer's request checks: each query string and id is read into a typed filter here, or
 * refused with a ViewerError naming the parameter (a 400 page or `{"error"}`), before any query.
 */
import { parseGameSpec } from "../../games/index.js";

/**
 * An answer the viewer gives instead of data: 404 (no such thing), 400 (a malformed request),
 * 405 (a method other than GET), 421 (a Host header not naming this server), or 500 (the
 * database holds something fossil cannot read: a stored game that does not replay).
 */
export class ViewerError extends Error {
  constructor(
    readonly status: 400 | 404 | 405 | 421 | 500,
    message: string,
  ) {
    super(message);
  }
}

const SOURCES = ["selfplay", "match", "import", "teacher", "human"] as const;
const RESULTS = ["black", "white", "draw"] as const;

export interface GameFilter {
  player?: string;
  source?: (typeof SOURCES)[number];
  run?: string;
  result?: (typeof RESULTS)[number];
  minLength?: number;
  maxLength?: number;
  from?: string;
  to?: string;
  game?: string;
  before?: number;
  limit: number;
}

export interface LadderFilter {
  game?: string;
  kind?: string;
  player?: string;
}

const KINDS = ["network", "random", "rollout", "solver", "gtp", "human", "other"];
const MAX_TEXT = 500;

/** Reads a query string: each name at most once, only the names given, no value longer than MAX_TEXT; empty values are left out. */
function readQuery(query: URLSearchParams, names: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const seen = new Set<string>();
  for (const [name, value] of query) {
    if (!names.includes(name)) throw new ViewerError(400, `unknown filter "${name.slice(0, 40)}" (known: ${names.join(", ")})`);
    if (seen.has(name)) throw new ViewerError(400, `filter "${name}" given more than once`);
    seen.add(name);
    if (value.length > MAX_TEXT) throw new ViewerError(400, `filter "${name}" is longer than ${MAX_TEXT} characters`);
    if (value.trim() !== "") out.set(name, value.trim());
  }
  return out;
}

/** A whole number in [min, max] written in digits. */
export function wholeNumber(text: string, name: string, min: number, max: number): number {
  if (!/^\d{1,16}$/.test(text) || Number(text) < min || Number(text) > max) throw new ViewerError(400, `${name} must be a whole number from ${min} to ${max}, got "${text.slice(0, 40)}"`);
  return Number(text);
}

function oneOf<T extends string>(text: string, name: string, values: readonly T[]): T {
  if (!values.includes(text as T)) throw new ViewerError(400, `${name} must be one of ${values.join(", ")}, got "${text.slice(0, 40)}"`);
  return text as T;
}

function date(text: string, name: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const valid = m !== null && !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);
  if (!valid) throw new ViewerError(400, `${name} must be a date YYYY-MM-DD, got "${text.slice(0, 40)}"`);
  return text;
}

/** A game family ("go:9", "connect4"): a spec fossil knows, by its family. */
function family(text: string, name: string): string {
  try {
    return parseGameSpec(text).id;
  } catch {
    throw new ViewerError(400, `${name} must be a game such as go:9 or connect4, got "${text.slice(0, 40)}"`);
  }
}

export const GAME_FILTERS = ["player", "source", "run", "result", "min_length", "max_length", "from", "to", "game", "before", "limit"] as const;

export function gameFilter(query: URLSearchParams): GameFilter {
  const q = readQuery(query, GAME_FILTERS);
  const f: GameFilter = { limit: q.has("limit") ? wholeNumber(q.get("limit")!, "limit", 1, 200) : 50 };
  if (q.has("player")) f.player = q.get("player")!;
  if (q.has("run")) f.run = q.get("run")!;
  if (q.has("source")) f.source = oneOf(q.get("source")!, "source", SOURCES);
  if (q.has("result")) f.result = oneOf(q.get("result")!, "result", RESULTS);
  if (q.has("min_length")) f.minLength = wholeNumber(q.get("min_length")!, "min_length", 0, 1_000_000);
  if (q.has("max_length")) f.maxLength = wholeNumber(q.get("max_length")!, "max_length", 0, 1_000_000);
  if (f.minLength !== undefined && f.maxLength !== undefined && f.minLength > f.maxLength) throw new ViewerError(400, `min_length ${f.minLength} is more than max_length ${f.maxLength}`);
  if (q.has("from")) f.from = date(q.get("from")!, "from");
  if (q.has("to")) f.to = date(q.get("to")!, "to");
  if (f.from !== undefined && f.to !== undefined && f.from > f.to) throw new ViewerError(400, `from ${f.from} is after to ${f.to}`);
  if (q.has("game")) f.game = family(q.get("game")!, "game");
  if (q.has("before")) f.before = wholeNumber(q.get("before")!, "before", 1, Number.MAX_SAFE_INTEGER);
  return f;
}

export function ladderFilter(query: URLSearchParams, names: readonly string[] = ["game", "kind"]): LadderFilter {
  const q = readQuery(query, names);
  const f: LadderFilter = {};
  if (q.has("game")) f.game = family(q.get("game")!, "game");
  if (q.has("kind")) f.kind = oneOf(q.get("kind")!, "kind", KINDS);
  if (q.has("player")) f.player = q.get("player")!;
  return f;
}

/** A game id in a path: digits only. */
export function gameId(text: string): number {
  if (!/^\d{1,16}$/.test(text) || Number(text) < 1 || Number(text) > Number.MAX_SAFE_INTEGER) throw new ViewerError(404, `no game "${text.slice(0, 40)}": game ids are whole numbers from 1`);
  return Number(text);
}

/** The dashboard's query: `refresh` (seconds between updates, 1 to 3600). */
export function dashboardQuery(query: URLSearchParams): { refresh?: number } {
  const q = readQuery(query, ["refresh"]);
  return q.has("refresh") ? { refresh: wholeNumber(q.get("refresh")!, "refresh", 1, 3600) } : {};
}

/** A query string that must be empty (a game's page, its JSON, its SGF). */
export function noQuery(query: URLSearchParams): void {
  readQuery(query, []);
}

/** The evaluation's query: `ply`, the position after that many moves. */
export function evalQuery(query: URLSearchParams): { ply: number } {
  const q = readQuery(query, ["ply"]);
  if (!q.has("ply")) throw new ViewerError(400, "ply is missing: the position after how many moves");
  return { ply: wholeNumber(q.get("ply")!, "ply", 0, 1_000_000) };
}
