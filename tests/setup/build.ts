import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Builds the project (as `npm ci` does) so that CLI tests run the current code. */
export default function setup(): void {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: root, stdio: "inherit" });
}
