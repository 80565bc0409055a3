/**
 * PUCT Monte-Carlo tree search (AlphaZero), written as a generator so that many searches can
 * share one network: `simulate` yields each leaf position that needs an evaluation and is resumed
 * with the network's answer; a batching driver runs many such generators and sends all waiting
 * leaves to the network at once. `searchSync` runs one search against a direct evaluator.
 *
 * Pure: the result depends only on (state, evaluator, params, rng). Values are from the side to
 * move (DESIGN.md §3): a node's `valueSum` is from the view of the player to move at that node,
 * and a parent reads a child's value with the sign flipped. Illegal moves are never expanded;
 * terminal positions are scored by the rules.
 */
import { valueFor } from "../core/player.js";
import type { Rng } from "../core/rng.js";
import type { GameState } from "../games/game.js";

/**
 * How a tree searches. The number of simulations is not among them: it is each search's budget
 * (`simulate`, `searchSync`, `searchAsync`), so that what is stored with a player or a self-play
 * run says once how many were played.
 */
export interface SearchParams {
  /** Exploration constant of PUCT: U = cPuct P sqrt(N_parent) / (1 + N_child). */
  cPuct: number;
  /**
   * First-play urgency: an unvisited child is valued at the parent's own value minus this
   * reduction (Leela Zero / KataGo style; 0 keeps the parent's value). Not at a noised root.
   */
  fpuReduction: number;
  /** Root noise weight (self-play: 0.25; 0 for matches and analysis). */
  noiseWeight: number;
  /** Dirichlet alpha = noiseAlphaScale / number of legal moves (AlphaZero: 0.3 on chess's ~35 moves ≈ 10 / 35). */
  noiseAlphaScale: number;
}

export const DEFAULT_SEARCH: SearchParams = { cPuct: 1.5, fpuReduction: 0.2, noiseWeight: 0, noiseAlphaScale: 10 };

/** What the network says of a position: logits over all actions and a value for the side to move. */
export interface Evaluation {
  policy: ArrayLike<number>;
  value: number;
}

export class SearchNode {
  visits = 0;
  /** Sum of backed-up values, from the view of the player to move at this node. */
  valueSum = 0;
  /** Legal actions and their priors once expanded; children created on first visit. */
  actions: Int32Array | null = null;
  priors: Float32Array | null = null;
  /** Priors mixed with root noise (used instead of `priors` while this node is the root). */
  noisyPriors: Float32Array | null = null;
  children: (SearchNode | null)[] = [];
  /** Set for terminal positions: the value for the player to move here. */
  terminalValue: number | null = null;

  get expanded(): boolean {
    return this.actions !== null || this.terminalValue !== null;
  }
}

export interface SearchResult {
  /** Visits per action (all actions; 0 for illegal or unvisited ones). */
  visits: Float32Array;
  /** Visits normalised: the policy target. */
  policy: Float32Array;
  /** Mean value of each visited action for the player to move at the root (NaN if unvisited). */
  q: Float32Array;
  /** The root's mean value for the player to move there. */
  rootValue: number;
  /** The most visited action (ties: the lower action); -1 before any visit. */
  bestAction: number;
}

/** A search tree that survives between moves (tree reuse). */
export class SearchTree {
  root = new SearchNode();
  /** Where simulations play their moves (a copy of `state` per simulation, no allocation). */
  private scratch: GameState | null = null;

  constructor(
    public state: GameState,
    readonly actionCount: number,
    /** May change between searches (full and cheap searches of playout cap randomization). */
    public params: SearchParams,
  ) {}

  /** A copy of the root state to play a simulation on (valid until the next call). */
  scratchState(): GameState {
    if (this.scratch === null) this.scratch = this.state.clone();
    else this.scratch.copyFrom(this.state);
    return this.scratch;
  }

  /** Moves the root to the child reached by `action` (keeping its subtree) and plays it. */
  advance(action: number): void {
    const root = this.root;
    let next: SearchNode | null = null;
    if (root.actions) {
      const k = root.actions.indexOf(action);
      if (k >= 0) next = root.children[k] ?? null;
    }
    this.state = this.state.clone();
    this.state.play(action);
    this.root = next ?? new SearchNode();
    this.root.noisyPriors = null;
  }

  result(): SearchResult {
    const visits = new Float32Array(this.actionCount);
    const q = new Float32Array(this.actionCount).fill(NaN);
    const root = this.root;
    let best = -1;
    let total = 0;
    if (root.actions) {
      root.actions.forEach((a, k) => {
        const child = root.children[k];
        if (!child || child.visits === 0) return;
        visits[a] = child.visits;
        q[a] = -child.valueSum / child.visits;
        total += child.visits;
        if (best < 0 || child.visits > visits[best]!) best = a;
      });
    }
    const policy = visits.map((v) => (total > 0 ? v / total : 0));
    return { visits, policy, q, rootValue: root.visits > 0 ? root.valueSum / root.visits : 0, bestAction: best };
  }
}

function softmaxOver(logits: ArrayLike<number>, actions: Int32Array): Float32Array {
  const out = new Float32Array(actions.length);
  let max = -Infinity;
  for (const a of actions) max = Math.max(max, logits[a]!);
  let sum = 0;
  for (let k = 0; k < actions.length; k++) sum += out[k] = Math.exp(logits[actions[k]!]! - max);
  for (let k = 0; k < actions.length; k++) out[k]! /= sum;
  return out;
}

function expand(node: SearchNode, state: GameState, evaluation: Evaluation): void {
  const mask = state.searchMask ? state.searchMask() : state.legalMask();
  const actions: number[] = [];
  for (let a = 0; a < mask.length; a++) if (mask[a] === 1) actions.push(a);
  node.actions = Int32Array.from(actions);
  node.priors = softmaxOver(evaluation.policy, node.actions);
  node.children = new Array(actions.length).fill(null);
}

