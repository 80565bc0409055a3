/**
 * What each rated network knows besides its strength (AlphaGo Zero's Fig. 3): move prediction
 * (top-1 of the raw policy) and outcome error (the value's squared error against the result) on
 * the study's held-out prior games, and, in a game with perfect play (Connect Four), the share of
 * the moves its search plays that lose value by the solver's judgement. Stored per network in
 * `checkpoint_metrics`, so each is measured once.
 */
import { Rng } from "../../core/rng.js";
import type { Db } from "../../db/schema.js";
import type { Game, GameState } from "../../games/game.js";
import { OnnxModel } from "../../models/inference.js";
import { createPlayer } from "../../selfplay/players.js";
import { randomPlies, type TrainingGame } from "../train/dataset.js";
import { gameOf } from "../train/dataset.js";
import { predictionMetrics, wilson, type RecordedGame } from "../eval/predict.js";
import type { Interval } from "./summary.js";

export interface CheckpointMetrics {
  accuracy: Interval | null;
  outcomeMse: Interval | null;
  valueLosing: Interval | null;
}

interface MetricsRow {
  moves: number;
  top1: number | null;
  top1_low: number | null;
  top1_high: number | null;
  outcome_positions: number;
  outcome_mse: number | null;
  outcome_ci95: number | null;
  value_positions: number;
  value_losing: number;
}

function fromRow(r: MetricsRow): CheckpointMetrics {
  return {
    accuracy: r.moves > 0 && r.top1 !== null ? { value: r.top1, low: r.top1_low!, high: r.top1_high! } : null,
    outcomeMse: r.outcome_positions > 0 && r.outcome_mse !== null ? { value: r.outcome_mse, low: r.outcome_mse - r.outcome_ci95!, high: r.outcome_mse + r.outcome_ci95! } : null,
    valueLosing: r.value_positions > 0 ? wilson(r.value_losing, r.value_positions) : null,
  };
}

export function storedMetrics(db: Db, studyId: number, player: string): CheckpointMetrics | null {
  const row = db.prepare("SELECT m.* FROM checkpoint_metrics m JOIN players p ON p.id = m.player_id WHERE m.run_id = ? AND p.name = ?").get(studyId, player) as MetricsRow | undefined;
  return row ? fromRow(row) : null;
}

/** The held-out games as games to predict. */
export function heldOutGames(db: Db, ids: readonly number[]): RecordedGame[] {
  const get = db.prepare("SELECT id, spec, moves, setup, result, random_moves FROM games WHERE id = ?");
  return ids.map((id) => {
    const g = get.get(id) as TrainingGame;
    return { stored: g, result: g.result, where: `game ${g.id}`, random: randomPlies(g.random_moves) };
  });
}

/**
 * Positions for the value-losing share: from the held-out games, those the game's perfect play
 * judges at once, up to `count` (seeded choice); none in a game without perfect play.
 */
export function valuePositions(game: Game, games: readonly RecordedGame[], count: number, seed: number): GameState[] {
  const perfect = game.perfectPlay?.();
  if (!perfect || count === 0) return [];
  const candidates: GameState[] = [];
  for (const g of games) {
    gameOf(g.stored.spec).replay(g.stored, (state) => {
      if (state.outcome() === null && perfect.isQuick(state)) candidates.push(state.clone());
    });
  }
  return Rng.fromSeed(seed).split("value-positions").shuffle(candidates).slice(0, count);
}

/** Measures (or reads) one network's metrics. */
export async function measureCheckpoint(
  db: Db,
  studyId: number,
  game: Game,
  checkpoint: { name: string; spec: string; path: string },
  heldOut: readonly RecordedGame[],
  positions: readonly GameState[],
  seed: number,
): Promise<CheckpointMetrics> {
  const known = storedMetrics(db, studyId, checkpoint.name);
  if (known) return known;
  const model = await OnnxModel.load(checkpoint.path, { expect: game });
  let report;
  try {
    report = await predictionMetrics(model, game, heldOut);
  } finally {
    await model.close();
  }
  let losing = 0;
  if (positions.length > 0) {
    const perfect = game.perfectPlay!();
    const player = await createPlayer(checkpoint.spec, game);
    const rng = Rng.fromSeed(seed).split("value-losing");
    try {
      for (const state of positions) {
        const choice = await player.chooseMove(state.clone(), rng);
        // A resignation gives the game up: it loses value too unless the position is lost anyway (not told apart here).
        const move = typeof choice === "number" ? choice : choice === "resign" ? -1 : choice.random;
        if (!perfect.bestMoves(state).includes(move)) losing++;
      }
    } finally {
      await player.close();
    }
  }
  const playerId = db.prepare("SELECT id FROM players WHERE name = ?").pluck().get(checkpoint.name) as number;
  const row: MetricsRow = {
    moves: report.moves,
    top1: report.moves > 0 ? report.top1.value : null,
    top1_low: report.moves > 0 ? report.top1.low : null,
    top1_high: report.moves > 0 ? report.top1.high : null,
    outcome_positions: report.outcomePositions,
    outcome_mse: Number.isFinite(report.outcomeMse) ? report.outcomeMse : null,
    outcome_ci95: Number.isFinite(report.outcomeMseCi95) ? report.outcomeMseCi95 : null,
    value_positions: positions.length,
    value_losing: losing,
  };
  db.prepare(
    `INSERT INTO checkpoint_metrics (run_id, player_id, moves, top1, top1_low, top1_high, outcome_positions, outcome_mse, outcome_ci95, value_positions, value_losing)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  ).run(studyId, playerId, row.moves, row.top1, row.top1_low, row.top1_high, row.outcome_positions, row.outcome_mse, row.outcome_ci95, row.value_positions, row.value_losing);
  return fromRow(row);
}
