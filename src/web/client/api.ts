/**
 * The viewer's JSON API as the browser sees it: the answer types of src/web/README.md, a fetch
 * helper that turns an error answer (`{"error": ...}`, status 400 or 404) into an ApiError with
 * the server's message, and the formatting every page shares (numbers, times, dates, results).
 */

export type { Info, StudyStep, StudyRun, Checkpoint, ReferencePlayer, Study, Run, LadderRow, Ladder, HeadToHead, GameSummary, GamePage, Position, GameRecord, Evaluation } from "../answers.js";

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

