/** Players by spec and matches, including external GTP engines. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Game } from "../games/game.js";
import { parseGameSpec } from "../games/index.js";
import { Connect4Solver } from "../games/connect4/solver.js";
import type { Connect4State } from "../games/connect4/state.js";
import { InputError } from "../core/errors.js";
import { Rng } from "../core/rng.js";
import { playMatch, type MatchGame } from "../selfplay/match.js";
import { createPlayer } from "../selfplay/players.js";
import { itNeeds, needs } from "./helpers/needs.js";


async function match(game: Game, black: string, white: string, games: number, swap = true, openingMoves = 2, seed = 1, openings?: number[][]): Promise<MatchGame[]> {
  const a = await createPlayer(black, game), b = black === white ? a : await createPlayer(white, game);
  const out: MatchGame[] = [];
  const root = Rng.fromSeed(seed);
  try {
    await playMatch(game, a, b, { games, swap, openingMoves, openings, rngFor: (i) => root.split("m", i) }, (g) => {
      out.push(g);
    });
  } finally {
    await a.close();
    await b.close();
  }
  return out;
}

/** Replays a match game: every move legal, and the recorded outcome is the rules' one. */
function checkLegal(game: Game, g: MatchGame): void {
  const state = game.newState();
  for (const a of g.actions) state.play(a);
  if (g.outcome && g.outcome.reason !== "resign") expect(state.outcome()).toEqual(g.outcome);
}

describe("players and matches", () => {
  it("rollout:200 beats random in at least 95% of 7x7 games", async () => {
    const game = parseGameSpec("go:7:tromp-taylor:9");
    const games = await match(game, "rollout:200", "random", 40);
    let wins = 0;
    for (const g of games) {
      checkLegal(game, g);
      const rolloutColour = g.black === "rollout:200" ? 0 : 1;
      if (g.outcome?.winner === rolloutColour) wins++;
    }
    expect(games.filter((g) => g.black === "random").length).toBe(20); // colours swapped
    expect(new Set(games.map((g) => g.actions.join(","))).size).toBe(40); // openings vary
    expect(wins / games.length).toBeGreaterThanOrEqual(0.95);
  });

  it("the built-in teacher (knowledge-guided playouts) beats plain rollouts at the same playout count", async () => {
    const game = parseGameSpec("go:7:tromp-taylor:9");
    const games = await match(game, "builtin:200", "rollout:200", 30, true, 2, 5);
    let wins = 0;
    for (const g of games) {
      checkLegal(game, g);
      if (g.outcome?.winner === (g.black === "builtin:200" ? 0 : 1)) wins++;
    }
    expect(wins / games.length).toBeGreaterThanOrEqual(0.6);
  });

  it("the solver never loses Connect Four as the first player from positions it has not already lost", async () => {
    const game = parseGameSpec("connect4");
    const solver = new Connect4Solver();
    // A seeded set of 14-move openings that are not lost for the first player (the solver is
    // too slow for the first moves without an opening book).
    const openings: number[][] = [];
    for (let seed = 0; openings.length < 12; seed++) {
      const rng = Rng.fromSeed(seed);
      const probe = game.newState() as Connect4State;
      const moves: number[] = [];
      while (moves.length < 14 && probe.outcome() === null) {
        const legal = [0, 1, 2, 3, 4, 5, 6].filter((a) => probe.isLegal(a));
        moves.push(legal[rng.int(legal.length)]!);
        probe.play(moves[moves.length - 1]!);
      }
      if (probe.outcome() === null && solver.solve(probe) >= 0) openings.push(moves);
    }
    const games = [...(await match(game, "solver", "random", 6, false, 0, 1, openings.slice(0, 6))), ...(await match(game, "solver", "rollout:50", 6, false, 0, 2, openings.slice(6)))];
    for (const [k, g] of games.entries()) {
      checkLegal(game, g);
      expect(g.actions.slice(0, 14)).toEqual(openings[k]);
      expect(g.outcome?.winner).not.toBe(1);
    }
  });

  it("the solver plays from the empty board with its opening book, and wins as either colour against weaker players", async () => {
    const game = parseGameSpec("connect4");
    // As first player it wins against anyone; as second it wins here because they err.
    const games = [...(await match(game, "solver", "rollout:50", 3, false, 0, 5)), ...(await match(game, "random", "solver", 3, false, 0, 6))];
    for (const [k, g] of games.entries()) {
      checkLegal(game, g);
      expect(g.outcome?.winner, `game ${k}: ${g.actions.map((a) => a + 1).join("")}`).toBe(k < 3 ? 0 : 1);
    }
    // The first solver move is the book's (the centre) and openings differ by the opponents' moves.
    expect(games.slice(0, 3).every((g) => g.actions[0] === 3)).toBe(true);
  });

  it("refuses bad player specs with a clear message", async () => {
    const go = parseGameSpec("go:7"), c4 = parseGameSpec("connect4");
    await expect(createPlayer("rollout:x", go)).rejects.toThrow('player "rollout:x": expected rollout:N with N playouts per move (a whole number from 1 to 1,000,000)');
    await expect(createPlayer("solver", go)).rejects.toThrow("the solver plays Connect Four only");
    await expect(createPlayer("gtp:engine --gtp", c4)).rejects.toThrow("GTP engines play Go only");
    await expect(createPlayer("gnugo:1", c4)).rejects.toThrow('player "gnugo:1": GTP engines play Go only, not connect4');
    // GNU Go has one name per level (gnugo:LEVEL), with the options that play games out.
    await expect(createPlayer("gtp:/usr/games/gnugo --mode gtp --level 1", go)).rejects.toThrow("play GNU Go as gnugo:LEVEL");
    await expect(createPlayer("mcts:x.onnx", go)).rejects.toThrow("expected mcts:MODEL:SIMS");
    await expect(createPlayer("policy:/no/such.onnx", go)).rejects.toThrow(InputError);
    await expect(createPlayer("alphago", go)).rejects.toThrow("unknown kind");
  });
});

