/**
 * Self-play with many games at once (DESIGN.md: batching across games). Every live game runs its
 * own search generator (mcts.ts) until it waits for a leaf; all waiting leaves go to the network
 * in one batch (so the batch is full or every live game waits); a finished game leaves the pool
 * and a new one takes its place until enough games have been started. Memory stays bounded by
 * the number of concurrent games, however many games are requested.
 *
 * Per move: playout cap randomization (KataGo) — with probability `fullSearchShare` a full
 * search whose visit counts become a policy target, otherwise a cheap search that only moves the
 * game along; Dirichlet noise on full searches; a temperature schedule; resignation below a
 * value threshold, disabled in a share of games to measure false resignations.
 */
import { InputError } from "../core/errors.js";
import { valueFor, type Outcome, type Player } from "../core/player.js";
import type { Rng } from "../core/rng.js";
import type { Game, GameState } from "../games/game.js";
import { chooseMove, DEFAULT_SEARCH, SearchNode, SearchTree, simulate, type Evaluation, type SearchParams } from "./mcts.js";

export interface SelfPlayParams {
  /** How each search explores (noise applies to full searches only). */
  search: SearchParams;
  /** Simulations of a full search (becomes a training target) and of a cheap one. */
  fullSimulations: number;
  cheapSimulations: number;
  /** Probability that a move gets a full search (KataGo: 0.25). 1 disables playout cap randomization. */
  fullSearchShare: number;
  /** Moves played at temperature 1 (sampled by visits); after them the most visited move (see temperatureMovesFor). */
  temperatureMoves: number;
  /** Resign when the root value for the side to move and that of its best move are below -threshold (0: never). */
  resignThreshold: number;
  /** Share of games in which resignation is disabled, to measure the false-resignation rate. */
  noResignShare: number;
  /** Games played at once (the network batch size). */
  concurrentGames: number;
}

export const DEFAULT_SELFPLAY: SelfPlayParams = {
  search: { ...DEFAULT_SEARCH, noiseWeight: 0.25 },
  fullSimulations: 64,
  cheapSimulations: 16,
  fullSearchShare: 0.25,
  temperatureMoves: 8,
  resignThreshold: 0.95,
  noResignShare: 0.2,
  concurrentGames: 32,
};

/**
 * Moves played at temperature 1 on a board: 8% of its points, at least 2 (AlphaGo Zero: 30 of
 * 19x19's 361; 7x7 4, 9x9 6, Connect Four 3): openings vary by the same share on every board.
 */
export function temperatureMovesFor(game: Pick<Game, "height" | "width">): number {
  return Math.max(2, Math.round(0.08 * game.height * game.width));
}

/** The defaults on a board: DEFAULT_SELFPLAY with the temperature schedule scaled to it. */
export function selfPlayDefaults(game: Pick<Game, "height" | "width">): SelfPlayParams {
  return { ...DEFAULT_SELFPLAY, temperatureMoves: temperatureMovesFor(game) };
}

export function checkSelfPlayParams(p: SelfPlayParams): void {
  const bad = (what: string): never => {
    throw new InputError(`self-play settings: ${what}`);
  };
  if (!(Number.isInteger(p.fullSimulations) && Number.isInteger(p.cheapSimulations) && p.fullSimulations >= 1 && p.cheapSimulations >= 1)) bad("simulations must be whole numbers, at least 1");
  if (p.cheapSimulations > p.fullSimulations) bad(`a cheap search (${p.cheapSimulations} simulations) cannot be larger than a full one (${p.fullSimulations})`);
  if (!(p.fullSearchShare > 0 && p.fullSearchShare <= 1)) bad("fullSearchShare must be in (0, 1]");
  if (!(p.resignThreshold >= 0 && p.resignThreshold < 1)) bad("resignThreshold must be in [0, 1)");
  if (!(p.noResignShare >= 0 && p.noResignShare <= 1)) bad("noResignShare must be in [0, 1]");
  if (!(Number.isInteger(p.concurrentGames) && p.concurrentGames >= 1)) bad("concurrentGames must be a positive integer");
  if (p.search.algorithm !== "puct" && p.search.algorithm !== "gumbel") bad(`the search must be puct or gumbel, got ${String(p.search.algorithm)}`);
  if (!(Number.isInteger(p.search.gumbelConsidered) && p.search.gumbelConsidered >= 1)) bad("gumbelConsidered must be a whole number of at least 1");
}

