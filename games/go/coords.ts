/**
 * Point text of Go actions (y·N + x, row y from the top; N² = pass): GTP vertices ("C3", "pass")
 * and SGF points ("cc").
 */
import { InputError } from "../../core/errors.js";

/** GTP column letters: A..T without I. */
const COLUMNS = "ABCDEFGHJKLMNOPQRST";

/** GTP text of an action: "C3" (column letter, row counted from the bottom), "pass". */
export function goActionText(action: number, size: number): string {
  if (action === size * size) return "pass";
  if (!Number.isInteger(action) || action < 0 || action > size * size) return `?${action}`;
  const x = action % size, y = Math.floor(action / size);
  return `${COLUMNS[x]}${size - y}`;
}

/** Parses GTP text ("c3", "D10", "pass") into an action. */
export function parseGoAction(text: string, size: number): number {
  const t = text.trim().toUpperCase();
  if (t === "PASS") return size * size;
  const m = /^([A-HJ-T])(\d{1,2})$/.exec(t);
  if (m) {
    const x = COLUMNS.indexOf(m[1]!);
    const row = Number(m[2]);
    if (x < size && row >= 1 && row <= size) return (size - row) * size + x;
  }
  throw new InputError(`"${text}" is not a point of a ${size}x${size} board (e.g. C3, or pass)`);
}

/** The SGF point of an action: two letters, column then row from the top-left ("cd"); `pass` for a pass. */
export function sgfPoint(action: number, size: number, pass = ""): string {
  if (action === size * size) return pass;
  return String.fromCharCode(97 + (action % size)) + String.fromCharCode(97 + Math.floor(action / size));
}

