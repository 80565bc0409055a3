/** MCTS on tiny games whose trees can be followed by hand. */
import { describe, expect, it } from "vitest";
import type { GameState } from "../games/game.js";
import { parseGameSpec } from "../games/index.js";
import { IllegalMoveError } from "../core/errors.js";
import { outcomeFromScore, type Outcome, type Player } from "../core/player.js";
import { Rng } from "../core/rng.js";
import { chooseMove, completedQ, DEFAULT_SEARCH, SearchNode, searchSync, SearchTree, sequentialHalving, simulate, type Evaluation, type SearchParams } from "../selfplay/mcts.js";

/**
 * A game given by a tree: `moves[path]` lists the children of a position (by action), `scores`
 * the first player's result at leaves (+1, -1, 0). Players alternate.
 */
class TreeGame implements GameState {
  constructor(
    private readonly spec: { actions: number; children: Record<string, number[]>; scores: Record<string, number> },
    public path = "",
  ) {}
  get toPlay(): Player {
    return (this.path.length % 2) as Player;
  }
  get moveCount(): number {
    return this.path.length;
  }
  legalMask(): Uint8Array {
    const mask = new Uint8Array(this.spec.actions);
    if (this.outcome() === null) for (const a of this.spec.children[this.path] ?? []) mask[a] = 1;
    return mask;
  }
  isLegal(a: number): boolean {
    return this.legalMask()[a] === 1;
  }
  play(a: number): void {
    if (!this.isLegal(a)) throw new IllegalMoveError("occupied");
    this.path += String(a);
  }
  clone(): this {
    return new TreeGame(this.spec, this.path) as this;
  }
  copyFrom(other: this): void {
    this.path = other.path;
  }
  outcome(): Outcome | null {
    const s = this.spec.scores[this.path];
    return s === undefined ? null : outcomeFromScore(s, "score");
  }
  hash(): bigint {
    return BigInt(this.path.length);
  }
  /** A tree has no board. */
  cells(): Uint8Array {
    return new Uint8Array(0);
  }
}

const uniform = (actions: number) => (): Evaluation => ({ policy: new Float32Array(actions), value: 0 });
const params = (p: Partial<SearchParams>): SearchParams => ({ ...DEFAULT_SEARCH, fpuReduction: 0, cPuct: 1, ...p });

