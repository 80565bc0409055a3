/**
 * Players named by spec strings; the same string identifies the player in the database:
 *   random            uniform legal moves (Go: never filling a one-point own eye; pass when nothing else)
 *   rollout:N         MCTS with N simulations, each leaf valued by one uniform random playout (no network)
 *   builtin:N         the built-in teacher: the same search with knowledge-guided playouts (Go)
 *   policy:MODEL      the raw network: its most likely legal move
 *   mcts:MODEL:SIMS   network-guided search, no noise, most visited move
 *   solver            Connect Four: perfect play, random among equally good moves
 *   gtp:COMMAND       an external engine over GTP (Go), e.g. gtp:/usr/games/gnugo --mode gtp --level 1
 */
import { InputError } from "../core/errors.js";
import { valueFor, type Player } from "../core/player.js";
import type { Rng } from "../core/rng.js";
import type { Game, GameState } from "../games/game.js";
import { Connect4Book } from "../games/connect4/book.js";
import { Connect4Solver } from "../games/connect4/solver.js";
import type { Connect4State } from "../games/connect4/state.js";
import { GoGame, goActionText, parseGoAction } from "../games/go/game.js";
import { heavyPlayout } from "../games/go/heavy.js";
import { playout, playoutMove } from "../games/go/playout.js";
import type { GoState } from "../games/go/state.js";
import { OnnxModel } from "../models/inference.js";
import type { PlayerKind } from "../db/store.js";
import { LeafBatcher } from "./batcher.js";
import { GtpClient, GtpError } from "./gtp.js";
import { chooseMove, DEFAULT_SEARCH, searchAsync, searchSync, SearchTree, type Evaluation } from "./mcts.js";

export type MoveChoice = number | "resign";

export interface MatchPlayer {
  readonly spec: string;
  readonly kind: PlayerKind;
  /** A new game starts from the game's start position. */
  startGame(rng: Rng): Promise<void>;
  /** A move for the side to move in `state`. */
  chooseMove(state: GameState, rng: Rng): Promise<MoveChoice>;
  /** A move was played by either side (`own`: chosen by this player); engines keep their own board. */
  observe(action: number, player: Player, own: boolean): Promise<void>;
  close(): Promise<void>;
}

/** A uniform random legal move (Go: the playout policy). */
export function randomMove(game: Game, state: GameState, rng: Rng): number {
  if (game instanceof GoGame) {
    const scratch = (state as GoState).clone();
    return playoutMove(scratch, rng);
  }
  const mask = state.legalMask();
  const legal: number[] = [];
  mask.forEach((v, a) => v === 1 && legal.push(a));
  return legal[rng.int(legal.length)]!;
}

/**
 * The result of one playout from `state`, for the player to move there: uniform random moves,
 * or in Go with `heavy` the knowledge-guided policy of games/go/heavy.ts.
 */
function playoutValue(game: Game, state: GameState, rng: Rng, heavy = false): number {
  const s = state.clone();
  const mover = s.toPlay;
  if (game instanceof GoGame) (heavy ? heavyPlayout : playout)(s as GoState, rng);
  else while (s.outcome() === null) s.play(randomMove(game, s, rng));
  return valueFor(s.outcome()!, mover);
}

class RandomPlayer implements MatchPlayer {
  readonly kind = "random" as const;
  constructor(
    readonly spec: string,
    private readonly game: Game,
  ) {}
  async startGame(): Promise<void> {}
  async chooseMove(state: GameState, rng: Rng): Promise<MoveChoice> {
    return randomMove(this.game, state, rng);
  }
  async observe(): Promise<void> {}
  async close(): Promise<void> {}
}

class RolloutPlayer implements MatchPlayer {
  readonly kind: PlayerKind = "rollout";
  constructor(
    readonly spec: string,
    private readonly game: Game,
    private readonly simulations: number,
    /** Use the knowledge-guided playouts of games/go/heavy.ts (the built-in teacher). */
    private readonly heavy = false,
  ) {
    if (heavy) this.kind = "other";
  }
  async startGame(): Promise<void> {}
  async chooseMove(state: GameState, rng: Rng): Promise<MoveChoice> {
    const uniform = new Float32Array(this.game.actionCount);
    const tree = new SearchTree(state.clone(), this.game.actionCount, { ...DEFAULT_SEARCH, simulations: this.simulations, fpuReduction: 0 });
    const r = searchSync(tree, (leaf) => ({ policy: uniform, value: playoutValue(this.game, leaf, rng, this.heavy) }), rng);
    return chooseMove(r.visits, 0, rng);
  }
  async observe(): Promise<void> {}
  async close(): Promise<void> {}
}

