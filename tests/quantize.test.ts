/**
 * int8 networks (models/onnx/quantize.ts): the QDQ model that ONNX Runtime turns into integer
 * kernels, checked by Debian's python3-onnx, whose answers stay close to the fp32 model's — and a
 * mis-calibrated one that does not, so that the closeness measure can fail.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { Rng } from "../core/rng.js";
import { parseGameSpec } from "../games/index.js";
import { architectureFor, buildGraph } from "../models/arch.js";
import { OnnxModel } from "../models/inference.js";
import { exportOnnx, onnxGraph } from "../models/onnx/export.js";
import { calibrate, compareModels, exportQuantisedOnnx, quantisedTensors, type Ranges } from "../models/onnx/quantize.js";
import { operatorCounts, readModelInfo } from "../models/onnx/read.js";
import { randomBatch } from "../models/synthetic.js";
import { initWeights, type Weights } from "../models/weights.js";
import { itNeeds, needs } from "./helpers/needs.js";

const dir = mkdtempSync(join(tmpdir(), "fossil-int8-"));

/** Fresh weights with batch-norm statistics and scales away from 0 and 1, as training leaves them (the export folds them in). */
function weightsOf(spec: string, blocks: number, filters: number, seed: number): { arch: ReturnType<typeof architectureFor>; weights: Weights } {
  const arch = architectureFor(parseGameSpec(spec), blocks, filters);
  const rng = Rng.fromSeed(seed);
  const weights = initWeights(buildGraph(arch), rng);
  for (const [name, values] of weights) {
    for (let k = 0; k < values.length; k++) {
      if (name.endsWith("/mean") || name.endsWith("/beta")) values[k] = 0.3 * (rng.float() - 0.5);
      if (name.endsWith("/variance")) values[k] = 0.5 + rng.float();
      if (name.endsWith("/gamma")) values[k] = 0.6 + 0.8 * rng.float();
    }
  }
  return { arch, weights };
}

describe("int8 networks", () => {
  const cases: [string, number, number][] = [
    ["go:7", 2, 32],
    ["connect4", 2, 32],
  ];

  it.each(cases)("%s: ONNX Runtime runs every trunk convolution and residual addition as an integer kernel, and the answers stay close to fp32's", async (spec, blocks, filters) => {
    const game = parseGameSpec(spec);
    const { arch, weights } = weightsOf(spec, blocks, filters, 5);
    const calibration = randomBatch(game, 128, Rng.fromSeed(6), 40);
    const ranges = await calibrate(arch, weights, calibration.planes, calibration.size);
    // Every quantised tensor has a measured range; ReLU outputs start at 0.
    const names = quantisedTensors(onnxGraph(arch, weights));
    expect([...ranges.keys()].sort()).toEqual([...names].sort());
    for (const name of names) if (name.endsWith("/out")) expect(ranges.get(name)!.min).toBe(0);

    const bytes = exportQuantisedOnnx(arch, weights, { step: 0, run: "int8" }, ranges);
    writeFileSync(join(dir, `${spec}.onnx`), bytes);
    expect(readModelInfo(bytes, "int8.onnx").metadata["fossil.precision"]).toBe("int8");
    // What ONNX Runtime makes of it: the optimised graph it would run.
    const optimised = join(dir, `${spec}-optimised.onnx`);
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: "extended", optimizedModelFilePath: optimised });
    await session.release();
    const ops = operatorCounts(readFileSync(optimised));
    expect(ops.get("QLinearConv")).toBe(1 + 2 * blocks);
    expect(ops.get("QLinearAdd")).toBe(blocks);
    expect(ops.get("Conv") ?? 0).toBe(0);
    expect(ops.get("Relu") ?? 0).toBe(0);

    const fp32 = await OnnxModel.load({ bytes: exportOnnx(arch, weights, { step: 0, run: "fp32" }), file: "fp32.onnx" }, { expect: game });
    const int8 = await OnnxModel.load({ bytes, file: "int8.onnx" }, { expect: game });
    const held = randomBatch(game, 256, Rng.fromSeed(7), 40);
    const gap = await compareModels(fp32, int8, held.planes, held.mask, held.size, game.actionCount);
    expect(gap.valueMean).toBeLessThan(0.03);
    expect(gap.policyKl).toBeLessThan(0.01);
    expect(gap.top1Agreement).toBeGreaterThan(0.9);

    // Ranges a hundred times too narrow saturate every activation: the measure says so.
    const narrow: Ranges = new Map([...ranges].map(([name, r]) => [name, { min: r.min / 100, max: r.max / 100 }]));
    const broken = await OnnxModel.load({ bytes: exportQuantisedOnnx(arch, weights, { step: 0, run: "int8" }, narrow), file: "narrow.onnx" }, { expect: game });
    const bad = await compareModels(fp32, broken, held.planes, held.mask, held.size, game.actionCount);
    expect(bad.valueMean > 0.03 || bad.policyKl > 0.01 || bad.top1Agreement <= 0.9).toBe(true);
    await Promise.all([fp32.close(), int8.close(), broken.close()]);
  });

  itNeeds(needs.pythonOnnx)("passes onnx.checker.check_model(full_check=True) of Debian's python3-onnx, int8 weights and all", () => {
    const files = cases.map(([spec]) => join(dir, `${spec}.onnx`));
    const script = [
      "import onnx,sys",
      "from onnx import TensorProto",
      "for f in sys.argv[1:]:",
      "    m = onnx.load(f)",
      "    onnx.checker.check_model(m, full_check=True)",
      "    kinds = sorted({TensorProto.DataType.Name(t.data_type) for t in m.graph.initializer})",
      "    print(' '.join(kinds))",
    ].join("\n");
    const out = execFileSync("/usr/bin/python3", ["-c", script, ...files], { encoding: "utf8" });
    expect(out.trim().split("\n")).toEqual(files.map(() => "FLOAT INT32 INT64 INT8 UINT8"));
  });
});
