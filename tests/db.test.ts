import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { computeLadder, parseAnchor } from "../db/ladder.js";
import { blackScoreOf, fitRatings, type Result } from "../db/ratings.js";
import { APPLICATION_ID, openDatabase, SCHEMA_VERSION } from "../db/schema.js";
import { ensurePlayer, insertGames } from "../db/store.js";
import { decodeGoMoves, encodeGoMoves } from "../games/go/stored.js";
import { InputError } from "../core/errors.js";
import { Rng } from "../core/rng.js";
import { ROOT } from "./helpers/paths.js";

const dir = mkdtempSync(join(tmpdir(), "fossil-db-"));

/** Games between players of known Elo drawn from the Bradley–Terry model itself. */
function simulate(truth: number[], games: number, advantage: number, seed: number): Result[] {
  const rng = Rng.fromSeed(seed);
  const results: Result[] = [];
  for (let g = 0; g < games; g++) {
    const black = rng.int(truth.length);
    let white = rng.int(truth.length - 1);
    if (white >= black) white++;
    const p = 1 / (1 + 10 ** ((truth[white]! - truth[black]! - advantage) / 400));
    results.push({ black, white, blackScore: rng.float() < p ? 1 : 0 });
  }
  return results;
}

describe("Bradley–Terry ratings", () => {
  it("recover known ratings within their 95% intervals", () => {
    // Over many seeds the squared errors average 1.1-1.3 interval variances: the maximum-likelihood
    // estimate's small-sample bias on lopsided pairs. Hence the coverage check, not exactness.
    const truth = [0, -200, 150, 300, 450, 600, 90, 250];
    let inside = 0, total = 0;
    for (let seed = 1; seed <= 5; seed++) {
      const fit = fitRatings(truth.length, simulate(truth, 6000, 40, seed), { anchor: 0, anchorElo: 0, firstMoveAdvantage: true });
      expect(fit.elo[0]).toBe(0);
      expect(fit.ci95[0]).toBe(0);
      for (let p = 1; p < truth.length; p++) {
        total++;
        if (Math.abs(fit.elo[p]! - truth[p]!) <= fit.ci95[p]!) inside++;
        // Never far outside: 2 half-widths are about four standard errors.
        expect(Math.abs(fit.elo[p]! - truth[p]!)).toBeLessThan(2 * fit.ci95[p]!);
        expect(fit.ci95[p]).toBeGreaterThan(10);
        expect(fit.ci95[p]).toBeLessThan(150);
      }
      expect(Math.abs(fit.advantage - 40)).toBeLessThan(2 * fit.advantageCi95);
    }
    // About 95% coverage over 35 intervals.
    expect(inside / total).toBeGreaterThan(0.8);
  });

  it("narrows intervals with more games, as 1/sqrt(n)", () => {
    const truth = [0, 200, 400];
    const small = fitRatings(3, simulate(truth, 1000, 0, 7), { anchor: 0 });
    const large = fitRatings(3, simulate(truth, 16000, 0, 7), { anchor: 0 });
    const ratio = small.ci95[2]! / large.ci95[2]!;
    expect(ratio).toBeGreaterThan(3.2);
    expect(ratio).toBeLessThan(4.8);
  });

  it("gives an unbeaten player a finite rating, counts draws as half, and honours the anchor value", () => {
    const results: Result[] = [];
    for (let i = 0; i < 20; i++) results.push({ black: 1, white: 0, blackScore: 1 }, { black: 2, white: 0, blackScore: 0.5 }, { black: 0, white: 2, blackScore: 0.5 });
    const fit = fitRatings(3, results, { anchor: 0, anchorElo: 1500 });
    expect(Number.isFinite(fit.elo[1]!)).toBe(true);
    expect(fit.elo[1]!).toBeGreaterThan(1500 + 400);
    expect(Math.abs(fit.elo[2]! - 1500)).toBeLessThan(1);
    expect(fit.score[2]).toBe(0.5);
  });

  it("reads results in SGF form", () => {
    expect([blackScoreOf("B+3.5"), blackScoreOf("W+R"), blackScoreOf("0"), blackScoreOf("Draw"), blackScoreOf("?"), blackScoreOf("Void")]).toEqual([1, 0, 0.5, 0.5, null, null]);
    expect(parseAnchor("gtp:gnugo --level=3=1200")).toEqual({ name: "gtp:gnugo --level=3", elo: 1200 });
    expect(() => parseAnchor("random")).toThrow(InputError);
  });
});