/** A network player; games played at once share its model through one LeafBatcher. */
class NetworkPlayer implements MatchPlayer {
  readonly kind = "network" as const;
  private readonly batcher: LeafBatcher;
  constructor(
    readonly spec: string,
    private readonly game: Game,
    private readonly model: OnnxModel,
    private readonly simulations: number | null,
    maxBatch: number,
  ) {
    this.batcher = new LeafBatcher(model, game, maxBatch);
  }
  private evaluate(state: GameState): Promise<Evaluation> {
    return this.batcher.evaluate(state);
  }
  async startGame(): Promise<void> {}
  async chooseMove(state: GameState, rng: Rng): Promise<MoveChoice> {
    if (this.simulations === null) {
      const { policy } = await this.evaluate(state);
      const mask = state.legalMask();
      let best = -1;
      for (let a = 0; a < mask.length; a++) if (mask[a] === 1 && (best < 0 || policy[a]! > policy[best]!)) best = a;
      return best;
    }
    const tree = new SearchTree(state.clone(), this.game.actionCount, { ...DEFAULT_SEARCH, simulations: this.simulations, noiseWeight: 0 });
    return chooseMove((await searchAsync(tree, (leaf) => this.evaluate(leaf), rng)).visits, 0, rng);
  }
  async observe(): Promise<void> {}
  async close(): Promise<void> {
    await this.model.close();
  }
}

class SolverPlayer implements MatchPlayer {
  readonly kind = "solver" as const;
  private readonly solver = new Connect4Solver();
  constructor(readonly spec: string) {
    this.solver.book = Connect4Book.builtin();
  }
  async startGame(): Promise<void> {}
  async chooseMove(state: GameState, rng: Rng): Promise<MoveChoice> {
    const { moves } = this.solver.bestMoves(state as Connect4State);
    return moves[rng.int(moves.length)]!;
  }
  async observe(): Promise<void> {}
  async close(): Promise<void> {}
}

/** An external Go engine over GTP. Its errors become GtpError (crash, timeout, refusal). */
class GtpPlayer implements MatchPlayer {
  readonly kind = "gtp" as const;
  private client: GtpClient | null = null;
  constructor(
    readonly spec: string,
    private readonly command: string,
    private readonly game: GoGame,
  ) {}
  async startGame(): Promise<void> {
    this.client ??= GtpClient.start(this.command);
    await this.client.send(`boardsize ${this.game.size}`);
    await this.client.send("clear_board");
    await this.client.send(`komi ${this.game.params.rules.komi}`);
  }
  async chooseMove(state: GameState): Promise<MoveChoice> {
    const reply = (await this.client!.send(`genmove ${state.toPlay === 0 ? "b" : "w"}`)).trim();
    if (reply.toLowerCase() === "resign") return "resign";
    try {
      return parseGoAction(reply, this.game.size);
    } catch {
      throw new GtpError(`engine "${this.command}" answered genmove with "${reply}", not a point`, "failure");
    }
  }
  async observe(action: number, player: Player, own: boolean): Promise<void> {
    if (own) return; // genmove already played it on the engine's board
    await this.client!.send(`play ${player === 0 ? "b" : "w"} ${goActionText(action, this.game.size)}`);
  }
  async close(): Promise<void> {
    await this.client?.close();
    this.client = null;
  }
}

/** Whether games may be played at once with this player (an engine process holds one board). */
export function playsConcurrently(player: MatchPlayer): boolean {
  return player.kind !== "gtp";
}

export async function createPlayer(spec: string, game: Game, options: { threads?: number; maxBatch?: number } = {}): Promise<MatchPlayer> {
  const [head, ...rest] = spec.split(":");
  const bad = (why: string): InputError => new InputError(`player "${spec}": ${why}`);
  switch (head) {
    case "random":
      if (rest.length > 0) throw bad("random takes no argument");
      return new RandomPlayer(spec, game);
    case "rollout": {
      const n = Number(rest[0]);
      if (rest.length !== 1 || !Number.isInteger(n) || n < 1) throw bad("expected rollout:N with N >= 1 playouts per move");
      return new RolloutPlayer(spec, game, n);
    }
    case "policy":
    case "mcts": {
      let sims: number | null = null;
      let path = rest.join(":");
      if (head === "mcts") {
        const last = rest.pop();
        sims = Number(last);
        if (rest.length === 0 || !Number.isInteger(sims) || sims < 1) throw bad("expected mcts:MODEL:SIMS");
        path = rest.join(":");
      }
      if (!path) throw bad(`expected ${head}:MODEL`);
      const model = await OnnxModel.load(path, { threads: options.threads ?? 1, expect: { game: game.id, planeVersion: game.planeVersion, height: game.height, width: game.width } });
      return new NetworkPlayer(spec, game, model, sims, options.maxBatch ?? 64);
    }
    case "builtin": {
      const n = Number(rest[0]);
      if (!(game instanceof GoGame)) throw bad("the built-in teacher plays Go only");
      if (rest.length !== 1 || !Number.isInteger(n) || n < 1) throw bad("expected builtin:N with N >= 1 playouts per move");
      return new RolloutPlayer(spec, game, n, true);
    }
    case "solver":
      if (game.id !== "connect4") throw bad("the solver plays Connect Four only");
      return new SolverPlayer(spec);
    case "gtp": {
      if (!(game instanceof GoGame)) throw bad("GTP engines play Go only");
      const command = rest.join(":").trim();
      if (!command) throw bad("expected gtp:COMMAND");
      return new GtpPlayer(spec, command, game);
    }
    default:
      throw bad("unknown kind (random, rollout:N, builtin:N, policy:MODEL, mcts:MODEL:SIMS, solver, gtp:COMMAND)");
  }
}
