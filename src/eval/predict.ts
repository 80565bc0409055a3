/**
 * Move-prediction accuracy and outcome-prediction error of a network on game records — the
 * measures of the AlphaGo Zero paper's Fig. 3 — used by `fossil eval predict` and the study
 * report. Every position of every game (before each move, passes included) is one prediction
 * (but a move chosen at random, as teacher games record them, is not predicted):
 * the move is right when it is the network's most likely legal move (top-1) or among its three
 * most likely (top-3); the outcome error is (value - z)^2 with z the game's result for the side to
 * move (+1, -1, 0), over games with a result.
 */
import { FossilError } from "../../core/errors.js";
import { parseResultText, valueFor } from "../../core/player.js";
import type { Game, GameState, StoredGame } from "../../games/game.js";
import { parseGameSpec } from "../../games/index.js";
import type { OnnxModel } from "../../models/inference.js";

export interface Proportion {
  value: number;
  /** 95% Wilson interval. */
  low: number;
  high: number;
}

export interface PredictionReport {
  positions: number;
  /** Positions whose move is predicted (all but those of random moves): top-1 and top-3 are over these. */
  moves: number;
  games: number;
  top1: Proportion;
  top3: Proportion;
  /** Mean squared error of the value against the result (NaN without results), ± 95% half-width. */
  outcomeMse: number;
  outcomeMseCi95: number;
  outcomePositions: number;
  /** Games skipped, by reason. */
  skipped: Record<string, number>;
  /** One line per game that could not be replayed: where it is and why. */
  problems: string[];
}

export function wilson(successes: number, n: number): Proportion {
  if (n === 0) return { value: NaN, low: NaN, high: NaN };
  const z = 1.959964, p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { value: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/** A game to predict: its stored form and its recorded result (none: no outcome error for it). */
export interface RecordedGame {
  stored: StoredGame;
  result?: string | null;
  /** Where it comes from, for messages ("games.sgf: game 3"). */
  where?: string;
  /** Plies of moves chosen at random (teacher games' `random_moves`): no move prediction there, only the outcome. */
  random?: ReadonlySet<number>;
}

export async function predictionMetrics(model: Pick<OnnxModel, "evaluate">, game: Game, recorded: Iterable<RecordedGame>, batchSize = 256): Promise<PredictionReport> {
  const cells = game.planes * game.height * game.width;
  const planes = new Float32Array(batchSize * cells);
  const masks: Uint8Array[] = [];
  const targets: number[] = [];
  const outcomes: number[] = []; // NaN: no result
  let top1 = 0, top3 = 0, positions = 0, moves = 0, games = 0, outcomePositions = 0, sqSum = 0, sqSq = 0;
  const skipped: Record<string, number> = {};
  const problems: string[] = [];
  const skip = (reason: string): void => {
    skipped[reason] = (skipped[reason] ?? 0) + 1;
  };
  const flush = async (): Promise<void> => {
    const count = targets.length;
    if (count === 0) return;
    const out = await model.evaluate(planes, count);
    for (let i = 0; i < count; i++) {
      const policy = out.policy.subarray(i * game.actionCount, (i + 1) * game.actionCount);
      const mask = masks[i]!, target = targets[i]!;
      if (target >= 0) {
        // Rank of the played move among legal moves by logit.
        const logit = policy[target]!;
        let better = 0;
        for (let a = 0; a < game.actionCount; a++) if (mask[a] === 1 && a !== target && (policy[a]! > logit || (policy[a] === logit && a < target))) better++;
        if (better === 0) top1++;
        if (better < 3) top3++;
        moves++;
      }
      const z = outcomes[i]!;
      if (!Number.isNaN(z)) {
        const e = (out.value[i]! - z) ** 2;
        sqSum += e;
        sqSq += e * e;
        outcomePositions++;
      }
    }
    positions += count;
    masks.length = 0;
    targets.length = 0;
    outcomes.length = 0;
  };
  for (const { stored, result, where, random } of recorded) {
    const played = parseGameSpec(stored.spec);
    if (played.id !== game.id) {
      skip(`${played.id}, the model plays ${game.id}`);
      continue;
    }
    const outcome = result ? parseResultText(result) : null;
    const pending: { state: GameState; action: number }[] = [];
    try {
      played.replay(stored, (state, action, index) => {
        // A random move is no move to predict (-1); its position still has an outcome.
        pending.push({ state: state.clone(), action: random?.has(index) ? -1 : action });
      });
    } catch (e) {
      if (!(e instanceof FossilError)) throw e;
      skip("illegal move");
      problems.push(where ? `${where}: ${e.message}` : e.message);
      continue;
    }
    games++;
    for (const { state, action } of pending) {
      game.encode(state, planes, targets.length * cells);
      masks.push(state.legalMask());
      targets.push(action);
      outcomes.push(outcome === null ? NaN : valueFor(outcome, state.toPlay));
      if (targets.length === batchSize) await flush();
    }
  }
  await flush();
  const mse = outcomePositions > 0 ? sqSum / outcomePositions : NaN;
  const variance = outcomePositions > 1 ? (sqSq / outcomePositions - mse * mse) * (outcomePositions / (outcomePositions - 1)) : NaN;
  return {
    positions,
    games,
    moves,
    top1: wilson(top1, moves),
    top3: wilson(top3, moves),
    outcomeMse: mse,
    outcomeMseCi95: outcomePositions > 1 ? 1.959964 * Math.sqrt(variance / outcomePositions) : NaN,
    outcomePositions,
    skipped,
    problems,
  };
}
