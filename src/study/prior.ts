/**
 * The prior (the AlphaGo recipe's first stage) for a study: its games — a teacher's, played here,
 * or human games imported from SGF — and, per dose, a network trained on them by supervised
 * learning. The last `heldOut` games (by id) are never trained on: every checkpoint's move
 * prediction and outcome error are measured on them. Each step is done once and its cost kept.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { InputError } from "../../core/errors.js";
import { makeFolder } from "../../core/files.js";
import type { Db } from "../../db/schema.js";
import type { Game } from "../../games/game.js";
import { importHumanGames } from "../data/import.js";
import { generateTeacherGames } from "../data/teacher.js";
import { createPlayer } from "../../selfplay/players.js";
import { GNUGO, parsePlayerSpec, specText } from "../../selfplay/spec.js";
import { trainSupervised } from "../train/supervised.js";
import type { StudySettings } from "./settings.js";
import { runStep, stepRow } from "./steps.js";

export interface PriorDose {
  arm: string;
  /** The dose asked for (`--prior-games`) and the games it got (fewer when the data ran short). */
  wanted: number;
  games: number;
  model: string;
  positions: number;
  epochs: number;
}

export interface PriorData {
  /** `games.source` of the prior games. */
  source: "teacher" | "human";
  /** Ids of the games trained on (ascending) and of the held-out ones. */
  train: number[];
  heldOut: number[];
}

export type PriorEvent =
  | { phase: "prior-data"; done: number; of: number }
  | { phase: "prior-train"; arm: string; epoch: number; epochs: number; samples: number; loss: number };

/** The arm name of a prior trained on `games` games: `prior`, or `prior@N` in a dose sweep. */
export function doseArm(settings: StudySettings, games: number): string {
  return settings.prior.games.length === 1 ? "prior" : `prior@${games}`;
}

/** The arms a study runs: zero, a prior arm per dose, prior-kl (on the largest dose). */
export function studyArms(settings: StudySettings): string[] {
  const arms: string[] = [];
  for (const arm of settings.arms) {
    if (arm === "prior") arms.push(...settings.prior.games.map((n) => doseArm(settings, n)));
    else arms.push(arm);
  }
  return arms;
}

/** The prior network a prior arm starts from (prior-kl: the largest dose's). */
export function priorModelOf(settings: StudySettings, models: string, study: string, arm: string): string | null {
  if (arm === "zero") return null;
  const games = arm === "prior-kl" || arm === "prior" ? settings.prior.games.at(-1)! : Number(arm.slice("prior@".length));
  return join(models, `${study.replace(/[^A-Za-z0-9_.-]+/g, "_")}-prior-n${games}.onnx`);
}

/**
 * Refuses a prior that cannot be had here — human games whose files are missing, a teacher not
 * installed or unable to play the game — before the study stores its settings.
 */
export async function checkPrior(game: Game, s: StudySettings): Promise<void> {
  if (s.prior.source === "human") {
    for (const path of s.prior.paths) if (!existsSync(path)) throw new InputError("no such file or folder of human games (--prior human:PATH)", { file: path });
    return;
  }
  const spec = parsePlayerSpec(s.prior.source);
  if (spec.type === "gnugo" && !existsSync(GNUGO)) throw new InputError(`the prior's teacher ${s.prior.source} needs GNU Go (${GNUGO}): apt-get install gnugo, or --prior builtin`);
  await (await createPlayer(spec, game)).close();
}

/** Makes (or finds) the prior games: teacher games played here, or human games imported. */
export async function priorData(db: Db, studyId: number, game: Game, s: StudySettings, seed: number, signal: AbortSignal | undefined, onEvent: (e: PriorEvent) => void): Promise<PriorData | null> {
  const wanted = s.prior.games.at(-1)! + s.prior.heldOut;
  const human = s.prior.source === "human";
  const source = human ? "human" : "teacher";
  // The games chosen are kept with the step: a rerun trains and measures on the same ones,
  // whatever else the database gains.
  const chosen = (): { train: number[]; heldOut: number[] } => {
    const ids = priorGameIds(db, game, s);
    if (ids.length < s.prior.heldOut + 2) throw new InputError(`only ${ids.length} prior games of ${game.id} (${s.prior.source}): fewer than the ${s.prior.heldOut} held out plus 2 to train on`);
    const train = ids.slice(0, Math.min(ids.length - s.prior.heldOut, s.prior.games.at(-1)!));
    return { train, heldOut: ids.slice(ids.length - s.prior.heldOut) };
  };
  const step = await runStep<{ imported?: number; asked?: number; train: number[]; heldOut: number[] }>(db, studyId, "prior-data", async (charge) => {
    if (human) {
      for (const path of s.prior.paths) if (!existsSync(path)) throw new InputError("no such file or folder of human games (--prior human:PATH)", { file: path });
      onEvent({ phase: "prior-data", done: 0, of: wanted });
      const report = importHumanGames(db, s.prior.paths, { size: game.height, minMoves: 10, even: true, ...(s.prior.minRank ? { minRank: s.prior.minRank } : {}) });
      onEvent({ phase: "prior-data", done: report.stored, of: wanted });
      return { finished: true, info: { imported: report.stored, ...chosen() } };
    }
    // Teacher game i is always the same game. Rounds play new games until `wanted` are stored
    // (duplicates and too-short games are left out); the step's row keeps how far it got, so a
    // stopped step goes on from there (less the games the lanes had in progress).
    const lanes = Math.max(1, availableParallelism());
    const progress = db.prepare("UPDATE study_steps SET info = ? WHERE run_id = ? AND step = 'prior-data'");
    const kept = stepRow(db, studyId, "prior-data")?.info;
    let asked = kept ? ((JSON.parse(kept) as { asked?: number }).asked ?? 0) : 0;
    for (let round = 0; round < 4 && !signal?.aborted; round++) {
      const stored = priorGameIds(db, game, s).length;
      if (stored >= wanted) break;
      const first = asked;
      asked += wanted - stored + Math.ceil((wanted - stored) / 10);
      await generateTeacherGames(
        db,
        { game, teacher: s.prior.source, games: asked, first, openingMoves: s.prior.openings, workers: lanes, seed, minMoves: 4, signal },
        (p) => {
          progress.run(JSON.stringify({ asked: Math.max(first, first + p.done - lanes) }), studyId);
          charge();
          onEvent({ phase: "prior-data", done: Math.min(wanted, stored + p.stored), of: wanted });
        },
      );
    }
    if (signal?.aborted) return { finished: false, info: { asked, train: [], heldOut: [] } };
    return { finished: true, info: { asked, ...chosen() } };
  });
  if (!step.done || !step.info) return null;
  return { source, train: step.info.train, heldOut: step.info.heldOut };
}

