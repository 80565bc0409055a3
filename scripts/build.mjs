// The project's build, for npm's build and prepare scripts (`node scripts/build.mjs`) and as the
// tests' global setup (vitest.config.ts: the CLI tests run the compiled command): compiles
// models/*.wat to .wasm, the TypeScript to dist/, bundles the web viewer's client (src/web/client,
// with its libraries, styles and images) into dist/web/assets/ with esbuild, so that nothing is
// fetched at run time, and marks package.json's bin files executable (tsc writes them without the
// execute bit, and `npx fossil` runs the file itself).
import { execFileSync } from "node:child_process";
import { chmodSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(import.meta.url);
const root = join(dirname(here), "..");

/** The viewer's client: one script and one style sheet. */
function bundleClient() {
  const esbuild = createRequire(import.meta.url)("esbuild");
  esbuild.buildSync({
    entryPoints: [join(root, "src", "web", "client", "main.tsx")],
    outdir: join(root, "dist", "web", "assets"),
    entryNames: "app",
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: "linked",
    jsx: "automatic",
    jsxImportSource: "preact",
    loader: { ".png": "dataurl", ".svg": "dataurl" },
    logLevel: "warning",
  });
}

export default function build() {
  execFileSync(process.execPath, [join(root, "scripts", "wat.mjs")], { cwd: root, stdio: "inherit" });
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], { cwd: root, stdio: "inherit" });
  bundleClient();
  const { bin } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  for (const file of Object.values(bin ?? {})) chmodSync(join(root, file), 0o755);
}

if (process.argv[1] === here) build();
