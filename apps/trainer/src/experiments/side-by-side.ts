import type { FloatTensor, Model } from '@dl/layers';
import { gatherRows, rowsBuffer, yieldToEventLoop, type Optimizer, type TrainData } from '@dl/optim';
import type { Rng, Tensor } from '@dl/tensor';

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
  /** May return a promise (accuracies read back from a GPU): it is awaited before the next step. */
  readonly onEvaluate?: (iteration: number) => void | Promise<void>;
}

/**
 * `model.gradient` on any backend: on a GPU (`webgpu`) the step is recorded when this returns (the
 * gradients are ready for the optimizer) and the loss arrives with the promise.
 */
function gradientOf(model: Model, x: FloatTensor, t: Tensor, rng: Rng): Promise<number> {
  const ctx = { train: true, rng };
  return model.gradientAsync?.(x, t, ctx) ?? Promise.resolve(model.gradient(x, t, ctx));
}

/**
 * The loop of the book's comparison scripts (`optimizer_compare_mnist.py`, `weight_init_compare.py`,
 * `batch_norm_test.py`): each iteration draws one mini-batch with replacement and every contender
 * takes a step on that same batch, so they differ only in what is compared. Returns each one's losses.
 * The same loop on every backend: the losses are awaited (a GPU reads them back asynchronously).
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
    // Every contender's step is queued before any loss is awaited, so a GPU runs them back to back.
    const pending = contenders.map((c) => {
      const loss = gradientOf(c.model, x, t, rng);
      c.optimizer.update(c.model.params());
      return loss;
    });
    const step = await Promise.all(pending);
    step.forEach((loss, j) => losses[j]!.push(loss));
    options.onStep?.(i, step);
    if (options.evaluateEvery !== undefined && i % options.evaluateEvery === 0) await options.onEvaluate?.(i);
    // Let Ctrl-C and timers through now and then.
    if (i % 20 === 19) await yieldToEventLoop();
  }
  return losses;
}
