/**
 * The self-play training loop: its parts (replay window, resignation calibration, samples as
 * training targets, passes only on a settled board) and a smoke run end to end, interrupted and
 * resumed to the same checkpoints.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Rng } from "../core/rng.js";
import { openDatabase, type Db } from "../db/schema.js";
import { ensurePlayer, gameColumns, insertGamesWithSamples, outcomeColumns } from "../db/store.js";
import { parseGameSpec } from "../games/index.js";
import type { GoState } from "../games/go/state.js";
import { calibrateResignation, checkLoopOptions, generationModel, runLoop, type LoopEvent, type LoopOptions } from "../src/train/generations.js";
import { OnnxModel } from "../models/inference.js";
import type { GameState } from "../games/game.js";
import { SampleCache, windowBatches, windowSize } from "../src/train/samples.js";
import { choosePrecision, INT8_GATE, INT8_MATCH, int8Path, lossPValue, matchDue, precisionPositions } from "../src/train/precision.js";
import { blackScoreOf } from "../db/ratings.js";
import { generationLine } from "../src/commands/loop.js";
import { DEFAULT_SELFPLAY, playSelfPlay, type BatchEvaluator } from "../selfplay/selfplay.js";
import { runCli } from "./helpers/cli.js";
import { position } from "./helpers/go.js";

const dir = mkdtempSync(join(tmpdir(), "fossil-loop-"));

describe("the replay window", () => {
  it("holds every sample up to its minimum, then grows as min(1 + 0.4((N/min)^0.75 - 1)/0.75)", () => {
    expect(windowSize(0, 1000)).toBe(0);
    expect(windowSize(999, 1000)).toBe(999);
    expect(windowSize(1000, 1000)).toBe(1000);
    // 16x the minimum: 16^0.75 = 8, so 1000 (1 + 0.4 * 7 / 0.75) = 4733.
    expect(windowSize(16_000, 1000)).toBe(4733);
  });
});

describe("resignation calibration", () => {
  const game = (black: number, white: number, winner: 0 | 1 | null) => ({ lowest: [black, white] as const, winner });

  it("picks the lowest threshold whose would-be resignations are at most 5% false (one standard error above the estimate), and none without evidence", () => {
    // 40 games: the loser saw -0.95 (every game), one winner -0.85 and one -0.7.
    const games = [];
    for (let i = 0; i < 40; i++) games.push(i % 2 === 0 ? game(-0.95, 0.5, 1) : game(0.5, -0.95, 0));
    games[0] = game(-0.95, -0.85, 1); // White won after seeing -0.85: a false resignation below 0.85
    games[1] = game(-0.7, -0.95, 0); // Black won after seeing -0.7
    // 0.94 .. 0.85: 40 would-be resignations, none false: Wilson's upper end 1/41 = 2.4%.
    // 0.84: 41, one false: 2.4% estimated, 6.2% at its upper end: over 5%, so 0.85.
    expect(calibrateResignation(games, 0.05)).toBe(0.85);
    // Allowing 10%: 0.69 .. 0.5: 42, two false: 4.8%, upper end 9.2%: the lowest tried, 0.5.
    expect(calibrateResignation(games, 0.1)).toBe(0.5);
    // Allowing 2%: even 0 of 40 is not enough evidence.
    expect(calibrateResignation(games, 0.02)).toBeNull();
    // No would-be resignation at all, or too few games: no resigning.
    expect(calibrateResignation(games.map(() => game(0.2, -0.3, 0)), 0.05)).toBeNull();
    expect(calibrateResignation(games.slice(0, 9), 0.05)).toBeNull();
    // A value head that is sure and wrong: every would-be resignation false, no threshold.
    expect(calibrateResignation(games.map(() => game(-0.99, 0.9, 0)), 0.05)).toBeNull();
  });
});

describe("samples as training targets", () => {
  it("replays each sampled ply (a resigned game's last position too): normalised visits, legal mask, the result for the side to move", () => {
    const game = parseGameSpec("connect4");
    const db = openDatabase(join(dir, "samples.db"));
    const run = db.prepare("INSERT INTO runs (name, code_version) VALUES ('r', 't')").run().lastInsertRowid as number;
    const p = ensurePlayer(db, { name: "p", kind: "other" });
    const visits = (counts: Record<number, number>): Float32Array => Float32Array.from({ length: 7 }, (_, a) => counts[a] ?? 0);
    const row = (actions: number[], outcome: Parameters<typeof outcomeColumns>[0]) => ({ ...gameColumns(game, actions), blackId: p, whiteId: p, ...outcomeColumns(outcome), source: "selfplay" as const, runId: run });
    const ids = insertGamesWithSamples(db, [
      // The first player wins in column 4 (index 3) after 3-3-3 / 0-0-0 alternation.
      { game: row([3, 0, 3, 0, 3, 0, 3], { winner: 0, score: NaN, reason: "connect" }), samples: [{ ply: 0, toPlay: 0, visits: visits({ 3: 6, 2: 2 }) }, { ply: 5, toPlay: 1, visits: visits({ 3: 1, 0: 3 }) }] },
      // The second player resigns in the position after both moves.
      { game: row([3, 3], { winner: 0, score: NaN, reason: "resign" }), samples: [{ ply: 2, toPlay: 0, visits: visits({ 2: 5 }) }] },
    ]);
    ids.forEach((id, index) => db.prepare("INSERT INTO selfplay_games (game_id, generation, game_index, resign_disabled, lowest_black, lowest_white) VALUES (?, 0, ?, 1, 0, 0)").run(id, index));
    const window = new SampleCache(game).window(db, run, 100);
    expect(window.samples).toBe(3);
    const [resigned, won] = window.batches; // latest game first
    expect(Array.from(won!.policy.subarray(0, 7))).toEqual([0, 0, 0.25, 0.75, 0, 0, 0]);
    expect(Array.from(won!.policy.subarray(7, 14))).toEqual([0.75, 0, 0, 0.25, 0, 0, 0]);
    expect(Array.from(won!.value)).toEqual([1, -1]); // the first player won: +1 for it, -1 for the second
    expect(Array.from(won!.mask.subarray(0, 7))).toEqual([1, 1, 1, 1, 1, 1, 1]);
    // Ply 2 of the resigned game: the first player to move, and it won.
    expect(resigned!.size).toBe(1);
    expect(Array.from(resigned!.value)).toEqual([1]);
    expect(Array.from(resigned!.policy.subarray(0, 7))).toEqual([0, 0, 1, 0, 0, 0, 0]);
    // Batches draw every window position once before any twice.
    const drawn = [...windowBatches(game, window.batches, 3, 3, Rng.fromSeed(1))];
    expect(drawn.map((b) => b.size)).toEqual([3]);
    expect(Array.from(drawn[0]!.value).sort()).toEqual([-1, 1, 1]);
    db.close();
  });
});

describe("passes in search", () => {
  it("Go's search mask leaves out moves into one-point own eyes, and the pass until no other move is left", () => {
    const open = position(["X . . . .", ". . . . .", ". . . . .", ". . . . .", ". . . . ."].join("\n"));
    expect(open.searchMask()[25]).toBe(0);
    expect(open.legalMask()[25]).toBe(1);
    // Black's stones everywhere but three one-point eyes on the top edge: its only legal moves fill them.
    const settled = position([". X . X .", "X X X X X", "X X X X X", "X X X X X", "X X X X X"].join("\n"));
    expect(Array.from(settled.legalMask()).filter((m) => m === 1)).toHaveLength(4);
    expect(Array.from(settled.searchMask()).flatMap((m, a) => (m === 1 ? [a] : []))).toEqual([25]);
    // B3 (action 11) surrounded by Black: an eye, unless White holds two of its diagonals (a false eye, open to play).
    const eye = (diagonal: string): GoState => position([". . . . .", `. X ${diagonal} . .`, "X . X . .", `. X ${diagonal} . .`, ". . . . ."].join("\n"));
    expect([eye("X").legalMask()[11], eye("X").searchMask()[11]]).toEqual([1, 0]);
    expect([eye("O").legalMask()[11], eye("O").searchMask()[11]]).toEqual([1, 1]);
  });

  it("self-play on Go never passes while an open point is left to play", async () => {
    const game = parseGameSpec("go:5");
    const evaluate: BatchEvaluator = async (_planes, count) => {
      // A network that loves passing: the pass gets almost all the prior.
      const policy = new Float32Array(count * game.actionCount);
      for (let i = 0; i < count; i++) policy[i * game.actionCount + 25] = 10;
      return { policy, value: new Float32Array(count) };
    };
    const root = Rng.fromSeed(3);
    let passes = 0;
    await playSelfPlay(game, 4, { ...DEFAULT_SELFPLAY, fullSimulations: 8, cheapSimulations: 2, resignThreshold: 0 }, evaluate, (i) => root.split("g", i), (played) => {
      game.replay({ spec: game.spec, moves: game.movesText(played.actions), setup: null }, (state, action) => {
        if (action !== 25) return;
        passes++;
        expect((state as GoState).searchMask()[25]).toBe(1);
      });
      expect(played.actions.length).toBeGreaterThan(10);
    });
    expect(passes).toBeGreaterThan(0);
  });
});

describe("the loop", () => {
  const options = (db: string, models: string): LoopOptions => ({
    game: parseGameSpec("connect4"),
    run: "smoke",
    models,
    blocks: 1,
    filters: 8,
    seed: 7,
    generations: 2,
    games: 12,
    sims: 8,
    cheapSims: 2,
    batch: 16,
    lr: 0.02,
    reuse: 2,
    windowMin: 500,
    resignFrom: 1,
    falseResignations: 0.05,
    concurrent: 1,
    workers: 1,
    search: "puct",
  });
  const open = (name: string): { db: Db; models: string } => ({ db: openDatabase(join(dir, `${name}.db`)), models: join(dir, `${name}-models`) });

  it("trains generation after generation, stores what each cost, registers each network, and an interrupted run ends with the same checkpoints", async () => {
    const a = open("whole");
    const whole = await runLoop(a.db, options(a.db.name, a.models));
    expect(whole).toMatchObject({ generations: 2, trainedNow: 2, stopped: false });
    const rows = a.db.prepare("SELECT * FROM generations ORDER BY generation").all() as Record<string, number | null>[];
    expect(rows.map((r) => [r.generation, r.games])).toEqual([[0, 12], [1, 12]]);
    for (const r of rows) {
      expect(r.samples).toBeGreaterThan(0);
      expect(r.evaluations).toBeGreaterThan(r.moves!);
      expect(r.train_steps).toBe(Math.floor(Math.max(16, Math.round(r.samples! * 2)) / 16));
      expect(r.selfplay_cpu_seconds).toBeGreaterThan(0);
      expect(r.train_cpu_seconds).toBeGreaterThan(0);
      expect(r.trained_at).not.toBeNull();
    }
    expect(rows[0]!.resign_threshold).toBeNull(); // resignation off before --resign-from
    const players = a.db.prepare("SELECT name, generation, compute FROM players WHERE kind = 'network' ORDER BY generation").all() as { name: string; generation: number; compute: string }[];
    expect(players.map((p) => p.generation)).toEqual([0, 1, 2]);
    expect(players[0]!.name).toMatch(/^mcts:smoke-g0000@[0-9a-f]{10}:8$/);
    expect(JSON.parse(players[0]!.compute)).toMatchObject({ generations: 0, evaluations: 0 });
    expect(JSON.parse(players[2]!.compute)).toMatchObject({ generations: 2, games: 24, evaluations: rows[0]!.evaluations! + rows[1]!.evaluations! });
    expect(a.db.prepare("SELECT count(*) FROM games WHERE fingerprint LIKE 'loop:%'").pluck().get()).toBe(24);
    // A rerun has nothing to do; more generations continue the run.
    expect(await runLoop(a.db, options(a.db.name, a.models))).toMatchObject({ trainedNow: 0 });

    // The same run interrupted: once in self-play (after its first stored chunk), once in training.
    const b = open("interrupted");
    const stopAt = (phase: LoopEvent["phase"], generation: number) => {
      const controller = new AbortController();
      return {
        signal: controller.signal,
        onEvent: (e: LoopEvent) => {
          if (e.phase === phase && (e.phase === "selfplay" ? e.generation === generation && e.games > 0 : e.phase === "train" && e.generation === generation)) controller.abort();
        },
      };
    };
    const first = stopAt("selfplay", 1);
    expect(await runLoop(b.db, { ...options(b.db.name, b.models), signal: first.signal }, first.onEvent)).toMatchObject({ stopped: true, generations: 1 });
    const stoppedGames = b.db.prepare("SELECT games FROM generations WHERE generation = 1").pluck().get() as number;
    expect(stoppedGames).toBeGreaterThan(0);
    expect(stoppedGames).toBeLessThan(12);
    const second = stopAt("train", 1);
    expect(await runLoop(b.db, { ...options(b.db.name, b.models), signal: second.signal }, second.onEvent)).toMatchObject({ stopped: true, generations: 1 });
    expect(await runLoop(b.db, options(b.db.name, b.models))).toMatchObject({ stopped: false, trainedNow: 1 });
    // Training changed the network, and the generations' games with it.
    expect(readFileSync(generationModel(a.models, "smoke", 1))).not.toEqual(readFileSync(generationModel(a.models, "smoke", 0)));
    for (const g of [0, 1, 2]) {
      expect(readFileSync(generationModel(b.models, "smoke", g)), `generation ${g}`).toEqual(readFileSync(generationModel(a.models, "smoke", g)));
    }
    const moves = (db: Db): string[] => db.prepare("SELECT fingerprint || ' ' || moves FROM games ORDER BY fingerprint").pluck().all() as string[];
    expect(moves(b.db)).toEqual(moves(a.db));
    a.db.close();
    b.db.close();
  }, 240_000);

  it("with --precision int8, judges each generation's int8 model once against fp32 on window positions, plays it where it passes, and a rerun plays the same games", async () => {
    const runs = [open("int8"), open("int8-again")];
    for (const r of runs) await runLoop(r.db, { ...options(r.db.name, r.models), precision: "int8" });
    const rows = runs[0]!.db.prepare("SELECT generation, selfplay_precision AS precision, int8_value_gap AS value, int8_policy_kl AS kl, int8_top1 AS top1 FROM generations ORDER BY generation").all() as { generation: number; precision: string; value: number; kl: number; top1: number }[];
    expect(rows.map((r) => r.generation)).toEqual([0, 1]);
    for (const r of rows) {
      const passes = r.value <= INT8_GATE.valueMean && r.kl <= INT8_GATE.policyKl && r.top1 >= INT8_GATE.top1Agreement;
      expect(r.precision).toBe(passes ? "int8" : "fp32");
      expect(existsSync(int8Path(generationModel(runs[0]!.models, "smoke", r.generation)))).toBe(true);
    }
    expect(rows.some((r) => r.precision === "int8")).toBe(true);
    // The int8 models and the games they played are the same in a second run with the same seed.
    for (const g of [0, 1]) expect(readFileSync(int8Path(generationModel(runs[1]!.models, "smoke", g)))).toEqual(readFileSync(int8Path(generationModel(runs[0]!.models, "smoke", g))));
    const moves = (db: Db): string[] => db.prepare("SELECT fingerprint || ' ' || moves FROM games ORDER BY fingerprint").pluck().all() as string[];
    expect(moves(runs[1]!.db)).toEqual(moves(runs[0]!.db));
    // Self-play played the int8 model: where it did, the games differ from those of the same run in fp32.
    const fp32 = open("int8-as-fp32");
    await runLoop(fp32.db, options(fp32.db.name, fp32.models));
    const gamesOf = (db: Db, g: number): string[] => db.prepare("SELECT g.moves FROM games g JOIN selfplay_games s ON s.game_id = g.id WHERE s.generation = ? ORDER BY s.game_index").pluck().all(g) as string[];
    const first = rows.find((r) => r.precision === "int8")!.generation;
    expect(gamesOf(runs[0]!.db, first)).not.toEqual(gamesOf(fp32.db, first));
    if (rows[0]!.precision === "fp32") expect(gamesOf(runs[0]!.db, 0)).toEqual(gamesOf(fp32.db, 0));
    fp32.db.close();
    // The match gate: played by the first generation whose int8 model passed, not again within
    // INT8_MATCH.every generations; its stored score and p-value are those of its games.
    const gated = runs[0]!.db.prepare("SELECT generation, int8_match_id AS id, int8_match_score AS score, int8_match_p AS p FROM generations ORDER BY generation").all() as { generation: number; id: number | null; score: number; p: number }[];
    const passed = rows.filter((r) => r.value <= INT8_GATE.valueMean && r.kl <= INT8_GATE.policyKl && r.top1 >= INT8_GATE.top1Agreement).map((r) => r.generation);
    for (const m of gated) expect(m.id !== null, `generation ${m.generation} played the match gate`).toBe(m.generation === passed[0]);
    const matched = gated.find((m) => m.id !== null)!;
    const results = runs[0]!.db.prepare("SELECT b.name AS black, g.result FROM games g JOIN players b ON b.id = g.black_id WHERE g.match_id = ?").all(matched.id) as { black: string; result: string }[];
    expect(results).toHaveLength(INT8_MATCH.games);
    const int8Scores = results.map((r) => (r.black.includes(".int8@") ? blackScoreOf(r.result)! : 1 - blackScoreOf(r.result)!));
    expect(results.filter((r) => r.black.includes(".int8@"))).toHaveLength(INT8_MATCH.games / 2);
    expect(matched.score).toBeCloseTo(int8Scores.reduce((a, b) => a + b, 0) / INT8_MATCH.games, 9);
    expect(matched.p).toBeCloseTo(lossPValue(int8Scores.filter((x) => x === 1).length, int8Scores.filter((x) => x === 0).length), 9);
    expect(rows.find((r) => r.generation === matched.generation)!.precision).toBe(matched.p < INT8_MATCH.significance ? "fp32" : "int8");
    // A lost match gate (set here in the database) keeps the rest of the run in fp32, quantising nothing more.
    runs[1]!.db.prepare("UPDATE generations SET int8_match_p = 0.001 WHERE generation = ?").run(matched.generation);
    const lines: string[] = [];
    await runLoop(runs[1]!.db, { ...options(runs[1]!.db.name, runs[1]!.models), precision: "int8", generations: 3 }, (e) => {
      if (e.phase === "done") lines.push(generationLine(e.report));
    });
    expect(runs[1]!.db.prepare("SELECT selfplay_precision, int8_value_gap FROM generations WHERE generation = 2").get()).toEqual({ selfplay_precision: "fp32", int8_value_gap: null });
    expect(existsSync(int8Path(generationModel(runs[1]!.models, "smoke", 2)))).toBe(false);
    expect(lines.at(-1)).toContain(`self-play fp32 (int8 off since generation ${matched.generation} lost its match against fp32)`);
    // A gate no model passes leaves self-play in fp32.
    const game = parseGameSpec("connect4");
    const model = generationModel(runs[0]!.models, "smoke", 1);
    const strict = await choosePrecision(game, model, precisionPositions(game, [], 64, Rng.fromSeed(1)), { valueMean: -1, policyKl: 0.02, top1Agreement: 0.9 });
    expect(strict).toMatchObject({ model, precision: "fp32" });
    for (const r of runs) r.db.close();
  }, 240_000);

  it("the match gate's sign test and schedule", () => {
    expect(lossPValue(0, 5)).toBeCloseTo(1 / 32, 12);
    expect(lossPValue(2, 10)).toBeCloseTo((1 + 12 + 66) / 4096, 12);
    expect(lossPValue(5, 5)).toBeCloseTo(638 / 1024, 12);
    expect(lossPValue(0, 0)).toBe(1);
    expect(lossPValue(9, 1)).toBeCloseTo(1023 / 1024, 12);
    // 20 games: 5 wins and 15 losses is a significant loss, 6 and 14 is not.
    expect(lossPValue(5, 15)).toBeLessThan(INT8_MATCH.significance);
    expect(lossPValue(6, 14)).toBeGreaterThan(INT8_MATCH.significance);
    expect([matchDue(0, null), matchDue(3, null), matchDue(5, 0, 10), matchDue(10, 0, 10), matchDue(11, 0, 10)]).toEqual([true, true, false, true, true]);
  });

  it("runs on Gumbel AlphaZero's search: its players are gumbel:..., its samples the improved policy", async () => {
    const c = open("gumbel");
    await runLoop(c.db, { ...options(c.db.name, c.models), generations: 1, search: "gumbel" });
    const names = c.db.prepare("SELECT name FROM players WHERE kind = 'network' ORDER BY generation").pluck().all() as string[];
    expect(names).toHaveLength(2);
    for (const name of names) expect(name).toMatch(/^gumbel:smoke-g000[01]@[0-9a-f]{10}:8$/);
    const targets = c.db.prepare("SELECT visits FROM samples").pluck().all() as Buffer[];
    expect(targets.length).toBeGreaterThan(0);
    for (const blob of targets) {
      const p = new Float32Array(blob.buffer.slice(blob.byteOffset, blob.byteOffset + blob.byteLength));
      expect(p.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 4); // a distribution, not visit counts
    }
    c.db.close();
  }, 120_000);

  it("killed with SIGKILL in the middle of a generation, the rerun ends with the same checkpoints", async () => {
    const { spawn } = await import("node:child_process");
    const { CLI } = await import("./helpers/paths.js");
    const args = (name: string): string[] => ["loop", "--db", join(dir, `${name}.db`), "--game", "connect4", "--blocks", "1", "--filters", "8", "--generations", "2", "--games", "16", "--sims", "8", "--batch", "16", "--concurrent", "1", "--workers", "1", "--seed", "4"];
    expect(runCli(args("kill-whole")).status).toBe(0);
    // Killed once some games of generation 1 are stored (after generation 0 was trained).
    const child = spawn(process.execPath, [CLI, ...args("killed")], { stdio: ["ignore", "ignore", "pipe"] });
    let seen = "";
    await new Promise<void>((resolve) => {
      child.stderr.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (/generation 1 self-play: [1-9]\d*\/16/.test(seen)) child.kill("SIGKILL");
      });
      child.on("exit", () => resolve());
    });
    expect(child.signalCode).toBe("SIGKILL");
    const killed = openDatabase(join(dir, "killed.db"));
    const stored = killed.prepare("SELECT games FROM generations WHERE generation = 1").pluck().get() as number;
    killed.close();
    // Usually in its self-play (some of the 16 games stored), else in its training.
    expect(stored).toBeGreaterThan(0);
    expect(runCli(args("killed")).status).toBe(0);
    for (const g of [1, 2]) {
      expect(readFileSync(generationModel(join(dir, "killed-models"), "loop", g))).toEqual(readFileSync(generationModel(join(dir, "kill-whole-models"), "loop", g)));
    }
  }, 240_000);

  it("from the command line: one line per generation, refused settings in one line", () => {
    const db = join(dir, "cli.db");
    const args = ["loop", "--db", db, "--game", "connect4", "--blocks", "1", "--filters", "8", "--generations", "1", "--games", "4", "--sims", "4", "--batch", "8", "--concurrent", "2", "--workers", "1"];
    const r = runCli(args);
    expect(r.stderr).toMatch(/generation 0 self-play: 4\/4 games/);
    expect(r.stdout).toMatch(/^generation 0: 4 games, [\d.]+ moves a game, \d+ samples, \d+ evaluations; resign off; trained \d+ steps on \d+ samples of a \d+-sample window, policy loss [\d.]+, value loss [\d.]+; CPU .* -> loop-g0001\.onnx\n/);
    expect(r.status).toBe(0);
    const again = runCli([...args, "--lr", "0.05"]);
    expect(again.stderr).toBe(`fossil: ${db}: run "loop" was played with other settings (lr differ); give another --run to start a new run\n`);
    expect(again.status).toBe(2);
    // A starting network needs its training state beside it, and must fit the game.
    const init = join(dir, "init.onnx");
    expect(runCli(["model", "init", "--game", "go:5", "--blocks", "1", "--filters", "8", "--out", init]).status).toBe(0);
    const other = runCli(["loop", "--db", join(dir, "init.db"), "--game", "connect4", "--init", init, "--generations", "1"]);
    expect(other.stderr).toMatch(/^fossil: .*init\.onnx: model does not fit: it is for go:5, not connect4/);
    expect(other.status).toBe(2);
    rmSync(init.replace(/onnx$/, "state"));
    const stateless = runCli(["loop", "--db", join(dir, "init.db"), "--game", "go:5", "--init", init, "--generations", "1"]);
    expect(stateless.stderr).toMatch(/^fossil: .*init\.state: no training state beside the model/);
    expect(stateless.status).toBe(2);
    expect(existsSync(join(dir, "init.db"))).toBe(false); // refused before a database was made
  }, 120_000);

  it("stops at a budget of self-play evaluations; the prior kept as a KL term holds the policy near it", async () => {
    const base = open("kl-base");
    const budget = await runLoop(base.db, { ...options(base.db.name, base.models), run: "base", generations: 50, budget: 1 });
    // The first generation spends more than 1 evaluation: it still trains the next network, then stops.
    expect(budget).toMatchObject({ generations: 1, trainedNow: 1, stopped: false });
    const prior = generationModel(base.models, "base", 1);
    const positions: GameState[] = [];
    const rng = Rng.fromSeed("kl-positions");
    const game = parseGameSpec("connect4");
    for (let i = 0; i < 40; i++) {
      const state = game.newState();
      for (let k = rng.int(12); k > 0 && state.outcome() === null; k--) state.play(game.randomMove(state, rng));
      if (state.outcome() === null) positions.push(state);
    }
    const policies = async (path: string): Promise<Float32Array[]> => {
      const model = await OnnxModel.load(path, { expect: game });
      const planes = new Float32Array(positions.length * game.planes * game.height * game.width);
      positions.forEach((p, i) => game.encode(p, planes, i * game.planes * game.height * game.width));
      const { policy } = await model.evaluate(planes, positions.length);
      await model.close();
      return positions.map((_, i) => {
        const logits = policy.subarray(i * game.actionCount, (i + 1) * game.actionCount);
        const max = Math.max(...logits);
        const e = logits.map((l) => Math.exp(l - max));
        const total = e.reduce((a, b) => a + b, 0);
        return e.map((x) => x / total);
      });
    };
    const kl = (p: Float32Array[], q: Float32Array[]): number => p.reduce((sum, pi, i) => sum + pi.reduce((s, x, k) => s + (x > 0 ? x * Math.log(x / q[i]![k]!) : 0), 0), 0) / p.length;
    const from = await policies(prior);
    const drift: Record<string, number> = {};
    for (const [name, weight] of [["plain", 0], ["kl", 4]] as const) {
      const run = open(`kl-${name}`);
      await runLoop(run.db, { ...options(run.db.name, run.models), run: name, init: prior, generations: 1, sims: 48, cheapSims: 48, lr: 0.05, reuse: 8, ...(weight ? { klWeight: weight, klHalfLife: 5 } : {}) });
      drift[name] = kl(from, await policies(generationModel(run.models, name, 1)));
      run.db.close();
    }
    expect(drift.kl!).toBeLessThan(0.7 * drift.plain!);
    // Without a prior to keep there is no KL term.
    expect(() => checkLoopOptions({ ...options("x", "y"), klWeight: 1 })).toThrow("the KL regulariser keeps a prior: it needs a starting network (--init)");
    base.db.close();
  }, 120_000);
});
