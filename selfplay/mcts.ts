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
  /**
   * `puct`: AlphaZero's search (cPuct, first-play urgency, Dirichlet noise; the move and the
   * policy target come from visit counts). `gumbel`: Gumbel AlphaZero's (Danihelka et al., ICLR
   * 2022; DeepMind's mctx): Gumbel-top-m root sampling with Sequential Halving, completed Q
   * values, deterministic interior selection; the move is the one Sequential Halving keeps, the
   * policy target the improved policy; no Dirichlet noise, no tree reuse.
   */
  algorithm: "puct" | "gumbel";
  /** Gumbel: actions considered at the root (mctx: 16). */
  gumbelConsidered: number;
  /** Gumbel: σ(q) = (gumbelVisitInit + max visits) · gumbelValueScale · q, q rescaled to [0, 1] (mctx: 50 and 0.1). */
  gumbelVisitInit: number;
  gumbelValueScale: number;
  /** Gumbel: the scale of the Gumbel noise (self-play 1; 0 plays the search's best, for evaluation). */
  gumbelScale: number;
}

export const DEFAULT_SEARCH: SearchParams = { cPuct: 1.5, fpuReduction: 0.2, noiseWeight: 0, noiseAlphaScale: 10, algorithm: "puct", gumbelConsidered: 16, gumbelVisitInit: 50, gumbelValueScale: 0.1, gumbelScale: 1 };

/** What the network says of a position: logits over all actions and a value for the side to move. */
export interface Evaluation {
  policy: ArrayLike<number>;
  value: number;
}

/** The children of every node not yet expanded (frozen: `expand` gives a node its own). */
const NO_CHILDREN = Object.freeze([]) as unknown as (SearchNode | null)[];

export class SearchNode {
  visits = 0;
  /** Sum of backed-up values, from the view of the player to move at this node. */
  valueSum = 0;
  /** Legal actions and their priors once expanded; children created on first visit. */
  actions: Int32Array | null = null;
  priors: Float32Array | null = null;
  /** Priors mixed with root noise (used instead of `priors` while this node is the root). */
  noisyPriors: Float32Array | null = null;
  children: (SearchNode | null)[] = NO_CHILDREN;
  /** Set for terminal positions: the value for the player to move here. */
  terminalValue: number | null = null;
  /** The network's value of this position when it was expanded (Gumbel's mixed value). */
  netValue = 0;

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
  /**
   * Gumbel search only: the action Sequential Halving kept (the move to play), and the improved
   * policy softmax(logits + σ(completed Q)) over all actions (the policy target).
   */
  chosen?: number;
  improved?: Float32Array;
}

/** A search tree that survives between moves (tree reuse). */
export class SearchTree {
  root = new SearchNode();
  /** Where simulations play their moves (a copy of `state` per simulation, no allocation). */
  private scratch: GameState | null = null;
  /** The nodes of the simulation in progress, root first (one array for the tree's simulations). */
  readonly path: SearchNode[] = [];
  /** Gumbel search: the Gumbel(0, 1) sample of each root child (by index in `root.actions`), drawn once per search. */
  gumbel: Float32Array | null = null;

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
    this.gumbel = null;
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
    const result: SearchResult = { visits, policy, q, rootValue: root.visits > 0 ? root.valueSum / root.visits : 0, bestAction: best };
    if (this.params.algorithm === "gumbel" && root.actions && this.gumbel) {
      const sigma = completedQ(root, this.params);
      const logits = logPriors(root);
      const improved = softmaxOf(logits.map((l, k) => l + sigma[k]!));
      result.improved = new Float32Array(this.actionCount);
      root.actions.forEach((a, k) => (result.improved![a] = improved[k]!));
      let maxVisits = 0;
      for (const child of root.children) maxVisits = Math.max(maxVisits, child?.visits ?? 0);
      result.chosen = root.actions[argmaxConsidered(root, this.gumbel, logits, sigma, maxVisits)]!;
    }
    return result;
  }
}

/** The log-priors of a node's children (softmax gives the priors back; logits up to a constant). */
function logPriors(node: SearchNode): Float32Array {
  return node.priors!.map((p) => Math.log(Math.max(p, 1e-30)));
}

function softmaxOf(x: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let k = 0; k < x.length; k++) max = Math.max(max, x[k]!);
  const out = new Float32Array(x.length);
  let sum = 0;
  for (let k = 0; k < x.length; k++) sum += out[k] = Math.exp(x[k]! - max);
  for (let k = 0; k < x.length; k++) out[k]! /= sum;
  return out;
}

/**
 * σ(completed Q) of a node's children (Gumbel AlphaZero; mctx's qtransform_completed_by_mix_value):
 * a visited child's mean value from the node's view, an unvisited one the mixed value
 * (v̂ + N · Σ_visited π q / Σ_visited π) / (1 + N) of the node's network value v̂ and its visited
 * children; rescaled to [0, 1] by their minimum and maximum; times (visitInit + max visits) · valueScale.
 */
