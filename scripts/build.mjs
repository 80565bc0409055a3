// The project's build, for npm's build and prepare scripts (`node scripts/build.mjs`) and as the
// tests' global setup (vitest.config.ts: the CLI tests run the compiled command): compiles
// models/*.wat to .wasm, the TypeScript to dist/, and marks package.json's bin files executable
// (tsc writes them without the execute bit, and `npx fossil` runs the file itself).
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(import.meta.url);
const root = join(dirname(here), "..");

export default function build() {
  execFileSync(process.execPath, [join(root, "scripts", "wat.mjs")], { cwd: root, stdio: "inherit" });
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  const { bin } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  for (const file of Object.values(bin ?? {})) chmodSync(join(root, file), 0o755);
}

if (process.argv[1] === here) build();
