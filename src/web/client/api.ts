/**
 * The viewer's JSON API as the browser sees it: the answer types of src/web/README.md, a fetch
 * helper that turns an error answer (`{"error": ...}`, status 400 or 404) into an ApiError with
 * the server's message, and the formatting every page shares (numbers, times, dates, results).
 */

/** `GET /api/info`. */
export interface Info {
  db: string;
  schema: number;
  games: number;
  players: number;
  runs: number;
  families: string[];
  kinds: string[];
  sources: string[];
  model: { path: string; game: string } | null;
}

/** One step of a study (prior, rating, metrics, ...) and what it cost. */
export interface StudyStep {
  step: string;
  done: boolean;
  cpuSeconds: number;
  wallSeconds: number;
}

/** One loop run of a study: an arm and a seed. */
export interface StudyRun {
  run: string;
  arm: string;
  seed: number;
  generations: number;
  evaluations: number;
  done: boolean;
  latestElo: number | null;
}

/** A network of a study rated in its latest snapshot. */
export interface Checkpoint {
  run: string;
  arm: string;
  seed: number;
  generation: number;
  player: string;
  evaluations: number;
  cpuSeconds: number;
  wallSeconds: number;
  elo: number | null;
  ci95: number | null;
  games: number;
}

/** A reference player (not a network of the study) rated on the study's scale. */
export interface ReferencePlayer {
  player: string;
  elo: number | null;
  ci95: number | null;
  games: number;
}

/** One element of `GET /api/studies`. */
export interface Study {
  study: string;
  preset: string;
  game: string;
  budget: number;
  seeds: number[];
  arms: string[];
  steps: StudyStep[];
  runs: StudyRun[];
  ratingGames: number;
  ratingTarget: number;
  measured: number;
  cpuSeconds: number;
  wallSeconds: number;
  snapshot: number | null;
  checkpoints: Checkpoint[];
  reference: ReferencePlayer[];
}

/** One element of `GET /api/runs`. */
export interface Run {
  run: string;
  study: string | null;
  arm: string | null;
  seed: number | null;
  game: string | null;
  generations: number;
  evaluations: number;
  selfplayGames: number;
  cpuSeconds: number;
  wallSeconds: number;
  createdAt: string | number | null;
}

/** One row of the ladder. */
export interface LadderRow {
  player: string;
  kind: string;
  elo: number | null;
  ci95: number | null;
  games: number;
  score: number | null;
}

/** `GET /api/ladder`. */
export interface Ladder {
  game: string | null;
  games: number;
  anchor: string | null;
  anchorElo: number | null;
  rows: LadderRow[];
}

/** `GET /api/head-to-head`. */
export interface HeadToHead {
  player: string;
  rows: { opponent: string; games: number; wins: number; draws: number; losses: number }[];
}

/** One stored game as the games list shows it. */
export interface GameSummary {
  id: number;
  game: string;
  spec: string;
  black: string;
  white: string;
  result: string | null;
  winner: number | null;
  length: number | null;
  source: string;
  run: string | null;
  playedAt: string | number | null;
  storedAt: string | number | null;
}

/** `GET /api/games`. */
export interface GamePage {
  games: GameSummary[];
  next: number | string | null;
}

/** The position after `ply` moves of a game. */
export interface Position {
  ply: number;
  move: string | null;
  toPlay: number;
  cells: string;
  captures: [number, number];
  last: number | null;
}

/** `GET /api/games/ID`. */
export interface GameRecord extends GameSummary {
  score: number | null;
  endReason: string | null;
  match: string | number | null;
  height: number;
  width: number;
  /** How the board is drawn: stones on points (Go) or discs in cells (Connect Four). */
  board: "points" | "cells";
  /** The names of the sides: "Black", "White"; "first player", "second player". */
  sides: [string, string];
  sgf: boolean;
  positions: Position[];
}

/** `GET /api/games/ID/eval?ply=K`. */
export interface Evaluation {
  ply: number;
  toPlay: number;
  value: number;
  policy: { move: string; cell: number | null; p: number }[];
}

/** An error answer of the API (or a failed request), with the message to show. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The text of an answer and the JSON it holds. */
export interface Answer<T> {
  text: string;
  data: T;
}

/**
 * Asks the API and returns the answer's text and parsed JSON. An error status becomes an ApiError
 * with the server's `error` message; a network failure an ApiError with status 0. An aborted
 * request rejects with the AbortError itself (see isAbort).
 */
export async function fetchAnswer<T>(path: string, signal?: AbortSignal): Promise<Answer<T>> {
  let response: Response;
  try {
    response = await fetch(path, { signal, headers: { accept: "application/json" } });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new ApiError(`could not reach the server (${path}): ${error instanceof Error ? error.message : String(error)}`, 0);
  }
  const text = await response.text();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ApiError(`${path} answered ${response.status} with something that is not JSON`, response.status);
  }
  if (!response.ok) {
    const message = typeof data === "object" && data !== null && "error" in data ? String((data as { error: unknown }).error) : `${path} answered ${response.status}`;
    throw new ApiError(message, response.status);
  }
  return { text, data: data as T };
}

/** Asks the API and returns the parsed JSON (see fetchAnswer). */
export async function fetchJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await fetchAnswer<T>(path, signal)).data;
}

/** Whether an error is the rejection of an aborted fetch. */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

/** The message of an error to show on the page. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A path with a query string made of the non-empty values only. */
export function withQuery(path: string, params: Record<string, string | number | null | undefined> | URLSearchParams): string {
  const query = new URLSearchParams();
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  for (const [key, value] of entries) {
    if (value !== null && value !== undefined && String(value) !== "") query.set(key, String(value));
  }
  const text = query.toString();
  return text === "" ? path : `${path}?${text}`;
}

const integerFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** A count with thousands separators: 1,234,567; a dash for a missing one. */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? "—" : integerFormat.format(n);
}

/** A rounded number (an Elo, an interval); a dash for a missing one. */
export function formatRounded(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? "—" : String(Math.round(n));
}

/** A fraction as a percentage with the given decimals: 0.4567 → "45.7%". */
export function formatPercent(fraction: number | null | undefined, decimals = 1): string {
  return fraction === null || fraction === undefined || !Number.isFinite(fraction) ? "—" : `${(100 * fraction).toFixed(decimals)}%`;
}

/** A duration in seconds for people: "42.0 s", "3 min 05 s", "2 h 04 min". */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const total = Math.round(seconds);
  if (total < 3600) return `${Math.floor(total / 60)} min ${String(total % 60).padStart(2, "0")} s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/**
 * A stored date for people, "2025-01-31 14:05" in local time: the API's dates are ISO text or
 * numbers (milliseconds, or seconds when small enough to be seconds).
 */
export function formatDate(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const date = typeof value === "number" ? new Date(value < 1e11 ? value * 1000 : value) : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const two = (n: number): string => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ${two(date.getHours())}:${two(date.getMinutes())}`;
}

