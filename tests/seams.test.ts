/**
 * The seams the study stands on: a game travels as its full spec (workers, database, model
 * files), what is stored of a self-play run is what was played, and one grammar names every player.
 */
import Database from "better-sqlite3";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { resultText } from "../core/player.js";
import { Rng } from "../core/rng.js";
import { parseGameSpec } from "../games/index.js";
import { openDatabase } from "../db/schema.js";
import { architectureFor } from "../models/arch.js";
import { initCheckpoint } from "../models/checkpoint.js";
import { OnnxModel } from "../models/inference.js";
import { DEFAULT_SELFPLAY, playSelfPlay, type PlayedGame, type SelfPlayParams } from "../selfplay/selfplay.js";
import { kindOf, kindOfName, parsePlayerSpec, specText } from "../selfplay/spec.js";
import { runSelfPlay } from "../src/play/selfplay.js";
import { runCli } from "./helpers/cli.js";
import { itNeeds, needs } from "./helpers/needs.js";

const dir = mkdtempSync(join(tmpdir(), "fossil-seams-"));
const model = join(dir, "go5.onnx");
const params: SelfPlayParams = { ...DEFAULT_SELFPLAY, fullSimulations: 8, cheapSimulations: 2, concurrentGames: 4, resignThreshold: 0 };

beforeAll(() => {
  // A small network of the default rules (go:5:tromp-taylor:25): rules and komi are inputs, not shapes.
  initCheckpoint(model, architectureFor(parseGameSpec("go:5"), 1, 8), 7, "seams");
});

describe("a game travels as its full spec", () => {
  it("parses specs into canonical ones that parse back to the same game", () => {
    for (const [text, spec] of [
      ["go:9", "go:9:tromp-taylor:7"],
      ["GO:9:Chinese", "go:9:chinese:7.5"],
      ["go:5:japanese:0.5", "go:5:japanese:0.5"],
      ["go:7:tromp-taylor:-2.5", "go:7:tromp-taylor:-2.5"],
      ["c4", "connect4"],
    ]) {
      const game = parseGameSpec(text!);
      expect(game.spec).toBe(spec);
      expect(parseGameSpec(game.spec).spec).toBe(spec);
      expect(parseGameSpec(game.spec).rulesColumns()).toEqual(game.rulesColumns());
    }
    expect(parseGameSpec("go:9:chinese:7.5").id).toBe("go:9");
  });

  it("self-play on worker threads plays and stores the rules and komi asked for, as the main thread plays them", async () => {
    const game = parseGameSpec("go:5:japanese:0.5");
    const db = openDatabase(join(dir, "rules.db"));
    const summary = await runSelfPlay(db, { game, model, games: 6, params, seed: 5, run: "rules", workers: 1 });
    expect(summary.games).toBe(6);
    const rows = db.prepare("SELECT spec, rules, komi, moves, setup, result, score FROM games ORDER BY id").all() as {
      spec: string; rules: string; komi: number; moves: string; setup: null; result: string; score: number;
    }[];
    db.close();
    expect(rows).toHaveLength(6);
    for (const row of rows) {
      expect([row.spec, row.rules, row.komi]).toEqual(["go:5:japanese:0.5", "japanese komi=0.5", 0.5]);
      // Komi 0.5 leaves half a point in every area count; the stored result is the rules' own.
      expect(Math.abs(row.score % 1)).toBe(0.5);
      const final = parseGameSpec(row.spec).replay(row);
      expect(resultText(final.outcome()!)).toBe(row.result);
    }
    // The main thread with the same network and seed plays the same games: the workers encoded
    // komi 0.5 and Japanese ko in their input planes and rules, not the defaults.
    const onnx = await OnnxModel.load(model, { expect: game });
    const root = Rng.fromSeed(5);
    const here: PlayedGame[] = [];
    await playSelfPlay(game, 6, params, (planes, count) => onnx.evaluate(planes, count), (i) => root.split("selfplay", i), (g) => {
      here.push(g);
    });
    await onnx.close();
    expect(rows.map((r) => r.moves).sort()).toEqual(here.map((g) => game.movesText(g.actions)).sort());
  });

  it("stores a model's game spec in its metadata, and self-play defaults to it", () => {
    const own = join(dir, "chinese.onnx");
    expect(runCli(["model", "init", "--game", "go:5:chinese:5.5", "--blocks", "1", "--filters", "8", "--out", own]).status).toBe(0);
    expect(runCli(["model", "info", own]).stdout).toContain("game: go:5:chinese:5.5");
    const db = join(dir, "own.db");
    const r = runCli(["selfplay", "--model", own, "--games", "2", "--sims", "8", "--workers", "1", "--db", db]);
    expect(r.stderr).not.toContain("Error");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("2 games of go:5:chinese:5.5");
    const d = new Database(db, { readonly: true });
    expect(d.prepare("SELECT DISTINCT spec FROM games").pluck().all()).toEqual(["go:5:chinese:5.5"]);
    expect(JSON.parse(d.prepare("SELECT config FROM runs").pluck().get() as string).game).toBe("go:5:chinese:5.5");
    d.close();
    // Another game family does not fit the model; other rules of its family do.
    expect(runCli(["selfplay", "--model", own, "--game", "go:7", "--games", "1", "--db", db]).stderr).toBe(`fossil: ${own}: model does not fit: it is for go:5, not go:7; its board is 5x5, not 7x7\n`);
  });
});

