/**
 * Synthetic rated games for benchmarks and tests of the rating fit: a sparse, human-like graph —
 * games per player heavy-tailed (Pareto: ⌊u^(-1/0.9)⌋, at most `maxGames`), opponents paired by
 * strength plus noise (a server's matchmaking), colours at random, a first-move advantage of 30
 * Elo, and a share of draws.
 */
import type { Rng } from "../core/rng.js";
import type { Result } from "./ratings.js";

export function humanLikeResults(players: number, maxGames: number, drawShare: number, rng: Rng): { truth: number[]; results: Result[] } {
  const truth = Array.from({ length: players }, () => rng.normal() * 350);
  const stubs: { player: number; key: number }[] = [];
  truth.forEach((elo, player) => {
    const count = Math.min(maxGames, Math.floor(Math.max(rng.float(), 1e-12) ** (-1 / 0.9)));
    for (let k = 0; k < count; k++) stubs.push({ player, key: elo + rng.normal() * 150 });
  });
  stubs.sort((a, b) => a.key - b.key);
  const results: Result[] = [];
  for (let i = 0; i + 1 < stubs.length; i += 2) {
    // The next stub of another player is this one's opponent.
    let j = i + 1;
    while (j < stubs.length && stubs[j]!.player === stubs[i]!.player) j++;
    if (j >= stubs.length) break;
    [stubs[i + 1], stubs[j]] = [stubs[j]!, stubs[i + 1]!];
    const [black, white] = rng.float() < 0.5 ? [stubs[i]!.player, stubs[i + 1]!.player] : [stubs[i + 1]!.player, stubs[i]!.player];
    const p = 1 / (1 + 10 ** ((truth[white]! - truth[black]! - 30) / 400));
    const u = rng.float();
    results.push({ black, white, blackScore: u < drawShare ? 0.5 : rng.float() < p ? 1 : 0 });
  }
  return { truth, results };
}
