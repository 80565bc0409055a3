/**
 * Teacher games, the prior's data when no human games are at hand: a teacher — any player spec
 * (selfplay/spec.ts) — plays itself, and every game is stored under the teacher's name (source
 * `teacher`). GNU Go (`gnugo`), the offline stand-in for accumulated human knowledge, is nearly
 * deterministic, so each game gets its own random seed, a bare `gnugo` a level 1-10 drawn per
 * game, and every teacher 0 to K random opening moves from the game's own Rng stream. The
 * built-in engine (`builtin:N`) teaches Go without GNU Go; the imperfect solver (`solver:ERROR`,
 * ERROR 0.1 when bare) teaches Connect Four. Every move is checked against fossil's rules; a game
 * with an illegal move or an engine failure is dropped and reported; duplicates (same moves) are
 * stored once; games shorter than `minMoves` are left out.
 */
import { createHash } from "node:crypto";
import { InputError } from "../../core/errors.js";
import { Rng } from "../../core/rng.js";
import type { Game } from "../../games/game.js";
import { parseGameSpec } from "../../games/index.js";
import type { Db } from "../../db/schema.js";
import { ensurePlayer, gameColumns, insertGames, outcomeColumns } from "../../db/store.js";
import { playMatch } from "../../selfplay/match.js";
import { createPlayer, type MatchPlayer } from "../../selfplay/players.js";
import { parsePlayerSpec, specText, type PlayerSpec } from "../../selfplay/spec.js";

/** Error rate of a bare `solver` teacher. */
export const SOLVER_TEACHER_ERROR = 0.1;

export interface TeacherOptions {
  game: Game;
  /** The teacher's player spec. */
  teacher: string;
  games: number;
  /** The index of the first game (default 0): games first to games - 1 are played (game i is always the same game). */
  first?: number;
  /** Up to this many random opening moves per game. */
  openingMoves: number;
  /** Games played at once (GTP engines: one process each). */
  workers: number;
  seed: number;
  /** Games shorter than this are left out (early resignations teach little). */
  minMoves: number;
  /** Seconds a GTP engine may take to answer one command (default 60). */
  engineTimeout?: number;
  /** Starts no new game once aborted. */
  signal?: AbortSignal;
}

export interface TeacherProgress {
  done: number;
  stored: number;
  duplicates: number;
  /** Games dropped for an engine failure or an illegal move, and games left out as too short. */
  failed: number;
  short: number;
}

/** The player of game `index`: the teacher, with its per-game level (bare gnugo) or error rate (bare solver). */
function teacherFor(spec: PlayerSpec, rng: Rng): PlayerSpec {
  if (spec.type === "gnugo" && spec.level === null) return { type: "gnugo", level: 1 + rng.int(10) };
  if (spec.type === "solver" && spec.errorRate === null) return { type: "solver", errorRate: SOLVER_TEACHER_ERROR };
  return spec;
}

export async function generateTeacherGames(db: Db, options: TeacherOptions, onGame?: (p: TeacherProgress, error?: string) => void): Promise<TeacherProgress> {
  const { game } = options;
  for (const [name, value] of [["games", options.games], ["workers", options.workers]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new InputError(`the number of ${name} must be a positive integer, got ${value}`);
  }
  const cells = game.height * game.width;
  if (!Number.isInteger(options.openingMoves) || options.openingMoves < 0 || options.openingMoves > cells / 2) {
    throw new InputError(`random opening moves must be 0 to ${cells / 2} (half the board) in ${game.id}, got ${options.openingMoves}`);
  }
  const spec = parsePlayerSpec(options.teacher);
  const root = Rng.fromSeed(options.seed);
  // Refuse a teacher that cannot play this game before any game starts.
  const playerOptions = { engineTimeout: options.engineTimeout };
  await (await createPlayer(options.teacher, game, playerOptions)).close();
  const progress: TeacherProgress = { done: 0, stored: 0, duplicates: 0, failed: 0, short: 0 };
  let next = options.first ?? 0;
  // Same moves under the family's default rules keep the fingerprint they always had.
  const family = parseGameSpec(game.id).spec === game.spec ? game.id : game.spec;
  const lane = async (): Promise<void> => {
    // One player per lane at a time: an engine process per lane, restarted when the level changes.
    let player: MatchPlayer | null = null;
    try {
      for (let index = next++; index < options.games && !options.signal?.aborted; index = next++) {
        const rng = root.split("teacher", index);
        const teacher = teacherFor(spec, rng);
        const name = specText(teacher);
        if (player?.spec !== name) {
          await player?.close();
          player = null;
          player = await createPlayer(teacher, game, playerOptions);
        }
        const state = game.newState();
        const opening: number[] = [];
        for (let k = rng.int(options.openingMoves + 1); k > 0 && state.outcome() === null; k--) {
          const action = game.randomMove(state, rng);
          state.play(action);
          opening.push(action);
        }
        const settings = { games: 1, swap: false, openingMoves: 0, openings: [opening], rngFor: () => rng.split("play") };
        const kind = player.kind;
        await playMatch(game, player, player, settings, (g) => {
          progress.done++;
          if (g.outcome === null) {
            progress.failed++;
            onGame?.({ ...progress }, `game ${index + 1}: dropped: ${g.error}`);
            return;
          }
          if (g.actions.length < options.minMoves) progress.short++;
          else {
            const columns = gameColumns(game, g.actions);
            const id = ensurePlayer(db, { name, kind, game: game.id });
            const stored = insertGames(db, [
              {
                ...columns,
                blackId: id,
                whiteId: id,
                ...outcomeColumns(g.outcome),
                source: "teacher",
                playedAt: new Date().toISOString(),
                fingerprint: createHash("sha256").update(`teacher|${family}|${columns.moves}`).digest("hex").slice(0, 32),
                randomMoves: g.random,
              },
            ]);
            progress.stored += stored;
            progress.duplicates += 1 - stored;
          }
          onGame?.({ ...progress });
        });
      }
    } finally {
      await player?.close();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.workers, options.games - next)) }, lane));
  return progress;
}
