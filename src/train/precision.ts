/**
 * int8 self-play (`--precision int8`): each generation's network is quantised (models/onnx/
 * quantize.ts) with ranges measured on positions of the run's own replay window, and self-play
 * uses the int8 model only if it passes the gate: on other positions of the window its answers
 * stay close to the fp32 network's. A checkpoint that fails plays in fp32, and the run records
 * which precision each generation played and the figures that decided it. Every few generations
 * the int8 model that passed also plays a match against its fp32 network at equal simulations
 * (the match gate): a significant loss keeps the rest of the run in fp32.
 */
import { existsSync, renameSync, writeFileSync } from "node:fs";
import type { Rng } from "../../core/rng.js";
import type { Game } from "../../games/game.js";
import { loadState } from "../../models/checkpoint.js";
import { OnnxModel } from "../../models/inference.js";
import { calibrate, compareModels, exportQuantisedOnnx, type ModelGap } from "../../models/onnx/quantize.js";
import { randomBatch } from "../../models/synthetic.js";
import type { Batch } from "../../models/tfnet.js";

/** The gate an int8 model passes to play: the largest mean |value difference| and policy KL (nats), the smallest share of the same first move. */
export const INT8_GATE = { valueMean: 0.03, policyKl: 0.02, top1Agreement: 0.9 };

/**
 * The match gate: games of int8 against fp32 (colours alternating), played at the first
 * generation whose int8 model passes the position gate and then every `every` generations; a
 * one-sided sign test below `significance` is a loss.
 */
export const INT8_MATCH = { games: 20, every: 10, significance: 0.05 };

/**
 * The one-sided sign test of a loss: the chance of `wins` or fewer wins in the decisive games
 * (draws left out) if both sides were equally strong. 1 without a decisive game.
 */
export function lossPValue(wins: number, losses: number): number {
  const n = wins + losses;
  let p = 0, term = 0.5 ** n; // C(n, 0) / 2^n
  for (let k = 0; k <= wins; k++) {
    p += term;
    term = (term * (n - k)) / (k + 1);
  }
  return Math.min(1, p);
}

/** Whether generation `g` plays the match gate, given the last generation that played it (null: none yet). */
export function matchDue(g: number, lastMatched: number | null, every = INT8_MATCH.every): boolean {
  return lastMatched === null || g - lastMatched >= every;
}

/** Positions for calibration and for the gate: each `count` positions, disjoint. */
export interface PrecisionPositions {
  calibration: { planes: Float32Array; count: number };
  held: { planes: Float32Array; masks: Uint8Array; count: number };
}

/**
 * Draws 2·count positions (seeded) from the window's games, the first half to calibrate and the
 * rest to check; a window with too few (generation 0) is filled with random playout positions.
 */
export function precisionPositions(game: Game, window: readonly Batch[], count: number, rng: Rng): PrecisionPositions {
  const size = game.planes * game.height * game.width, actions = game.actionCount;
  const all: { batch: Batch; index: number }[] = [];
  for (const batch of window) for (let i = 0; i < batch.size; i++) all.push({ batch, index: i });
  const fill = all.length >= 2 * count ? null : randomBatch(game, 2 * count - all.length, rng.split("playouts"), 40);
  if (fill) for (let i = 0; i < fill.size; i++) all.push({ batch: fill, index: i });
  // A seeded shuffle's first 2·count.
  for (let i = all.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  const planes = new Float32Array(2 * count * size), masks = new Uint8Array(2 * count * actions);
  all.slice(0, 2 * count).forEach(({ batch, index }, k) => {
    planes.set(batch.planes.subarray(index * size, (index + 1) * size), k * size);
    masks.set(batch.mask.subarray(index * actions, (index + 1) * actions), k * actions);
  });
  return {
    calibration: { planes: planes.subarray(0, count * size), count },
    held: { planes: planes.subarray(count * size), masks: masks.subarray(count * actions), count },
  };
}

/** The int8 model of a checkpoint: `g0003.onnx` → `g0003.int8.onnx`. */
export function int8Path(model: string): string {
  return model.replace(/\.onnx$/, ".int8.onnx");
}

export interface PrecisionChoice {
  /** The model self-play loads. */
  model: string;
  precision: "int8" | "fp32";
  gap: ModelGap;
}

/**
 * Quantises checkpoint `model` (once: a rerun finds its int8 model) and judges it against the
 * fp32 network on the held positions; the model self-play is to use.
 */
export async function choosePrecision(game: Game, model: string, positions: PrecisionPositions, gate = INT8_GATE): Promise<PrecisionChoice> {
  const path = int8Path(model);
  if (!existsSync(path)) {
    const state = loadState(model);
    const ranges = await calibrate(state.arch, state.weights, positions.calibration.planes, positions.calibration.count);
    const bytes = exportQuantisedOnnx(state.arch, state.weights, { step: state.step, run: state.run, extra: { quantised_from: model.split("/").at(-1)! } }, ranges);
    // Written whole or not at all: a run stopped here quantises again on resume.
    writeFileSync(`${path}.part`, bytes);
    renameSync(`${path}.part`, path);
  }
  const fp32 = await OnnxModel.load(model, { expect: game });
  const int8 = await OnnxModel.load(path, { expect: game });
  try {
    const gap = await compareModels(fp32, int8, positions.held.planes, positions.held.masks, positions.held.count, game.actionCount);
    const passes = gap.valueMean <= gate.valueMean && gap.policyKl <= gate.policyKl && gap.top1Agreement >= gate.top1Agreement;
    return { model: passes ? path : model, precision: passes ? "int8" : "fp32", gap };
  } finally {
    await Promise.all([fp32.close(), int8.close()]);
  }
}
