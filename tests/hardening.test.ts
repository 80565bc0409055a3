/**
 * What broke when fossil was used as a new user would (issue 12): small search budgets, reruns
 * that stored games twice, players named by paths, export then import, and bad input that ended
 * in a stack trace, a hang or silence. Each case fails on the code before its fix.
 */
import Database from "better-sqlite3";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../core/rng.js";
import { parseGameSpec } from "../games/index.js";
import { architectureFor } from "../models/arch.js";
import { initCheckpoint } from "../models/checkpoint.js";
import { chooseMove, DEFAULT_SEARCH, searchSync, SearchTree } from "../selfplay/mcts.js";
import { DEFAULT_SELFPLAY, playSelfPlay } from "../selfplay/selfplay.js";
import { runCli } from "./helpers/cli.js";
import { CLI } from "./helpers/paths.js";

const dir = mkdtempSync(join(tmpdir(), "fossil-hardening-"));
const go9 = join(dir, "go9.onnx"), go5 = join(dir, "go5.onnx");
const count = (db: string, sql: string): unknown => {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(sql).pluck().get();
  } finally {
    d.close();
  }
};

beforeAll(() => {
  initCheckpoint(go9, architectureFor(parseGameSpec("go:9"), 1, 8), 1, "hardening");
  initCheckpoint(go5, architectureFor(parseGameSpec("go:5"), 1, 8), 2, "hardening");
});

/** A run of the CLI must end in at most one line on stderr, and never in a stack trace. */
function expectOneLine(r: { status: number | null; stderr: string }, status: number, text: string | RegExp): void {
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.status).toBe(status);
  expect(r.stderr).toMatch(text);
}

describe("small search budgets", () => {
  it("a search of one simulation still has a move to play", () => {
    const game = parseGameSpec("go:5");
    const tree = new SearchTree(game.newState(), game.actionCount, DEFAULT_SEARCH);
    const uniform = new Float32Array(game.actionCount);
    const result = searchSync(tree, () => ({ policy: uniform, value: 0 }), Rng.fromSeed(1), 1);
    expect(result.visits.reduce((s, v) => s + v, 0)).toBe(1);
    expect(() => chooseMove(result.visits, 0, Rng.fromSeed(1))).not.toThrow();
  });

  it("self-play with one simulation per search plays whole games", async () => {
    const game = parseGameSpec("go:5");
    let games = 0;
    const evaluate = async (_: Float32Array, n: number) => ({ policy: new Float32Array(n * game.actionCount), value: new Float32Array(n) });
    await playSelfPlay(game, 3, { ...DEFAULT_SELFPLAY, fullSimulations: 1, cheapSimulations: 1, concurrentGames: 3 }, evaluate, (i) => Rng.fromSeed(4).split("g", i), () => {
      games++;
    });
    expect(games).toBe(3);
  });

  it("selfplay --sims 4 (cheap searches of 1), match mcts:M:1 and gtp --sims 1 play; --sims 0 is refused", () => {
    const db = join(dir, "budget.db");
    expectOneLine(runCli(["selfplay", "--model", go9, "--games", "2", "--sims", "4", "--workers", "1", "--db", db]), 0, /^(?!.*Error)/);
    expect(count(db, "SELECT count(*) FROM games")).toBe(2);
    expectOneLine(runCli(["match", "--game", "go:9", "--black", `mcts:${go9}:1`, "--white", "random", "--games", "2", "--db", db]), 0, /^(?!.*Error)/);
    const gtp = runCli(["gtp", "--model", go9, "--sims", "1"], { input: "genmove b\nquit\n" });
    expect(gtp.stdout).toMatch(/^= ([A-HJ]\d|pass)\n\n/);
    expectOneLine(runCli(["selfplay", "--model", go9, "--sims", "0", "--db", db]), 2, /^fossil: --sims must be a whole number from 1 to 1000000, got 0\n/);
  });
});

