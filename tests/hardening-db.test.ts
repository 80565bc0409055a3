/**
 * Hardening of the database, the rating fit and the two commands over them (issue 12): players
 * without a rated game, exact intervals from a sparse factorisation, `ratings --top`, exact
 * integers and SQL errors in `query`, awkward database files (folders, empty files, read-only
 * files and folders), CSV results of zero margin, and absurd option values. A user's mistake
 * ends in one line `fossil: ...` and exit code 2, never a stack trace.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../core/errors.js";
import { Rng } from "../core/rng.js";
import { computeLadder, parseAnchor } from "../db/ladder.js";
import { blackScoreOf, fitRatings, sparseInverseDiagonal, type Result } from "../db/ratings.js";
import { openDatabase } from "../db/schema.js";
import { humanLikeResults } from "../db/synthetic.js";
import { ensurePlayer, insertGames, type GameRow } from "../db/store.js";
import { runCli, type CliResult } from "./helpers/cli.js";
import { CLI } from "./helpers/paths.js";
import { itNeeds, needs, unprivileged } from "./helpers/needs.js";

const dir = mkdtempSync(join(tmpdir(), "fossil-hardening-db-"));
chmodSync(dir, 0o755); // the read-only tests run the CLI as another user when the tests run as root

const SCALE = Math.LN10 / 400;

/** One line on stderr, `fossil: ...`, exit code 2: a user's mistake, no stack trace. */
function expectOneLine(r: CliResult, pattern: RegExp | string): void {
  expect(r.stderr.split("\n").filter((l) => l !== "")).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at |Node\.js v|SqliteError|TypeError/);
  if (typeof pattern === "string") expect(r.stderr).toBe(`fossil: ${pattern}\n`);
  else expect(r.stderr).toMatch(pattern);
  expect(r.status).toBe(2);
}

/** A database with games of named players; `[black, white, result]` each. */
function database(name: string, games: [string, string, string][], game = "go:9"): string {
  const path = join(dir, name);
  const db = openDatabase(path);
  const rows: GameRow[] = games.map(([black, white, result]) => ({
    game,
    spec: game,
    blackId: ensurePlayer(db, { name: black, kind: black === "random" ? "random" : "other" }),
    whiteId: ensurePlayer(db, { name: white, kind: white === "random" ? "random" : "other" }),
    result,
    winner: result.startsWith("B+") ? 0 : result.startsWith("W+") ? 1 : null,
    source: "match",
  }));
  insertGames(db, rows);
  db.close();
  return path;
}

const count = (path: string, sql: string): number => {
  const d = new Database(path, { readonly: true });
  const n = d.prepare(sql).pluck().get() as number;
  d.close();
  return n;
};

