/** Self-play with many games at once against a deterministic stand-in network. */
import { describe, expect, it } from "vitest";
import type { Game } from "../games/game.js";
import { parseGameSpec } from "../games/index.js";
import { Rng } from "../src/core/rng.js";
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
