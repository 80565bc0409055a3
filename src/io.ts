/** File input with errors a user can act on. */
import { readFileSync, statSync } from "node:fs";
import { decodeSgfBytes } from "../games/sgf.js";
import { InputError } from "./core/errors.js";

/** Reads a file's bytes; a missing or unreadable file, or a directory, is an InputError. */
export function readInputBytes(file: string): Buffer {
  try {
    if (statSync(file).isDirectory()) throw new InputError("is a directory, not a file", { file });
    return readFileSync(file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String((error as Error).message);
    throw new InputError(reason, { file });
  }
}

/** Reads a UTF-8 text file. */
export function readTextFile(file: string): string {
  return readInputBytes(file).toString("utf8");
}

/** Reads an SGF file, honouring its CA[] charset. */
export function readSgfFile(file: string): string {
  return decodeSgfBytes(readInputBytes(file));
}