describe("one source of truth per setting", () => {
  it("stores the self-play settings that were played, each once", async () => {
    const db = openDatabase(join(dir, "settings.db"));
    await runSelfPlay(db, { game: parseGameSpec("go:5"), model, games: 2, params, seed: 1, run: "settings", workers: 1 });
    const search = JSON.parse(db.prepare("SELECT search FROM players WHERE kind = 'network'").pluck().get() as string);
    const config = JSON.parse(db.prepare("SELECT config FROM runs").pluck().get() as string);
    const samples = db.prepare("SELECT visits FROM samples").pluck().all() as Buffer[];
    db.close();
    expect(search).toEqual(JSON.parse(JSON.stringify(params)));
    expect(config.params).toEqual(search);
    // Simulation counts appear once, as the full and cheap searches' budgets.
    const keys = (o: object): string[] => Object.entries(o).flatMap(([k, v]) => (typeof v === "object" && v !== null ? keys(v) : [k]));
    expect(keys(search).filter((k) => /simulation/i.test(k)).sort()).toEqual(["cheapSimulations", "fullSimulations"]);
    // A full search's visit counts reach its budget (a reused tree may bring more).
    for (const blob of samples) {
      const visits = new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4);
      expect(visits.reduce((s, v) => s + v, 0)).toBeGreaterThanOrEqual(params.fullSimulations - 1);
    }
  });
});

describe("one grammar of player specs", () => {
  it("gives every engine and level one canonical name and kind", () => {
    const canonical = (text: string): string => specText(parsePlayerSpec(text));
    expect(canonical("gnugo")).toBe("gnugo:10");
    expect(canonical("GNUGO:3")).toBe("gnugo:3");
    expect(canonical("builtin")).toBe("builtin:200");
    expect(canonical("solver:0")).toBe("solver");
    expect(canonical("solver:0.10")).toBe("solver:0.1");
    expect(canonical("mcts:models/a:b.onnx:16")).toBe("mcts:models/a:b.onnx:16");
    expect(kindOf(parsePlayerSpec("gnugo:3"))).toBe("gtp");
    expect(kindOfName("gnugo:3")).toBe("gtp");
    expect(kindOfName("Lee Sedol", "human")).toBe("human");
    expect(() => parsePlayerSpec("gnugo:11")).toThrow('player "gnugo:11": GNU Go levels are 0 to 10, got "11"');
    expect(() => parsePlayerSpec("mcts:m.onnx:0")).toThrow("mcts:MODEL:SIMS");
  });

  itNeeds(needs.gnugo)("stores GNU Go as one player whether it teaches or plays a match", () => {
    const db = join(dir, "gnugo.db");
    expect(runCli(["data", "generate", "--teacher", "gnugo:1", "--game", "go:5", "--games", "2", "--min-moves", "1", "--db", db]).status).toBe(0);
    const m = runCli(["match", "--game", "go:5", "--black", "gnugo:1", "--white", "random", "--games", "2", "--swap", "--db", db]);
    expect(m.stderr).not.toContain("no result");
    expect(m.status).toBe(0);
    const d = new Database(db, { readonly: true });
    const players = d.prepare("SELECT name, kind FROM players WHERE name LIKE '%gnu%'").all();
    const sources = d.prepare("SELECT DISTINCT g.source FROM games g JOIN players p ON p.id IN (g.black_id, g.white_id) WHERE p.name = 'gnugo:1' ORDER BY 1").pluck().all();
    d.close();
    expect(players).toEqual([{ name: "gnugo:1", kind: "gtp" }]);
    expect(sources).toEqual(["match", "teacher"]);
  });
});

