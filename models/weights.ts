/**
 * Network weights as plain typed arrays, independent of any framework: what checkpoints store,
 * what TensorFlow.js variables are made from and what the ONNX exporter writes.
 */
import type { Rng } from "../core/rng.js";
import type { Graph, WeightSpec } from "./arch.js";

export type Weights = Map<string, Float32Array>;

/**
 * Fresh weights: He-normal convolutions and dense layers (std sqrt(2 / fan-in)), zero biases,
 * batch norm with gamma 1, beta 0, mean 0, variance 1.
 */
export function initWeights(graph: Graph, rng: Rng): Weights {
  const weights: Weights = new Map();
  for (const spec of graph.weights) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (spec.kind === "conv" || spec.kind === "dense-weight") {
      const fanIn = spec.kind === "conv" ? spec.shape[0]! * spec.shape[1]! * spec.shape[2]! : spec.shape[0]!;
      const std = Math.sqrt(2 / fanIn);
      for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
    } else if (spec.kind === "bn-gamma" || spec.kind === "bn-variance") {
      values.fill(1);
    }
    weights.set(spec.name, values);
  }
  return weights;
}

/** Checks that `weights` has every weight of the graph with the right size. */
export function checkWeights(graph: Graph, weights: Weights): void {
  for (const spec of graph.weights) {
    const w = weights.get(spec.name);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (!w) throw new Error(`missing weight ${spec.name}`);
    if (w.length !== size) throw new Error(`weight ${spec.name} has ${w.length} values, expected ${size}`);
  }
}

export function weightSize(spec: WeightSpec): number {
  return spec.shape.reduce((a, b) => a * b, 1);
}
