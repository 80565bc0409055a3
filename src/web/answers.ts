/**
 * The answers of the viewer's JSON API (src/web/README.md): the one definition that the server
 * (queries.ts) returns and the pages (client/api.ts) read. Types only: nothing here runs, so the
 * browser bundle and the server share it without sharing code. A number that is not finite
 * travels as null in JSON, hence the nullable ratings.
 */

/** `GET /api/info`. */
export interface Info {
  db: string;
  schema: number;
  games: number;
  players: number;
  runs: number;
  families: string[];
  kinds: string[];
  sources: string[];
  model: { path: string; game: string } | null;
}

/** One step of a study (prior, rating, metrics, ...) and what it cost. */
export interface StudyStep {
  step: string;
  done: boolean;
  cpuSeconds: number;
  wallSeconds: number;
}

/** One loop run of a study: an arm and a seed. */
export interface StudyRun {
  run: string;
  arm: string;
  seed: number;
  generations: number;
  evaluations: number;
  done: boolean;
  latestElo: number | null;
}

/** A network of a study rated in its latest snapshot. */
export interface Checkpoint {
  run: string;
  arm: string;
  seed: number;
  generation: number;
  player: string;
  evaluations: number;
  cpuSeconds: number;
  wallSeconds: number;
  elo: number | null;
  ci95: number | null;
  games: number;
}

/** A reference player (not a network of the study) rated on the study's scale. */
export interface ReferencePlayer {
  player: string;
  elo: number | null;
  ci95: number | null;
  games: number;
}

/** One element of `GET /api/studies`. */
export interface Study {
  study: string;
  preset: string;
  game: string;
  budget: number;
  seeds: number[];
  arms: string[];
  steps: StudyStep[];
  runs: StudyRun[];
  ratingGames: number;
  ratingTarget: number;
  measured: number;
  cpuSeconds: number;
  wallSeconds: number;
  snapshot: number | null;
  checkpoints: Checkpoint[];
  reference: ReferencePlayer[];
}

/** One element of `GET /api/runs`. */
export interface Run {
  run: string;
  study: string | null;
  arm: string | null;
  seed: number | null;
  game: string | null;
  generations: number;
  evaluations: number;
  selfplayGames: number;
  cpuSeconds: number;
  wallSeconds: number;
  createdAt: string;
}

/** One row of the ladder. */
export interface LadderRow {
  player: string;
  kind: string;
  elo: number | null;
  ci95: number | null;
  games: number;
  score: number | null;
}

/** `GET /api/ladder`. */
export interface Ladder {
  game: string | null;
  games: number;
  anchor: string | null;
  anchorElo: number | null;
  rows: LadderRow[];
  /** Why there are no rows (games that rate no one: a player against itself only), when none. */
  note?: string;
}

/** `GET /api/head-to-head`. */
export interface HeadToHead {
  player: string;
  rows: { opponent: string; games: number; wins: number; draws: number; losses: number }[];
}

/** One stored game as the games list shows it. */
export interface GameSummary {
  id: number;
  game: string;
  spec: string;
  black: string;
  white: string;
  result: string;
  winner: number | null;
  length: number | null;
  source: string;
  run: string | null;
  playedAt: string | null;
  storedAt: string;
}

/** `GET /api/games`. */
export interface GamePage {
  games: GameSummary[];
  next: number | null;
}

/** The position after `ply` moves of a game. */
export interface Position {
  ply: number;
  move: string | null;
  toPlay: number;
  cells: string;
  captures: [number, number];
  last: number | null;
}

/** `GET /api/games/ID`. */
export interface GameRecord extends GameSummary {
  score: number | null;
  endReason: string | null;
  match: number | null;
  height: number;
  width: number;
  /** How the board is drawn: stones on points (Go) or discs in cells (Connect Four). */
  board: "points" | "cells";
  /** The names of the sides: "Black", "White"; "first player", "second player". */
  sides: [string, string];
  sgf: boolean;
  positions: Position[];
}

/** `GET /api/games/ID/eval?ply=K`. */
export interface Evaluation {
  ply: number;
  toPlay: number;
  value: number;
  policy: { move: string; cell: number | null; p: number }[];
}
