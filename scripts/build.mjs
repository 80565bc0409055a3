// The project's build (npm's build and prepare scripts, and the tests' global setup): compiles
// models/*.wat to .wasm, the TypeScript to dist/, and marks package.json's bin files executable
// (tsc writes them without the execute bit, and `npx fossil` runs the file itself).
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
execFileSync(process.execPath, [join(root, "scripts", "wat.mjs")], { cwd: root, stdio: "inherit" });
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
const { bin } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
for (const file of Object.values(bin ?? {})) chmodSync(join(root, file), 0o755);
