/**
 * Players of matches and teacher games, made from player specs (spec.ts): the same spec text
 * names the player in the database. Players see the game only through the Game interface; what
 * a player needs of a game (a solver, GTP settings, expert playouts) it asks the game for.
 */
import { InputError } from "../core/errors.js";
import { valueFor, type Player } from "../core/player.js";
import type { Rng } from "../core/rng.js";
import type { Game, GameState, GtpSettings, PerfectPlay } from "../games/game.js";
import { OnnxModel } from "../models/inference.js";
import { LeafBatcher } from "./batcher.js";
import { GtpClient, GtpError } from "./gtp.js";
import { chooseMove, DEFAULT_SEARCH, searchAsync, searchSync, SearchTree, type Evaluation, type SearchParams } from "./mcts.js";
import { GNUGO, gnugoCommand, GNUGO_DEFAULT_LEVEL, kindOf, parsePlayerSpec, specText, type PlayerKind, type PlayerSpec } from "./spec.js";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

/**
 * A move chosen at random on purpose (an imperfect expert's error): played like any move, but
 * recorded as random (`games.random_moves`) so that nothing learns to imitate it.
 */
export interface RandomChoice {
  random: number;
}

export type MoveChoice = number | "resign" | RandomChoice;

export interface MatchPlayer {
  /** The canonical spec text: the player's name in the database. */
  readonly spec: string;
  readonly kind: PlayerKind;
  /** The model file of a network player. */
  readonly modelPath?: string;
  /** A new game starts from the game's start position; `rng` is that game's stream. */
  startGame(rng: Rng): Promise<void>;
  /** A move for the side to move in `state`. */
  chooseMove(state: GameState, rng: Rng): Promise<MoveChoice>;
  /** A move was played by either side (`own`: chosen by this player); engines keep their own board. */
  observe(action: number, player: Player, own: boolean): Promise<void>;
  close(): Promise<void>;
}

/** The result of one playout from `state` (the game's playout policy, or its expert one), for the player to move there. */
function playoutValue(game: Game, state: GameState, rng: Rng, expert: boolean): number {
  const s = state.clone();
  const mover = s.toPlay;
  game.playout(s, rng, expert);
  return valueFor(s.outcome()!, mover);
}

/** A rollout search's move: `simulations` simulations, each leaf valued by one playout. */
function rolloutMove(game: Game, state: GameState, simulations: number, expert: boolean, rng: Rng): number {
  const uniform = new Float32Array(game.actionCount);
  const tree = new SearchTree(state.clone(), game.actionCount, { ...DEFAULT_SEARCH, fpuReduction: 0 });
  const r = searchSync(tree, (leaf) => ({ policy: uniform, value: playoutValue(game, leaf, rng, expert) }), rng, simulations);
  return chooseMove(r.visits, 0, rng);
}

/** Players that keep no state between moves. */
abstract class StatelessPlayer implements MatchPlayer {
  abstract readonly spec: string;
  abstract readonly kind: PlayerKind;
  async startGame(): Promise<void> {}
  abstract chooseMove(state: GameState, rng: Rng): Promise<MoveChoice>;
  async observe(): Promise<void> {}
  async close(): Promise<void> {}
}

class RandomPlayer extends StatelessPlayer {
  readonly spec = "random";
  readonly kind = "random" as const;
  constructor(private readonly game: Game) {
    super();
  }
  async chooseMove(state: GameState, rng: Rng): Promise<MoveChoice> {
    return this.game.randomMove(state, rng);
  }
}

class RolloutPlayer extends StatelessPlayer {
  constructor(
    readonly spec: string,
    readonly kind: PlayerKind,
    private readonly game: Game,
    private readonly simulations: number,
    /** Use the game's knowledge-guided playouts (the built-in teacher). */
    private readonly expert: boolean,
  ) {
    super();
  }
  async chooseMove(state: GameState, rng: Rng): Promise<MoveChoice> {
    return rolloutMove(this.game, state, this.simulations, this.expert, rng);
  }
}

/** A network player; games played at once share its model through one LeafBatcher. */
class NetworkPlayer extends StatelessPlayer {
  readonly kind = "network" as const;
  private readonly batcher: LeafBatcher;
  constructor(
    readonly spec: string,
    readonly modelPath: string,
    private readonly game: Game,
    private readonly model: OnnxModel,
    private readonly simulations: number | null,
    maxBatch: number,
    private readonly algorithm: SearchParams["algorithm"] = "puct",
  ) {
    super();
    this.batcher = new LeafBatcher(model, game, maxBatch);
  }
  private evaluate(state: GameState): Promise<Evaluation> {
    return this.batcher.evaluate(state);
  }
  async chooseMove(state: GameState, rng: Rng): Promise<MoveChoice> {
    if (this.simulations === null) {
      const { policy } = await this.evaluate(state);
      const mask = state.searchMask ? state.searchMask() : state.legalMask(); // no pass while the board is open, as in search
      let best = -1;
      for (let a = 0; a < mask.length; a++) if (mask[a] === 1 && (best < 0 || policy[a]! > policy[best]!)) best = a;
      return best;
    }
    const tree = new SearchTree(state.clone(), this.game.actionCount, { ...DEFAULT_SEARCH, noiseWeight: 0, algorithm: this.algorithm, gumbelScale: 0 });
    const result = await searchAsync(tree, (leaf) => this.evaluate(leaf), rng, this.simulations);
    return result.chosen ?? chooseMove(result.visits, 0, rng);
  }
  override async close(): Promise<void> {
    await this.model.close();
  }
}