/** One move of a finished game: what a trainer needs, with the position re-derivable from the moves. */
export interface Sample {
  /** Index of the move in the game (0-based): the position before it is the input. */
  ply: number;
  /** The policy target over all actions: the full search's visit counts (PUCT) or its improved policy (Gumbel). */
  visits: Float32Array;
  /** The player to move (the outcome target is from its view). */
  toPlay: Player;
}

export interface PlayedGame {
  /** Index of the game in this run (0-based; games finish out of order). */
  index: number;
  actions: number[];
  outcome: Outcome;
  /** Samples of the full-search moves. */
  samples: Sample[];
  /** True if the game ended by resignation; `resignDisabled` games play on for the statistics. */
  resigned: boolean;
  resignDisabled: boolean;
  /** In a no-resign game, whether a resignation would have happened and been wrong. */
  wouldHaveResigned: Player | null;
  /**
   * For each player (black/first, white/second), the lowest value it saw on its moves: the larger
   * of the root value and its best move's value (what resigning compares with the threshold); 1
   * when it never moved. With the outcome of no-resign games, this calibrates the threshold.
   */
  lowest: [number, number];
  evaluations: number;
}

/** Evaluates a batch of positions (NCHW planes) into policy logits and values. */
export type BatchEvaluator = (planes: Float32Array, count: number) => Promise<{ policy: Float32Array; value: Float32Array }>;

interface LiveGame {
  index: number;
  tree: SearchTree;
  rng: Rng;
  actions: number[];
  samples: Sample[];
  resignDisabled: boolean;
  wouldHaveResigned: Player | null;
  resigned: Player | null;
  lowest: [number, number];
  full: boolean;
  run: Generator<GameState, void, Evaluation>;
  pending: GameState | null;
  evaluations: number;
}

/**
 * Plays `games` self-play games. `rngFor(index)` gives each game its own stream (split from the
 * run seed), so the games are the same whatever the batching. `onGame` receives each finished
 * game (in finishing order).
 */