describe("reruns store nothing twice", () => {
  it("a rerun of a self-play run plays only the games not stored yet, the same games a single run plays", () => {
    const a = join(dir, "runs-a.db"), b = join(dir, "runs-b.db");
    const args = (db: string, games: number): string[] => ["selfplay", "--model", go5, "--games", String(games), "--sims", "8", "--concurrent", "2", "--workers", "1", "--seed", "3", "--db", db];
    expect(runCli(args(a, 2)).status).toBe(0);
    const again = runCli(args(a, 2));
    expect(again.stdout).toContain("2 of the run's 2 games (seed 3) were stored already: nothing to play");
    expect(runCli(args(a, 5)).stdout).toContain("2 of the run's 5 games (seed 3) were stored already: played the rest");
    expect(runCli(args(b, 5)).status).toBe(0);
    const games = (db: string): string[] => {
      const d = new Database(db, { readonly: true });
      const rows = d.prepare("SELECT fingerprint || ' ' || moves FROM games ORDER BY fingerprint").pluck().all() as string[];
      d.close();
      return rows;
    };
    expect(games(a)).toHaveLength(5);
    expect(games(a)).toEqual(games(b));
    // Another seed plays new games in the same run; another network needs another run.
    expect(runCli([...args(a, 2).slice(0, -4), "--seed", "4", "--db", a]).status).toBe(0);
    expect(count(a, "SELECT count(DISTINCT moves) FROM games")).toBe(7);
    expectOneLine(runCli(["selfplay", "--model", go9, "--game", "go:9", "--games", "1", "--db", a]), 2, /run "selfplay" was played with other settings \(game, model, params differ\); give another --run/);
  });

  it("a rerun of a match plays its missing games only, and a stopped run leaves no player behind", () => {
    const db = join(dir, "match.db");
    const args = (games: number): string[] => ["match", "--game", "go:5", "--black", "rollout:8", "--white", "random", "--games", String(games), "--swap", "--db", db];
    const first = runCli(args(3));
    expect(first.stdout).toMatch(/^rollout:8 vs random: \d wins?, \d loss(es)?, \d draws? \(\d+\.\d%\); Elo difference [+-]\d+ ± \d+ \(95%\)\n/);
    expect(runCli(args(3)).stdout).toContain("3 of the match's 3 games were stored already (nothing to play");
    runCli(args(5));
    expect(count(db, "SELECT count(*) FROM games")).toBe(5);
    expect(count(db, "SELECT count(*) FROM matches")).toBe(1);
    // A player that cannot load stores neither players nor a match.
    expectOneLine(runCli(["match", "--game", "go:5", "--black", "rollout:8", "--white", `mcts:${go9}:8`, "--db", db]), 2, /model does not fit/);
    expect(count(db, "SELECT count(*) FROM players")).toBe(2);
  });

  it("exported games imported again are recognised as already stored", () => {
    const db = join(dir, "match.db"), out = join(dir, "exported");
    expect(runCli(["games", "export", "--db", db, "--out", out]).stdout).toMatch(/^wrote 5 SGF files/);
    expect(runCli(["games", "import", "--db", db, out]).stdout).toBe("stored 0 games, 5 already stored, 0 rejected\n");
    expect(count(db, "SELECT count(*) FROM games")).toBe(5);
  });
});

describe("a network is a player by its content", () => {
  it("names one file the same by any path, and a retrained file anew", () => {
    const db = join(dir, "names.db");
    const copy = join(dir, "net.onnx");
    copyFileSync(go5, copy);
    const play = (spec: string): void => {
      expect(runCli(["match", "--game", "go:5", "--black", spec, "--white", "random", "--games", "1", "--db", db], { cwd: dir }).status).toBe(0);
    };
    play(`mcts:${copy}:2`);
    play(`mcts:./${relative(dir, copy)}:2`);
    const names = (): string[] => {
      const d = new Database(db, { readonly: true });
      const rows = d.prepare("SELECT name FROM players WHERE kind = 'network' ORDER BY id").pluck().all() as string[];
      d.close();
      return rows;
    };
    expect(names()).toHaveLength(1);
    expect(names()[0]).toMatch(/^mcts:net@[0-9a-f]{10}:2$/);
    initCheckpoint(copy, architectureFor(parseGameSpec("go:5"), 1, 8), 99, "retrained");
    play(`mcts:${copy}:2`);
    expect(names()).toHaveLength(2);
  });
});