describe("PUCT search", () => {
  // One move: action 0 wins, 1 loses, 2 draws (for the player to move).
  const bandit = { actions: 3, children: { "": [0, 1, 2] }, scores: { "0": 1, "1": -1, "2": 0 } };

  it("visits a bandit exactly as PUCT prescribes", () => {
    // Sim 1 expands the root (value 0). Sim 2: all Q = FPU = 0, U = 1/3 each, the first (win).
    // Sim 3: win Q = 1 + 0.236 beats FPU 0.5 + 0.471. Sim 4: win 1 + 0.192 loses to the FPU
    // 0.667 + 0.577 of action 1 (the loss). Root: 4 visits, values 0 + 1 + 1 - 1.
    const tree = new SearchTree(new TreeGame(bandit), 3, params({}));
    const r = searchSync(tree, uniform(3), Rng.fromSeed(1), 4);
    expect(Array.from(r.visits)).toEqual([2, 1, 0]);
    expect(Array.from(r.q).map((v) => (Number.isNaN(v) ? null : v))).toEqual([1, -1, null]);
    expect(r.rootValue).toBe(1 / 4);
    expect(r.bestAction).toBe(0);
    expect(Array.from(r.policy)).toEqual([Math.fround(2 / 3), Math.fround(1 / 3), 0]);
  });

  it("finds the winning move and converges to its value", () => {
    const tree = new SearchTree(new TreeGame(bandit), 3, params({}));
    const r = searchSync(tree, uniform(3), Rng.fromSeed(1), 400);
    expect(r.visits[0]! / 399).toBeGreaterThan(0.9);
    expect(r.rootValue).toBeGreaterThan(0.9);
  });

  it("backs values up with the right sign over two plies", () => {
    // Action 0 lets the opponent choose between its win (0) and ours (1); action 1 draws.
    const game = { actions: 2, children: { "": [0, 1], "0": [0, 1], "1": [0, 1] }, scores: { "00": -1, "01": 1, "10": 0, "11": 0 } };
    const tree = new SearchTree(new TreeGame(game), 2, params({ cPuct: 1.5 }));
    const r = searchSync(tree, uniform(2), Rng.fromSeed(2), 300);
    expect(r.bestAction).toBe(1);
    expect(r.q[0]).toBeLessThan(-0.5);
    expect(Math.abs(r.q[1]!)).toBeLessThan(1e-9);
    expect(Math.abs(r.rootValue)).toBeLessThan(0.2);
  });

  it("never expands an illegal move, whatever the network prefers", () => {
    const game = { actions: 4, children: { "": [1, 3] }, scores: { "1": 0, "3": 0 } };
    const tree = new SearchTree(new TreeGame(game), 4, params({}));
    const r = searchSync(tree, () => ({ policy: [50, -50, 50, -50], value: 0 }), Rng.fromSeed(3), 50);
    expect(r.visits[0]).toBe(0);
    expect(r.visits[2]).toBe(0);
    expect(r.visits[1]! + r.visits[3]!).toBe(49);
  });

  it("evaluates each non-terminal leaf once, through the generator", () => {
    const game = parseGameSpec("go:5");
    const tree = new SearchTree(game.newState(), game.actionCount, params({}));
    const run = simulate(tree, 30, Rng.fromSeed(4));
    let evaluations = 0;
    let step = run.next();
    while (!step.done) {
      evaluations++;
      expect(step.value.outcome()).toBeNull();
      step = run.next({ policy: new Float32Array(game.actionCount), value: 0.1 });
    }
    expect(evaluations).toBe(30);
    expect(tree.root.visits).toBe(30);
  });

  it("keeps the subtree when the tree advances", () => {
    const game = parseGameSpec("connect4");
    const tree = new SearchTree(game.newState(), 7, params({}));
    const r = searchSync(tree, uniform(7), Rng.fromSeed(5), 100);
    const kept = r.visits[3]!;
    tree.advance(3);
    expect(tree.root.visits).toBe(kept);
    expect(tree.state.moveCount).toBe(1);
    const again = searchSync(tree, uniform(7), Rng.fromSeed(6), 50);
    expect(tree.root.visits).toBe(kept + 50);
    expect(again.visits.reduce((s, v) => s + v, 0)).toBe(kept + 50 - 1);
  });

  it("mixes Dirichlet noise into the root priors only when asked, reproducibly", () => {
    const game = parseGameSpec("go:5");
    const run = (noise: number, seed: number): Float32Array => {
      const tree = new SearchTree(game.newState(), game.actionCount, params({ noiseWeight: noise }));
      return searchSync(tree, uniform(game.actionCount), Rng.fromSeed(seed), 60).visits;
    };
    expect(run(0, 1)).toEqual(run(0, 2)); // no noise: the rng is not used
    expect(run(0.25, 1)).toEqual(run(0.25, 1));
    expect(run(0.25, 1)).not.toEqual(run(0.25, 2));
  });

  it("refuses to search a finished game", () => {
    const s = parseGameSpec("connect4").newState();
    for (const c of [0, 1, 0, 1, 0, 1, 0]) s.play(c);
    expect(() => searchSync(new SearchTree(s, 7, params({})), uniform(7), Rng.fromSeed(1), 1)).toThrow(RangeError);
  });

  it("plays thousands of legal self-play moves with a random network", () => {
    let moves = 0;
    for (const spec of ["go:5", "connect4"]) {
      const game = parseGameSpec(spec);
      const rng = Rng.fromSeed(spec);
      const net = (): Evaluation => ({ policy: Float32Array.from({ length: game.actionCount }, () => rng.normal()), value: rng.float() * 2 - 1 });
      for (let g = 0; g < 25; g++) {
        const tree = new SearchTree(game.newState(), game.actionCount, params({ noiseWeight: 0.25, fpuReduction: 0.2, cPuct: 1.5 }));
        while (tree.state.outcome() === null) {
          const r = searchSync(tree, net, rng, 16);
          const a = chooseMove(r.visits, tree.state.moveCount < 6 ? 1 : 0, rng);
          expect(tree.state.isLegal(a)).toBe(true);
          tree.advance(a); // play() throws on an illegal move
          moves++;
        }
      }
    }
    expect(moves).toBeGreaterThan(1000);
  });
});

describe("move choice", () => {
  it("takes the most visited move at temperature 0 and samples in proportion at 1", () => {
    const rng = Rng.fromSeed(7);
    expect(chooseMove([1, 5, 2], 0, rng)).toBe(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30000; i++) counts[chooseMove([1, 2, 0], 1, rng)]!++;
    expect(counts[2]).toBe(0);
    expect(counts[1]! / counts[0]!).toBeGreaterThan(1.85);
    expect(counts[1]! / counts[0]!).toBeLessThan(2.15);
  });
});

