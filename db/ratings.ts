/**
 * Bradley–Terry ratings on the Elo scale, fitted by maximum likelihood (Newton's method):
 *
 *   P(black beats white) = 1 / (1 + 10^((R_white - R_black - A) / 400)),
 *
 * with A an optional first-move advantage, draws counted as half a win, and a weak Gaussian prior
 * (centred on the anchor, 1,000 Elo wide) so that a player who never lost still gets a finite
 * rating. One player is the anchor (its rating is fixed), and 95% intervals come from the
 * curvature of the log-posterior (the inverse of its negative Hessian) at the optimum: they say
 * how well each rating is known relative to the anchor.
 */

import { parseResultText } from "../core/player.js";

export interface Result {
  black: number;
  white: number;
  /** Points for black: 1 win, 0.5 draw, 0 loss. */
  blackScore: number;
  /** How many such games (default 1). */
  count?: number;
}

export interface FitOptions {
  /** Index of the anchor player and its fixed rating. */
  anchor: number;
  anchorElo?: number;
  /** Fit a first-move advantage (Elo points for the first player). */
  firstMoveAdvantage?: boolean;
  /** Standard deviation of the prior around the anchor, in Elo (default 1000). */
  priorElo?: number;
}

export interface Fit {
  /** Rating per player (NaN for players without games, other than the anchor). */
  elo: Float64Array;
  /** Half-width of the 95% interval per player (0 for the anchor). */
  ci95: Float64Array;
  games: Float64Array;
  /** Points per game. */
  score: Float64Array;
  /** First-move advantage in Elo (0 if not fitted) and its 95% half-width. */
  advantage: number;
  advantageCi95: number;
  iterations: number;
}

const SCALE = Math.LN10 / 400; // natural logit units per Elo point

/** Lower Cholesky factor of a symmetric positive definite n x n matrix (row-major). */
function cholesky(a: Float64Array, n: number): Float64Array {
  const l = Float64Array.from(a);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = l[rj + j]!;
    for (let k = 0; k < j; k++) d -= l[rj + k]! * l[rj + k]!;
    if (!(d > 0)) throw new Error("rating fit: Hessian not positive definite");
    const djj = Math.sqrt(d);
    l[rj + j] = djj;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let s = l[ri + j]!;
      for (let k = 0; k < j; k++) s -= l[ri + k]! * l[rj + k]!;
      l[ri + j] = s / djj;
    }
  }
  return l;
}

/**
 * The full inverse of a symmetric positive definite n x n matrix (row-major): with A = L L^T,
 * A^-1 = L^-T L^-1, L^-1 from forward substitution. O(n^3): only for small or dense blocks.
 */
export function denseInverse(a: Float64Array, n: number): Float64Array {
  const l = cholesky(a, n);
  const inv = new Float64Array(n * n); // L^-1, lower triangular, row-major
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    inv[ri + i] = 1 / l[ri + i]!;
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = j; k < i; k++) s += l[ri + k]! * inv[k * n + j]!;
      inv[ri + j] = -s / l[ri + i]!;
    }
  }
  // (A^-1)_ij = sum_k (L^-1)_ki (L^-1)_kj over k >= max(i, j).
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let i = 0; i <= k; i++) {
      const v = inv[rk + i]!;
      if (v === 0) continue;
      const ri = i * n;
      for (let j = 0; j <= i; j++) out[ri + j]! += v * inv[rk + j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[j * n + i] = out[i * n + j]!;
  return out;
}

/** A sparse symmetric matrix: a diagonal plus off-diagonal entries (each stored once). */
export interface Sparse {
  diag: Float64Array;
  rows: Int32Array;
  cols: Int32Array;
  values: Float64Array;
  count: number;
}

/** A binary min-heap of non-negative integer keys (used with stale entries skipped by the caller). */
class MinHeap {
  private keys: number[] = [];
  peek(): number {
    return this.keys[0]!;
  }
  push(key: number): void {
    const h = this.keys;
    let i = h.push(key) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]! <= key) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = key;
  }
  pop(): number {
    const h = this.keys;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= h.length) break;
        if (child + 1 < h.length && h[child + 1]! < h[child]!) child++;
        if (h[child]! >= last) break;
        h[i] = h[child]!;
        i = child;
      }
      h[i] = last;
    }
    return top;
  }
}