export async function playSelfPlay(
  game: Game,
  games: number,
  params: SelfPlayParams,
  evaluate: BatchEvaluator,
  rngFor: (index: number) => Rng,
  onGame: (g: PlayedGame) => void | Promise<void>,
): Promise<{ evaluations: number; batches: number }> {
  checkSelfPlayParams(params);
  const cells = game.planes * game.height * game.width;
  const buffer = new Float32Array(params.concurrentGames * cells);
  const live: LiveGame[] = [];
  let started = 0;
  let evaluations = 0, batches = 0;

  const startSearch = (g: LiveGame): void => {
    g.full = g.rng.float() < params.fullSearchShare;
    const sims = g.full ? params.fullSimulations : params.cheapSimulations;
    const search: SearchParams = { ...params.search, noiseWeight: g.full ? params.search.noiseWeight : 0 };
    g.tree.params = search;
    g.tree.root.noisyPriors = null;
    // Gumbel's Sequential Halving plans its visits from a fresh root (as mctx does).
    if (search.algorithm === "gumbel") g.tree.root = new SearchNode();
    // A full search (a training target, with fresh noise) runs all its simulations anew on the
    // reused tree; a cheap one only tops the reused root up to its count.
    g.run = simulate(g.tree, g.full ? sims : Math.max(1, sims - g.tree.root.visits), g.rng);
  };
  const newGame = (): LiveGame => {
    const index = started++;
    const rng = rngFor(index);
    const g: LiveGame = {
      index,
      tree: new SearchTree(game.newState(), game.actionCount, params.search),
      rng,
      actions: [],
      samples: [],
      resignDisabled: rng.float() < params.noResignShare,
      wouldHaveResigned: null,
      resigned: null,
      lowest: [1, 1],
      full: false,
      run: undefined as never,
      pending: null,
      evaluations: 0,
    };
    startSearch(g);
    return g;
  };

  /**
   * Moves a game on until it waits for an evaluation (null) or ends (the finished game). Not
   * async: most calls only resume a search, and a promise for each would cost more than the step.
   */
  const advance = (g: LiveGame, evaluation?: Evaluation): PlayedGame | null => {
    let step = evaluation === undefined ? g.run.next() : g.run.next(evaluation);
    for (;;) {
      if (!step.done) {
        g.pending = step.value;
        return null;
      }
      // The search is complete: choose and play a move.
      const state = g.tree.state;
      const result = g.tree.result();
      // The policy target: visit counts (PUCT) or the improved policy (Gumbel).
      if (g.full) g.samples.push({ ply: g.actions.length, visits: result.improved ?? result.visits, toPlay: state.toPlay });
      // How sure the side to move is that it loses: both the root and its best move must say so.
      const hope = Math.max(result.rootValue, result.bestAction >= 0 ? result.q[result.bestAction]! : result.rootValue);
      if (hope < g.lowest[state.toPlay]) g.lowest[state.toPlay] = hope;
      if (params.resignThreshold > 0 && hope < -params.resignThreshold) {
        if (!g.resignDisabled) {
          g.resigned = state.toPlay;
          break;
        }
        g.wouldHaveResigned ??= state.toPlay;
      }
      // Gumbel's kept action is already a sample (its Gumbel noise explores); PUCT samples by visits early on.
      const action = result.chosen ?? chooseMove(result.visits, g.actions.length < params.temperatureMoves ? 1 : 0, g.rng);
      g.actions.push(action);
      g.tree.advance(action);
      if (g.tree.state.outcome() !== null) break;
      startSearch(g);
      step = g.run.next();
    }
    const outcome = g.resigned !== null ? ({ winner: (1 - g.resigned) as Player, score: NaN, reason: "resign" } as Outcome) : g.tree.state.outcome()!;
    const wrong = g.wouldHaveResigned !== null && valueFor(outcome, g.wouldHaveResigned) >= 0 ? g.wouldHaveResigned : null;
    return {
      index: g.index,
      actions: g.actions,
      outcome,
      samples: g.samples,
      resigned: g.resigned !== null,
      resignDisabled: g.resignDisabled,
      wouldHaveResigned: wrong,
      lowest: g.lowest,
      evaluations: g.evaluations,
    };
  };
  /** A new game, live once it waits for its first evaluation. */
  const startGame = async (): Promise<void> => {
    const fresh = newGame();
    const finished = advance(fresh);
    if (finished === null) live.push(fresh);
    else await onGame(finished);
  };

  while (live.length < params.concurrentGames && started < games) await startGame();
  while (live.length > 0) {
    // Every live game waits for a leaf: one batch.
    live.forEach((g, i) => game.encode(g.pending as never, buffer, i * cells));
    const out = await evaluate(buffer, live.length);
    batches++;
    evaluations += live.length;
    const waiting = live.splice(0);
    for (let i = 0; i < waiting.length; i++) {
      const g = waiting[i]!;
      g.evaluations++;
      const evaluation: Evaluation = { policy: out.policy.subarray(i * game.actionCount, (i + 1) * game.actionCount), value: out.value[i]! };
      const finished = advance(g, evaluation);
      if (finished === null) live.push(g);
      else {
        await onGame(finished);
        if (started < games) await startGame();
      }
    }
  }
  return { evaluations, batches };
}