describe("game database", () => {
  it("creates the schema, marks the file and refuses foreign or newer files without changing them", () => {
    const path = join(dir, "a.db");
    const db = openDatabase(path);
    expect(db.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma("application_id", { simple: true })).toBe(APPLICATION_ID);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    db.close();
    openDatabase(path).close(); // reopening is fine
    // Another application's SQLite file.
    const other = join(dir, "other.db");
    const o = new Database(other);
    o.exec("CREATE TABLE notes (x TEXT)");
    o.close();
    expect(() => openDatabase(other)).toThrow("not a fossil database (another application's SQLite file); nothing was changed");
    const check = new Database(other);
    expect(check.prepare("SELECT name FROM sqlite_master").all()).toEqual([{ name: "notes" }]);
    check.close();
    // A newer schema.
    const newer = new Database(path);
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    expect(() => openDatabase(path)).toThrow(`database schema version ${SCHEMA_VERSION + 1} is newer than this fossil's ${SCHEMA_VERSION}`);
    // Not SQLite at all.
    const text = join(dir, "text.db");
    writeFileSync(text, "this is not a database, just some text that is long enough to have a header.....");
    expect(() => openDatabase(text)).toThrow(/not a SQLite database/);
  });

  it("stores games in transactions, skips fingerprints already stored, and rates them", () => {
    const db = openDatabase(join(dir, "b.db"));
    const ids = ["random", "rollout:100", "rollout:400"].map((name) => ensurePlayer(db, { name, kind: name === "random" ? "random" : "rollout", game: "go:5" }));
    expect(ensurePlayer(db, { name: "random", kind: "random" })).toBe(ids[0]);
    const truth = [0, 300, 600];
    const rows = simulate(truth, 3000, 0, 3).map((r, k) => ({
      game: "go:5",
      spec: "go:5:tromp-taylor:7",
      blackId: ids[r.black]!,
      whiteId: ids[r.white]!,
      result: r.blackScore === 1 ? "B+R" : "W+R",
      winner: (r.blackScore === 1 ? 0 : 1) as 0 | 1,
      source: "match" as const,
      moves: encodeGoMoves([12, 25], 5),
      fingerprint: `t${k}`,
    }));
    expect(insertGames(db, rows)).toBe(3000);
    expect(insertGames(db, rows.slice(0, 10))).toBe(0);
    expect(decodeGoMoves((db.prepare("SELECT moves FROM games LIMIT 1").get() as { moves: string }).moves, 5)).toEqual([{ player: 0, action: 12 }, { player: 1, action: 25 }]);
    // Colours that do not alternate survive the compact form.
    const odd = [{ player: 1, action: 0 }, { player: 1, action: 6 }, { player: 0, action: 25 }] as const;
    expect(encodeGoMoves(odd, 5)).toBe("AABBtt");
    expect(decodeGoMoves("AABBtt", 5)).toEqual(odd);
    const ladder = computeLadder(db, { game: "go:5", save: true });
    expect(ladder.anchor).toBe("random");
    expect(ladder.rows.map((r) => r.player)).toEqual(["rollout:400", "rollout:100", "random"]);
    for (const row of ladder.rows) expect(Math.abs(row.elo - truth[["random", "rollout:100", "rollout:400"].indexOf(row.player)]!)).toBeLessThan(1.5 * Math.max(row.ci95, 1));
    const view = db.prepare("SELECT player, elo FROM ladder").all() as { player: string; elo: number }[];
    expect(view.map((r) => r.player)).toEqual(["rollout:400", "rollout:100", "random"]);
    const h2h = db.prepare("SELECT sum(games) AS n FROM head_to_head WHERE player = 'random'").get() as { n: number };
    expect(h2h.n).toBe(rows.filter((r) => r.blackId === ids[0] || r.whiteId === ids[0]).length);
    expect(() => computeLadder(db, { game: "connect4" })).toThrow("no rated games of connect4 in the database");
    db.close();
  });

  it("rolls a failing batch back whole", () => {
    const db = openDatabase(join(dir, "c.db"));
    const a = ensurePlayer(db, { name: "a", kind: "other" });
    const good = { game: "go:5", spec: "go:5", blackId: a, whiteId: a, result: "0", winner: null, source: "match" as const };
    expect(() => insertGames(db, [good, good, { ...good, blackId: 999 }])).toThrow(/FOREIGN KEY/);
    expect((db.prepare("SELECT count(*) AS n FROM games").get() as { n: number }).n).toBe(0);
    db.close();
  });
});

