/**
 * Typed access to the game database: players by name, games written in batches (one
 * transaction per batch, so a killed process leaves every committed game whole and none half
 * written), runs and matches. Several processes may write at once: SQLite's busy timeout and
 * IMMEDIATE transactions serialise them.
 */
import { resultText, type Outcome } from "../core/player.js";
import type { Game } from "../games/game.js";
import { GoGame } from "../games/go/game.js";
import { rulesText } from "../games/go/rules.js";
import type { Db } from "./schema.js";

export type PlayerKind = "network" | "random" | "rollout" | "solver" | "gtp" | "human" | "other";
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
  game: string;
  boardSize?: number | null;
  rules?: string | null;
  komi?: number | null;
  blackId: number;
  whiteId: number;
  /** Compact moves (see encodeGoMoves / encodeConnect4Moves), or null for a result only. */
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
}

/** Infers a player's kind from its spec string (`random`, `rollout:200`, `mcts:FILE:64`, ...). */
export function kindOfSpec(spec: string): PlayerKind {
  const head = spec.split(":")[0]!.toLowerCase();
  if (head === "random") return "random";
  if (head === "rollout") return "rollout";
  if (head === "solver") return "solver";
  if (head === "gtp") return "gtp";
  if (head === "policy" || head === "mcts") return "network";
  return "other";
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
  "game", "board_size", "rules", "komi", "black_id", "white_id", "moves", "setup", "result", "winner", "score", "length",
  "end_reason", "source", "match_id", "run_id", "played_at", "fingerprint",
] as const;

/**
 * Stores games in one transaction; a game whose fingerprint is already stored is skipped.
 * Returns the number stored.
 */
export function insertGames(db: Db, games: readonly GameRow[]): number {
  const insert = db.prepare(`INSERT INTO games (${GAME_COLUMNS.join(", ")}) VALUES (${GAME_COLUMNS.map(() => "?").join(", ")}) ON CONFLICT(fingerprint) DO NOTHING`);
  const run = db.transaction((rows: readonly GameRow[]) => {
    let stored = 0;
    for (const g of rows) {
      stored += insert.run(
        g.game, g.boardSize ?? null, g.rules ?? null, g.komi ?? null, g.blackId, g.whiteId, g.moves ?? null, g.setup ?? null, g.result,
        g.winner, g.score ?? null, g.length ?? null, g.endReason ?? null, g.source, g.matchId ?? null, g.runId ?? null, g.playedAt ?? null,
        g.fingerprint ?? null,
      ).changes;
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
        const id = Number(
          insert.run(
            g.game, g.boardSize ?? null, g.rules ?? null, g.komi ?? null, g.blackId, g.whiteId, g.moves ?? null, g.setup ?? null, g.result,
            g.winner, g.score ?? null, g.length ?? null, g.endReason ?? null, g.source, g.matchId ?? null, g.runId ?? null, g.playedAt ?? null,
            g.fingerprint ?? null,
          ).lastInsertRowid,
        );
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
 * Go moves as SGF points, two letters each, "tt" for pass. Colours alternate from `first`; a
 * move written in capitals is played by the same colour as the move before it (records where
 * one side let the other play twice), so nothing is lost.
 */
export function encodeGoMoves(moves: readonly { player: 0 | 1; action: number }[] | readonly number[], size: number, first: 0 | 1 = 0): string {
  let out = "";
  let expected = first;
  for (const m of moves) {
    const { player, action } = typeof m === "number" ? { player: expected, action: m } : m;
    const pair = action === size * size ? "tt" : String.fromCharCode(97 + (action % size)) + String.fromCharCode(97 + Math.floor(action / size));
    out += player === expected ? pair : pair.toUpperCase();
    expected = (1 - player) as 0 | 1;
  }
  return out;
}

export function decodeGoMoves(text: string, size: number, first: 0 | 1 = 0): { player: 0 | 1; action: number }[] {
  const out: { player: 0 | 1; action: number }[] = [];
  let expected = first;
  for (let i = 0; i + 1 < text.length; i += 2) {
    const raw = text.slice(i, i + 2);
    const repeat = raw !== raw.toLowerCase();
    const pair = raw.toLowerCase();
    const player = (repeat ? 1 - expected : expected) as 0 | 1;
    out.push({ player, action: pair === "tt" ? size * size : (pair.charCodeAt(1) - 97) * size + (pair.charCodeAt(0) - 97) });
    expected = (1 - player) as 0 | 1;
  }
  return out;
}

/** Setup stones as stored: "B:aabb W:cc PL:W" (NULL: none, Black first). */
export function decodeSetup(text: string | null, size: number): { black: number[]; white: number[]; first: 0 | 1 } {
  const out = { black: [] as number[], white: [] as number[], first: 0 as 0 | 1 };
  for (const part of (text ?? "").split(" ").filter(Boolean)) {
    const [key, value = ""] = part.split(":");
    if (key === "PL") out.first = value === "W" ? 1 : 0;
    else (key === "B" ? out.black : out.white).push(...decodeGoMoves(value, size).map((m) => m.action));
  }
  return out;
}

/** Connect Four moves as columns 1-7, Pons's format. */
export function encodeConnect4Moves(actions: readonly number[]): string {
  return actions.map((a) => String(a + 1)).join("");
}

/** The columns of a game row that follow from the game and its moves (board, rules, komi, moves). */
export function gameColumns(game: Game, actions: readonly number[]): Pick<GameRow, "game" | "boardSize" | "rules" | "komi" | "moves" | "length"> {
  if (game instanceof GoGame) {
    return { game: game.id, boardSize: game.size, rules: rulesText(game.params.rules), komi: game.params.rules.komi, moves: encodeGoMoves(actions, game.size), length: actions.length };
  }
  return { game: game.id, boardSize: null, rules: null, komi: null, moves: encodeConnect4Moves(actions), length: actions.length };
}

/** The result columns of a game row for an outcome (null: a game without a result, "Void"). */
export function outcomeColumns(outcome: Outcome | null): Pick<GameRow, "result" | "winner" | "score"> & { endReason: string | null } {
  if (!outcome) return { result: "Void", winner: null, score: null, endReason: null };
  return { result: resultText(outcome), winner: outcome.winner, score: Number.isNaN(outcome.score) ? null : outcome.score, endReason: outcome.reason };
}