describe("external engines over GTP", () => {
  itNeeds(needs.gnugo)("a match against GNU Go plays to the end with every move legal", async () => {
    const game = parseGameSpec("go:7:tromp-taylor:9");
    const games = await match(game, "gnugo:1", "rollout:100", 4);
    expect(games.length).toBe(4);
    for (const g of games) {
      expect(g.error).toBeUndefined();
      expect(g.outcome).not.toBeNull();
      checkLegal(game, g);
    }
  });

  it("an engine that crashes or plays illegally ends that game without a result, and the match goes on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "fossil-gtp-"));
    // A fake engine: answers every genmove with A1 (illegal the second time), and dies on "play" after 3 moves.
    const fake = join(dir, "fake.mjs");
    writeFileSync(
      fake,
      `import { createInterface } from "node:readline";
       let plays = 0;
       for await (const line of createInterface({ input: process.stdin })) {
         const [cmd] = line.trim().split(/\\s+/);
         if (cmd === "genmove") process.stdout.write("= A1\\n\\n");
         else if (cmd === "play" && ++plays > 3 && process.argv[2] === "crash") process.exit(3);
         else if (cmd === "quit") { process.stdout.write("=\\n\\n"); process.exit(0); }
         else process.stdout.write("=\\n\\n");
       }`,
    );
    const game = parseGameSpec("go:5");
    const illegal = await match(game, `gtp:${process.execPath} ${fake}`, "random", 2, true, 0);
    expect(illegal.map((g) => g.endReason)).toEqual(["illegal", "illegal"]);
    expect(illegal[0]!.error).toMatch(/played an illegal move \(A1\) at move 3/);
    expect(illegal.every((g) => g.result === "Void" && g.outcome === null)).toBe(true);
    const crash = await match(game, `gtp:${process.execPath} ${fake} crash`, "random", 2, false, 6);
    expect(crash.map((g) => g.endReason)).toEqual(["crash", "crash"]);
    expect(crash[0]!.error).toMatch(/exited \(code 3\)/);
    const missing = await match(game, "gtp:/no/such/engine --mode gtp", "random", 1);
    expect(missing[0]!.endReason).toBe("crash");
  });
});

describe("batched network players", () => {
  it("a LeafBatcher sends concurrent requests as one batch and routes each answer back", async () => {
    const { LeafBatcher } = await import("../selfplay/batcher.js");
    const game = parseGameSpec("connect4");
    const sizes: number[] = [];
    // A stand-in model: value = number of stones on the board, policy[0] = the same.
    const model = {
      async evaluate(planes: Float32Array, count: number) {
        sizes.push(count);
        const cells = game.planes * 42;
        const value = new Float32Array(count), policy = new Float32Array(count * 7);
        for (let i = 0; i < count; i++) {
          let stones = 0;
          for (let k = 0; k < 84; k++) stones += planes[i * cells + k]!;
          value[i] = stones;
          policy[i * 7] = stones;
        }
        return { policy, value };
      },
    };
    const batcher = new LeafBatcher(model as never, game, 4);
    const states = Array.from({ length: 10 }, (_, n) => {
      const s = game.newState();
      for (let k = 0; k < n; k++) s.play(k % 7);
      return s;
    });
    const answers = await Promise.all(states.map((s) => batcher.evaluate(s)));
    expect(answers.map((a) => a.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(answers.map((a) => a.policy[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sizes).toEqual([4, 4, 2]);
  });

  it("plays a match between two networks with games at once", async () => {
    const { runCli } = await import("./helpers/cli.js");
    const Database = (await import("better-sqlite3")).default;
    const dir = mkdtempSync(join(tmpdir(), "fossil-nets-"));
    const a = join(dir, "a.onnx"), b = join(dir, "b.onnx"), db = join(dir, "m.db");
    expect(runCli(["model", "init", "--game", "go:5", "--blocks", "1", "--filters", "8", "--seed", "1", "--out", a]).status).toBe(0);
    expect(runCli(["model", "init", "--game", "go:5", "--blocks", "1", "--filters", "8", "--seed", "2", "--out", b]).status).toBe(0);
    const r = runCli(["match", "--game", "go:5", "--black", `mcts:${a}:16`, "--white", `policy:${b}`, "--games", "8", "--swap", "--concurrent", "8", "--db", db]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/8 rated games of go:5/);
    const d = new Database(db, { readonly: true });
    expect(d.prepare("SELECT count(*) FROM games WHERE source = 'match' AND result <> 'Void'").pluck().get()).toBe(8);
    d.close();
  });
});