describe("Gumbel AlphaZero search", () => {
  const gumbel = (p: Partial<SearchParams> = {}): SearchParams => ({ ...DEFAULT_SEARCH, algorithm: "gumbel", ...p });

  it("plans Sequential Halving's visits as mctx does", () => {
    // 4 actions, 8 simulations: one visit each, then the best 2 get 2 more each.
    expect(sequentialHalving(4, 8)).toEqual([0, 0, 0, 0, 1, 1, 2, 2]);
    // 3 actions, 5 simulations: ⌈log2 3⌉ = 2 phases; one visit each, then max(2, 1) = 2 actions one more.
    expect(sequentialHalving(3, 5)).toEqual([0, 0, 0, 1, 1]);
    // 16 actions, 64: 16 x 1, then 8 x 2, 4 x 4, 2 x 8 visits.
    const s = sequentialHalving(16, 64);
    expect(s).toHaveLength(64);
    expect(s.slice(0, 16)).toEqual(new Array(16).fill(0));
    expect(s.slice(16, 32)).toEqual([...new Array(8).fill(1), ...new Array(8).fill(2)]);
    expect(s.slice(48)).toEqual([7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14]);
    expect(sequentialHalving(1, 3)).toEqual([0, 1, 2]);
  });

  it("completes Q values with the mixed value and scales them, as computed by hand", () => {
    const node = new SearchNode();
    node.actions = Int32Array.from([0, 1, 2]);
    node.priors = Float32Array.from([0.5, 0.3, 0.2]);
    node.netValue = 0.2;
    const child = (visits: number, valueSum: number): SearchNode => Object.assign(new SearchNode(), { visits, valueSum });
    // Child values are from the child's mover: q = -valueSum / visits for the parent.
    node.children = [child(2, -1), child(1, 0.4), null];
    // q = [0.5, -0.4, mixed]; mixed = (0.2 + 3 (0.5 x 0.5 + 0.3 x -0.4) / 0.8) / 4 = 0.171875;
    // rescaled to [1, 0, 0.571875 / 0.9]; times (50 + 2) x 0.1 = 5.2.
    const sigma = completedQ(node, gumbel());
    expect(sigma[0]).toBeCloseTo(5.2, 5);
    expect(sigma[1]).toBeCloseTo(0, 5);
    expect(sigma[2]).toBeCloseTo(3.3041667, 5);
  });

  it("on a bandit: the root is evaluated once, each action once, the improved policy is softmax(logits + σ(q)), the kept action the best g + σ", () => {
    const bandit = { actions: 3, children: { "": [0, 1, 2] }, scores: { "0": 1, "1": -1, "2": 0 } };
    let evaluations = 0;
    const tree = new SearchTree(new TreeGame(bandit), 3, gumbel());
    const r = searchSync(tree, () => (evaluations++, { policy: new Float32Array(3), value: 0 }), Rng.fromSeed(5), 4);
    expect(evaluations).toBe(1);
    expect(Array.from(r.visits)).toEqual([1, 1, 1]);
    // q = [1, -1, 0] -> [1, 0, 0.5] x (50 + 1) x 0.1.
    const sigma = [5.1, 0, 2.55];
    const z = sigma.reduce((s, x) => s + Math.exp(x), 0);
    sigma.forEach((x, a) => expect(r.improved![a]).toBeCloseTo(Math.exp(x) / z, 5));
    const g = tree.gumbel!;
    const scores = sigma.map((x, k) => g[k]! + x);
    expect(r.chosen).toBe(scores.indexOf(Math.max(...scores)));
  });

  it("spends exactly its budget of evaluations, visits as Sequential Halving plans, and keeps the most visited", () => {
    const game = parseGameSpec("connect4");
    let evaluations = 0;
    const tree = new SearchTree(game.newState(), 7, gumbel());
    const r = searchSync(tree, () => (evaluations++, { policy: new Float32Array(7), value: 0 }), Rng.fromSeed(9), 16);
    expect(evaluations).toBe(16);
    // The root's evaluation, then 15 simulations: 7 x 1, 3 x 1 more, then 2 x 2, then 1 more: [5, 4, 2, 1, 1, 1, 1].
    expect(Array.from(r.visits).sort((a, b) => b - a)).toEqual([5, 4, 2, 1, 1, 1, 1]);
    expect(r.visits[r.chosen!]).toBe(5);
    // Equal values everywhere: the improved policy is the prior (uniform).
    for (const p of r.improved!) expect(p).toBeCloseTo(1 / 7, 5);
  });
});
