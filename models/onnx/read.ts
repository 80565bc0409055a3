/**
 * Reading what fossil needs from an ONNX file without running it: the metadata (game, board,
 * planes, architecture, step, run) and a check that the file is an ONNX model at all.
 */
import { createHash } from "node:crypto";
import { basename } from "node:path";
import { InputError } from "../../core/errors.js";
import { readInputBytes } from "../../core/files.js";
import type { Architecture } from "../arch.js";
import { parseGameSpec } from "../../games/index.js";
import { decodeMessage, fieldString, ProtoError } from "./proto.js";

export interface ModelInfo {
  file: string;
  /**
   * What names the network in the database: the file's name and a hash of its bytes,
   * "sl9@3fa2b1c0d4" — the same for every path to one file, new when the file is retrained in place.
   */
  name: string;
  irVersion: number;
  opset: number;
  producer: string;
  metadata: Record<string, string>;
  /** Null when the model was not written by fossil. */
  architecture: Architecture | null;
  step: number;
}

/** Parses ONNX bytes; throws InputError naming the file if they are not a complete ONNX model. */
export function readModelInfo(bytes: Uint8Array, file: string): ModelInfo {
  const bad = (why: string): InputError => new InputError(`not a readable ONNX model (${why})`, { file });
  let top;
  try {
    top = decodeMessage(bytes);
  } catch (e) {
    throw bad(e instanceof ProtoError ? `${e.message}; truncated or not ONNX` : String(e));
  }
  const ir = top.find((f) => f.field === 1 && f.wire === 0);
  const graph = top.find((f) => f.field === 7 && f.wire === 2);
  if (!ir || !graph) throw bad("no IR version or graph");
  const metadata: Record<string, string> = {};
  let opset = 0;
  let producer = "";
  try {
    decodeMessage(graph.data!); // the graph must decode too
    for (const f of top) {
      if (f.field === 14 && f.wire === 2) {
        const entry = decodeMessage(f.data!);
        const key = entry.find((e) => e.field === 1), value = entry.find((e) => e.field === 2);
        if (key) metadata[fieldString(key)] = value ? fieldString(value) : "";
      } else if (f.field === 8 && f.wire === 2) {
        const entry = decodeMessage(f.data!);
        const domain = entry.find((e) => e.field === 1);
        const version = entry.find((e) => e.field === 2);
        if ((!domain || fieldString(domain) === "") && version?.varint !== undefined) opset = Number(version.varint);
      } else if (f.field === 2 && f.wire === 2) {
        producer = fieldString(f);
      }
    }
  } catch (e) {
    throw bad(e instanceof ProtoError ? `${e.message}; truncated or not ONNX` : String(e));
  }
  let architecture: Architecture | null = null;
  if (metadata["fossil.architecture_json"]) {
    try {
      architecture = JSON.parse(metadata["fossil.architecture_json"]) as Architecture;
    } catch {
      throw bad("its fossil.architecture_json metadata is not JSON");
    }
  }
  const hash = createHash("sha256").update(bytes).digest("hex").slice(0, 10);
  const name = `${basename(file).replace(/\.onnx$/i, "")}@${hash}`;
  return { file, name, irVersion: Number(ir.varint), opset, producer, metadata, architecture, step: Number(metadata["fossil.step"] ?? 0) };
}

export function readModelFile(file: string): { bytes: Uint8Array; info: ModelInfo } {
  const bytes = readInputBytes(file);
  return { bytes, info: readModelInfo(bytes, file) };
}

/** The architecture of a fossil model; an InputError for an ONNX file fossil did not write. */
export function fossilArchitecture(info: ModelInfo): Architecture {
  if (!info.architecture) throw new InputError("not a fossil model (no fossil.architecture_json metadata)", { file: info.file });
  return info.architecture;
}

/** What a model must fit: a game's family, board and planes (a `Game` has them). */
export interface ModelFit {
  id: string;
  planeVersion: string;
  height: number;
  width: number;
}

/** The game family ("go:9") of a model's game spec ("go:9:chinese:7.5", or the bare "go:9" of older models). */
export function modelFamily(arch: Architecture): string {
  try {
    return parseGameSpec(arch.game).id;
  } catch {
    return arch.game;
  }
}

/**
 * Refuses a model made for another game, board or plane version, with a message saying which
 * differs. Rules and komi may differ from the ones it was trained under: they are inputs.
 */
export function checkModelFits(info: ModelInfo, expected: ModelFit): Architecture {
  const arch = fossilArchitecture(info);
  const problems: string[] = [];
  const family = modelFamily(arch);
  if (family !== expected.id) problems.push(`it is for ${family}, not ${expected.id}`);
  if (arch.height !== expected.height || arch.width !== expected.width) problems.push(`its board is ${arch.height}x${arch.width}, not ${expected.height}x${expected.width}`);
  if (arch.planeVersion !== expected.planeVersion) problems.push(`its input planes are ${arch.planeVersion}, this version of fossil encodes ${expected.planeVersion}`);
  if (problems.length > 0) throw new InputError(`model does not fit: ${problems.join("; ")}`, { file: info.file });
  return arch;
}

/** How many nodes of each operator a model's graph holds ("QLinearConv" → 9). */
export function operatorCounts(bytes: Uint8Array): Map<string, number> {
  const counts = new Map<string, number>();
  const graph = decodeMessage(bytes).find((f) => f.field === 7 && f.wire === 2);
  for (const node of graph ? decodeMessage(graph.data!) : []) {
    if (node.field !== 1 || node.wire !== 2) continue;
    const op = decodeMessage(node.data!).find((f) => f.field === 4 && f.wire === 2);
    if (op) counts.set(fieldString(op), (counts.get(fieldString(op)) ?? 0) + 1);
  }
  return counts;
}
