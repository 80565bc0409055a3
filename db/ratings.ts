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

/** Solves A x = b for symmetric positive definite A (Cholesky, in place on copies). */
function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = Float64Array.from(a);
  for (let j = 0; j < n; j++) {
    let d = l[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! * l[j * n + k]!;
    if (!(d > 0)) throw new Error("rating fit: Hessian not positive definite");
    const djj = Math.sqrt(d);
    l[j * n + j] = djj;
    for (let i = j + 1; i < n; i++) {
      let s = l[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = s / djj;
    }
  }
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= l[i * n + k]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
    x[i] = s / l[i * n + i]!;
  }
  return x;
}

/** Diagonal of the inverse of a symmetric positive definite matrix. */
function inverseDiagonal(a: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n);
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    e.fill(0);
    e[i] = 1;
    out[i] = solveSpd(a, e, n)[i]!;
  }
  return out;
}

export function fitRatings(players: number, results: readonly Result[], options: FitOptions): Fit {
  const anchorElo = options.anchorElo ?? 0;
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
  const grad = new Float64Array(n), hess = new Float64Array(n * n);
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
  let current = logPosterior(theta);
  for (; iterations < 100; iterations++) {
    grad.fill(0);
    hess.fill(0);
    const adv = advIndex >= 0 ? theta[advIndex]! : 0;
    for (const { b, w, n: cnt, s } of pairList) {
      const z = rating(b) - rating(w) + adv;
      const p = 1 / (1 + Math.exp(-z));
      const g = s - cnt * p;
      const h = cnt * p * (1 - p);
      const ib = index[b]!, iw = index[w]!;
      const idx = [ib, iw, advIndex];
      const sign = [1, -1, 1];
      for (let x = 0; x < 3; x++) {
        const ix = idx[x]!;
        if (ix < 0) continue;
        grad[ix]! += sign[x]! * g;
        for (let y = 0; y < 3; y++) {
          const iy = idx[y]!;
          if (iy < 0) continue;
          hess[ix * n + iy]! += sign[x]! * sign[y]! * h;
        }
      }
    }
    for (let i = 0; i < n; i++) {
      grad[i]! -= priorPrecision * theta[i]!;
      hess[i * n + i]! += priorPrecision;
    }
    const step = n > 0 ? solveSpd(hess, grad, n) : new Float64Array(0);
    // Damped Newton: halve the step until the posterior does not fall.
    let factor = 1, next = theta, value = current;
    for (let k = 0; k < 30; k++) {
      next = theta.map((v, i) => v + factor * step[i]!);
      value = logPosterior(next);
      if (value >= current - 1e-12) break;
      factor /= 2;
    }
    theta.set(next);
    const moved = Math.max(0, ...step.map((v) => Math.abs(v * factor)));
    current = value;
    if (moved < 1e-9) break;
  }
  const variance = n > 0 ? inverseDiagonal(hess, n) : new Float64Array(0);
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

/** Points for black from an SGF result: 1, 0, 0.5 for a draw, null for no result (void). */
export function blackScoreOf(result: string): number | null {
  const t = result.trim().toUpperCase();
  if (t === "0" || t === "DRAW" || t === "JIGO" || t === "D") return 0.5;
  if (t.startsWith("B+")) return 1;
  if (t.startsWith("W+")) return 0;
  return null;
}
