/**
 * Progress reporting on stderr: a bar redrawn in place on a terminal, plain lines (at most one
 * per 10% or so) when stderr is a file or a pipe.
 */
/**
 * A duration as m:ss, or h:mm:ss from an hour on; "?" when unknown. Rounded to the second before
 * it is split, so 59.6 s is 1:00, never 0:60.
 */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  const two = (n: number): string => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

export class Progress {
  private lastLine = -1;
  private readonly tty = Boolean(process.stderr.isTTY);

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly unit: string,
    /** When the work began (`performance.now()`), if before this bar is made. */
    private readonly start = performance.now(),
  ) {}

  update(done: number, extra = ""): void {
    const seconds = (performance.now() - this.start) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const eta = rate > 0 ? (this.total - done) / rate : NaN;
    const text = `${this.label}: ${done}/${this.total} ${this.unit}, ${rate.toFixed(rate < 10 ? 2 : 0)} ${this.unit}/s, elapsed ${clock(seconds)}, ETA ${clock(eta)}${extra ? `, ${extra}` : ""}`;
    if (this.tty) {
      const width = 24;
      const filled = Math.round((width * done) / Math.max(1, this.total));
      process.stderr.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${text}\x1b[K`);
      if (done >= this.total) process.stderr.write("\n");
      return;
    }
    const decile = Math.floor((10 * done) / Math.max(1, this.total));
    if (decile !== this.lastLine || done >= this.total) {
      this.lastLine = decile;
      process.stderr.write(`${text}\n`);
    }
  }
}
