import { allocate } from './allocate.js';
import type { DType } from './dtype.js';
import { permutation } from './random.js';
import { Rng, type RngState } from './rng.js';
import { ShapeError, shapeToString } from './shape.js';
import { Tensor } from './tensor.js';

/**
 * Mini-batches: which rows (`BatchSampler`), and those rows copied into reused tensors (`gatherRows`
 * into a `rowsBuffer`). The one sampler of the project: `@dl/optim`'s Trainer and `@dl/data-mnist`'s
 * `sampleBatch`/`DataLoader` all draw through it, so one seed gives one sequence of batches.
 */

/**
 * How the training loop draws mini-batches. `replacement`: the book's
 * `np.random.choice(train_size, batch_size)`, independent draws each step, so a sample may repeat in
 * a batch and some are missed in an epoch. `shuffle`: a fresh permutation per pass, every sample
 * seen once per `trainSize` draws (batches run across pass boundaries, so all have `batchSize` rows).
 */
export type Sampling = 'replacement' | 'shuffle';

/** Where a sampler stands, for checkpoints. The permutation is re-drawn from the RNG state that made it. */
export type SamplerState =
  | { readonly sampling: 'replacement' }
  | { readonly sampling: 'shuffle'; readonly permutationRng: RngState | null; readonly cursor: number };

/** Draws the row indices of each mini-batch from `rng`, and saves and restores where it stands. */
export class BatchSampler {
  /** The indices of the last batch; overwritten by each `next()`. */
  readonly indices: Int32Array;
  private order: Int32Array | null = null;
  private permutationRng: RngState | null = null;
  private cursor = 0;

  constructor(
    readonly sampling: Sampling,
    readonly trainSize: number,
    readonly batchSize: number,
    private readonly rng: Rng,
  ) {
    if (sampling !== 'replacement' && sampling !== 'shuffle') {
      throw new TypeError(
        `BatchSampler: sampling must be 'replacement' or 'shuffle', got '${String(sampling)}'`,
      );
    }
    for (const [name, value] of [
      ['trainSize', trainSize],
      ['batchSize', batchSize],
    ] as const) {
      if (!Number.isInteger(value) || value < 1)
        throw new RangeError(`BatchSampler: ${name} must be an integer >= 1, got ${value}`);
    }
    this.indices = new Int32Array(batchSize);
  }

  /** The next batch's row indices (the same array every time). */
  next(): Int32Array {
    const { indices, trainSize } = this;
    if (this.sampling === 'replacement') {
      // What choice(trainSize, batchSize, rng) draws, without allocating.
      for (let i = 0; i < indices.length; i++) indices[i] = this.rng.int(trainSize);
      return indices;
    }
    for (let i = 0; i < indices.length; i++) {
      if (this.order === null || this.cursor === trainSize) {
        this.permutationRng = this.rng.getState();
        // A plain copy: the sampler keeps its order across steps, beyond any step's storage.
        this.order = permutation(trainSize, this.rng).data.slice();
        this.cursor = 0;
      }
      indices[i] = this.order[this.cursor++]!;
    }
    return indices;
  }

  getState(): SamplerState {
    if (this.sampling === 'replacement') return { sampling: 'replacement' };
    return { sampling: 'shuffle', permutationRng: this.permutationRng, cursor: this.cursor };
  }

  setState(state: SamplerState): void {
    if (state.sampling !== this.sampling) {
      throw new Error(
        `BatchSampler.setState: the state is for '${state.sampling}' sampling, this sampler uses '${this.sampling}'`,
      );
    }
    if (state.sampling === 'replacement') return;
    if (state.permutationRng === null) {
      this.order = null;
      this.permutationRng = null;
      this.cursor = 0;
      return;
    }
    if (!Number.isInteger(state.cursor) || state.cursor < 0 || state.cursor > this.trainSize) {
      throw new RangeError(`BatchSampler.setState: cursor ${state.cursor} is outside [0, ${this.trainSize}]`);
    }
    const replay = new Rng(0);
    replay.setState(state.permutationRng);
    this.order = permutation(this.trainSize, replay).data.slice();
    this.permutationRng = state.permutationRng;
    this.cursor = state.cursor;
  }
}

/** A tensor to hold `rows` rows shaped like those of `x`, for `gatherRows`. */
export function rowsBuffer<D extends DType>(x: Tensor<D>, rows: number): Tensor<D> {
  const row = x.shape[0] ? x.size / x.shape[0] : 0;
  return new Tensor(allocate(x.dtype, rows * row), [rows, ...x.shape.slice(1)], x.dtype);
}

/** Copies rows `indices` of `x` into `out` (`out = x[indices]` without allocating a new tensor). */
export function gatherRows<D extends DType>(x: Tensor<D>, indices: Int32Array, out: Tensor<D>): Tensor<D> {
  const n = x.shape[0]!;
  const row = x.size / n;
  if (out.shape[0] !== indices.length || out.size !== indices.length * row) {
    throw new ShapeError(
      `gatherRows: out ${shapeToString(out.shape)} does not hold ${indices.length} rows of ${shapeToString(x.shape)}`,
    );
  }
  const src = x.data;
  const dst = out.data;
  for (let j = 0; j < indices.length; j++) {
    const k = indices[j]!;
    if (k < 0 || k >= n) throw new RangeError(`gatherRows: index ${k} is out of bounds for ${n} rows`);
    dst.set(src.subarray(k * row, (k + 1) * row), j * row);
  }
  return out;
}
