/**
 * Player specs: the one grammar of players, on the command line (match, data generate) and in
 * the database, where a player's name is its canonical spec text (`specText`):
 *
 *   random            uniform legal moves (Go: never filling a one-point own eye; pass when nothing else)
 *   rollout:N         MCTS with N simulations, each leaf valued by one uniform random playout (no network)
 *   builtin[:N]       the built-in teacher: the same search over knowledge-guided playouts (Go; N default 200)
 *   policy:MODEL      the raw network: its most likely legal move
 *   mcts:MODEL:SIMS   network-guided search (PUCT), no noise, most visited move
 *   gumbel:MODEL:SIMS network-guided Gumbel AlphaZero search without Gumbel noise: the move Sequential Halving keeps
 *   solver[:ERROR]    Connect Four: perfect play, random among equally good moves; with ERROR > 0
 *                     an imperfect expert (a random move with probability ERROR, a rollout search
 *                     where exact solving is slow)
 *   gnugo[:LEVEL]     GNU Go (Go) at LEVEL 0-10 (default 10, GNU Go's own), always played out
 *                     (Chinese rules, all dead stones captured) so the area count is right
 *   gtp:COMMAND       any other GTP engine (Go), e.g. gtp:/path/to/engine --gtp
 *
 * As a teacher (`data generate --teacher`) a bare `gnugo` draws a level 1-10 per game and a bare
 * `solver` errs with probability 0.1: teacher games need variety.
 */
import { InputError } from "../core/errors.js";
import { formatNumber } from "../core/player.js";

/** What kind of participant a player is (the `players.kind` column). */
export type PlayerKind = "network" | "random" | "rollout" | "solver" | "gtp" | "human" | "other";

export type PlayerSpec =
  | { readonly type: "random" }
  | { readonly type: "rollout"; readonly playouts: number }
  | { readonly type: "builtin"; readonly playouts: number }
  | { readonly type: "policy"; readonly model: string }
  | { readonly type: "mcts"; readonly model: string; readonly simulations: number; readonly gumbel?: boolean }
  | { readonly type: "solver"; readonly errorRate: number | null }
  | { readonly type: "gnugo"; readonly level: number | null }
  | { readonly type: "gtp"; readonly command: string };

export const PLAYER_SPEC_HELP = "random, rollout:N, builtin[:N], policy:MODEL, mcts:MODEL:SIMS, gumbel:MODEL:SIMS, solver[:ERROR], gnugo[:LEVEL], gtp:COMMAND";

/** Most playouts or simulations per move a spec may ask for (more would hold a game for hours). */
export const MAX_SEARCH = 1_000_000;

/** Playouts per move of `builtin` without a number. */
export const BUILTIN_PLAYOUTS = 200;
/** GNU Go's own default level, the level of a bare `gnugo` in a match. */
export const GNUGO_DEFAULT_LEVEL = 10;
/** Where Debian's gnugo package puts the program. */
export const GNUGO = "/usr/games/gnugo";

