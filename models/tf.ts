/**
 * Loads TensorFlow.js for training. With `@tensorflow/tfjs-node` installed (an optional
 * dependency: it downloads libtensorflow when installed, which is not possible everywhere) the
 * native "tensorflow" backend is used; otherwise `@tensorflow/tfjs` on the WebAssembly
 * backend, with the fast convolution-gradient kernels of wasm-kernels.ts. `FOSSIL_TF_BACKEND`
 * (tensorflow | wasm | cpu) forces a choice; `cpu` is the slow pure-JS reference.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
// The full package: tfjs-core's API plus the gradient functions (registered on import).
import * as tf from "@tensorflow/tfjs";
import { registerFastWasmKernels } from "./wasm-kernels.js";

export type Tf = typeof tf;
export type TfBackendName = "tensorflow" | "wasm" | "cpu";

const require = createRequire(import.meta.url);
let ready: Promise<Tf> | null = null;
let readyName: TfBackendName | null = null;

async function tryNative(): Promise<boolean> {
  try {
    // Registers the "tensorflow" backend on the shared tfjs-core when the package is present.
    await import("@tensorflow/tfjs-node" as string);
    return tf.findBackend("tensorflow") !== null || (await tf.setBackend("tensorflow"));
  } catch {
    return false;
  }
}

async function setup(wanted: TfBackendName | undefined): Promise<Tf> {
  // Production mode: no debug checks, and no console advice to install tfjs-node.
  tf.env().set("PROD", true);
  if ((wanted === undefined || wanted === "tensorflow") && (await tryNative())) {
    await tf.setBackend("tensorflow");
    readyName = "tensorflow";
    return tf;
  }
  if (wanted === "tensorflow") throw new Error("@tensorflow/tfjs-node is not installed (optional dependency); use the wasm backend");
  if (wanted === "cpu") {
    await tf.setBackend("cpu");
    readyName = "cpu";
    return tf;
  }
  const wasm = await import("@tensorflow/tfjs-backend-wasm");
  // The .wasm binaries ship inside the package: point the loader at them (no download).
  wasm.setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist") + "/");
  await tf.setBackend("wasm");
  await tf.ready();
  registerFastWasmKernels(tf);
  readyName = "wasm";
  return tf;
}

/** TensorFlow.js on the best available backend (once per process). */
export function loadTf(wanted = process.env.FOSSIL_TF_BACKEND as TfBackendName | undefined): Promise<Tf> {
  if (ready && wanted !== undefined && readyName !== null && wanted !== readyName) {
    return ready.then(async (t) => {
      await switchBackend(wanted);
      return t;
    });
  }
  ready ??= setup(wanted);
  return ready;
}

/** Switches an already loaded TensorFlow.js to another backend (tests compare backends). */
export async function switchBackend(name: TfBackendName): Promise<void> {
  if (!(await tf.setBackend(name))) throw new Error(`TensorFlow.js backend ${name} is not available`);
  readyName = name;
}

export function backendName(): string {
  return tf.getBackend();
}
