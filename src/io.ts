/** File input with errors a user can act on. */
import { decodeSgfBytes } from "../games/sgf.js";
import { readInputBytes } from "../core/files.js";

/** Reads an SGF file, honouring its CA[] charset. */
export function readSgfFile(file: string): string {
  return decodeSgfBytes(readInputBytes(file));
}