/** Parses a player spec; an InputError names the spec and the expected form. */
export function parsePlayerSpec(text: string): PlayerSpec {
  const spec = text.trim();
  const colon = spec.indexOf(":");
  const head = (colon < 0 ? spec : spec.slice(0, colon)).toLowerCase();
  const rest = colon < 0 ? null : spec.slice(colon + 1);
  const bad = (why: string): InputError => new InputError(`player "${text}": ${why}`);
  const count = (value: string | null, what: string, fallback?: number): number => {
    if (value === null && fallback !== undefined) return fallback;
    const n = Number(value);
    if (value === null || value.trim() === "" || !Number.isInteger(n) || n < 1 || n > MAX_SEARCH) throw bad(`expected ${what} (a whole number from 1 to ${MAX_SEARCH.toLocaleString("en-US")})`);
    return n;
  };
  switch (head) {
    case "random":
      if (rest !== null) throw bad("random takes no argument");
      return { type: "random" };
    case "rollout":
      return { type: "rollout", playouts: count(rest, "rollout:N with N playouts per move") };
    case "builtin":
      return { type: "builtin", playouts: count(rest, "builtin:N with N playouts per move", BUILTIN_PLAYOUTS) };
    case "policy":
      if (!rest?.trim()) throw bad("expected policy:MODEL");
      return { type: "policy", model: rest.trim() };
    case "mcts":
    case "gumbel": {
      const last = rest === null ? -1 : rest.lastIndexOf(":");
      if (rest === null || last <= 0) throw bad(`expected ${head}:MODEL:SIMS`);
      const simulations = count(rest.slice(last + 1), `${head}:MODEL:SIMS with SIMS simulations per move`);
      return { type: "mcts", model: rest.slice(0, last).trim(), simulations, ...(head === "gumbel" ? { gumbel: true } : {}) };
    }
    case "solver": {
      if (rest === null) return { type: "solver", errorRate: null };
      const rate = Number(rest);
      if (rest.trim() === "" || !(rate >= 0 && rate <= 1)) throw bad("expected solver:ERROR with ERROR a probability from 0 to 1");
      return { type: "solver", errorRate: rate };
    }
    case "gnugo": {
      if (rest === null) return { type: "gnugo", level: null };
      const level = Number(rest);
      if (!/^\d+$/.test(rest.trim()) || level > 10) throw bad(`GNU Go levels are 0 to 10, got "${rest}"`);
      return { type: "gnugo", level };
    }
    case "gtp": {
      if (!rest?.trim()) throw bad("expected gtp:COMMAND");
      // GNU Go has one name per level, and runs with the options that play games out (area scoring).
      const program = rest.trim().split(/\s+/)[0]!;
      if (/(^|\/)gnugo$/.test(program)) throw bad("play GNU Go as gnugo:LEVEL (0-10), which runs it so that games are played out and counted right");
      return { type: "gtp", command: rest.trim() };
    }
    default:
      throw bad(`unknown kind of player (${PLAYER_SPEC_HELP})`);
  }
}

/**
 * The canonical text of a spec, the player's name in the database: `builtin` is `builtin:200`,
 * `gnugo` is `gnugo:10` and `solver:0` is `solver`, so one engine at one level is one player.
 */
export function specText(spec: PlayerSpec): string {
  switch (spec.type) {
    case "random":
      return "random";
    case "rollout":
    case "builtin":
      return `${spec.type}:${spec.playouts}`;
    case "policy":
      return `policy:${spec.model}`;
    case "mcts":
      return `${spec.gumbel ? "gumbel" : "mcts"}:${spec.model}:${spec.simulations}`;
    case "solver":
      return spec.errorRate ? `solver:${formatNumber(spec.errorRate)}` : "solver";
    case "gnugo":
      return `gnugo:${spec.level ?? GNUGO_DEFAULT_LEVEL}`;
    case "gtp":
      return `gtp:${spec.command}`;
  }
}

/** The `players.kind` of a spec. */
export function kindOf(spec: PlayerSpec): PlayerKind {
  switch (spec.type) {
    case "random":
    case "rollout":
    case "solver":
      return spec.type;
    case "policy":
    case "mcts":
      return "network";
    case "gnugo":
    case "gtp":
      return "gtp";
    case "builtin":
      return "other";
  }
}

/** The kind of a player named `name`: its spec's kind if the name is a spec, else `fallback` (imported names). */
export function kindOfName(name: string, fallback: PlayerKind = "other"): PlayerKind {
  try {
    return kindOf(parsePlayerSpec(name));
  } catch {
    return fallback;
  }
}

/** The command line that plays GNU Go at a level, always to the end under area scoring. */
export function gnugoCommand(level: number): string {
  return `${GNUGO} --mode gtp --level ${level} --chinese-rules --capture-all-dead`;
}
