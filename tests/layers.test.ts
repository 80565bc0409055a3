/**
 * The shape of the code (DESIGN.md §2, README "Layout"): imports only point down the list of
 * layers, commands import no other command, and nothing outside games/ asks which game it holds.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers/paths.js";

const LAYERS = ["core", "games", "models", "selfplay", "db", "src"];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.ts$/.test(name) ? [path] : [];
  });
}

const files = LAYERS.flatMap((layer) => sources(join(ROOT, layer)).map((file) => ({ file: relative(ROOT, file), layer, text: readFileSync(file, "utf8") })));

/** The project files a source file imports (relative specifiers, as repository paths). */
function imports(file: string, text: string): string[] {
  return [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)].map((m) => relative(ROOT, resolve(dirname(join(ROOT, file)), m[1]!)));
}

describe("layers", () => {
  it("imports only point down: core, games, models, selfplay, db, src", () => {
    expect(files.length).toBeGreaterThan(50);
    const upward: string[] = [];
    for (const { file, layer, text } of files) {
      for (const target of imports(file, text)) {
        const to = LAYERS.indexOf(target.split("/")[0]!);
        if (to > LAYERS.indexOf(layer)) upward.push(`${file} -> ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it("commands import no other command", () => {
    const between = files
      .filter((f) => f.file.startsWith("src/commands/"))
      .flatMap(({ file, text }) => imports(file, text).filter((t) => t.startsWith("src/commands/")).map((t) => `${file} -> ${t}`));
    expect(between).toEqual([]);
  });

  it("nothing outside games/ branches on a concrete game", () => {
    const branch = /instanceof\s+(GoGame|Connect4Game|GoState|Connect4State)\b|[!=]==?\s*["'](connect4|c4)["']|["'](connect4|c4)["']\s*[!=]==?|startsWith\(\s*["'`]go:|["'`]go:\$\{/;
    const found = files.filter((f) => f.layer !== "games").flatMap(({ file, text }) => text.split("\n").flatMap((line, i) => (branch.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])));
    expect(found).toEqual([]);
  });
});