export function completedQ(node: SearchNode, params: SearchParams): Float32Array {
  const n = node.actions!.length, priors = node.priors!;
  const q = new Float32Array(n);
  let visits = 0, maxVisits = 0, weighted = 0, weight = 0;
  for (let k = 0; k < n; k++) {
    const child = node.children[k];
    if (!child || child.visits === 0) continue;
    q[k] = -child.valueSum / child.visits;
    visits += child.visits;
    maxVisits = Math.max(maxVisits, child.visits);
    weighted += priors[k]! * q[k]!;
    weight += priors[k]!;
  }
  const mixed = (node.netValue + (weight > 0 ? (visits * weighted) / weight : 0)) / (1 + visits);
  let min = Infinity, max = -Infinity;
  for (let k = 0; k < n; k++) {
    const child = node.children[k];
    if (!child || child.visits === 0) q[k] = mixed;
    min = Math.min(min, q[k]!);
    max = Math.max(max, q[k]!);
  }
  const scale = (params.gumbelVisitInit + maxVisits) * params.gumbelValueScale;
  for (let k = 0; k < n; k++) q[k] = (scale * (q[k]! - min)) / Math.max(max - min, 1e-8);
  return q;
}

/**
 * Sequential Halving's visit schedule for `count` simulations over `considered` actions (mctx's
 * get_sequence_of_considered_visits): simulation i goes to a considered action with exactly
 * schedule[i] visits. Each phase gives every remaining action max(1, ⌊count / (⌈log2 m⌉ · remaining)⌋)
 * more visits, then halves the remaining actions (at least 2).
 */
export function sequentialHalving(considered: number, count: number): number[] {
  if (considered <= 1) return Array.from({ length: count }, (_, i) => i);
  const log2 = Math.ceil(Math.log2(considered));
  const visits = new Array<number>(considered).fill(0);
  const schedule: number[] = [];
  let remaining = considered;
  while (schedule.length < count) {
    const extra = Math.max(1, Math.floor(count / (log2 * remaining)));
    for (let e = 0; e < extra; e++) {
      for (let k = 0; k < remaining; k++) schedule.push(visits[k]!);
      for (let k = 0; k < remaining; k++) visits[k]!++;
    }
    remaining = Math.max(2, Math.floor(remaining / 2));
  }
  return schedule.slice(0, count);
}

/**
 * The root child with `visits` visits that scores best by g + logit + σ(q) (mctx's score_considered;
 * ties: the first); over every child when none has that many visits.
 */
function argmaxConsidered(root: SearchNode, gumbel: Float32Array, logits: Float32Array, sigma: Float32Array, visits: number): number {
  let best = -1, bestScore = -Infinity;
  for (let k = 0; k < logits.length; k++) {
    if ((root.children[k]?.visits ?? 0) !== visits) continue;
    const score = gumbel[k]! + logits[k]! + sigma[k]!;
    if (score > bestScore) {
      bestScore = score;
      best = k;
    }
  }
  return best;
}

/** Gumbel AlphaZero's interior selection: argmax of softmax(logits + σ(completed Q)) − N(a) / (1 + ΣN). */
function selectGumbelInterior(node: SearchNode, params: SearchParams): number {
  const sigma = completedQ(node, params);
  const logits = logPriors(node);
  const probs = softmaxOf(logits.map((l, k) => l + sigma[k]!));
  let total = 0;
  for (const child of node.children) total += child?.visits ?? 0;
  let best = 0, bestScore = -Infinity;
  for (let k = 0; k < probs.length; k++) {
    const score = probs[k]! - (node.children[k]?.visits ?? 0) / (1 + total);
    if (score > bestScore) {
      bestScore = score;
      best = k;
    }
  }
  return best;
}

/**
 * Where expanded nodes' actions and priors live: views cut from shared blocks. V8 gives a typed
 * array of more than 64 bytes its own ArrayBuffer, about 1 µs to allocate and more to collect
 * (a 7x7 node's 40 priors: 160 bytes); a view of a block costs about 30 ns. Every view is handed
 * out once, from a new block's zeros, as `new Float32Array(n)` would be; a block is collected when
 * no node holds a view into it. One per thread (one search step runs at a time).
 */
const SLAB_BLOCK = 16384;
class Slab<T extends Int32Array | Float32Array> {
  private block: T;
  private used = 0;
  constructor(private readonly make: (n: number) => T) {
    this.block = make(0);
  }
  /** A fresh zeroed view of n elements. */
  take(n: number): T {
    if (this.used + n > this.block.length) {
      this.block = this.make(Math.max(SLAB_BLOCK, n));
      this.used = 0;
    }
    return this.block.subarray(this.used, (this.used += n)) as T;
  }
}
const actionSlab = new Slab((n) => new Int32Array(n));
const priorSlab = new Slab((n) => new Float32Array(n));