/** Playouts per move of the imperfect solver's rollout search, where exact solving is slow. */
const EXPERT_ROLLOUTS = 400;

/**
 * Perfect play (random among equally good moves), or with `errorRate` > 0 an imperfect expert:
 * a uniformly random move with that probability; otherwise the perfect move where the game
 * finds it at once, a rollout search elsewhere.
 */
class SolverPlayer extends StatelessPlayer {
  readonly kind = "solver" as const;
  constructor(
    readonly spec: string,
    private readonly game: Game,
    private readonly perfect: PerfectPlay,
    private readonly errorRate: number,
  ) {
    super();
  }
  async chooseMove(state: GameState, rng: Rng): Promise<MoveChoice> {
    if (this.errorRate > 0) {
      if (rng.float() < this.errorRate) return { random: this.game.randomMove(state, rng) };
      if (!this.perfect.isQuick(state)) return rolloutMove(this.game, state, EXPERT_ROLLOUTS, false, rng);
    }
    const moves = this.perfect.bestMoves(state);
    return moves[rng.int(moves.length)]!;
  }
}

/** An external engine over GTP. Its errors become GtpError (crash, timeout, refusal). */
class GtpPlayer implements MatchPlayer {
  readonly kind = "gtp" as const;
  private client: GtpClient | null = null;
  /** The commands the engine knows (`list_commands`). */
  private commands = new Set<string>();
  constructor(
    readonly spec: string,
    private readonly command: string,
    private readonly game: Game,
    private readonly settings: GtpSettings,
    /** GNU Go: a random seed per game (from the game's stream), so repeated games differ. */
    private readonly seeded: boolean,
    private readonly timeoutMs: number,
  ) {}
  async startGame(rng: Rng): Promise<void> {
    if (!this.client) {
      this.client = GtpClient.start(this.command, this.timeoutMs);
      this.commands = new Set((await this.client.send("list_commands")).split(/\s+/));
    }
    await this.client.send(`boardsize ${this.settings.boardSize}`);
    await this.client.send("clear_board");
    await this.client.send(`komi ${this.settings.komi}`);
    // Engines that take rules over GTP are told fossil's: area scoring, games played out.
    if (this.commands.has("kgs-rules")) await this.client.send("kgs-rules chinese");
    if (this.seeded) await this.client.send(`set_random_seed ${rng.split("engine-seed").int(1_000_000_000)}`);
  }
  async chooseMove(state: GameState): Promise<MoveChoice> {
    const reply = (await this.client!.send(`genmove ${state.toPlay === 0 ? "b" : "w"}`)).trim();
    if (reply.toLowerCase() === "resign") return "resign";
    try {
      return this.game.parseAction(reply);
    } catch {
      throw new GtpError(`engine "${this.command}" answered genmove with "${reply}", not a point`, "failure");
    }
  }
  async observe(action: number, player: Player, own: boolean): Promise<void> {
    if (own) return; // genmove already played it on the engine's board
    await this.client!.send(`play ${player === 0 ? "b" : "w"} ${this.game.actionText(action)}`);
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

export interface PlayerOptions {
  /** ONNX Runtime threads of a network player (default 1). */
  threads?: number;
  /** Seconds a GTP engine may take to answer one command (default 60). */
  engineTimeout?: number;
  /** Largest network batch (default 64). */
  maxBatch?: number;
}

/** A player for `game` from a spec (text or parsed); InputError when the spec or the game does not fit. */
export async function createPlayer(spec: string | PlayerSpec, game: Game, options: PlayerOptions = {}): Promise<MatchPlayer> {
  const parsed = typeof spec === "string" ? parsePlayerSpec(spec) : spec;
  const name = specText(parsed);
  const bad = (why: string): InputError => new InputError(`player "${typeof spec === "string" ? spec : name}": ${why}`);
  switch (parsed.type) {
    case "random":
      return new RandomPlayer(game);
    case "rollout":
    case "builtin": {
      const expert = parsed.type === "builtin";
      if (expert && !game.hasExpertPlayouts) throw bad(`the built-in teacher plays Go only, not ${game.id}`);
      return new RolloutPlayer(name, kindOf(parsed), game, parsed.playouts, expert);
    }
    case "policy":
    case "mcts": {
      const model = await OnnxModel.load(parsed.model, { threads: options.threads ?? 1, expect: game });
      // Named by the network's content, not the path typed: one file is one player, a retrained one another.
      const named = specText({ ...parsed, model: model.info.name });
      const gumbel = parsed.type === "mcts" && parsed.gumbel === true;
      return new NetworkPlayer(named, resolve(parsed.model), game, model, parsed.type === "mcts" ? parsed.simulations : null, options.maxBatch ?? 64, gumbel ? "gumbel" : "puct");
    }
    case "solver":
      if (!game.perfectPlay) throw bad(`the solver plays Connect Four only, not ${game.id}`);
      return new SolverPlayer(name, game, game.perfectPlay(), parsed.errorRate ?? 0);
    case "gnugo":
    case "gtp": {
      if (!game.gtp) throw bad(`GTP engines play Go only, not ${game.id}`);
      if (parsed.type === "gnugo" && !existsSync(GNUGO)) throw bad(`GNU Go is not installed (${GNUGO}): on Debian or Ubuntu, apt-get install gnugo`);
      const command = parsed.type === "gnugo" ? gnugoCommand(parsed.level ?? GNUGO_DEFAULT_LEVEL) : parsed.command;
      return new GtpPlayer(name, command, game, game.gtp, parsed.type === "gnugo", 1000 * (options.engineTimeout ?? 60));
    }
  }
}