describe("ratings of players without a rated game (self-play: black = white)", () => {
  const games: [string, string, string][] = [
    ["a", "b", "B+R"],
    ["b", "c", "W+3"],
    ["c", "a", "B+R"],
    ["a", "c", "0"],
    ["solo", "solo", "B+R"],
    ["solo", "solo", "W+R"],
  ];

  it("leaves them out of the ladder and of saved snapshots, and counts only rated games", () => {
    const path = database("self.db", games);
    const db = openDatabase(path);
    const ladder = computeLadder(db, { save: true });
    expect(ladder.rows.map((r) => r.player).sort()).toEqual(["a", "b", "c"]);
    for (const row of ladder.rows) for (const v of [row.elo, row.ci95, row.games, row.score]) expect(Number.isFinite(v)).toBe(true);
    expect(ladder.games).toBe(4);
    expect(db.prepare("SELECT count(*) FROM ratings WHERE snapshot_id = ?").pluck().get(ladder.snapshotId)).toBe(3);
    // The anchor must be a rated player: one who only played itself cannot be.
    expect(() => computeLadder(db, { anchor: { name: "solo", elo: 0 } })).toThrow(InputError);
    expect(() => computeLadder(db, { anchor: { name: "solo", elo: 0 } })).toThrow('anchor player "solo" has no rated games (only games against itself');
    db.close();
    // The command: no NaN row, and --save works.
    const r = runCli(["ratings", "--db", path, "--save"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).not.toMatch(/NaN|solo/);
    expect(r.stdout.trim().split("\n").at(-1)).toMatch(/^4 games; anchor /);
    expectOneLine(runCli(["ratings", "--db", path, "--anchor", "solo=0"]), /^fossil: anchor player "solo" has no rated games \(only games against itself/);
  });

  it("refuses, in one line, a database whose only games are players against themselves (match random vs random)", () => {
    const path = database("only-self.db", [["random", "random", "B+R"], ["random", "random", "W+R"]]);
    const db = openDatabase(path);
    expect(() => computeLadder(db, { save: true })).toThrow("no rated games in the database (its 2 games are a player against itself, which rates no one)");
    expect(db.prepare("SELECT count(*) FROM rating_snapshots").pluck().get()).toBe(0);
    db.close();
    expectOneLine(runCli(["ratings", "--db", path, "--save"]), "no rated games in the database (its 2 games are a player against itself, which rates no one)");
    // The match stores its games and saves no ratings (src/play/match.ts may report the
    // InputError or take it as "no ladder"): never a crash.
    const matchDb = join(dir, "match-self.db");
    const m = runCli(["match", "--game", "go:5", "--black", "random", "--white", "random", "--games", "2", "--db", matchDb]);
    expect(m.stderr).not.toMatch(/SqliteError|NOT NULL|\n\s+at |Node\.js v/);
    expect([0, 2]).toContain(m.status);
    expect(count(matchDb, "SELECT count(*) FROM games")).toBe(2);
    expect(count(matchDb, "SELECT count(*) FROM ratings")).toBe(0);
  });
});

/** Heavy-tailed games per player, opponents of similar strength (as on a Go server), 5% draws. */
function humanLike(players: number, seed: number): { truth: number[]; results: Result[] } {
  return humanLikeResults(players, 300, 0.05, Rng.fromSeed(seed));
}

/** Diagonal of the inverse of a dense symmetric positive definite matrix, by Gauss–Jordan (the test's own). */
function gaussJordanInverseDiagonal(a: number[][]): number[] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    const pivot = m[c]![c]!;
    for (let k = 0; k < 2 * n; k++) m[c]![k]! /= pivot;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]!;
      if (f === 0) continue;
      for (let k = 0; k < 2 * n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => row[n + i]!);
}

