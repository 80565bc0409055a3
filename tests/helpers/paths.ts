import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The repository root and the shared read-only data folder beside it (FOSSIL_SHARED_DATA overrides). */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const SHARED_DATA = process.env.FOSSIL_SHARED_DATA ?? fileURLToPath(new URL("../../../shared/data", import.meta.url));
export const CLI = `${ROOT}dist/src/cli.js`;

/**
 * A file or folder of the shared data, checked to exist. Call it inside a test marked
 * `itNeeds(needs.sharedData)` (tests/helpers/needs.ts), never when a test file loads: a checkout
 * without the data must still load every test file and skip those tests.
 */
export function sharedFile(relative: string): string {
  const path = `${SHARED_DATA}/${relative}`;
  if (!existsSync(path)) throw new Error(`test data missing: ${path} (tests read ../shared/data beside the repository, or FOSSIL_SHARED_DATA)`);
  return path;
}