/**
 * The diagonal of the inverse of a sparse symmetric positive definite matrix, exact (to
 * rounding) without forming the dense inverse:
 *
 * 1. Gaussian elimination A = L D L^T in minimum-degree order (a fill-reducing ordering: the
 *    variable with fewest neighbours left goes first, so players with few opponents cost next to
 *    nothing). The elimination graph gives the pattern P(k) of each column of L. Once what is left
 *    has become dense (the fewest neighbours are a tenth of the variables left) or small, its
 *    Schur complement is inverted as one dense block: that block of A^-1.
 * 2. Selected inversion (Takahashi's equations) from the last column back, with Z = A^-1:
 *      Z_jk = -sum_{i in P(k)} L_ik Z_ij  (j in P(k)),   Z_kk = 1/d_k - sum_{i in P(k)} L_ik Z_ik.
 *    The Z_ij needed are on the pattern of L (P(k) is a clique of the filled graph), where they
 *    have already been computed.
 * Cost: the sum over sparse columns of |P(k)|^2, plus the cube of the dense block.
 */
export function sparseInverseDiagonal(m: Sparse): Float64Array {
  const n = m.diag.length;
  const d = Float64Array.from(m.diag);
  // The elimination graph with values: adj[i].get(j) is the current (Schur complement) entry.
  const adj: Map<number, number>[] = Array.from({ length: n }, () => new Map<number, number>());
  for (let k = 0; k < m.count; k++) {
    const i = m.rows[k]!, j = m.cols[k]!, v = m.values[k]!;
    if (i === j) {
      d[i]! += v;
      continue;
    }
    adj[i]!.set(j, (adj[i]!.get(j) ?? 0) + v);
    adj[j]!.set(i, (adj[j]!.get(i) ?? 0) + v);
  }
  const heap = new MinHeap(); // key: degree * n + node; stale entries are skipped
  for (let v = 0; v < n; v++) heap.push(adj[v]!.size * n + v);
  const step = new Int32Array(n).fill(-1); // elimination step of each variable
  const columns: { node: number; pattern: Int32Array; l: Float64Array; pivot: number; position: Map<number, number>; z: Float64Array }[] = [];
  let remaining = n;
  while (remaining > 0) {
    let key = heap.peek();
    let v = key % n;
    while (step[v]! >= 0 || Math.floor(key / n) !== adj[v]!.size) {
      heap.pop();
      key = heap.peek();
      v = key % n;
    }
    const degree = adj[v]!.size;
    if (remaining <= 32 || degree * 10 >= remaining) break; // the rest is dense
    heap.pop();
    const pivot = d[v]!;
    if (!(pivot > 0)) throw new Error("rating fit: Hessian not positive definite");
    const row = adj[v]!;
    const pattern = Int32Array.from(row.keys());
    const values = Float64Array.from(row.values());
    const l = values.map((x) => x / pivot);
    for (let a = 0; a < pattern.length; a++) {
      const i = pattern[a]!;
      const ai = adj[i]!;
      ai.delete(v);
      d[i]! -= values[a]! * l[a]!;
      for (let b = a + 1; b < pattern.length; b++) {
        const j = pattern[b]!;
        const delta = values[a]! * l[b]!;
        const aj = adj[j]!;
        ai.set(j, (ai.get(j) ?? 0) - delta);
        aj.set(i, (aj.get(i) ?? 0) - delta);
      }
    }
    for (const i of pattern) heap.push(adj[i]!.size * n + i);
    row.clear();
    step[v] = columns.length;
    const position = new Map<number, number>();
    pattern.forEach((i, a) => position.set(i, a));
    columns.push({ node: v, pattern, l, pivot, position, z: new Float64Array(pattern.length) });
    remaining--;
  }
  // The dense block: the variables left, in any order after the sparse ones.
  const block: number[] = [];
  for (let v = 0; v < n; v++) if (step[v]! < 0) block.push(v);
  const size = block.length;
  const where = new Int32Array(n).fill(-1);
  block.forEach((v, a) => {
    where[v] = a;
    step[v] = columns.length + a;
  });
  const schur = new Float64Array(size * size);
  block.forEach((v, a) => {
    schur[a * size + a] = d[v]!;
    for (const [j, x] of adj[v]!) schur[a * size + where[j]!] = x;
  });
  const blockInverse = size > 0 ? denseInverse(schur, size) : new Float64Array(0);
  const out = new Float64Array(n);
  block.forEach((v, a) => (out[v] = blockInverse[a * size + a]!));
  /** Z_ij (i != j) on the pattern: from the earlier eliminated of the two, or the dense block. */
  const offDiagonal = (i: number, j: number): number => {
    const first = step[i]! < step[j]! ? i : j, other = first === i ? j : i;
    if (where[first]! >= 0) return blockInverse[where[first]! * size + where[other]!]!;
    const column = columns[step[first]!]!;
    return column.z[column.position.get(other)!]!;
  };
  for (let k = columns.length - 1; k >= 0; k--) {
    const { node, pattern, l, pivot, z } = columns[k]!;
    // z = -Z[P, P] l, then Z_kk = 1/d_k - l . z.
    for (let a = 0; a < pattern.length; a++) z[a] = -out[pattern[a]!]! * l[a]!;
    for (let a = 0; a < pattern.length; a++) {
      for (let b = a + 1; b < pattern.length; b++) {
        const zab = offDiagonal(pattern[a]!, pattern[b]!);
        z[a]! -= zab * l[b]!;
        z[b]! -= zab * l[a]!;
      }
    }
    let diagonal = 1 / pivot;
    for (let a = 0; a < pattern.length; a++) diagonal -= l[a]! * z[a]!;
    out[node] = diagonal;
  }
  return out;
}

