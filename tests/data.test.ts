/** The prior's data: human game import with filters and deduplication by moves. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { rankValue } from "../src/data/import.js";
import { runCli } from "./helpers/cli.js";
import { itNeeds, needs } from "./helpers/needs.js";

const dir = mkdtempSync(join(tmpdir(), "fossil-data-"));

describe("fossil data import", () => {
  it("reads ranks on one scale", () => {
    expect([rankValue("30k"), rankValue("10k"), rankValue("1k"), rankValue("1d"), rankValue("3d?"), rankValue("11d"), rankValue("2p"), rankValue("?"), rankValue(undefined)]).toEqual([-29, -9, 0, 1, 3, 11, 22, null, null]);
  });

  it("applies every filter with a reason per rejected game, dedupes by moves, and summarises", () => {
    const long = ";B[cc];W[gg];B[cg];W[gc];B[ee];W[ce];B[ec];W[eg]";
    const sgf = join(dir, "mixed.sgf");
    writeFileSync(
      sgf,
      [
        `(;GM[1]SZ[9]PB[ann]PW[bob]BR[3k]WR[5k]RE[B+R]${long})`,
        `(;GM[1]SZ[9]PB[cat]PW[dan]BR[1d]WR[2k]RE[W+R]${long})`, // same moves as game 1
        `(;GM[1]SZ[13]PB[eve]PW[fay]BR[1d]WR[1d]RE[B+R]${long})`,
        `(;GM[1]SZ[9]PB[gus]PW[hal]BR[1d]WR[1d]RE[B+R];B[cc];W[gg])`,
        `(;GM[1]SZ[9]PB[ivy]PW[jo]BR[15k]WR[1d]RE[B+R]${long};B[dd])`,
        `(;GM[1]SZ[9]PB[GnuGo-bot]PW[kim]BR[1d]WR[1d]RE[B+R]${long};B[df])`,
        `(;GM[1]SZ[9]HA[2]AB[cc][gg]PB[lu]PW[mo]BR[1d]WR[1d]RE[B+R];W[ee];B[ec];W[ce];B[eg];W[ge];B[dd])`,
        `(;GM[1]SZ[9]PB[nia]PW[ole]RE[B+R]${long};B[dg])`,
        `(;GM[1]SZ[9]PB[pia]PW[quin]BR[2d]WR[4k]RE[B+R]${long};B[fd])`,
      ].join("\n"),
    );
    const db = join(dir, "human.db");
    const r = runCli(["data", "import", "--db", db, "--size", "9", "--min-moves", "5", "--min-rank", "10k", "--exclude-players", "bot", "--even", sgf]);
    expect(r.status).toBe(0);
    expect(r.stderr.trim().split("\n").filter((line) => !line.startsWith("next:"))).toEqual([
      `${sgf}: game 3: board 13x13, not 9x9`,
      `${sgf}: game 4: only 2 moves (at least 5 wanted)`,
      `${sgf}: game 5: ivy is 15k, below 10k`,
      `${sgf}: game 6: player "GnuGo-bot" matches --exclude-players`,
      `${sgf}: game 7: handicap game (--even)`,
      `${sgf}: game 8: rank of nia unknown (no BR/WR)`,
    ]);
    // The summary counts each kind of reason once, whatever the players' names and ranks.
    expect(r.stdout.trim().split("\n")).toEqual([
      "stored 2 human games, 1 duplicates (same moves) skipped, 6 rejected:",
      "       1  board not 9x9 (--size)",
      "       1  fewer than 5 moves (--min-moves)",
      "       1  handicap game (--even)",
      "       1  player matches --exclude-players",
      "       1  rank below 10k (--min-rank)",
      "       1  rank unknown (--min-rank)",
    ]);
    const d = new Database(db, { readonly: true });
    expect(d.prepare("SELECT count(*) FROM games WHERE source = 'human'").pluck().get()).toBe(2);
    expect(d.prepare("SELECT group_concat(name) FROM (SELECT name FROM players WHERE kind = 'human' ORDER BY name)").pluck().get()).toBe("ann,bob,pia,quin");
    expect(d.prepare("SELECT rank FROM players WHERE name = 'ann'").pluck().get()).toBe("3k");
    d.close();
    // CSV holds results, not games.
    const csv = join(dir, "r.csv");
    writeFileSync(csv, "black,white,result\na,b,B+R\n");
    const c = runCli(["data", "import", "--db", db, csv]);
    expect(c.stderr).toBe(`${csv}: CSV holds results, not games; give SGF files\nfossil: no game was stored: every game was rejected (see the reasons above)\n`);
    expect(c.status).toBe(2);
    expect(runCli(["data", "import", "--db", db, "--min-rank", "strong", sgf]).stderr).toBe('fossil: --min-rank must look like 10k, 1d or 2p, got "strong"\n');
  });
});

describe("move prediction metrics", () => {
  itNeeds(needs.sharedData)("counts top-1 and top-3 hits and the outcome error exactly, with Wilson intervals", async () => {
    const { predictionMetrics, wilson } = await import("../src/eval/predict.js");
    const { parseGameSpec } = await import("../games/index.js");
    const { readGoRecords, replay } = await import("../games/go/record.js");
    const { storedOfRecord } = await import("../games/go/stored.js");
    const { readFileSync } = await import("node:fs");
    const { sharedFile } = await import("./helpers/paths.js");
    const game = parseGameSpec("go:9");
    const records = readGoRecords(readFileSync(sharedFile("go9-ogs-human/part-05.sgf"), "utf8")).slice(0, 40);
    // A stand-in network that prefers lower action indices and always predicts a draw.
    const model = {
      async evaluate(_planes: Float32Array, count: number) {
        const policy = new Float32Array(count * game.actionCount);
        for (let i = 0; i < count; i++) for (let a = 0; a < game.actionCount; a++) policy[i * game.actionCount + a] = -a;
        return { policy, value: new Float32Array(count) };
      },
    };
    // The same counts by hand: the played move's rank among legal moves by index.
    let top1 = 0, top3 = 0, positions = 0;
    for (const r of records) {
      replay(r, (state, move) => {
        const mask = state.legalMask();
        let below = 0;
        for (let a = 0; a < move.action; a++) if (mask[a] === 1) below++;
        if (below === 0) top1++;
        if (below < 3) top3++;
        positions++;
      });
    }
    const report = await predictionMetrics(model, game, records.map((r) => ({ stored: storedOfRecord(r), result: r.result })), 100);
    expect(report.positions).toBe(positions);
    expect(report.games).toBe(40);
    expect(report.top1.value).toBe(top1 / positions);
    expect(report.top3.value).toBe(top3 / positions);
    expect(report.outcomeMse).toBe(1); // decisive games, value 0
    expect(report.outcomeMseCi95).toBe(0);
    const w = wilson(50, 100);
    expect(w.low).toBeCloseTo(0.4038, 3);
    expect(w.high).toBeCloseTo(0.5962, 3);
  });
});

describe("fossil data generate (GNU Go teacher)", () => {
  itNeeds(needs.gnugo)("stores varied, legal, reproducible teacher games and drops none", async () => {
    const { parseGameSpec } = await import("../games/index.js");
    const run = (name: string, seed: number): { spec: string; moves: string; result: string; rules: string; setup: null; id: number }[] => {
      const db = join(dir, name);
      const r = runCli(["data", "generate", "--teacher", "gnugo", "--game", "go:7:tromp-taylor:9", "--games", "6", "--workers", "2", "--seed", String(seed), "--db", db]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^stored \d+ teacher games, \d+ duplicates \(same moves\) skipped, 0 dropped\n$/);
      const d = new Database(db, { readonly: true });
      const rows = d.prepare("SELECT id, spec, moves, result, rules, setup FROM games WHERE source = 'teacher' ORDER BY moves").all() as never[];
      d.close();
      return rows;
    };
    const a = run("t1.db", 3), b = run("t2.db", 3);
    expect(a.length).toBeGreaterThanOrEqual(5);
    expect(b.map((g) => g.moves)).toEqual(a.map((g) => g.moves));
    const game = parseGameSpec("go:7:tromp-taylor:9");
    for (const g of a) {
      let moves = 0;
      expect(g.spec).toBe(game.spec);
      expect(g.rules).toBe("tromp-taylor komi=9");
      game.replay(g, () => moves++); // throws on an illegal move
      expect(moves).toBe(g.moves.length / 2);
    }
  });

  it("refuses GNU Go teachers it cannot use, and the built-in teacher needs no GNU Go", () => {
    expect(runCli(["data", "generate", "--teacher", "gnugo:11", "--game", "go:7", "--db", join(dir, "x.db")]).stderr).toBe('fossil: player "gnugo:11": GNU Go levels are 0 to 10, got "11"\n');
    const builtin = runCli(["data", "generate", "--teacher", "builtin:20", "--game", "go:5", "--games", "3", "--db", join(dir, "b.db")]);
    expect(builtin.stdout).toMatch(/^stored [23] teacher games, [01] duplicates \(same moves\) skipped, 0 dropped\n$/);
    expect(runCli(["data", "generate", "--teacher", "gnugo", "--game", "connect4", "--db", join(dir, "x.db")]).stderr).toBe('fossil: player "gnugo": GTP engines play Go only, not connect4\n');
  });

  it("Connect Four: the solver as an imperfect teacher, and supervised training on its games", () => {
    const db = join(dir, "c4.db");
    const r = runCli(["data", "generate", "--teacher", "solver:0.1", "--game", "connect4", "--games", "12", "--openings", "2", "--db", db]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^stored 1[0-2] teacher games, [0-2] duplicates \(same moves\) skipped, 0 dropped\n$/);
    const d = new Database(db, { readonly: true });
    const rows = d.prepare("SELECT moves, result FROM games").all() as { moves: string; result: string }[];
    d.close();
    for (const g of rows) expect(g.moves).toMatch(/^[1-7]+$/);
    const t = runCli(["train", "sl", "--db", db, "--game", "connect4", "--source", "teacher", "--blocks", "1", "--filters", "8", "--batch", "32", "--epochs", "1", "--validation", "0.2", "--out", join(dir, "c4.onnx")]);
    expect(t.status).toBe(0);
    expect(t.stderr).toMatch(/epoch 1: .*\(best, saved\)/);
    expect(runCli(["data", "generate", "--teacher", "solver", "--game", "go:9", "--db", db]).stderr).toBe('fossil: player "solver": the solver plays Connect Four only, not go:9\n');
  });
});

describe("random moves in teacher games", () => {
  it("are recorded (openings and the solver's errors) and left out of policy targets and move prediction, not of values", async () => {
    const { openDatabase } = await import("../db/schema.js");
    const { parseGameSpec } = await import("../games/index.js");
    const { generateTeacherGames } = await import("../src/data/teacher.js");
    const { positionsOf, randomPlies, selectGames } = await import("../src/train/dataset.js");
    const { predictionMetrics } = await import("../src/eval/predict.js");
    const game = parseGameSpec("connect4");
    const db = openDatabase(join(mkdtempSync(join(tmpdir(), "fossil-random-")), "t.db"));
    // Errors half the time: most games hold some besides their opening moves.
    const done = await generateTeacherGames(db, { game, teacher: "solver:0.5", games: 6, openingMoves: 2, workers: 2, seed: 3, minMoves: 1 });
    expect(done.stored).toBeGreaterThan(0);
    const { games } = selectGames(db, game, "teacher");
    let random = 0, moves = 0;
    for (const g of games) {
      const plies = randomPlies(g.random_moves);
      random += plies.size;
      moves += g.moves.length;
      for (const ply of plies) expect(ply).toBeLessThan(g.moves.length);
      // Each game starts with its 0-2 opening moves, all random.
      const batch = positionsOf(game, [g]);
      for (let i = 0; i < batch.size; i++) {
        const target = batch.policy.subarray(i * 7, (i + 1) * 7).reduce((s, p) => s + p, 0);
        expect(target, `game ${g.id}, ply ${i}`).toBe(plies.has(i) ? 0 : 1);
        expect(Math.abs(batch.value[i]!)).toBeLessThanOrEqual(1);
      }
    }
    // Some but not all moves were random (opening moves, and about half of the solver's).
    expect(random).toBeGreaterThan(games.length);
    expect(random).toBeLessThan(moves);
    // Move prediction counts every position for the outcome, and only chosen moves for top-1.
    const uniform = { evaluate: async (_planes: Float32Array, count: number) => ({ policy: new Float32Array(count * 7), value: new Float32Array(count) }) };
    const report = await predictionMetrics(uniform, game, games.map((g) => ({ stored: g, result: g.result, random: randomPlies(g.random_moves) })));
    expect(report.positions).toBe(moves);
    expect(report.moves).toBe(moves - random);
    expect(report.outcomePositions).toBe(moves);
    db.close();
  }, 120_000);
});
