/**
 * Typed errors. A FossilError is a user-facing problem (bad file, bad argument, illegal move):
 * the CLI prints its one-line `message` prefixed with where it happened, and exits with
 * `exitCode`, without a stack trace. Any other exception is a bug and keeps its stack.
 */

/** Where a problem was found. Every field is optional; the formatter prints what is known. */
export interface Where {
  file?: string;
  line?: number;
  column?: number;
  /** 1-based game number inside a collection. */
  game?: number;
  /** 1-based move number inside a game. */
  move?: number;
  /** Short text of the move, e.g. "B C3". */
  moveText?: string;
}

/** `file:line:column`, `file: game 2, move 17 (B C3)` and the like. */
export function formatWhere(where: Where): string {
  let head = where.file ?? "";
  if (where.line !== undefined) {
    head += `${head ? ":" : "line "}${where.line}`;
    if (where.column !== undefined) head += `:${where.column}`;
  }
  const parts: string[] = [];
  if (where.game !== undefined) parts.push(`game ${where.game}`);
  if (where.move !== undefined) parts.push(`move ${where.move}${where.moveText ? ` (${where.moveText})` : ""}`);
  if (parts.length === 0) return head;
  return head ? `${head}: ${parts.join(", ")}` : parts.join(", ");
}

export class FossilError extends Error {
  readonly where: Where;
  readonly exitCode: number;
  /** The message without location. */
  readonly detail: string;

  constructor(detail: string, where: Where = {}, exitCode = 2) {
    const place = formatWhere(where);
    super(place ? `${place}: ${detail}` : detail);
    this.name = new.target.name;
    this.detail = detail;
    this.where = where;
    this.exitCode = exitCode;
  }

  /** The same error with more location filled in (fields already known win). */
  at(where: Where): FossilError {
    const merged = { ...where, ...this.where };
    const copy = Object.create(Object.getPrototypeOf(this)) as FossilError;
    Object.assign(copy, this, { where: merged, message: `${formatWhere(merged)}: ${this.detail}` });
    return copy;
  }
}

/** A bad argument, file or value given by the user. */
export class InputError extends FossilError {}

/** Malformed SGF text or an SGF that is not a game we can play. */
export class SgfError extends InputError {}

export type IllegalReason = "occupied" | "suicide" | "ko" | "superko" | "off-board" | "game-over" | "full-column";

/** A move that the rules forbid. */
export class IllegalMoveError extends FossilError {
  readonly reason: IllegalReason;
  constructor(reason: IllegalReason, where: Where = {}) {
    super(`illegal: ${reason}`, where);
    this.reason = reason;
  }
}