describe("exact 95% intervals from a sparse factorisation", () => {
  it("equal the dense computation on a random sparse human-like instance (relative error < 1e-6)", () => {
    const players = 400;
    const { results } = humanLike(players, 12);
    // Two more components: a pair, and a player who only played itself (no rating).
    results.push({ black: players, white: players + 1, blackScore: 1 }, { black: players + 1, white: players, blackScore: 0.5 }, { black: players + 2, white: players + 2, blackScore: 1 });
    const total = players + 3;
    const anchor = results[0]!.black;
    const fit = fitRatings(total, results, { anchor, anchorElo: 100, firstMoveAdvantage: true });
    expect(Number.isNaN(fit.elo[players + 2]!)).toBe(true);
    // The negative Hessian of the log-posterior at the fitted ratings, built densely here.
    const free: number[] = [];
    const index = new Map<number, number>();
    for (let p = 0; p < total; p++) if (p !== anchor && fit.games[p]! > 0) index.set(p, free.push(p) - 1);
    const n = free.length + 1, adv = n - 1;
    const h = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const prior = 1 / (1000 * SCALE) ** 2;
    for (let i = 0; i < n; i++) h[i]![i] = prior;
    const theta = (p: number): number => (p === anchor ? 0 : (fit.elo[p]! - 100) * SCALE);
    for (const r of results) {
      if (r.black === r.white) continue;
      const z = theta(r.black) - theta(r.white) + fit.advantage * SCALE;
      const q = 1 / (1 + Math.exp(-z));
      const w = q * (1 - q);
      const entries: [number, number][] = [];
      if (index.has(r.black)) entries.push([index.get(r.black)!, 1]);
      if (index.has(r.white)) entries.push([index.get(r.white)!, -1]);
      entries.push([adv, 1]);
      for (const [i, si] of entries) for (const [j, sj] of entries) h[i]![j]! += w * si * sj;
    }
    const variance = gaussJordanInverseDiagonal(h);
    let worst = 0;
    free.forEach((p, i) => {
      const dense = (1.959964 * Math.sqrt(variance[i]!)) / SCALE;
      worst = Math.max(worst, Math.abs(fit.ci95[p]! - dense) / dense);
    });
    worst = Math.max(worst, Math.abs(fit.advantageCi95 - (1.959964 * Math.sqrt(variance[adv]!)) / SCALE) / fit.advantageCi95);
    expect(worst).toBeLessThan(1e-6);
  });

  it("sparseInverseDiagonal matches a dense inverse with a dense core, leaves, isolated variables and a row meeting every variable", () => {
    const rng = Rng.fromSeed(5);
    const n = 260, core = 70;
    const dense = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const rows: number[] = [], cols: number[] = [], values: number[] = [];
    const edge = (i: number, j: number, w: number): void => {
      rows.push(Math.min(i, j));
      cols.push(Math.max(i, j));
      values.push(-w);
      dense[i]![j]! -= w;
      dense[j]![i]! -= w;
      dense[i]![i]! += w;
      dense[j]![j]! += w;
    };
    for (let i = 0; i < core; i++) for (let j = i + 1; j < core; j++) if (rng.float() < 0.5) edge(i, j, 0.1 + rng.float());
    for (let i = core; i < n - 10; i++) edge(i, rng.int(i), 0.1 + rng.float()); // a tree hanging off the core
    for (let i = 0; i < n - 1; i++) if (i % 3 === 0) edge(i, n - 1, 0.05 * rng.float()); // like the first-move advantage
    // n - 10 .. n - 2 that were not joined above stay isolated but for the last row.
    const diag = dense.map((row, i) => row[i]! + 0.03);
    dense.forEach((row, i) => (row[i] = diag[i]!));
    const fast = sparseInverseDiagonal({ diag: Float64Array.from(diag), rows: Int32Array.from(rows), cols: Int32Array.from(cols), values: Float64Array.from(values), count: rows.length });
    const exact = gaussJordanInverseDiagonal(dense);
    for (let i = 0; i < n; i++) expect(Math.abs(fast[i]! - exact[i]!) / exact[i]!).toBeLessThan(1e-9);
  });

  it("sparseInverseDiagonal matches a dense inverse on a grid, where elimination creates fill", () => {
    const rng = Rng.fromSeed(8);
    const side = 22, n = side * side;
    const dense = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const rows: number[] = [], cols: number[] = [], values: number[] = [];
    const edge = (i: number, j: number): void => {
      const w = 0.2 + rng.float();
      rows.push(i);
      cols.push(j);
      values.push(-w);
      dense[i]![j]! -= w;
      dense[j]![i]! -= w;
      dense[i]![i]! += w;
      dense[j]![j]! += w;
    };
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        if (c + 1 < side) edge(r * side + c, r * side + c + 1);
        if (r + 1 < side) edge(r * side + c, (r + 1) * side + c);
      }
    }
    const diag = dense.map((row, i) => row[i]! + 0.01);
    dense.forEach((row, i) => (row[i] = diag[i]!));
    const fast = sparseInverseDiagonal({ diag: Float64Array.from(diag), rows: Int32Array.from(rows), cols: Int32Array.from(cols), values: Float64Array.from(values), count: rows.length });
    const exact = gaussJordanInverseDiagonal(dense);
    for (let i = 0; i < n; i++) expect(Math.abs(fast[i]! - exact[i]!) / exact[i]!).toBeLessThan(1e-9);
  });
});

