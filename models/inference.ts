/**
 * ONNX Runtime inference: a session over a fossil model that takes a batch of encoded positions
 * (NCHW planes, as games encode them) and returns policy logits and values.
 */
import * as ort from "onnxruntime-node";
import { InputError } from "../core/errors.js";
import type { Architecture } from "./arch.js";
import { checkModelFits, fossilArchitecture, readModelFile, readModelInfo, type ModelFit, type ModelInfo } from "./onnx/read.js";
import type { Prediction } from "./tfnet.js";

export interface SessionOptions {
  /** Intra-op threads (default 1: one per worker, workers give the parallelism). */
  threads?: number;
  /** Refuse a model for another game, board or plane version (a `Game` says what it needs). */
  expect?: ModelFit;
}

/** The policy's probabilities over the legal actions (a softmax of their logits), most likely first. */
export function legalProbabilities(logits: ArrayLike<number>, mask: Uint8Array): { action: number; p: number }[] {
  const legal: number[] = [];
  for (let a = 0; a < mask.length; a++) if (mask[a] === 1) legal.push(a);
  const max = Math.max(...legal.map((a) => logits[a]!));
  const total = legal.reduce((s, a) => s + Math.exp(logits[a]! - max), 0);
  return legal.map((action) => ({ action, p: Math.exp(logits[action]! - max) / total })).sort((x, y) => y.p - x.p);
}

export class OnnxModel {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly info: ModelInfo,
    readonly arch: Architecture,
  ) {}

  /** Loads a model file (or bytes already read). */
  static async load(source: string | { bytes: Uint8Array; file: string }, options: SessionOptions = {}): Promise<OnnxModel> {
    const { bytes, info } = typeof source === "string" ? readModelFile(source) : { bytes: source.bytes, info: readModelInfo(source.bytes, source.file) };
    const arch = options.expect ? checkModelFits(info, options.expect) : fossilArchitecture(info);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: options.threads ?? 1,
        interOpNumThreads: 1,
        executionMode: "sequential",
        graphOptimizationLevel: "all",
      });
    } catch (e) {
      throw new InputError(`ONNX Runtime cannot load the model: ${(e as Error).message.split("\n")[0]}`, { file: info.file });
    }
    return new OnnxModel(session, info, arch);
  }

  /** Policy logits (batch x actions) and values (batch) for `batch` positions of NCHW planes. */
  async evaluate(planes: Float32Array, batch: number): Promise<Prediction> {
    const { planes: c, height, width } = this.arch;
    if (planes.length < batch * c * height * width) throw new RangeError(`evaluate: ${planes.length} floats for ${batch} positions of ${c}x${height}x${width}`);
    const input = new ort.Tensor("float32", planes.subarray(0, batch * c * height * width), [batch, c, height, width]);
    const out = await this.session.run({ planes: input });
    return { policy: out.policy!.data as Float32Array, value: out.value!.data as Float32Array };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
