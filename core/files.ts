/** Files: input with errors a user can act on, and files shipped with fossil. */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "./errors.js";

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

/**
 * A compiled module of fossil (worker threads load JavaScript, also when the tests run the
 * TypeScript sources): `dist/<parts>`; an Error if it has not been built.
 */
export function builtFile(...parts: string[]): string {
  const file = packagePath("dist", ...parts);
  if (!existsSync(file)) throw new Error(`${file} is not built (run npm run build)`);
  return file;
}

/**
 * A file shipped with fossil: `parts` joined to the package root, found as the nearest folder
 * above this module with a package.json (the same from the sources and from dist/).
 */
export function packagePath(...parts: string[]): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("fossil's package.json not found above " + fileURLToPath(import.meta.url));
    dir = up;
  }
  return join(dir, ...parts);
}
