/**
 * A GTP (Go Text Protocol, version 2) client for external engines such as GNU Go: one process,
 * commands sent one at a time, replies parsed ("= ..." success, "? ..." failure), a timeout per
 * command, and a clear error when the engine crashes or cannot be started.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

export class GtpError extends Error {
  constructor(
    message: string,
    readonly kind: "failure" | "crash" | "timeout",
  ) {
    super(message);
  }
}

/** Splits a command line into program and arguments (double or single quotes group words). */
export function splitCommand(command: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(command); m; m = re.exec(command)) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

export class GtpClient {
  private buffer = "";
  private waiting: { resolve: (text: string) => void; reject: (e: Error) => void; timer: NodeJS.Timeout; command: string } | null = null;
  private dead: Error | null = null;
  private stderr = "";

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly command: string,
    private readonly timeoutMs: number,
  ) {
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => this.onData(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-2000);
    });
    child.on("error", (e) => this.fail(new GtpError(`cannot run "${command}": ${e.message}`, "crash")));
    // An engine that exits at once closes its input: writing to it fails (EPIPE), as a crash.
    child.stdin.on("error", (e) => this.fail(new GtpError(`engine "${command}" stopped reading commands (${e.message})`, "crash")));
    child.on("exit", (code, signal) => this.fail(new GtpError(`engine "${command}" exited (${signal ?? `code ${code}`})${this.stderr ? `: ${this.stderr.trim().split("\n").pop()}` : ""}`, "crash")));
  }

  static start(command: string, timeoutMs = 60_000): GtpClient {
    const [program, ...args] = splitCommand(command);
    if (!program) throw new GtpError("empty GTP command", "crash");
    const child = spawn(program, args, { stdio: ["pipe", "pipe", "pipe"] });
    return new GtpClient(child, command, timeoutMs);
  }

  private fail(e: Error): void {
    this.dead ??= e;
    if (this.waiting) {
      clearTimeout(this.waiting.timer);
      this.waiting.reject(e);
      this.waiting = null;
    }
  }

  private onData(chunk: string): void {
    this.buffer += chunk.replace(/\r/g, "");
    const end = this.buffer.indexOf("\n\n");
    if (end < 0 || !this.waiting) return;
    const reply = this.buffer.slice(0, end).trim();
    this.buffer = this.buffer.slice(end + 2);
    const { resolve, reject, timer, command } = this.waiting;
    this.waiting = null;
    clearTimeout(timer);
    if (reply.startsWith("=")) resolve(reply.replace(/^=\d*\s?/, ""));
    else reject(new GtpError(`engine "${this.command}" refused "${command}": ${reply.replace(/^\?\d*\s?/, "")}`, "failure"));
  }

  /** Sends one command; resolves with the reply text (without "= "). */
  send(command: string): Promise<string> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.waiting) return Promise.reject(new Error("GTP: one command at a time"));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = null;
        reject(new GtpError(`engine "${this.command}" did not answer "${command}" within ${this.timeoutMs / 1000} s`, "timeout"));
      }, this.timeoutMs);
      this.waiting = { resolve, reject, timer, command };
      this.child.stdin.write(`${command}\n`, (e) => e && this.fail(new GtpError(`cannot write to engine "${this.command}": ${e.message}`, "crash")));
    });
  }

  async close(): Promise<void> {
    if (!this.dead) {
      try {
        await Promise.race([this.send("quit"), new Promise((r) => setTimeout(r, 1000))]);
      } catch {
        // already gone
      }
    }
    this.child.kill();
  }
}