function softmaxOver(logits: ArrayLike<number>, actions: Int32Array): Float32Array {
  const out = priorSlab.take(actions.length);
  let max = -Infinity;
  for (const a of actions) max = Math.max(max, logits[a]!);
  let sum = 0;
  for (let k = 0; k < actions.length; k++) sum += out[k] = Math.exp(logits[actions[k]!]! - max);
  for (let k = 0; k < actions.length; k++) out[k]! /= sum;
  return out;
}

/** The mask `expand` reads (one thread runs one search step at a time: reused, not allocated per node). */
let scratchMask = new Uint8Array(0);

function expand(node: SearchNode, state: GameState, evaluation: Evaluation): void {
  node.netValue = evaluation.value;
  if (scratchMask.length !== evaluation.policy.length) scratchMask = new Uint8Array(evaluation.policy.length);
  const mask = state.searchMask ? state.searchMask(scratchMask) : state.legalMask(scratchMask);
  let count = 0;
  for (let a = 0; a < mask.length; a++) count += mask[a]!;
  const actions = actionSlab.take(count);
  for (let a = 0, k = 0; a < mask.length; a++) if (mask[a] === 1) actions[k++] = a;
  node.actions = actions;
  node.priors = softmaxOver(evaluation.policy, actions);
  node.children = new Array<SearchNode | null>(count).fill(null);
}

/** Plays a move the search chose among the legal ones. */
function playChosen(state: GameState, action: number): void {
  if (state.playLegal) state.playLegal(action);
  else state.play(action);
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
  if (params.algorithm === "gumbel") {
    yield* simulateGumbel(tree, count, rng);
    return;
  }
  for (let sim = 0; sim < count || !hasVisitedChild(tree.root); sim++) {
    const state = tree.scratchState();
    const path = tree.path;
    path.length = 0;
    path.push(tree.root);
    let node = tree.root;
    while (node.actions !== null) {
      if (node === tree.root) addRootNoise(node, params, rng);
      const k = select(node, params, node === tree.root);
      playChosen(state, node.actions[k]!);
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

/** Plays one simulation down from the root through child `first` of the root, choosing interior children with `pick`. */
function* descend(tree: SearchTree, first: number, pick: (node: SearchNode) => number): Generator<GameState, void, Evaluation> {
  const state = tree.scratchState();
  const path = tree.path;
  path.length = 0;
  path.push(tree.root);
  let node = tree.root;
  let k = first;
  for (;;) {
    playChosen(state, node.actions![k]!);
    let child = node.children[k];
    if (!child) node.children[k] = child = new SearchNode();
    path.push(child);
    node = child;
    if (node.terminalValue !== null || node.actions === null) break;
    k = pick(node);
  }
  let value: number;
  if (node.terminalValue !== null) value = node.terminalValue;
  else {
    const outcome = state.outcome();
    if (outcome !== null) value = node.terminalValue = valueFor(outcome, state.toPlay);
    else {
      const evaluation: Evaluation = yield state;
      expand(node, state, evaluation);
      value = evaluation.value;
    }
  }
  for (let i = path.length - 1; i >= 0; i--) {
    path[i]!.visits++;
    path[i]!.valueSum += value;
    value = -value;
  }
}

/**
 * Gumbel AlphaZero's search: a fresh root is evaluated first (one of the `count` evaluations);
 * then the other simulations (at least one), the root child of each chosen by Sequential Halving over the m = min(considered,
 * legal) actions of highest g + logit (g ~ Gumbel(0, 1), drawn once per search), each phase
 * keeping the half with the best g + logit + σ(q); interior children by `selectGumbelInterior`.
 */
function* simulateGumbel(tree: SearchTree, count: number, rng: Rng): Generator<GameState, void, Evaluation> {
  const params = tree.params;
  const root = tree.root;
  if (root.actions === null) {
    // The root's evaluation counts against the budget, as PUCT's first simulation does.
    const evaluation: Evaluation = yield tree.state;
    expand(root, tree.state, evaluation);
    root.visits++;
    root.valueSum += evaluation.value;
    count = Math.max(1, count - 1);
  }
  const n = root.actions!.length;
  tree.gumbel = Float32Array.from({ length: n }, () => params.gumbelScale * -Math.log(-Math.log(Math.max(rng.float(), 1e-12))));
  const logits = logPriors(root);
  const schedule = sequentialHalving(Math.min(params.gumbelConsidered, n), count);
  for (const visits of schedule) {
    const first = argmaxConsidered(root, tree.gumbel, logits, completedQ(root, params), visits);
    yield* descend(tree, first < 0 ? 0 : first, (node) => selectGumbelInterior(node, params));
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