/** Solves S x = b by conjugate gradients with a Jacobi preconditioner. */
function solveSparse(m: Sparse, b: Float64Array): Float64Array {
  const n = b.length;
  const x = new Float64Array(n), r = Float64Array.from(b), z = new Float64Array(n), p = new Float64Array(n), q = new Float64Array(n);
  const apply = (v: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < n; i++) out[i] = m.diag[i]! * v[i]!;
    for (let k = 0; k < m.count; k++) {
      const i = m.rows[k]!, j = m.cols[k]!, a = m.values[k]!;
      out[i]! += a * v[j]!;
      out[j]! += a * v[i]!;
    }
  };
  for (let i = 0; i < n; i++) z[i] = r[i]! / m.diag[i]!;
  p.set(z);
  let rz = 0;
  for (let i = 0; i < n; i++) rz += r[i]! * z[i]!;
  const norm0 = Math.sqrt(b.reduce((s, v) => s + v * v, 0));
  for (let it = 0; it < 10 * n + 100 && norm0 > 0; it++) {
    apply(p, q);
    let pq = 0;
    for (let i = 0; i < n; i++) pq += p[i]! * q[i]!;
    const alpha = rz / pq;
    let rr = 0;
    for (let i = 0; i < n; i++) {
      x[i]! += alpha * p[i]!;
      r[i]! -= alpha * q[i]!;
      rr += r[i]! * r[i]!;
    }
    if (Math.sqrt(rr) <= 1e-12 * norm0) break;
    let rzNext = 0;
    for (let i = 0; i < n; i++) {
      z[i] = r[i]! / m.diag[i]!;
      rzNext += r[i]! * z[i]!;
    }
    const beta = rzNext / rz;
    rz = rzNext;
    for (let i = 0; i < n; i++) p[i] = z[i]! + beta * p[i]!;
  }
  return x;
}

