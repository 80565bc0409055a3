/**
 * Rating a study's checkpoints on one scale. Every checkpoint first plays each reference player a
 * few games; then games go, a few at a time, to the two checkpoints whose ratings are least certain,
 * against the opponent — a reference player or another run's checkpoint — whose game against it
 * says most (the largest p(1 − p) under the current ratings: minigo's rule of playing where the
 * outcome is least predictable). One Bradley–Terry fit over all the study's rating games, anchored
 * at `random` = 0. Each pair's games are a match with a fixed seed, so a stopped rating resumes
 * and stores no game twice.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import type { Db } from "../../db/schema.js";
import { computeLadder } from "../../db/ladder.js";
import type { Game } from "../../games/game.js";
import { GNUGO, parsePlayerSpec, specText } from "../../selfplay/spec.js";
import { runMatch } from "../play/match.js";
import type { StudySettings } from "./settings.js";

export interface RatedPlayer {
  /** The spec a match is given (a network: `mcts:PATH:SIMS`), and the player's stored name. */
  spec: string;
  name: string;
}

export interface CheckpointInfo extends RatedPlayer {
  /** The network's model file. */
  path: string;
  arm: string;
  seed: number;
  generation: number;
  /** The loop run it belongs to: checkpoints of one run do not play each other. */
  runId: number;
  evaluations: number;
  cpuSeconds: number;
  wallSeconds: number;
}

export interface Rating {
  elo: number;
  ci95: number;
  games: number;
}

export type RatingEvent = { phase: "rating"; games: number; of: number; player: string; opponent: string; widest: number };

/** The reference players that can play here: GNU Go levels only where GNU Go is installed. */
export function usablePool(pool: readonly string[]): { pool: RatedPlayer[]; missing: string[] } {
  const usable: RatedPlayer[] = [], missing: string[] = [];
  for (const spec of pool) {
    const parsed = parsePlayerSpec(spec);
    if (parsed.type === "gnugo" && !existsSync(GNUGO)) missing.push(spec);
    else usable.push({ spec, name: specText(parsed) });
  }
  return { pool: usable, missing };
}

/** The study's latest saved ratings snapshot (null: none yet). */
export function studySnapshot(db: Db, studyId: number): number | null {
  return (db.prepare("SELECT max(id) FROM rating_snapshots WHERE json_extract(params, '$.runId') = ?").pluck().get(studyId) as number | null) ?? null;
}

/** The study's ratings of everyone who played its rating games (random = 0), saved as a snapshot when `save`. */
export function studyRatings(db: Db, studyId: number, game: Game, save = false): Map<string, Rating> {
  const out = new Map<string, Rating>();
  const any = db.prepare("SELECT 1 FROM games WHERE run_id = ? AND source = 'match' LIMIT 1").get(studyId);
  if (!any) return out;
  const ladder = computeLadder(db, { game: game.id, runId: studyId, anchor: { name: "random", elo: 0 }, save });
  for (const row of ladder.rows) out.set(row.player, { elo: row.elo, ci95: row.ci95, games: row.games });
  return out;
}

/** Rating games of the study between two players (either colour). */
function gamesBetween(db: Db, studyId: number, a: string, b: string): number {
  return db
    .prepare(
      `SELECT count(*) FROM games g JOIN players x ON x.id = g.black_id JOIN players y ON y.id = g.white_id
       WHERE g.run_id = ? AND g.source = 'match' AND ((x.name = ? AND y.name = ?) OR (x.name = ? AND y.name = ?))`,
    )
    .pluck()
    .get(studyId, a, b, b, a) as number;
}

/** The study's rating games stored so far. */
export function ratingGames(db: Db, studyId: number): number {
  return db.prepare("SELECT count(*) FROM games WHERE run_id = ? AND source = 'match'").pluck().get(studyId) as number;
}