describe("fossil ratings --top and absurd option values", () => {
  const games: [string, string, string][] = [];
  for (let k = 0; k < 6; k++) games.push(["random", "weak", k < 4 ? "W+R" : "B+R"], ["weak", "strong", k < 5 ? "W+R" : "B+2"], ["strong", "random", "B+R"]);
  let path = "";

  it("prints only the N best rows and says how many players there are", () => {
    path = database("top.db", games);
    const all = runCli(["ratings", "--db", path]);
    expect(all.status).toBe(0);
    expect(all.stdout.split("\n")[1]).toMatch(/^strong /);
    const r = runCli(["ratings", "--db", path, "--top", "2"]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines.map((l) => l.split(" ")[0])).toEqual(["player", "strong", "weak", lines[3]!.split(" ")[0]]);
    expect(lines[3]).toBe("2 of 3 players shown; 18 games; anchor random = 0; ±95% is relative to the anchor");
    expect(runCli(["ratings", "--db", path, "--top", "10"]).stdout).toMatch(/\n3 of 3 players shown; 18 games;/);
    const json = JSON.parse(runCli(["ratings", "--db", path, "--top", "1", "--json"]).stdout) as { rows: { player: string }[]; players: number };
    expect(json.rows.map((row) => row.player)).toEqual(["strong"]);
    expect(json.players).toBe(3);
  });

  it("refuses --top 0, -1, abc, 1.5 and an empty value in one line", () => {
    for (const value of ["0", "-1", "abc", "1.5", ""]) {
      expectOneLine(runCli(["ratings", "--db", path, "--top", value]), value === "" ? "--top needs a value, got an empty one" : `--top must be a whole number of rows, at least 1, got "${value}"`);
    }
  });

  it("refuses an anchor that is not NAME=ELO with ELO a number, an unknown game, empty or repeated options", () => {
    for (const anchor of ["random=", "random=abc", "random=0x10", "random=1e400", "=5"]) {
      expectOneLine(runCli(["ratings", "--db", path, "--anchor", anchor]), `--anchor must be NAME=ELO (e.g. random=0), got "${anchor}"`);
    }
    expectOneLine(runCli(["ratings", "--db", path, "--anchor", "random=5000000"]), "--anchor: ELO must be between -1000000 and 1000000, got 5000000");
    expect(parseAnchor("random=-12.5")).toEqual({ name: "random", elo: -12.5 });
    expectOneLine(runCli(["ratings", "--db", path, "--anchor", "nobody=0"]), 'anchor player "nobody" has no rated games');
    expectOneLine(runCli(["ratings", "--db", path, "--game", "connect4"]), "no rated games of connect4 in the database (it has games of go:9)");
    expectOneLine(runCli(["ratings", "--db", path, "--game", ""]), "--game needs a value, got an empty one");
    expectOneLine(runCli(["ratings", "--db", path, "--anchor", "random=0", "--anchor", "weak=0"]), "--anchor given more than once");
    expectOneLine(runCli(["ratings", "--db", path, "--db", path]), "--db given more than once");
    expectOneLine(runCli(["ratings", "--db", ""]), "--db needs a value, got an empty one");
    expectOneLine(runCli(["query", "--db", path, "--db", path, "SELECT 1"]), "--db given more than once");
  });
});

