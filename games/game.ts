/**
 * The interface every game implements (DESIGN.md §3): a static description (`Game`) and a
 * mutable position (`GameState`). Search, training, storage and the commands see games only
 * through this: what differs between games (move text, the stored form of a game, the playout
 * policy, what an external tool can do with it) is a member here, so nothing outside `games/`
 * asks which game it holds.
 */
import type { Outcome, Player } from "../core/player.js";
import type { Rng } from "../core/rng.js";

export interface GameState {
  /** The player to move. */
  readonly toPlay: Player;
  /** Moves (plies, passes included) played since the start position. */
  readonly moveCount: number;
  /**
   * 1 for each legal action, 0 otherwise, length `Game.actionCount`. A finished game has no legal
   * action; an unfinished one has at least one (Go's pass is always legal until the game ends).
   */
  legalMask(out?: Uint8Array): Uint8Array;
  isLegal(action: number): boolean;
  /**
   * The legal actions a search considers (`legalMask` when absent). Go plays as its playout
   * policy does: never into a one-point own eye, and a pass only when no other move is left (the
   * board is settled). A network then never passes its way out of a game whose points are still
   * open (its opponent would fill them), and games end as playouts do, not at the move cap.
   */
  searchMask?(out?: Uint8Array): Uint8Array;
  /** Plays a legal action in place; throws IllegalMoveError for an illegal one. */
  play(action: number): void;
  /** Plays an action known to be legal (one of `searchMask`'s or `legalMask`'s), without checking it: search's hot path. */
  playLegal?(action: number): void;
  /** A deep copy: nothing done to the copy affects this state, or the reverse. */
  clone(): this;
  /**
   * Makes this state a deep copy of `other` (a state of the same game, as made by its clone),
   * reusing this state's memory: search copies the root into one scratch state per simulation.
   */
  copyFrom(other: this): void;
  /** The outcome once the game is over, null while it goes on. */
  outcome(): Outcome | null;
  /**
   * A 64-bit hash of everything that decides the legal moves and the future of the game that a
   * hash can hold: the position, the side to move, and game-specific state (Go: the pass count
   * and the rules). Go's positional superko also depends on the earlier positions, which no
   * fixed-size hash can hold; see games/go/state.ts.
   */
  hash(): bigint;
  /** A text picture of the position, for people. */
  toString(): string;
  /**
   * What lies on each cell, `Game.height × Game.width` of them row by row from the top (the
   * layout of the feature planes): 0 empty, 1 the first player's stone, 2 the second player's.
   */
  cells(): Uint8Array;
}

/**
 * A game as the database stores it: the columns a game owns (db/README.md, table `games`).
 * `parseGameSpec(spec)` gives the game that replays `moves` from `setup`.
 */
export interface StoredGame {
  /** The full game spec the game was played under: "go:9:chinese:7.5", "connect4". */
  spec: string;
  /** Compact moves in the game's stored form (`Game.movesText`). */
  moves: string;
  /** Go: setup stones and the first player, "B:aabb W:cc PL:W"; null: the start position. */
  setup: string | null;
}

/** The columns of a stored game that follow from the game itself. */
export interface RulesColumns {
  /** The board family ratings and models group by: "go:9", "connect4". */
  game: string;
  spec: string;
  /** Go: N of NxN; null for games without one. */
  boardSize: number | null;
  /** Go: "chinese komi=7.5"; null for games without rules variants. */
  rules: string | null;
  komi: number | null;
}

/** Who plays perfectly (Connect Four: the solver with its opening book). */
export interface PerfectPlay<S extends GameState = GameState> {
  /** Every best move of the side to move (the game must not be over). */
  bestMoves(state: S): number[];
  /** Whether `bestMoves` answers at once here (Connect Four: in the opening book, or late enough to search fast). */
  isQuick(state: S): boolean;
}

/** The board settings a GTP engine (Go Text Protocol) is told before a game. */
export interface GtpSettings {
  boardSize: number;
  komi: number;
}

/** Header of an SGF record written for a stored game. */
export interface SgfHeader {
  black: string;
  white: string;
  blackRank?: string;
  whiteRank?: string;
  result: string;
  date?: string;
  event?: string;
}

