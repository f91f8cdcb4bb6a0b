import type { Model } from '@dl/layers';
import { gatherRows, rowsBuffer, yieldToEventLoop, type Optimizer, type TrainData } from '@dl/optim';
import type { Rng } from '@dl/tensor';

export interface Contender {
  readonly name: string;
  readonly model: Model;
  readonly optimizer: Optimizer;
}

export interface SideBySideOptions {
  readonly iterations: number;
  readonly batchSize: number;
  readonly rng: Rng;
  /** Called after every step with each contender's loss of that step. */
  readonly onStep?: (iteration: number, losses: readonly number[]) => void;
  /** Called when `(i % evaluateEvery) === 0` after step `i` (0-based), as the book's loops do. */
  readonly evaluateEvery?: number;
  readonly onEvaluate?: (iteration: number) => void;
}

/**
 * The loop of the book's comparison scripts (`optimizer_compare_mnist.py`, `weight_init_compare.py`,
 * `batch_norm_test.py`): each iteration draws one mini-batch with replacement and every contender
 * takes a step on that same batch, so they differ only in what is compared. Returns each one's losses.
 */
export async function trainSideBySide(
  contenders: readonly Contender[],
  data: Pick<TrainData, 'xTrain' | 'tTrain'>,
  options: SideBySideOptions,
): Promise<number[][]> {
  const { iterations, batchSize, rng } = options;
  const n = data.xTrain.shape[0]!;
  const xb = rowsBuffer(data.xTrain, batchSize);
  const tb = rowsBuffer(data.tTrain, batchSize);
  const indices = new Int32Array(batchSize);
  const losses = contenders.map(() => [] as number[]);
  for (let i = 0; i < iterations; i++) {
    for (let k = 0; k < batchSize; k++) indices[k] = rng.int(n);
    const x = gatherRows(data.xTrain, indices, xb);
    const t = gatherRows(data.tTrain, indices, tb);
    const step = contenders.map((c, j) => {
      const loss = c.model.gradient(x, t, { train: true, rng });
      c.optimizer.update(c.model.params());
      losses[j]!.push(loss);
      return loss;
    });
    options.onStep?.(i, step);
    if (options.evaluateEvery !== undefined && i % options.evaluateEvery === 0) options.onEvaluate?.(i);
    // Let Ctrl-C and timers through now and then.
    if (i % 20 === 19) await yieldToEventLoop();
  }
  return losses;
}