function addRootNoise(node: SearchNode, params: SearchParams, rng: Rng): void {
  if (params.noiseWeight <= 0 || !node.priors || node.noisyPriors) return;
  const n = node.priors.length;
  const noise = rng.dirichlet(params.noiseAlphaScale / n, n);
  node.noisyPriors = node.priors.map((p, k) => (1 - params.noiseWeight) * p + params.noiseWeight * noise[k]!);
}

/** Index of the child PUCT selects (ties: the first, i.e. the lowest action). */
function select(node: SearchNode, params: SearchParams, isRoot: boolean): number {
  const priors = (isRoot && node.noisyPriors) || node.priors!;
  const sqrtN = Math.sqrt(node.visits);
  // Where root noise is on, unvisited root moves keep the root's value (Leela Zero): a reduction
  // would starve the moves that the noise has just made worth a look.
  const reduction = isRoot && node.noisyPriors ? 0 : params.fpuReduction;
  const fpu = (node.visits > 0 ? node.valueSum / node.visits : 0) - reduction;
  let best = 0, bestScore = -Infinity;
  for (let k = 0; k < priors.length; k++) {
    const child = node.children[k];
    const n = child ? child.visits : 0;
    const q = n > 0 ? -child!.valueSum / n : fpu;
    const score = q + (params.cPuct * priors[k]! * sqrtN) / (1 + n);
    if (score > bestScore) {
      bestScore = score;
      best = k;
    }
  }
  return best;
}

/** Whether some move of the root has been visited (the search has a move to play). */
function hasVisitedChild(root: SearchNode): boolean {
  return root.children.some((child) => child !== null && child.visits > 0);
}

/**
 * Runs `count` simulations on the tree, yielding each leaf state to evaluate; resume with its
 * Evaluation. The yielded state belongs to the search and is only valid until it is resumed. A
 * fresh root's first simulation only evaluates the root, so however small `count`, the search
 * goes on until some move has a visit: every search has a move to play.
 */
export function* simulate(tree: SearchTree, count: number, rng: Rng): Generator<GameState, void, Evaluation> {
  const params = tree.params;
  if (tree.state.outcome() !== null) throw new RangeError("search from a finished game");
  for (let sim = 0; sim < count || !hasVisitedChild(tree.root); sim++) {
    const state = tree.scratchState();
    const path: SearchNode[] = [tree.root];
    let node = tree.root;
    while (node.actions !== null) {
      if (node === tree.root) addRootNoise(node, params, rng);
      const k = select(node, params, node === tree.root);
      state.play(node.actions[k]!);
      let child = node.children[k];
      if (!child) node.children[k] = child = new SearchNode();
      path.push(child);
      node = child;
      if (node.terminalValue !== null) break;
    }
    let value: number;
    if (node.terminalValue !== null) {
      value = node.terminalValue;
    } else {
      const outcome = state.outcome();
      if (outcome !== null) {
        value = node.terminalValue = valueFor(outcome, state.toPlay);
      } else {
        const evaluation: Evaluation = yield state;
        expand(node, state, evaluation);
        if (node === tree.root) addRootNoise(node, params, rng);
        value = evaluation.value;
      }
    }
    // Back up: +value at the leaf (its player to move), alternating signs towards the root.
    for (let i = path.length - 1; i >= 0; i--) {
      path[i]!.visits++;
      path[i]!.valueSum += value;
      value = -value;
    }
  }
}

/** Runs a whole search with a direct evaluator (tests, analysis, single games). */
export function searchSync(tree: SearchTree, evaluate: (state: GameState) => Evaluation, rng: Rng, simulations: number): SearchResult {
  const run = simulate(tree, simulations, rng);
  let step = run.next();
  while (!step.done) step = run.next(evaluate(step.value));
  return tree.result();
}

/**
 * Runs a search whose evaluator answers asynchronously (a network through ONNX Runtime), until
 * `simulations` are done or `stop()` says so (time limits; checked after each evaluation, once the
 * root has two visits).
 */
export async function searchAsync(
  tree: SearchTree,
  evaluate: (state: GameState) => Promise<Evaluation>,
  rng: Rng,
  simulations: number,
  stop: () => boolean = () => false,
): Promise<SearchResult> {
  const run = simulate(tree, simulations, rng);
  let step = run.next();
  while (!step.done) {
    step = run.next(await evaluate(step.value));
    if (tree.root.visits >= 2 && stop()) break;
  }
  return tree.result();
}

/**
 * Picks the move to play from visit counts: the most visited at temperature 0 (ties broken at
 * random), else sampled with probability proportional to visits^(1 / temperature).
 */
export function chooseMove(visits: ArrayLike<number>, temperature: number, rng: Rng): number {
  let max = 0;
  for (let a = 0; a < visits.length; a++) max = Math.max(max, visits[a]!);
  if (max === 0) throw new RangeError("chooseMove: no visits");
  if (temperature <= 0) {
    const best: number[] = [];
    for (let a = 0; a < visits.length; a++) if (visits[a] === max) best.push(a);
    return best[rng.int(best.length)]!;
  }
  const weights = Array.from(visits, (v) => (v > 0 ? Math.pow(v / max, 1 / temperature) : 0));
  const total = weights.reduce((s, w) => s + w, 0);
  let x = rng.float() * total;
  for (let a = 0; a < weights.length; a++) {
    x -= weights[a]!;
    if (x < 0 && weights[a]! > 0) return a;
  }
  return weights.findLastIndex((w) => w > 0);
}
