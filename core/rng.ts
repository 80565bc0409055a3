/**
 * Seeded, splittable pseudo-random generator. Every random choice in fossil draws from one of
 * these, derived from a single run seed, so that the same seed gives the same games.
 *
 * Generator: xoshiro128** (Blackman & Vigna), 128-bit state, 32-bit output. Seeding and
 * splitting hash their input with a murmur3-style finaliser, so that `split("worker", 3)` gives
 * the same stream whatever else was drawn from the parent, and distinct labels give unrelated
 * streams.
 */

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Folds a label (string or number) into a 32-bit accumulator. */
function mixLabel(acc: number, label: string | number): number {
  if (typeof label === "number") {
    if (!Number.isFinite(label)) throw new RangeError(`Rng label must be finite, got ${label}`);
    // Integers up to 2^53 are mixed exactly: low and high 32-bit halves.
    const lo = label >>> 0;
    const hi = Math.floor(label / 4294967296) >>> 0;
    acc = fmix32(acc ^ Math.imul(lo, 0x9e3779b1) ^ 0x1b873593);
    return fmix32(acc ^ Math.imul(hi + 0x7f4a7c15, 0xcc9e2d51));
  }
  acc = fmix32(acc ^ 0x68e31da4 ^ label.length);
  for (let i = 0; i < label.length; i++) acc = fmix32(acc ^ Math.imul(label.charCodeAt(i) + 1, 0x9e3779b1));
  return acc;
}

export type RngState = readonly [number, number, number, number, number, number, number, number];

export class Rng {
  /** The identity of this stream (what `split` derives children from). */
  private readonly key: Uint32Array;
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  private constructor(key: Uint32Array) {
    this.key = key;
    this.s0 = fmix32(key[0]! ^ 0x243f6a88);
    this.s1 = fmix32(key[1]! ^ 0x85a308d3);
    this.s2 = fmix32(key[2]! ^ 0x13198a2e);
    this.s3 = fmix32(key[3]! ^ 0x03707344);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A generator for a run seed (an integer or any string). */
  static fromSeed(seed: number | string): Rng {
    return Rng.derive(new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a]), [seed]);
  }

  private static derive(parent: Uint32Array, labels: readonly (string | number)[]): Rng {
    const key = new Uint32Array(4);
    for (let w = 0; w < 4; w++) {
      let acc = fmix32(parent[w]! ^ Math.imul(w + 1, 0x27d4eb2f));
      for (let j = 0; j < 4; j++) acc = fmix32(acc ^ parent[j]!);
      for (const label of labels) acc = mixLabel(acc, label);
      key[w] = acc;
    }
    return new Rng(key);
  }

  /**
   * An independent child stream named by labels, e.g. `rng.split("game", 17)`. It depends only on
   * this stream's identity and the labels, never on how much was drawn from this stream.
   */
  split(...labels: (string | number)[]): Rng {
    if (labels.length === 0) throw new RangeError("Rng.split needs at least one label");
    return Rng.derive(this.key, labels);
  }

  /** Next 32-bit unsigned integer. */
  u32(): number {
    const s0 = this.s0, s1 = this.s1, s2 = this.s2, s3 = this.s3;
    const t = Math.imul(s1, 5);
    const result = Math.imul((t << 7) | (t >>> 25), 9) >>> 0;
    const u = s1 << 9;
    let n2 = s2 ^ s0;
    let n3 = s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    n2 ^= u;
    n3 = (n3 << 11) | (n3 >>> 21);
    this.s2 = n2;
    this.s3 = n3;
    return result;
  }

  /** Uniform float in [0, 1) with 53 random bits. */
  float(): number {
    const a = this.u32() >>> 5;
    const b = this.u32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [0, n), unbiased; n must be an integer in [1, 2^32]. */
  int(n: number): number {
    if (n <= 0x100000 && n >= 1 && (n | 0) === n) {
      // Lemire's multiply-and-reject: u32 * n < 2^52 is exact in a double.
      let m = this.u32() * n;
      let low = m >>> 0;
      if (low < n) {
        const threshold = (4294967296 - n) % n;
        while (low < threshold) {
          m = this.u32() * n;
          low = m >>> 0;
        }
      }
      return Math.floor(m / 4294967296);
    }
    if (!(n >= 1 && n <= 4294967296 && Number.isInteger(n))) throw new RangeError(`Rng.int: bad bound ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    for (;;) {
      const x = this.u32();
      if (x < limit) return x % n;
    }
  }

  /** Standard normal variate (Box-Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }

  /** Gamma(shape, 1) variate (Marsaglia-Tsang; boosted for shape < 1). */
  gamma(shape: number): number {
    if (!(shape > 0)) throw new RangeError(`Rng.gamma: shape must be > 0, got ${shape}`);
    if (shape < 1) {
      let u = 0;
      while (u === 0) u = this.float();
      return this.gamma(shape + 1) * Math.pow(u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.float();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** A sample of Dirichlet(alpha, ..., alpha) with n components. */
  dirichlet(alpha: number, n: number): Float64Array {
    const out = new Float64Array(n);
    let sum = 0;
    for (let i = 0; i < n; i++) sum += out[i] = this.gamma(alpha);
    if (sum === 0) out.fill(1 / n);
    else for (let i = 0; i < n; i++) out[i]! /= sum;
    return out;
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }

  /** One element chosen uniformly. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("Rng.pick: empty list");
    return items[this.int(items.length)]!;
  }

  /** Full state (identity and position in the stream), for checkpoints. */
  getState(): RngState {
    return [this.key[0]!, this.key[1]!, this.key[2]!, this.key[3]!, this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
  }

  /** Restores a generator saved with `getState`: it continues exactly where the saved one was. */
  static fromState(state: RngState): Rng {
    if (state.length !== 8 || state.some((w) => !Number.isInteger(w) || w < 0 || w > 0xffffffff)) {
      throw new RangeError("Rng.fromState: expected 8 unsigned 32-bit integers");
    }
    const rng = new Rng(new Uint32Array(state.slice(0, 4)));
    rng.s0 = state[4] | 0;
    rng.s1 = state[5] | 0;
    rng.s2 = state[6] | 0;
    rng.s3 = state[7] | 0;
    return rng;
  }
}
