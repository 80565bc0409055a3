/** The installed `fossil` command, run as a user would (compiled, from another directory). */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { itNeeds, needs } from "./helpers/needs.js";
import { CLI, sharedFile } from "./helpers/paths.js";
import { clock } from "../src/progress.js";

const dir = mkdtempSync(join(tmpdir(), "fossil-cli-"));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("fossil CLI", () => {
  it("prints help and a version, from any directory", () => {
    const r = runCli(["--help"], { cwd: tmpdir() });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("fossil go");
    expect(r.stdout).toContain("fossil c4");
    expect(runCli(["go", "--help"]).stdout).toContain("fossil go score <files..>");
    expect(runCli(["c4", "--help"]).stdout).toContain("fossil c4 solve [files..]");
    expect(runCli(["--version"]).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("is an executable file after the build, as npx runs it (no node in front)", () => {
    const r = spawnSync(CLI, ["--version"], { cwd: tmpdir(), encoding: "utf8" });
    expect(r.error).toBeUndefined();
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("turns a usage mistake into one line and exit code 1, no stack trace", () => {
    const r = runCli(["no-such-command"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^fossil: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("durations on progress lines", () => {
  it("round to the second before they are split into minutes and hours", () => {
    expect(clock(0)).toBe("0:00");
    expect(clock(59.4)).toBe("0:59");
    expect(clock(59.6)).toBe("1:00");
    expect(clock(1019.7)).toBe("17:00");
    expect(clock(3599.5)).toBe("1:00:00");
    expect(clock(3725)).toBe("1:02:05");
    expect(clock(NaN)).toBe("?");
  });
});

describe("fossil go score", () => {
  it("prints FILE RESULT per game from the Tromp-Taylor area count", () => {
    const a = file("a.sgf", "(;GM[1]SZ[3]KM[0.5];B[bb];W[];B[])");
    const b = file("b.sgf", "(;GM[1]SZ[3]KM[2];B[aa];W[bb];B[])(;SZ[3]KM[0];B[ba];W[bc])");
    const r = runCli(["go", "score", a, b], { cwd: tmpdir() });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${a} B+8.5\n${b} game 1 W+2\n${b} game 2 0\n`);
  });

  it("gives black and white area with --json", () => {
    const a = file("j.sgf", "(;GM[1]SZ[3]KM[0.5];B[bb];W[];B[])");
    const r = runCli(["go", "score", "--json", a]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ file: a, game: 1, result: "B+8.5", blackArea: 9, whiteArea: 0, komi: 0.5, moves: 3 }]);
  });

  it("reports an illegal move with game, move and reason, exits 2 and still scores the other files", () => {
    const bad = file("bad.sgf", "(;SZ[5];B[cc])(;SZ[5];B[cc];W[dd];B[dd])");
    const good = file("good.sgf", "(;SZ[5]KM[0];B[cc])");
    const r = runCli(["go", "score", bad, good]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${bad}: game 2, move 3 (B D2): illegal: occupied\n`);
    expect(r.stdout).toBe(`${bad} game 1 B+25\n${good} B+25\n`);
  });

  it("reports malformed SGF and missing files with file and line:column", () => {
    const broken = file("broken.sgf", "(;GM[1]SZ[9]\n;B[ee]\n;W[e])");
    const missing = join(dir, "missing.sgf");
    const r = runCli(["go", "score", broken, missing]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`${broken}:3:2: game 1: bad move coordinates W[e] (two letters a-i, or empty for pass)\n${missing}: no such file\n`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("scores the readable games of a collection with a broken one", () => {
    const c = file("partly.sgf", "(;SZ[3]KM[0.5];B[bb])\n(;SZ[3];B[aa] ! )\n(;SZ[3]KM[0.5];W[bb])");
    const r = runCli(["go", "score", c]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe(`${c} game 1 B+8.5\n${c} game 3 W+9.5\n`);
    expect(r.stderr).toBe(`${c}:2:15: game 2: unexpected character '!': expected ';', '(' or ')'\n`);
  });

  itNeeds(needs.sharedData)("scores a real OGS collection, one line per game", () => {
    const r = runCli(["go", "score", sharedFile("go9-ogs-human/part-03.sgf")]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.length).toBe(1000);
    for (const line of lines) expect(line).toMatch(/ game \d+ (?:[BW]\+\d+(?:\.5)?|0)$/);
  });
});

describe("fossil c4 solve", () => {
  it("solves lines from files, in the shared test format", () => {
    const lines = "2252576253462244111563365343671351441 -1\n7422341735647741166133573473242566 1\n";
    const r = runCli(["c4", "solve", file("c4.txt", lines)]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("2252576253462244111563365343671351441 -1\n7422341735647741166133573473242566 1\n");
  });

  it("reads standard input and names the bad lines", () => {
    const r = runCli(["c4", "solve"], { input: "4455\n1238\n\n1111111\n12121213 x\n" });
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^4455 -?\d+\n$/);
    expect(r.stderr).toBe(
      "<stdin>:2: invalid column '8' at move 4 (columns are 1-7)\n" +
        "<stdin>:4: column 1 is full at move 7\n" +
        "<stdin>:5: move 8 (column 3) comes after the game ended with four in a row at move 7\n",
    );
  });
});

describe("fossil demo", () => {
  it("plays a seeded Go game, the same one for the same seed, and solves a Connect Four position", () => {
    const a = runCli(["demo", "--seed", "3", "--size", "7"]);
    const b = runCli(["demo", "--seed", "3", "--size", "7"]);
    expect(a.status).toBe(0);
    expect(a.stdout).toContain("Tromp");
    expect(a.stdout.replace(/\(\d+ ms\)/, "")).toBe(b.stdout.replace(/\(\d+ ms\)/, ""));
    expect(a.stdout).toMatch(/column scores/);
  });
});

describe("fossil model", () => {
  const model = join(dir, "net.onnx");

  it("init writes an ONNX model and its training state, and refuses to overwrite", () => {
    const r = runCli(["model", "init", "--game", "go:7", "--blocks", "2", "--filters", "16", "--seed", "3", "--out", model]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/go:7:tromp-taylor:9 7x7, resnet 2 blocks x 16 filters, [\d,]+ weights/);
    expect(existsSync(join(dir, "net.state"))).toBe(true);
    const again = runCli(["model", "init", "--game", "go:7", "--out", model]);
    expect(again.status).toBe(2);
    expect(again.stderr).toBe(`fossil: ${model}: already exists (use --force to overwrite)\n`);
    const bad = runCli(["model", "init", "--game", "go:42", "--out", join(dir, "x.onnx")]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("fossil: Go board size must be an integer from 2 to 19, got 42\n");
  });

  it("the same seed gives the same model bytes", () => {
    const other = join(dir, "net2.onnx");
    runCli(["model", "init", "--game", "go:7", "--blocks", "2", "--filters", "16", "--seed", "3", "--out", other]);
    expect(readFileSync(other).equals(readFileSync(model))).toBe(true);
  });

  it("info prints the metadata", () => {
    const r = runCli(["model", "info", model]);
    expect(r.status).toBe(0);
    for (const line of ["onnx: IR version 8, opset 13, producer fossil", "game: go:7:tromp-taylor:9", "board: 7x7", "plane_version: go-v1", "architecture: resnet b2 f16 v64", "step: 0"]) {
      expect(r.stdout).toContain(line);
    }
    expect(JSON.parse(runCli(["model", "info", "--json", model]).stdout).metadata["fossil.game"]).toBe("go:7:tromp-taylor:9");
  });

  it("eval prints the value and the policy's top legal moves", () => {
    const r = runCli(["model", "eval", model, "--moves", "D4 C3", "--top", "3"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\nafter 2 moves, Black to play\nvalue [+-]\d\.\d{3} \(for Black, the side to move\)\npolicy \(legal moves\): (\S+ \d+\.\d%, ){2}\S+ \d+\.\d%\n$/);
    expect(r.stdout).not.toMatch(/policy.*\b(D4|C3)\b/); // occupied points are not offered
  });

  itNeeds(needs.sharedData)("eval reads the position from an SGF file", () => {
    const json = JSON.parse(runCli(["model", "eval", model, "--json", "--sgf", sharedFile("go-solved/7x7_davies_tromp_excerpt.sgf"), "--move", "3"]).stdout);
    expect(json.moves).toBe(3);
    expect(json.toPlay).toBe("White");
    expect(json.top.reduce((s: number, m: { probability: number }) => s + m.probability, 0)).toBeLessThanOrEqual(1.000001);
  });

  it("refuses positions and files that do not fit, with one clear line", () => {
    const cases: [string[], string][] = [
      [["model", "eval", model, "--moves", "D4 D4"], "fossil: move 2 (D4) is illegal here\n"],
      [["model", "eval", model, "--moves", "Z9"], 'fossil: "Z9" is not a point of a 7x7 board (e.g. C3, or pass)\n'],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(message);
    }
    const cut = join(dir, "cut.onnx");
    writeFileSync(cut, readFileSync(model).subarray(0, 500));
    const r = runCli(["model", "info", cut]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^fossil: .*cut\.onnx: not a readable ONNX model \(.*truncated or not ONNX\)\n$/);
    const sgf = file("notmodel.onnx", "(;GM[1]SZ[9])");
    expect(runCli(["model", "eval", sgf, "--moves", ""]).stderr).toMatch(/not a readable ONNX model/);
    expect(runCli(["model", "info", join(dir, "none.onnx")]).stderr).toBe(`fossil: ${join(dir, "none.onnx")}: no such file\n`);
  });

  itNeeds(needs.sharedData)("refuses an SGF game of another board size, with one clear line", () => {
    const sgf = sharedFile("go9-ogs-human/part-00.sgf");
    const r = runCli(["model", "eval", model, "--sgf", sgf]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`fossil: ${sgf}: game 1: the game is 9x9, not 7x7\n`);
  });
});
