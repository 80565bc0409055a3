/** Self-play with many games at once against a deterministic stand-in network. */
import { describe, expect, it } from "vitest";
import type { Game } from "../games/game.js";
import { parseGameSpec } from "../games/index.js";
import { Rng } from "../core/rng.js";
import { chunkSize } from "../selfplay/pool.js";
import { DEFAULT_SELFPLAY, playSelfPlay, type BatchEvaluator, type PlayedGame, type SelfPlayParams } from "../selfplay/selfplay.js";

/** A network whose outputs are a fixed pseudo-random function of each position's planes. */
function hashNetwork(game: Game): BatchEvaluator {
  const cells = game.planes * game.height * game.width;
  return async (planes, count) => {
    const policy = new Float32Array(count * game.actionCount), value = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      let h = 0x811c9dc5;
      for (let k = 0; k < cells; k++) if (planes[i * cells + k] !== 0) h = Math.imul(h ^ k, 0x01000193);
      const rng = Rng.fromSeed(h >>> 0);
      for (let a = 0; a < game.actionCount; a++) policy[i * game.actionCount + a] = rng.normal();
      value[i] = rng.float() * 1.6 - 0.8;
    }
    return { policy, value };
  };
}

async function play(spec: string, games: number, params: Partial<SelfPlayParams>, seed = 1): Promise<PlayedGame[]> {
  const game = parseGameSpec(spec);
  const out: PlayedGame[] = [];
  const root = Rng.fromSeed(seed);
  await playSelfPlay(game, games, { ...DEFAULT_SELFPLAY, fullSimulations: 24, cheapSimulations: 6, ...params }, hashNetwork(game), (i) => root.split("game", i), (g) => {
    out.push(g);
  });
  return out.sort((a, b) => a.index - b.index);
}

describe("batched self-play", () => {
  it("plays the requested games to the end with legal moves and well-formed samples", async () => {
    for (const spec of ["go:5", "connect4"]) {
      const game = parseGameSpec(spec);
      const games = await play(spec, 10, { concurrentGames: 4 });
      expect(games.map((g) => g.index)).toEqual([...Array(10).keys()]);
      for (const g of games) {
        const state = game.newState();
        for (const a of g.actions) state.play(a); // throws on an illegal move
        if (!g.resigned) expect(state.outcome()).toEqual(g.outcome);
        for (const s of g.samples) {
          expect(s.ply).toBeLessThan(g.actions.length + (g.resigned ? 1 : 0));
          expect(s.visits.reduce((x, v) => x + v, 0)).toBeGreaterThanOrEqual(23);
        }
      }
    }
  });

  it("gives the same games for the same seed, however many games share a batch", async () => {
    const a = await play("go:5", 8, { concurrentGames: 8 }, 3);
    const b = await play("go:5", 8, { concurrentGames: 3 }, 3);
    const c = await play("go:5", 8, { concurrentGames: 8 }, 4);
    expect(b.map((g) => g.actions)).toEqual(a.map((g) => g.actions));
    expect(c.map((g) => g.actions)).not.toEqual(a.map((g) => g.actions));
  });

  it("gives a full search to about the requested share of moves", async () => {
    const games = await play("connect4", 20, { fullSearchShare: 0.25, concurrentGames: 10, resignThreshold: 0 });
    const moves = games.reduce((s, g) => s + g.actions.length, 0);
    const full = games.reduce((s, g) => s + g.samples.length, 0);
    expect(full / moves).toBeGreaterThan(0.15);
    expect(full / moves).toBeLessThan(0.35);
  });

  it("resigns lost games unless resignation is disabled for the game", async () => {
    const games = await play("connect4", 30, { resignThreshold: 0.5, noResignShare: 0.3, concurrentGames: 10 });
    expect(games.some((g) => g.resigned)).toBe(true);
    for (const g of games) if (g.resignDisabled) expect(g.resigned).toBe(false);
    expect(games.filter((g) => g.resignDisabled).length).toBeGreaterThan(3);
  });
});

describe("self-play on worker threads", () => {
  it("cuts the games into chunks of at most 4 batches, balanced over the workers when their number is known", () => {
    expect(chunkSize(32, 2)).toBe(128);
    expect(chunkSize(32, 2, 200)).toBe(100); // not 128 + 72: neither worker waits for the other
    expect(chunkSize(32, 2, 1000)).toBe(125); // 8 chunks, 4 for each worker
    expect(chunkSize(32, 1, 1000)).toBe(125);
    expect(chunkSize(32, 2, 256)).toBe(128);
    expect(chunkSize(32, 4, 3)).toBe(1);
    expect(chunkSize(32, 2, 333)).toBe(84); // 4 chunks: 3 of 84 and one of 81
    expect(chunkSize(8, 3, 1001)).toBe(31); // 33 chunks of at most 32
  });

  it("stores games and samples, and the same seed gives the same games with 1 or 2 workers", async () => {
    const { mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { runCli } = await import("./helpers/cli.js");
    const Database = (await import("better-sqlite3")).default;
    const dir = mkdtempSync(join(tmpdir(), "fossil-sp-"));
    const model = join(dir, "net.onnx");
    expect(runCli(["model", "init", "--game", "go:5", "--blocks", "1", "--filters", "8", "--out", model]).status).toBe(0);
    const games = (workers: number, seed: number): string[] => {
      const db = join(dir, `sp-${workers}-${seed}.db`);
      const r = runCli(["selfplay", "--game", "go:5", "--model", model, "--games", "12", "--sims", "16", "--concurrent", "4", "--workers", String(workers), "--seed", String(seed), "--db", db]);
      expect(r.stderr).toMatch(/selfplay net\.onnx: 12\/12 games/);
      expect(r.status).toBe(0);
      const d = new Database(db, { readonly: true });
      const moves = d.prepare("SELECT moves FROM games ORDER BY moves").pluck().all() as string[];
      const samples = d.prepare("SELECT count(*) FROM samples s JOIN games g ON g.id = s.game_id WHERE s.ply < g.length OR g.end_reason = 'resign'").pluck().get() as number;
      expect(samples).toBe(d.prepare("SELECT count(*) FROM samples").pluck().get());
      expect(samples).toBeGreaterThan(0);
      d.close();
      return moves;
    };
    const one = games(1, 5);
    expect(one.length).toBe(12);
    expect(games(2, 5)).toEqual(one);
    expect(games(1, 6)).not.toEqual(one);
    const wrong = runCli(["selfplay", "--game", "go:7", "--model", model, "--db", join(dir, "x.db")]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toBe(`fossil: ${model}: model does not fit: it is for go:5, not go:7; its board is 5x5, not 7x7\n`);
  });
});
