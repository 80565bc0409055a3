/**
 * `fossil gtp --model FILE.onnx [--sims N | --seconds S] [--threads T] [--log FILE]`: a GTP
 * engine on standard input and output (see src/gtp/engine.ts).
 */
import { appendFileSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import type { ArgumentsCamelCase, Argv } from "yargs";
import { numberIn, seedOption, wholeNumber } from "../options.js";
import { InputError } from "../../core/errors.js";
import { OnnxModel } from "../../models/inference.js";
import { GtpEngine } from "../gtp/engine.js";

interface GtpArgs {
  model: string;
  sims: number;
  seconds: number;
  threads: number;
  resign: number;
  seed: number;
  log?: string;
}

export const gtpCommand = {
  builder: (y: Argv) =>
    y
      .option("model", { type: "string", demandOption: true, describe: "ONNX model of a Go network" })
      .option("sims", { type: "number", default: 200, describe: "simulations per move", coerce: wholeNumber("sims", 1, 1e7) })
      .option("seconds", { type: "number", default: 0, describe: "seconds per move at most (0: only --sims; time_left also limits)", coerce: numberIn("seconds", 0, 86400) })
      .option("threads", { type: "number", default: 1, describe: "ONNX Runtime threads", coerce: wholeNumber("threads", 1, 64) })
      .option("resign", { type: "number", default: 0.95, describe: "resign when the value falls below minus this (0: never)", coerce: numberIn("resign", 0, 1, { max: true }) })
      .option("seed", { ...seedOption, describe: "seed for ties between equally visited moves" })
      .option("log", { type: "string", describe: "append the GTP exchange to this file (for bug reports)" }),
  handler: async (args: ArgumentsCamelCase<GtpArgs>) => {
    const model = await OnnxModel.load(args.model, { threads: args.threads });
    const engine = new GtpEngine(model, { simulations: args.sims, seconds: args.seconds, resignThreshold: args.resign, seed: args.seed });
    const log = (prefix: string, text: string): void => {
      if (args.log) appendFileSync(args.log, text.trimEnd().split("\n").map((l) => `${prefix} ${l}`).join("\n") + "\n");
    };
    if (args.log) {
      try {
        writeFileSync(args.log, `# fossil gtp --model ${args.model} (${new Date().toISOString()})\n`, { flag: "a" });
      } catch (e) {
        await model.close();
        throw new InputError(`cannot write the log: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such folder" : (e as Error).message}`, { file: args.log });
      }
    }
    for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      log(">", line);
      const reply = await engine.handle(line);
      if (reply === null) continue;
      log("<", reply);
      process.stdout.write(reply);
      if (engine.quitting) break;
    }
    await model.close();
    // After quit the controller may keep our stdin open: let go of it so the process ends.
    process.stdin.destroy();
  },
};
