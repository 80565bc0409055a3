/**
 * Teacher games: GNU Go, the offline stand-in for accumulated human knowledge, plays both sides
 * over GTP. GNU Go is nearly deterministic (different seeds gave the same 7x7 game), so each game
 * gets its own level (unless fixed), random seed and a few random opening moves from its Rng
 * stream; duplicates are caught by the database (same moves, same game). Every move is checked
 * against fossil's rules; a game with an illegal move or an engine failure is dropped and
 * reported.
 */
import { existsSync } from "node:fs";
import { InputError } from "../../core/errors.js";
import type { Outcome, Player } from "../../core/player.js";
import type { Rng } from "../../core/rng.js";
import { Connect4Book } from "../../games/connect4/book.js";
import type { Connect4State } from "../../games/connect4/state.js";
import type { Game } from "../../games/game.js";
import { GoGame, goActionText, parseGoAction } from "../../games/go/game.js";
import { playoutMove } from "../../games/go/playout.js";
import { GtpClient, GtpError } from "../../selfplay/gtp.js";
import { playMatch } from "../../selfplay/match.js";
import { createPlayer } from "../../selfplay/players.js";

export const GNUGO = "/usr/games/gnugo";

export interface TeacherGame {
  index: number;
  level: number;
  actions: number[];
  outcome: Outcome | null;
  error?: string;
}

export interface TeacherOptions {
  games: number;
  /** Fixed GNU Go level (0-10), or null for a random level 1-10 per game. */
  level: number | null;
  /** Random opening moves per game: 0 to this many. */
  openingMoves: number;
  /** Engines run at once (one GNU Go process each). */
  workers: number;
  rngFor: (index: number) => Rng;
}

export function checkGnuGo(): void {
  if (!existsSync(GNUGO)) throw new InputError(`GNU Go is not installed (${GNUGO}): on Debian or Ubuntu, apt-get install gnugo`);
}

async function playOne(client: GtpClient, game: GoGame, index: number, options: TeacherOptions): Promise<TeacherGame> {
  const rng = options.rngFor(index);
  const level = options.level ?? 1 + rng.int(10);
  const state = game.newState();
  const actions: number[] = [];
  await client.send(`boardsize ${game.size}`);
  await client.send("clear_board");
  await client.send(`komi ${game.params.rules.komi}`);
  await client.send(`level ${level}`);
  await client.send(`set_random_seed ${rng.int(1_000_000_000)}`);
  const opening = rng.int(options.openingMoves + 1);
  for (let k = 0; k < opening && state.outcome() === null; k++) {
    const action = playoutMove(state.clone(), rng);
    await client.send(`play ${state.toPlay === 0 ? "b" : "w"} ${goActionText(action, game.size)}`);
    state.play(action);
    actions.push(action);
  }
  while (state.outcome() === null) {
    const mover: Player = state.toPlay;
    const reply = (await client.send(`genmove ${mover === 0 ? "b" : "w"}`)).trim();
    if (reply.toLowerCase() === "resign") return { index, level, actions, outcome: { winner: (1 - mover) as Player, score: NaN, reason: "resign" } };
    let action: number;
    try {
      action = parseGoAction(reply, game.size);
    } catch {
      return { index, level, actions, outcome: null, error: `GNU Go answered genmove with "${reply}"` };
    }
    const reason = state.illegalReason(action);
    if (reason !== null) return { index, level, actions, outcome: null, error: `GNU Go played ${reply} at move ${actions.length + 1}: illegal here (${reason})` };
    state.play(action);
    actions.push(action);
  }
  return { index, level, actions, outcome: state.outcome() };
}

export async function generateTeacherGames(game: GoGame, options: TeacherOptions, onGame: (g: TeacherGame) => void | Promise<void>): Promise<void> {
  checkGnuGo();
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(options.workers, options.games)) }, async () => {
    let client: GtpClient | null = null;
    try {
      for (let index = next++; index < options.games; index = next++) {
        client ??= GtpClient.start(`${GNUGO} --mode gtp --chinese-rules --capture-all-dead`);
        try {
          await onGame(await playOne(client, game, index, options));
        } catch (e) {
          if (!(e instanceof GtpError)) throw e;
          await onGame({ index, level: options.level ?? 0, actions: [], outcome: null, error: e.message });
          await client.close();
          client = null;
        }
      }
    } finally {
      await client?.close();
    }
  });
  await Promise.all(lanes);
}

/**
 * Teacher games of the built-in classical engine (`builtin:N`, selfplay/players.ts) against
 * itself: a search over knowledge-guided playouts, with a random number (0 to openingMoves) of
 * random opening moves per game for variety. Games run one after another on this thread.
 */
export async function generateBuiltinGames(game: GoGame, playouts: number, options: TeacherOptions, onGame: (g: TeacherGame) => void | Promise<void>): Promise<void> {
  const player = await createPlayer(`builtin:${playouts}`, game);
  const openings = (index: number): number[] => {
    const rng = options.rngFor(index).split("opening");
    const state = game.newState();
    const moves: number[] = [];
    const count = rng.int(options.openingMoves + 1);
    while (moves.length < count && state.outcome() === null) {
      const a = playoutMove(state.clone(), rng);
      state.play(a);
      moves.push(a);
    }
    return moves;
  };
  for (let index = 0; index < options.games; index++) {
    await playMatch(game, player, player, { games: 1, swap: false, openingMoves: 0, openings: [openings(index)], rngFor: () => options.rngFor(index) }, (g) =>
      onGame({ index, level: playouts, actions: g.actions, outcome: g.outcome, error: g.error }),
    );
  }
  await player.close();
}

/**
 * The Connect Four teacher, an imperfect expert: with probability `errorRate` a uniformly random
 * legal move; otherwise a perfect move (the solver, random among equally good ones) in the
 * positions of the opening book and from move `exactFrom` on; elsewhere before that, where exact
 * solving takes minutes per move, a rollout search with `playouts` random playouts per move.
 */
export async function generateConnect4Games(
  game: Game,
  errorRate: number,
  options: TeacherOptions & { exactFrom?: number; playouts?: number },
  onGame: (g: TeacherGame) => void | Promise<void>,
): Promise<void> {
  const rollout = await createPlayer(`rollout:${options.playouts ?? 400}`, game);
  const solver = await createPlayer("solver", game);
  const exactFrom = options.exactFrom ?? 12;
  const book = Connect4Book.builtin();
  for (let index = 0; index < options.games; index++) {
    const rng = options.rngFor(index);
    const state = game.newState();
    const actions: number[] = [];
    const opening = rng.int(options.openingMoves + 1);
    while (state.outcome() === null) {
      const legal = [...state.legalMask().keys()].filter((a) => state.isLegal(a));
      let action: number;
      if (actions.length < opening || rng.float() < errorRate) action = legal[rng.int(legal.length)]!;
      else {
        const exact = state.moveCount >= exactFrom || book.lookup(state as Connect4State) !== null;
        action = (await (exact ? solver : rollout).chooseMove(state, rng)) as number;
      }
      state.play(action);
      actions.push(action);
    }
    await onGame({ index, level: Math.round(errorRate * 100), actions, outcome: state.outcome() });
  }
}
