/**
 * The interface every game implements (DESIGN.md §3): a static description (`Game`) and a
 * mutable position (`GameState`). Search, training and storage see games only through this.
 */
import type { Outcome, Player } from "../core/player.js";

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
  /** Plays a legal action in place; throws IllegalMoveError for an illegal one. */
  play(action: number): void;
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
}

export interface Game<S extends GameState = GameState> {
  /** Identifier used on the command line and in the database: "go:9", "connect4". */
  readonly id: string;
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
}
