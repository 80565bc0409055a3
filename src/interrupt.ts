/**
 * Ctrl-C during a long command. The first one asks the work to stop after what is in progress
 * (a chunk of self-play games, a match game, a training step): everything finished is stored or
 * written whole, worker threads end cleanly, and the command then says what is kept and how to go
 * on (exit code 130). A second Ctrl-C stops at once.
 */
export interface Interrupt {
  /** Aborted at the first Ctrl-C: long work checks it between units of work. */
  readonly signal: AbortSignal;
  /** After the work: if it was interrupted, say what is kept (`message`) and exit with 130. */
  finish(): void;
  /** Removes the handler (the command ends normally or with an error). */
  dispose(): void;
}

export function onInterrupt(message: () => string): Interrupt {
  const controller = new AbortController();
  const say = (): void => {
    process.stderr.write(`\ninterrupted: ${message()}\n`);
  };
  const handler = (): void => {
    if (controller.signal.aborted) {
      say();
      process.exit(130);
    }
    process.stderr.write("\nstopping after the work in progress (Ctrl-C again to stop at once)\n");
    controller.abort();
  };
  process.on("SIGINT", handler);
  return {
    signal: controller.signal,
    finish: () => {
      if (!controller.signal.aborted) return;
      say();
      process.exitCode = 130;
    },
    dispose: () => {
      process.off("SIGINT", handler);
    },
  };
}