/** Plays the study's rating games (those not played yet); false when stopped. */
export async function rateCheckpoints(
  db: Db,
  studyId: number,
  game: Game,
  s: StudySettings,
  checkpoints: readonly CheckpointInfo[],
  pool: readonly RatedPlayer[],
  seed: number,
  signal: AbortSignal | undefined,
  onEvent: (e: RatingEvent) => void,
): Promise<boolean> {
  const budget = Math.max(s.rating.games, checkpoints.length * pool.length * s.rating.initialGames);
  const play = async (a: RatedPlayer, b: RatedPlayer, games: number, widest: number): Promise<void> => {
    // One match per pair, its players in a fixed order and its seed from the pair, so games are
    // found again on a rerun and no two pairs play the same openings.
    const [first, second] = a.name < b.name ? [a, b] : [b, a];
    const pairSeed = createHash("sha256").update(`${seed}|${first.name}|${second.name}`).digest().readUInt32BE(0);
    await runMatch(db, { game, black: first.spec, white: second.spec, games, swap: true, seed: pairSeed, concurrent: Math.min(s.rating.concurrent, games), runId: studyId, signal, ladder: false });
    onEvent({ phase: "rating", games: ratingGames(db, studyId), of: budget, player: a.name, opponent: b.name, widest });
  };
  // Two matches at once: one side of a game is often an engine process or ONNX Runtime's thread,
  // so the main thread has room for a second match.
  const parallel = 2;
  const first: [RatedPlayer, RatedPlayer][] = [];
  for (const c of checkpoints) for (const p of pool) if (gamesBetween(db, studyId, c.name, p.name) < s.rating.initialGames) first.push([c, p]);
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < first.length && !signal?.aborted) {
        const [c, p] = first[next++]!;
        await play(c, p, s.rating.initialGames, NaN);
      }
    }),
  );
  const runOf = new Map(checkpoints.map((c) => [c.name, c.runId]));
  while (!signal?.aborted && ratingGames(db, studyId) < budget) {
    const ratings = studyRatings(db, studyId, game);
    const uncertainty = (name: string): number => {
      const r = ratings.get(name);
      return r && Number.isFinite(r.ci95) ? r.ci95 : Infinity;
    };
    // The least certain checkpoints (ties: the first listed), each with the opponent its games say most against.
    const targets = [...new Map(checkpoints.map((c) => [c.name, c])).values()].sort((a, b) => uncertainty(b.name) - uncertainty(a.name)).slice(0, parallel);
    const round: [CheckpointInfo, RatedPlayer, number][] = [];
    for (const target of targets) {
      const mine = ratings.get(target.name)?.elo ?? 0;
      let best: RatedPlayer | null = null, bestScore = -1, bestGames = Infinity;
      for (const o of [...pool, ...checkpoints.filter((c) => runOf.get(c.name) !== target.runId)]) {
        const elo = ratings.get(o.name)?.elo;
        if (elo === undefined || round.some(([t, b]) => (t.name === o.name && b.name === target.name) || b.name === o.name)) continue;
        const p = 1 / (1 + 10 ** ((elo - mine) / 400));
        const score = p * (1 - p), games = gamesBetween(db, studyId, target.name, o.name);
        if (score > bestScore + 1e-9 || (Math.abs(score - bestScore) <= 1e-9 && games < bestGames)) [best, bestScore, bestGames] = [o, score, games];
      }
      if (best) round.push([target, best, bestGames]);
    }
    if (round.length === 0) break;
    await Promise.all(round.map(([target, best, games]) => play(target, best, games + s.rating.batch, uncertainty(target.name))));
  }
  return !signal?.aborted;
}

/**
 * The checkpoints to rate of one run: generation 0, then `count` more evenly spaced in self-play
 * evaluations up to the last (each the first generation at or past its share).
 */
export function pickCheckpoints<T extends { generation: number; evaluations: number }>(all: readonly T[], count: number): T[] {
  const sorted = [...all].sort((a, b) => a.generation - b.generation);
  if (sorted.length === 0) return [];
  const last = sorted.at(-1)!;
  const picked = new Set<T>([sorted[0]!]);
  for (let k = 1; k <= count; k++) {
    const target = (k / count) * last.evaluations;
    picked.add(sorted.find((c) => c.evaluations >= target - 1e-9) ?? last);
  }
  return [...picked].sort((a, b) => a.generation - b.generation);
}
