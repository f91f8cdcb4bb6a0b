import { BatchSampler, ShapeError, permutation, take, type DType, type Rng, type Tensor } from '@dl/tensor';

/**
 * Mini-batches, two ways. `sampleBatch` is the book's Trainer: every step draws `batchSize` indices
 * with replacement (`np.random.choice(train_size, batch_size)`), so an "epoch" is only a count of
 * steps. `epochBatches` is the modern form: a fresh permutation per epoch, cut into consecutive
 * batches, so every example is seen exactly once. Both draw only from the `Rng` given: same seed,
 * same batches. Sampling with replacement is `@dl/tensor`'s `BatchSampler`, the one `@dl/optim`'s
 * Trainer draws through: the same seed gives the Trainer and `sampleBatch` the same indices.
 */

/** Inputs and targets of one mini-batch, and which rows of the full data set they are. */
export interface Batch<X extends DType = DType, T extends DType = DType> {
  readonly x: Tensor<X>;
  readonly t: Tensor<T>;
  readonly indices: Int32Array;
}

export interface EpochOptions {
  /** Drop the last batch when it is smaller than `batchSize` (default false: keep it). */
  dropLast?: boolean;
}

function checkBatchSize(op: string, batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`${op}: batchSize must be an integer >= 1, got ${batchSize}`);
  }
}

function examples(op: string, x: Tensor, t: Tensor): number {
  const n = x.shape[0];
  if (n === undefined || t.shape[0] !== n) {
    throw new ShapeError(
      `${op}: x [${x.shape.join(',')}] and t [${t.shape.join(',')}] must have the same number of examples (first axis)`,
    );
  }
  return n;
}

/** The rows `indices` of `x` and `t` (copies). */
export function takeBatch<X extends DType, T extends DType>(
  x: Tensor<X>,
  t: Tensor<T>,
  indices: Int32Array,
): Batch<X, T> {
  examples('takeBatch', x, t);
  return { x: take(x, indices), t: take(t, indices), indices };
}

/** `batchSize` indices in `[0, n)`, drawn with replacement (the book's `np.random.choice(n, batchSize)`). */
export function sampleIndices(n: number, batchSize: number, rng: Rng): Int32Array {
  checkBatchSize('sampleIndices', batchSize);
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`sampleIndices: n must be an integer >= 1, got ${n}`);
  return new BatchSampler('replacement', n, batchSize, rng).next();
}

/** One mini-batch drawn with replacement, as the book's Trainer does each step. */
export function sampleBatch<X extends DType, T extends DType>(
  x: Tensor<X>,
  t: Tensor<T>,
  batchSize: number,
  rng: Rng,
): Batch<X, T> {
  const n = examples('sampleBatch', x, t);
  return takeBatch(x, t, sampleIndices(n, batchSize, rng));
}

/** How many batches `epochBatches` yields. */
export function batchesPerEpoch(n: number, batchSize: number, options: EpochOptions = {}): number {
  checkBatchSize('batchesPerEpoch', batchSize);
  return options.dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/**
 * One shuffled epoch over `n` examples: a permutation of `0..n-1` cut into batches of `batchSize`
 * indices, in order; the last batch is shorter unless `dropLast`. Arguments are checked now; the
 * permutation is drawn when iteration starts. Each yielded array is a view into that permutation.
 */
export function epochBatches(
  n: number,
  batchSize: number,
  rng: Rng,
  options: EpochOptions = {},
): Generator<Int32Array, void, undefined> {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`epochBatches: n must be an integer >= 0, got ${n}`);
  const count = batchesPerEpoch(n, batchSize, options);
  return (function* () {
    const order = permutation(n, rng).data;
    for (let b = 0; b < count; b++) yield order.subarray(b * batchSize, Math.min((b + 1) * batchSize, n));
  })();
}

/** Mini-batches of one data set: the book's sampling with replacement, or shuffled epochs. */
export class DataLoader<X extends DType = DType, T extends DType = DType> {
  /** Number of examples. */
  readonly size: number;
  private sampler: BatchSampler | undefined;

  constructor(
    readonly x: Tensor<X>,
    readonly t: Tensor<T>,
    readonly batchSize: number,
    readonly rng: Rng,
  ) {
    this.size = examples('DataLoader', x, t);
    checkBatchSize('DataLoader', batchSize);
  }

  /** One batch drawn with replacement (the book's Trainer step). */
  sample(): Batch<X, T> {
    // Made at the first draw (an empty data set may still run epochs). The indices are copied: the
    // sampler reuses its array, the batch keeps them.
    this.sampler ??= new BatchSampler('replacement', this.size, this.batchSize, this.rng);
    return takeBatch(this.x, this.t, this.sampler.next().slice());
  }

  /** The batches of one shuffled epoch. */
  *epoch(options: EpochOptions = {}): Generator<Batch<X, T>, void, undefined> {
    for (const indices of epochBatches(this.size, this.batchSize, this.rng, options))
      yield takeBatch(this.x, this.t, indices);
  }

  /** Batches per shuffled epoch (the book's `iter_per_epoch` is `max(size / batchSize, 1)` instead). */
  batchesPerEpoch(options: EpochOptions = {}): number {
    return batchesPerEpoch(this.size, this.batchSize, options);
  }
}