/** The prior's games in the database, by id: human games, or the teacher's own (a database may hold other teachers' games). */
function priorGameIds(db: Db, game: Game, s: StudySettings): number[] {
  if (s.prior.source === "human") return db.prepare("SELECT id FROM games WHERE source = 'human' AND game = ? AND moves IS NOT NULL AND winner IS NOT NULL ORDER BY id").pluck().all(game.id) as number[];
  const teacher = specText(parsePlayerSpec(s.prior.source));
  return db
    .prepare("SELECT g.id FROM games g JOIN players p ON p.id = g.black_id WHERE g.source = 'teacher' AND g.game = ? AND g.moves IS NOT NULL AND g.result IS NOT NULL AND p.name = ? ORDER BY g.id")
    .pluck()
    .all(game.id, teacher) as number[];
}

/** Trains (or finds) the prior network of each dose. Null when stopped. */
export async function priorNetworks(
  db: Db,
  studyId: number,
  study: string,
  game: Game,
  s: StudySettings,
  data: PriorData,
  models: string,
  seed: number,
  signal: AbortSignal | undefined,
  onEvent: (e: PriorEvent) => void,
): Promise<PriorDose[] | null> {
  const doses: PriorDose[] = [];
  makeFolder(models);
  for (const wanted of s.prior.games) {
    const games = Math.min(wanted, data.train.length);
    const arm = doseArm(s, wanted);
    const model = priorModelOf(s, models, study, arm === "prior" ? "prior" : arm)!;
    const step = await runStep(db, studyId, `prior-train@${wanted}`, async (charge) => {
      const result = await trainSupervised(
        db,
        game,
        {
          source: data.source,
          only: new Set(data.train.slice(0, games)),
          blocks: s.blocks,
          filters: s.filters,
          epochs: s.prior.epochs,
          patience: s.prior.patience,
          batchSize: s.prior.batch,
          learningRate: s.prior.lr,
          validationShare: 0.05,
          chunkGames: 300,
          seed,
          run: `${study}/${arm}`,
          out: model,
          signal,
        },
        (samples, loss) => {
          charge();
          onEvent({ phase: "prior-train", arm, epoch: 0, epochs: s.prior.epochs, samples, loss });
        },
        (epoch) => onEvent({ phase: "prior-train", arm, epoch: epoch.epoch, epochs: s.prior.epochs, samples: epoch.samples, loss: epoch.trainLoss }),
      );
      const finished = !signal?.aborted && existsSync(model);
      return { finished, info: { arm, games, model, positions: result.validationPositions, epochs: result.epochs, trainGames: result.trainGames } };
    });
    if (!step.done) return null;
    const info = step.info as { positions: number; epochs: number };
    doses.push({ arm, wanted, games, model, positions: positionsOf(db, data.train.slice(0, games)), epochs: info.epochs });
  }
  return doses;
}

/** Moves in the given games (the positions a prior network was trained on, before symmetries). */
function positionsOf(db: Db, ids: readonly number[]): number {
  return db.prepare("SELECT coalesce(sum(length), 0) FROM games WHERE id IN (SELECT value FROM json_each(?))").pluck().get(JSON.stringify(ids)) as number;
}

/** The cost of the prior: making its data, and training each dose's network (CPU and wall seconds). */
export function priorCost(db: Db, studyId: number, s: StudySettings): { dataCpu: number; dataWall: number; train: Map<number, { cpu: number; wall: number }> } {
  const data = stepRow(db, studyId, "prior-data");
  const train = new Map<number, { cpu: number; wall: number }>();
  for (const games of s.prior.games) {
    const row = stepRow(db, studyId, `prior-train@${games}`);
    train.set(games, { cpu: row?.cpu_seconds ?? 0, wall: row?.wall_seconds ?? 0 });
  }
  // Human games cost nothing to make here (importing them is bookkeeping, not compute spent on strength).
  const human = s.prior.source === "human";
  return { dataCpu: human ? 0 : (data?.cpu_seconds ?? 0), dataWall: human ? 0 : (data?.wall_seconds ?? 0), train };
}
