/**
 * Synthetic training batches from uniformly random play: positions reachable in the game (not
 * over), a one-hot policy target on a random legal move, a random outcome. For benchmarks and
 * tests of the training machinery, where what matters is realistic inputs, not good targets.
 */
import type { Rng } from "../core/rng.js";
import type { Game } from "../games/game.js";
import type { Batch } from "./tfnet.js";

export function randomBatch(game: Game, size: number, rng: Rng, maxMoves = 40): Batch {
  const planeSize = game.planes * game.height * game.width;
  const batch: Batch = {
    size,
    planes: new Float32Array(size * planeSize),
    policy: new Float32Array(size * game.actionCount),
    mask: new Uint8Array(size * game.actionCount),
    value: new Float32Array(size),
  };
  const legalOf = (mask: Uint8Array): number[] => [...mask.keys()].filter((a) => mask[a] === 1);
  let n = 0;
  while (n < size) {
    const state = game.newState();
    const stopAt = rng.int(maxMoves);
    while (state.outcome() === null && state.moveCount < stopAt) {
      const legal = legalOf(state.legalMask());
      state.play(legal[rng.int(legal.length)]!);
    }
    if (state.outcome() !== null) continue; // only positions with a move to predict
    game.encode(state, batch.planes, n * planeSize);
    const mask = state.legalMask();
    const legal = legalOf(mask);
    batch.mask.set(mask, n * game.actionCount);
    batch.policy[n * game.actionCount + legal[rng.int(legal.length)]!] = 1;
    batch.value[n] = rng.int(3) - 1;
    n++;
  }
  return batch;
}