export function fitRatings(players: number, results: readonly Result[], options: FitOptions): Fit {
  const anchorElo = options.anchorElo ?? 0;
  if (!(Number.isInteger(options.anchor) && options.anchor >= 0 && options.anchor < players)) throw new RangeError(`rating fit: anchor ${options.anchor} is not a player (0..${players - 1})`);
  const priorPrecision = 1 / (((options.priorElo ?? 1000) * SCALE) ** 2);
  // Aggregate games by (black, white) pair.
  const pairs = new Map<number, { n: number; s: number }>();
  const games = new Float64Array(players), points = new Float64Array(players);
  for (const r of results) {
    const count = r.count ?? 1;
    if (r.black === r.white) continue;
    const key = r.black * players + r.white;
    const p = pairs.get(key) ?? { n: 0, s: 0 };
    p.n += count;
    p.s += r.blackScore * count;
    pairs.set(key, p);
    games[r.black]! += count;
    games[r.white]! += count;
    points[r.black]! += r.blackScore * count;
    points[r.white]! += (1 - r.blackScore) * count;
  }
  // Free parameters: every player with games except the anchor, then the advantage.
  const index = new Int32Array(players).fill(-1);
  let free = 0;
  for (let p = 0; p < players; p++) if (p !== options.anchor && games[p]! > 0) index[p] = free++;
  const advIndex = options.firstMoveAdvantage ? free++ : -1;
  const n = free;
  const theta = new Float64Array(n); // natural units, relative to the anchor
  const pairList = [...pairs.entries()].map(([key, v]) => ({ b: Math.floor(key / players), w: key % players, ...v }));
  const rating = (p: number): number => (index[p]! < 0 ? 0 : theta[index[p]!]!);
  let iterations = 0;
  const grad = new Float64Array(n);
  // Off-diagonal Hessian entries: one per pair of free parameters that meet.
  const slotOf = new Map<number, number>();
  const rowsList: number[] = [], colsList: number[] = [];
  const slot = (i: number, j: number): number => {
    const key = i < j ? i * n + j : j * n + i;
    let k = slotOf.get(key);
    if (k === undefined) {
      k = rowsList.length;
      slotOf.set(key, k);
      rowsList.push(Math.min(i, j));
      colsList.push(Math.max(i, j));
    }
    return k;
  };
  const pairSlots = pairList.map(({ b, w }) => {
    const ib = index[b]!, iw = index[w]!;
    return [ib >= 0 && iw >= 0 ? slot(ib, iw) : -1, ib >= 0 && advIndex >= 0 ? slot(ib, advIndex) : -1, iw >= 0 && advIndex >= 0 ? slot(iw, advIndex) : -1];
  });
  const hess: Sparse = { diag: new Float64Array(n), rows: Int32Array.from(rowsList), cols: Int32Array.from(colsList), values: new Float64Array(rowsList.length), count: rowsList.length };
  const logPosterior = (t: Float64Array): number => {
    let sum = 0;
    const rt = (p: number): number => (index[p]! < 0 ? 0 : t[index[p]!]!);
    const adv = advIndex >= 0 ? t[advIndex]! : 0;
    for (const { b, w, n: cnt, s } of pairList) {
      const z = rt(b) - rt(w) + adv;
      // s log p + (n - s) log(1 - p), stably.
      sum += s * -softplus(-z) + (cnt - s) * -softplus(z);
    }
    for (let i = 0; i < n; i++) sum -= 0.5 * priorPrecision * t[i]! * t[i]!;
    return sum;
  };
  /** Gradient and (negative) Hessian of the log-posterior at theta. */
  const derivatives = (): void => {
    grad.fill(0);
    hess.diag.fill(priorPrecision);
    hess.values.fill(0);
    const adv = advIndex >= 0 ? theta[advIndex]! : 0;
    pairList.forEach(({ b, w, n: cnt, s }, k) => {
      const z = rating(b) - rating(w) + adv;
      const p = 1 / (1 + Math.exp(-z));
      const g = s - cnt * p;
      const h = cnt * p * (1 - p);
      const ib = index[b]!, iw = index[w]!;
      const [sbw, sba, swa] = pairSlots[k]!;
      if (ib >= 0) {
        grad[ib]! += g;
        hess.diag[ib]! += h;
      }
      if (iw >= 0) {
        grad[iw]! -= g;
        hess.diag[iw]! += h;
      }
      if (advIndex >= 0) {
        grad[advIndex]! += g;
        hess.diag[advIndex]! += h;
      }
      if (sbw! >= 0) hess.values[sbw!]! -= h;
      if (sba! >= 0) hess.values[sba!]! += h;
      if (swa! >= 0) hess.values[swa!]! -= h;
    });
    for (let i = 0; i < n; i++) grad[i]! -= priorPrecision * theta[i]!;
  };
  let current = logPosterior(theta);
  for (; iterations < 100 && n > 0; iterations++) {
    derivatives();
    const step = solveSparse(hess, grad);
    // Damped Newton: halve the step until the posterior does not fall.
    let factor = 1, next = theta, value = current;
    for (let k = 0; k < 30; k++) {
      next = theta.map((v, i) => v + factor * step[i]!);
      value = logPosterior(next);
      if (value >= current - 1e-12) break;
      factor /= 2;
    }
    theta.set(next);
    let moved = 0;
    for (const v of step) moved = Math.max(moved, Math.abs(v * factor));
    current = value;
    if (moved < 1e-9) break;
  }
  // Intervals from the curvature at the optimum: the diagonal of the inverse (sparse, exact).
  derivatives();
  const variance = n > 0 ? sparseInverseDiagonal(hess) : new Float64Array(0);
  const elo = new Float64Array(players).fill(NaN), ci95 = new Float64Array(players).fill(NaN);
  for (let p = 0; p < players; p++) {
    if (p === options.anchor) {
      elo[p] = anchorElo;
      ci95[p] = 0;
    } else if (index[p]! >= 0) {
      elo[p] = anchorElo + theta[index[p]!]! / SCALE;
      ci95[p] = (1.959964 * Math.sqrt(variance[index[p]!]!)) / SCALE;
    }
  }
  const score = games.map((g, p) => (g > 0 ? points[p]! / g : NaN));
  return {
    elo,
    ci95,
    games,
    score,
    advantage: advIndex >= 0 ? theta[advIndex]! / SCALE : 0,
    advantageCi95: advIndex >= 0 ? (1.959964 * Math.sqrt(variance[advIndex]!)) / SCALE : 0,
    iterations: iterations + 1,
  };
}

function softplus(x: number): number {
  return x > 30 ? x : Math.log1p(Math.exp(x));
}

/** Points for black from an SGF result: 1, 0, 0.5 for a draw (and a win by nothing, B+0), null for no result (void). */
export function blackScoreOf(result: string): number | null {
  const outcome = parseResultText(result);
  if (outcome === null) return null;
  return outcome.winner === null ? 0.5 : outcome.winner === 0 ? 1 : 0;
}