/** What SGF can hold of a game (Go). */
export interface SgfSupport<S extends GameState = GameState> {
  /** SGF text of a stored game of this game. */
  write(stored: StoredGame, header: SgfHeader): string;
  /**
   * The position of game `number` (1-based) of an SGF collection after its first `moves` moves
   * (all of them when undefined); InputError naming the file when it does not fit this game.
   */
  position(text: string, file: string, number: number, moves?: number): { state: S; moves: number; games: number };
}

export interface Game<S extends GameState = GameState> {
  /**
   * The board family: "go:9", "connect4". Networks fit every game of one family (the rules and
   * komi are inputs, not shapes), and ratings compare the players of one family.
   */
  readonly id: string;
  /**
   * The rules of play: "go:9:tromp-taylor:7", "go:5:japanese:0.5", "connect4" — everything that
   * decides a game but the move cap (a setting of self-play, 2·N² in Go by default);
   * `parseGameSpec(spec)` gives this same game. Pool tasks, the database and model metadata carry it.
   */
  readonly spec: string;
  /** Board height and width in points/cells. */
  readonly height: number;
  readonly width: number;
  /** Number of actions (Go: points plus pass; Connect Four: columns). */
  readonly actionCount: number;
  /**
   * The symmetries of the game as permutations of actions (`sym[a]` is the image of action a);
   * the first one is the identity. Go on a square board has 8, Connect Four 2 (mirror).
   */
  readonly symmetries: readonly Int32Array[];
  /**
   * The same symmetries as permutations of board cells (row-major, row 0 at the top), the layout
   * of the feature planes: `cellSym[k][c]` is the image of cell c under `symmetries[k]`.
   */
  readonly cellSymmetries: readonly Int32Array[];
  /** Number of feature planes and the version of their definition (stored with every model). */
  readonly planes: number;
  readonly planeVersion: string;
  /** Random opening moves that make repeated match games differ (Go 2, Connect Four 1). */
  readonly openingMoves: number;
  /**
   * Writes the feature planes of `state`, from the side to move's view, as planes x height x
   * width floats (NCHW for one position) at `out[offset...]`.
   */
  encode(state: S, out: Float32Array, offset?: number): void;
  /** The start position. */
  newState(): S;
  /** Human-readable action text: "C3", "pass" (Go, GTP style); "4" (Connect Four, 1-based column). */
  actionText(action: number): string;
  /** The inverse of actionText; throws InputError on text that names no action. */
  parseAction(text: string): number;
  /** Moves as a user types them: Go "C3 D4 pass", Connect Four "4453" (or "4 4 5 3"). Legality is not checked. */
  parseMoves(text: string): number[];
  /** The name of a side: "Black", "White"; "first player", "second player". */
  sideName(player: Player): string;

  /** The playout policy's move for the side to move (uniform; Go: never filling a one-point own eye). */
  randomMove(state: S, rng: Rng): number;
  /** Plays `state` to the end with the playout policy (or, with `expert`, the game's expert playout policy if it has one). */
  playout(state: S, rng: Rng, expert?: boolean): void;
  /**
   * How a board of this game is drawn (the viewer): stones on the points where lines cross, which
   * captures may take away (Go), or discs in cells (Connect Four).
   */
  readonly boardStyle: "points" | "cells";
  /** Whether the game has a knowledge-guided playout policy (Go: the built-in teacher's). */
  readonly hasExpertPlayouts: boolean;

  /** Compact stored text of actions played from the start position (Go: SGF points; Connect Four: columns 1-7). */
  movesText(actions: readonly number[]): string;
  /**
   * Replays a stored game of this game, calling `visit` with each position and the move played
   * there; returns the final position. A stored game that does not replay is an InputError
   * naming the move.
   */
  replay(stored: StoredGame, visit?: (state: S, action: number, index: number) => void): S;
  /** The columns of a stored game that follow from the game (family, spec, board size, rules, komi). */
  rulesColumns(): RulesColumns;

  /** Perfect play, when the game has a solver. */
  perfectPlay?(): PerfectPlay<S>;
  /** The settings for GTP engines, when GTP engines play this game. */
  readonly gtp?: GtpSettings;
  /** SGF records of this game, when SGF holds it. */
  readonly sgf?: SgfSupport<S>;
}