describe("db/README.md", () => {
  it("every example query runs on a database with games and ratings", () => {
    const text = readFileSync(join(ROOT, "db/README.md"), "utf8");
    const queries = [...text.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
    queries.push(...[...text.matchAll(/`(SELECT [^`]*;)`/g)].map((m) => m[1]!));
    expect(queries.length).toBeGreaterThanOrEqual(9);
    const db = openDatabase(join(dir, "readme.db"));
    const a = ensurePlayer(db, { name: "random", kind: "random" }), b = ensurePlayer(db, { name: "rollout:200", kind: "rollout" });
    insertGames(db, [
      { game: "go:5", spec: "go:5:tromp-taylor:7", blackId: a, whiteId: b, result: "W+R", winner: 1, source: "match" },
      { game: "go:5", spec: "go:5:tromp-taylor:7", blackId: b, whiteId: a, result: "B+3", winner: 0, score: 3, source: "match" },
      { game: "go:5", spec: "go:5:tromp-taylor:7", blackId: a, whiteId: b, result: "B+1", winner: 0, score: 1, source: "match" },
    ]);
    computeLadder(db, { save: true });
    for (const sql of queries) expect(() => db.prepare(sql).all(), sql).not.toThrow();
    expect(db.prepare("SELECT player FROM ladder LIMIT 1").pluck().get()).toBe("rollout:200");
    db.close();
  });
});

describe("schema migrations", () => {
  it("migrates a version-1 database forward, keeping its games and giving them their specs", () => {
    const path = join(dir, "old.db");
    const db = openDatabase(path);
    const a = ensurePlayer(db, { name: "a", kind: "other" });
    insertGames(db, [
      { game: "go:5", spec: "go:5", blackId: a, whiteId: a, result: "0", winner: null, source: "match" },
      { game: "go:5", spec: "go:5", rules: "chinese komi=0.5", komi: 0.5, blackId: a, whiteId: a, moves: "cc", result: "B+24.5", winner: 0, source: "match" },
      { game: "connect4", spec: "connect4", blackId: a, whiteId: a, moves: "4", result: "0", winner: null, source: "match" },
      // Self-play of the old workers: the rules asked for were stored, the defaults were played.
      { game: "go:5", spec: "go:5", rules: "japanese komi=0.5", komi: 0.5, blackId: a, whiteId: a, moves: "cc", result: "W+11", winner: 1, source: "selfplay" },
    ]);
    db.exec("DROP INDEX games_run; DROP INDEX games_source; DROP INDEX games_family");
    db.exec("DROP TABLE checkpoint_metrics");
    db.exec("DROP TABLE study_steps");
    db.exec("DROP TABLE selfplay_games");
    db.exec("DROP TABLE generations");
    db.exec("DROP TABLE samples");
    db.exec("ALTER TABLE games DROP COLUMN spec");
    db.exec("ALTER TABLE games DROP COLUMN random_moves");
    db.pragma("user_version = 1");
    db.close();
    const again = openDatabase(path);
    expect(again.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
    for (const table of ["samples", "generations", "selfplay_games", "study_steps", "checkpoint_metrics"]) expect(again.prepare(`SELECT count(*) FROM ${table}`).pluck().get()).toBe(0);
    // Version 3 gives every game the spec it was played under, from its rules text.
    expect(again.prepare("SELECT spec FROM games ORDER BY id").pluck().all()).toEqual(["go:5", "go:5:chinese:0.5", "connect4", "go:5:tromp-taylor:7"]);
    expect(again.prepare("SELECT rules || ' ' || komi FROM games WHERE source = 'selfplay'").pluck().get()).toBe("tromp-taylor komi=7 7.0");
    again.close();
  });
});
