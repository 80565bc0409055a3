/** Files: input with errors a user can act on, and files shipped with fossil. */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "./errors.js";

/** Reads a file's bytes; a missing or unreadable file, or a directory, is an InputError. */
export function readInputBytes(file: string): Buffer {
  try {
    const stat = statSync(file);
    if (stat.isDirectory()) throw new InputError("is a directory, not a file", { file });
    if (!stat.isFile()) throw new InputError("not a regular file (a pipe, socket or device)", { file });
    return readFileSync(file);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String((error as Error).message);
    throw new InputError(reason, { file });
  }
}

/** Makes a folder (and its parents) for output; an InputError when it cannot be one (a file is there, no permission). */
export function makeFolder(dir: string): void {
  try {
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InputError("is a file, not a folder", { file: dir });
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === "EACCES" ? "permission denied" : code === "ENOTDIR" ? "a file is in the way of this folder" : String((error as Error).message), { file: dir });
  }
}

/** Refuses an output file that cannot be written: a folder in its place, or a folder it cannot be made in. */
export function checkOutputFile(file: string): void {
  if (existsSync(file) && statSync(file).isDirectory()) throw new InputError("is a folder, not a file", { file });
  const dir = dirname(file);
  try {
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(code === "ENOENT" ? `its folder ${dir} does not exist` : `cannot write in its folder ${dir} (permission denied)`, { file });
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
