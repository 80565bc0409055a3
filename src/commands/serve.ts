/** `fossil serve --db FILE [--port 8080] [--host 127.0.0.1] [--model FILE.onnx]`: the web viewer (src/web/). */
import type { ArgumentsCamelCase, Argv } from "yargs";
import { InputError } from "../../core/errors.js";
import { serveViewer } from "../web/server.js";

interface ServeArgs {
  db: string;
  port: string;
  host: string;
  model?: string;
}

export const serveCommand = {
  builder: (y: Argv) =>
    y
      .option("db", { type: "string", demandOption: true, describe: "fossil database file (read only: a study may write to it meanwhile)" })
      .option("port", { type: "string", default: "8080", describe: "TCP port (0: any free one)" })
      .option("host", { type: "string", default: "127.0.0.1", describe: "address to listen on (loopback by default; 0.0.0.0 opens it to the network)" })
      .option("model", { type: "string", describe: "ONNX network whose policy and value the board shows" }),
  handler: async (args: ArgumentsCamelCase<ServeArgs>) => {
    const port = String(args.port).trim();
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new InputError(`--port must be a whole number from 0 to 65535, got "${port}"`);
    const server = await serveViewer({ db: args.db, model: args.model, port: Number(port), host: args.host });
    for (const note of server.notes) process.stderr.write(`${note}\n`);
    process.stdout.write(`fossil viewer of ${args.db} at ${server.url} (Ctrl-C stops it)\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        void server.close().then(resolve);
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
  },
};