describe("bad input ends in one line, never a stack trace or a hang", () => {
  it("refuses absurd option values", () => {
    const db = join(dir, "absurd.db");
    const cases: [string[], RegExp][] = [
      [["selfplay", "--model", go9, "--workers", "0", "--db", db], /--workers must be a whole number from 1 to 64, got 0/],
      [["selfplay", "--model", go9, "--workers", "-2", "--db", db], /--workers must be a whole number from 1 to 64, got -2/],
      [["selfplay", "--model", go9, "--workers", "200", "--db", db], /--workers must be a whole number from 1 to 64, got 200/],
      [["selfplay", "--model", go9, "--seed", "abc", "--db", db], /--seed must be a whole number .*got something that is not a number/],
      [["selfplay", "--model", go9, "--games", "1e12", "--db", db], /--games must be a whole number from 1 to 1000000000/],
      [["demo", "--seed", "abc"], /--seed must be a whole number/],
      [["match", "--game", "go:5", "--black", "random", "--white", "random", "--concurrent", "0", "--db", db], /--concurrent must be/],
      [["match", "--game", "go:5", "--black", "random", "--white", "random", "--openings", "-1", "--db", db], /--openings must be/],
      [["data", "import", "--db", db, "--size", "20", "x.sgf"], /--size must be a whole number from 2 to 19, got 20/],
      [["data", "import", "--db", db, "--min-moves", "-5", "x.sgf"], /--min-moves must be a whole number at least 0, got -5/],
      [["gtp", "--model", go9, "--seconds", "-1"], /--seconds must be a number from 0 to 86400, got -1/],
      [["gtp", "--model", go9, "--threads", "0"], /--threads must be a whole number from 1 to 64, got 0/],
    ];
    for (const [args, message] of cases) expectOneLine(runCli(args), 2, message);
    // What yargs would let through: an option given twice, an empty value.
    expectOneLine(runCli(["model", "init", "--game", "go:5", "--game", "go:7", "--out", join(dir, "twice.onnx")]), 2, /^fossil: --game given more than once\n/);
    expectOneLine(runCli(["selfplay", "--model", go9, "--resign", "", "--db", db]), 2, /^fossil: --resign needs a value, got an empty one\n/);
    expectOneLine(runCli(["selfplay", "--model", go9, "--run=", "--db", db]), 2, /^fossil: --run needs a value/);
    expectOneLine(runCli(["match", "--game", "go:5", "--black", "random", "--white", "random", "--openings", "1000", "--db", db]), 2, /random opening moves must be 0 to 12.5 \(half the board\) in go:5, got 1000/);
    expect(count(db, "SELECT count(*) FROM players")).toBe(0);
  });

  it("names wrong files and folders", () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "x");
    expectOneLine(runCli(["games", "export", "--db", join(dir, "match.db"), "--out", file]), 2, `fossil: ${file}: is a file, not a folder\n`);
    expectOneLine(runCli(["gtp", "--model", go9, "--log", join(dir, "no", "such", "log.txt")], { input: "quit\n" }), 2, /log.txt: cannot write the log: no such folder\n$/);
    const folder = join(dir, "folder.onnx");
    mkdirSync(folder);
    expectOneLine(runCli(["model", "info", folder]), 2, `fossil: ${folder}: is a directory, not a file\n`);
  });

  it("an engine that exits at once voids its games, with a reason each and exit code 2", () => {
    const r = runCli(["match", "--game", "go:5", "--black", "gtp:/bin/false", "--white", "random", "--games", "2", "--db", join(dir, "false.db")]);
    expectOneLine(r, 2, /game 1: no result \(crash\)[^\n]*\n(.*\n)*fossil: no game had a result/);
  });

  it("stops writing quietly when the reader goes away (fossil ... | head)", () => {
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${CLI}" demo | head -c 10 >/dev/null`], { encoding: "utf8" });
    expect(r.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect(r.status).toBe(0);
  });

  it("suggests a command only for a near miss", () => {
    expect(runCli(["trian"]).stderr).toContain("Unknown argument: trian (did you mean train?)");
    expect(runCli(["foo"]).stderr).not.toContain("did you mean");
  });

  it("says on Ctrl-C what is stored and how to go on, and keeps every finished game", async () => {
    const db = join(dir, "sigint.db");
    const child = spawn(process.execPath, [CLI, "selfplay", "--model", go5, "--games", "100000", "--sims", "2", "--concurrent", "2", "--workers", "1", "--db", db], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // Games are stored as chunks finish, not after all 100,000: wait for the first ones.
    for (let waited = 0; waited < 60_000; waited += 200) {
      await new Promise((r) => setTimeout(r, 200));
      try {
        if ((count(db, "SELECT count(*) FROM games") as number) > 0) break;
      } catch {
        // not created yet
      }
    }
    child.kill("SIGINT");
    const status = await new Promise<number | string | null>((resolve) => child.on("exit", (code, signal) => resolve(code ?? signal)));
    expect(status, stderr).toBe(130);
    const stored = Number(/interrupted: (\d+) games stored/.exec(stderr)?.[1]);
    expect(stored).toBeGreaterThan(0);
    expect(stderr).toContain("stopping after the work in progress");
    expect(stderr).toContain("run the same command again to play the rest");
    expect(count(db, "SELECT count(*) FROM games")).toBe(stored);
  });
});

describe("model eval", () => {
  it("says which game of a collection it shows, and shows another with --game", () => {
    const sgf = join(dir, "two.sgf");
    writeFileSync(sgf, "(;GM[1]SZ[5]KM[0.5];B[cc];W[bb])(;GM[1]SZ[5]KM[0.5];B[aa])");
    const first = runCli(["model", "eval", go5, "--sgf", sgf]);
    expect(first.stderr).toContain(`${sgf} holds 2 games: this is game 1 (choose another with --game N)`);
    expect(first.stdout).toContain("after 2 moves, Black to play");
    const second = runCli(["model", "eval", go5, "--sgf", sgf, "--game", "2"]);
    expect(second.stderr).toBe("");
    expect(second.stdout).toContain("after 1 moves, White to play");
    expect(second.stdout).toMatch(/^X\.\.\.\./);
    expectOneLine(runCli(["model", "eval", go5, "--sgf", sgf, "--game", "3"]), 2, /there is no game 3: the file holds 2 games/);
  });
});
