/**
 * Typed access to the game database: players by name, games written in batches (one
 * transaction per batch, so a killed process leaves every committed game whole and none half
 * written), runs and matches. Several processes may write at once: SQLite's busy timeout and
 * IMMEDIATE transactions serialise them.
 */
import { resultText, type Outcome } from "../core/player.js";
import type { Game } from "../games/game.js";
import type { PlayerKind } from "../selfplay/spec.js";
import type { Db } from "./schema.js";

export type { PlayerKind };
export type GameSource = "selfplay" | "match" | "import" | "teacher" | "human";

export interface PlayerInfo {
  name: string;
  kind: PlayerKind;
  game?: string | null;
  modelPath?: string | null;
  search?: unknown;
  runId?: number | null;
  arm?: string | null;
  generation?: number | null;
  compute?: unknown;
  rank?: string | null;
}

export interface GameRow {
  /** The family ("go:9", "connect4") and the full spec ("go:9:chinese:7.5") the game was played under. */
  game: string;
  spec: string;
  boardSize?: number | null;
  rules?: string | null;
  komi?: number | null;
  blackId: number;
  whiteId: number;
  /** Compact moves in the game's stored form (`Game.movesText`), or null for a result only. */
  moves?: string | null;
  setup?: string | null;
  result: string;
  winner: 0 | 1 | null;
  score?: number | null;
  length?: number | null;
  endReason?: string | null;
  source: GameSource;
  matchId?: number | null;
  runId?: number | null;
  playedAt?: string | null;
  fingerprint?: string | null;
  /** Plies (0-based) of moves chosen at random (teacher openings and errors); none: null or empty. */
  randomMoves?: readonly number[] | null;
}

/** The id of the player with this name, created (with `info`) if it does not exist yet. */
export function ensurePlayer(db: Db, info: PlayerInfo): number {
  const found = db.prepare("SELECT id FROM players WHERE name = ?").get(info.name) as { id: number } | undefined;
  if (found) return found.id;
  const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v));
  const r = db
    .prepare(
      `INSERT INTO players (name, kind, game, model_path, search, run_id, arm, generation, compute, rank)
       VALUES (@name, @kind, @game, @modelPath, @search, @runId, @arm, @generation, @compute, @rank)
       ON CONFLICT(name) DO NOTHING`,
    )
    .run({
      name: info.name,
      kind: info.kind,
      game: info.game ?? null,
      modelPath: info.modelPath ?? null,
      search: json(info.search),
      runId: info.runId ?? null,
      arm: info.arm ?? null,
      generation: info.generation ?? null,
      compute: json(info.compute),
      rank: info.rank ?? null,
    });
  if (r.changes === 1) return Number(r.lastInsertRowid);
  return (db.prepare("SELECT id FROM players WHERE name = ?").get(info.name) as { id: number }).id;
}

const GAME_COLUMNS = [
  "game", "spec", "board_size", "rules", "komi", "black_id", "white_id", "moves", "setup", "result", "winner", "score", "length",
  "end_reason", "source", "match_id", "run_id", "played_at", "fingerprint", "random_moves",
] as const;

/** The values of a game row, in the order of GAME_COLUMNS. */
function rowValues(g: GameRow): (string | number | null)[] {
  return [
    g.game, g.spec, g.boardSize ?? null, g.rules ?? null, g.komi ?? null, g.blackId, g.whiteId, g.moves ?? null, g.setup ?? null, g.result,
    g.winner, g.score ?? null, g.length ?? null, g.endReason ?? null, g.source, g.matchId ?? null, g.runId ?? null, g.playedAt ?? null,
    g.fingerprint ?? null, g.randomMoves && g.randomMoves.length > 0 ? g.randomMoves.join(" ") : null,
  ];
}

/**
 * Stores games in one transaction; a game whose fingerprint is already stored is skipped.
 * Returns the number stored.
 */
export function insertGames(db: Db, games: readonly GameRow[]): number {
  const insert = db.prepare(`INSERT INTO games (${GAME_COLUMNS.join(", ")}) VALUES (${GAME_COLUMNS.map(() => "?").join(", ")}) ON CONFLICT(fingerprint) DO NOTHING`);
  const run = db.transaction((rows: readonly GameRow[]) => {
    let stored = 0;
    for (const g of rows) {
      stored += insert.run(...rowValues(g)).changes;
    }
    return stored;
  });
  return run.immediate(games);
}

export interface SampleRow {
  ply: number;
  toPlay: 0 | 1;
  visits: Float32Array;
}

/**
 * Stores games with their training samples, all in one transaction (a killed process leaves a
 * game with all its samples or neither). Returns the new game ids.
 */
export function insertGamesWithSamples(db: Db, items: readonly { game: GameRow; samples: readonly SampleRow[] }[]): number[] {
  const insert = db.prepare(`INSERT INTO games (${GAME_COLUMNS.join(", ")}) VALUES (${GAME_COLUMNS.map(() => "?").join(", ")})`);
  const sample = db.prepare("INSERT INTO samples (game_id, ply, to_play, visits) VALUES (?, ?, ?, ?)");
  return db
    .transaction(() =>
      items.map(({ game: g, samples }) => {
        const id = Number(insert.run(...rowValues(g)).lastInsertRowid);
        for (const s of samples) sample.run(id, s.ply, s.toPlay, Buffer.from(s.visits.buffer, s.visits.byteOffset, s.visits.byteLength));
        return id;
      }),
    )
    .immediate();
}

/** Creates a run (or returns the existing one of that name). */
export function ensureRun(db: Db, name: string, config: unknown, seed: number | null, codeVersion: string): number {
  const found = db.prepare("SELECT id FROM runs WHERE name = ?").get(name) as { id: number } | undefined;
  if (found) return found.id;
  return Number(db.prepare("INSERT INTO runs (name, config, seed, code_version) VALUES (?, ?, ?, ?)").run(name, JSON.stringify(config ?? {}), seed, codeVersion).lastInsertRowid);
}

export function createMatch(db: Db, game: string, config: unknown, runId: number | null = null): number {
  return Number(db.prepare("INSERT INTO matches (run_id, game, config) VALUES (?, ?, ?)").run(runId, game, JSON.stringify(config ?? {})).lastInsertRowid);
}

/**
 * The columns of a game row that follow from the game and its moves: family, full spec, board,
 * rules, komi (`Game.rulesColumns`) and the moves in the game's stored form.
 */
export function gameColumns(game: Game, actions: readonly number[]): Pick<GameRow, "game" | "spec" | "boardSize" | "rules" | "komi" | "moves" | "length"> {
  return { ...game.rulesColumns(), moves: game.movesText(actions), length: actions.length };
}

/** The result columns of a game row for an outcome (null: a game without a result, "Void"). */
export function outcomeColumns(outcome: Outcome | null): Pick<GameRow, "result" | "winner" | "score"> & { endReason: string | null } {
  if (!outcome) return { result: "Void", winner: null, score: null, endReason: null };
  return { result: resultText(outcome), winner: outcome.winner, score: Number.isNaN(outcome.score) ? null : outcome.score, endReason: outcome.reason };
}