describe("fossil query: exact values and SQL errors", () => {
  let path = "";

  it("keeps columns of one name and integers beyond 2^53 exact (JSON: strings beyond 2^53 - 1)", () => {
    path = database("query.db", [["a", "b", "B+R"]]);
    const r = runCli(["query", "--db", path, "--json", 'SELECT 1 AS a, 2 AS a, 3 AS "a:2", 9007199254740993 AS big, -9223372036854775808 AS small, 9007199254740991 AS safe, 2.5 AS r']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('"big": "9007199254740993"');
    expect(JSON.parse(r.stdout)).toEqual([{ a: 1, "a:3": 2, "a:2": 3, big: "9007199254740993", small: "-9223372036854775808", safe: 9007199254740991, r: 2.5 }]);
    expect(runCli(["query", "--db", path, "--csv", "SELECT 9007199254740993 AS big, 1 AS a, 2 AS a"]).stdout).toBe("big,a,a\n9007199254740993,1,2\n");
    // A BLOB in CSV is SQLite's hex literal, not raw bytes (which may hold commas and newlines).
    expect(runCli(["query", "--db", path, "--csv", "SELECT X'0A2C00FF' AS b"]).stdout).toBe("b\nX'0A2C00FF'\n");
    expect(runCli(["query", "--db", path, "SELECT 9223372036854775807 AS big"]).stdout).toBe("                big\n-------------------\n9223372036854775807\n(1 row)\n");
    // SQLite turns an overflowing + into a REAL: shown as one, not as made-up digits.
    expect(runCli(["query", "--db", path, "SELECT 9223372036854775807 + 1 AS r"]).stdout).toContain("9.223372036854776e+18");
  });

  it("names a SQL runtime error in one line: malformed JSON, integer overflow, load_extension", () => {
    expectOneLine(runCli(["query", "--db", path, "SELECT json('x')"]), "SQL error: malformed JSON");
    expectOneLine(runCli(["query", "--db", path, "SELECT sum(x) FROM (SELECT 9223372036854775807 AS x UNION ALL SELECT 1)"]), "SQL error: integer overflow");
    expectOneLine(runCli(["query", "--db", path, "SELECT abs(-9223372036854775808)"]), "SQL error: integer overflow");
    expectOneLine(runCli(["query", "--db", path, "SELECT load_extension('/nonexistent/x')"]), /^fossil: SQL error: /);
  });
});

/** Runs the CLI as a user who cannot write what it does not own (tests/helpers/needs.ts). */
function runUnprivileged(args: string[]): CliResult {
  const way = unprivileged!;
  const [command, ...prefix] = way.prefix.length > 0 ? way.prefix : [process.execPath];
  const r = spawnSync(command!, [...prefix, CLI, ...args], { ...way.options, encoding: "utf8", timeout: 120_000, cwd: dir });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("awkward database files", () => {
  const readOnlyDir = join(dir, "read-only-folder");
  const readOnlyFileDir = join(dir, "read-only-file");
  afterAll(() => {
    for (const d of [readOnlyDir, readOnlyFileDir]) if (existsSync(d)) chmodSync(d, 0o755);
  });

  it("refuses a folder, a 0-byte file and an empty SQLite file for reading, in one line naming the file", () => {
    const folder = join(dir, "folder.db");
    mkdirSync(folder);
    const zero = join(dir, "zero.db");
    writeFileSync(zero, "");
    const empty = join(dir, "empty-sqlite.db");
    new Database(empty).pragma("user_version = 0");
    for (const read of [(db: string) => ["query", "--db", db, "SELECT 1"], (db: string) => ["ratings", "--db", db], (db: string) => ["games", "export", "--db", db, "--out", join(dir, "out")]]) {
      expectOneLine(runCli(read(folder)), `${folder}: is a folder, not a database file`);
      expectOneLine(runCli(read(zero)), `${zero}: empty file (0 bytes): not a fossil database`);
      expectOneLine(runCli(read(empty)), `${empty}: an empty SQLite file (no tables): not a fossil database yet; nothing to read`);
    }
    expectOneLine(runCli(["ratings", "--db", folder, "--save"]), `${folder}: is a folder, not a database file`);
    expectOneLine(runCli(["games", "import", "--db", folder, "--game", "go:9", join(dir, "none.csv")]), `${folder}: is a folder, not a database file`);
    expect(statSync(zero).size).toBe(0);
  });

  itNeeds(needs.unprivileged)("reads a database in a read-only folder or file, and refuses to write it in one line, changing nothing", () => {
    const source = database("source.db", [["a", "b", "B+R"], ["b", "a", "W+R"], ["a", "b", "0"]]);
    const csv = join(dir, "more.csv");
    writeFileSync(csv, "black,white,result\na,b,B+R\n");
    chmodSync(csv, 0o644);
    mkdirSync(readOnlyDir);
    mkdirSync(readOnlyFileDir);
    const inFolder = join(readOnlyDir, "study.db"), readOnlyFile = join(readOnlyFileDir, "study.db");
    copyFileSync(source, inFolder);
    copyFileSync(source, readOnlyFile);
    chmodSync(inFolder, 0o666); // writable itself: only its folder is read-only
    chmodSync(readOnlyFile, 0o444);
    chmodSync(readOnlyDir, 0o555);
    chmodSync(readOnlyFileDir, 0o777);
    const before = [readFileSync(inFolder), readFileSync(readOnlyFile)];
    for (const path of [inFolder, readOnlyFile]) {
      const q = runUnprivileged(["query", "--db", path, "SELECT count(*) AS n FROM games"]);
      expect(q.stderr).toBe("");
      expect(q.stdout).toBe("n\n-\n3\n(1 row)\n");
      const r = runUnprivileged(["ratings", "--db", path]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/\n3 games; anchor /);
      const out = join(dir, `export-${path === inFolder ? "folder" : "file"}`);
      mkdirSync(out);
      chmodSync(out, 0o777);
      expect(runUnprivileged(["games", "export", "--db", path, "--out", out]).status).toBe(0);
      const reason = path === inFolder ? `its folder ${readOnlyDir} is read-only` : "the file is read-only";
      expectOneLine(runUnprivileged(["ratings", "--db", path, "--save"]), `${path}: read-only: cannot write (${reason}${path === inFolder ? ", and SQLite writes its journal beside the database" : ""})`);
      expectOneLine(runUnprivileged(["games", "import", "--db", path, "--game", "go:9", csv]), new RegExp(`^fossil: ${path.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: read-only: cannot write \\(`));
    }
    expect([readFileSync(inFolder), readFileSync(readOnlyFile)]).toEqual(before);
    expect(count(readOnlyFile, "SELECT count(*) FROM rating_snapshots")).toBe(0);
    // A new database cannot be made in a read-only folder either.
    expectOneLine(runUnprivileged(["games", "import", "--db", join(readOnlyDir, "new.db"), "--game", "go:9", csv]), /read-only: cannot write \(its folder .* is read-only/);
    expect(existsSync(join(readOnlyDir, "new.db"))).toBe(false);
  });

  itNeeds(needs.unprivileged)("refuses to read, in one line, a database in a read-only folder whose write-ahead log holds unmerged changes", () => {
    const live = join(dir, "live.db");
    const writer = openDatabase(live);
    writer.pragma("wal_autocheckpoint = 0");
    ensurePlayer(writer, { name: "a", kind: "other" });
    const folder = join(dir, "read-only-wal");
    mkdirSync(folder);
    copyFileSync(live, join(folder, "study.db"));
    copyFileSync(`${live}-wal`, join(folder, "study.db-wal"));
    writer.close();
    for (const f of ["study.db", "study.db-wal"]) chmodSync(join(folder, f), 0o644);
    chmodSync(folder, 0o555);
    try {
      expect(statSync(join(folder, "study.db-wal")).size).toBeGreaterThan(0);
      expectOneLine(runUnprivileged(["query", "--db", join(folder, "study.db"), "SELECT 1"]), /^fossil: .*study\.db: cannot read: its folder is read-only and .*study\.db-wal holds changes not yet merged into it/);
    } finally {
      chmodSync(folder, 0o755);
    }
  });
});

describe("CSV results of zero margin", () => {
  it("stores B+0 and W+0.0 as draws, and rates a stored B+0 as one", () => {
    const path = join(dir, "zero-margin.db");
    const csv = join(dir, "zero-margin.csv");
    writeFileSync(csv, "black,white,result\nalpha,beta,B+0\nbeta,alpha,W+0.0\nalpha,beta,B+0.5\n");
    const r = runCli(["games", "import", "--db", path, "--game", "go:9", csv]);
    expect(r.stdout).toBe("stored 3 games, 0 already stored, 0 rejected\n");
    const d = new Database(path, { readonly: true });
    expect(d.prepare("SELECT result, winner, score FROM games ORDER BY id").all()).toEqual([
      { result: "0", winner: null, score: 0 },
      { result: "0", winner: null, score: 0 },
      { result: "B+0.5", winner: 0, score: 0.5 },
    ]);
    d.close();
    expect([blackScoreOf("B+0"), blackScoreOf("W+0.0"), blackScoreOf("B+0.5")]).toEqual([0.5, 0.5, 1]);
  });
});
