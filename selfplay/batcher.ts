/**
 * Batches network evaluations from many concurrent games: each request is encoded into the
 * next slot of a shared buffer and answered by a promise; the batch goes to the model when it is
 * full or when every waiting game has asked (at the end of the current turn of the event loop).
 * Each model has its own batcher, so in a match between two networks every leaf goes to its own
 * model.
 */
import type { Game, GameState } from "../games/game.js";
import type { OnnxModel } from "../models/inference.js";
import type { Evaluation } from "./mcts.js";

export class LeafBatcher {
  private readonly planes: Float32Array;
  private readonly cells: number;
  private pending: ((e: Evaluation) => void)[] = [];
  private failed: ((e: unknown) => void)[] = [];
  private scheduled = false;
  /** Batches sent and positions evaluated (for statistics). */
  batches = 0;
  positions = 0;

  constructor(
    private readonly model: OnnxModel,
    private readonly game: Game,
    private readonly maxBatch: number,
  ) {
    this.cells = game.planes * game.height * game.width;
    this.planes = new Float32Array(maxBatch * this.cells);
  }

  evaluate(state: GameState): Promise<Evaluation> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === this.maxBatch) void this.flush();
      this.game.encode(state, this.planes, this.pending.length * this.cells);
      this.pending.push(resolve);
      this.failed.push(reject);
      if (this.pending.length === this.maxBatch) void this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const resolvers = this.pending, rejecters = this.failed;
    if (resolvers.length === 0) return;
    this.pending = [];
    this.failed = [];
    const count = resolvers.length;
    try {
      // The model reads the planes before this call returns; later requests may reuse the buffer.
      const out = await this.model.evaluate(this.planes.slice(0, count * this.cells), count);
      this.batches++;
      this.positions += count;
      const a = this.game.actionCount;
      resolvers.forEach((resolve, i) => resolve({ policy: out.policy.subarray(i * a, (i + 1) * a), value: out.value[i]! }));
    } catch (e) {
      for (const reject of rejecters) reject(e);
    }
  }
}
