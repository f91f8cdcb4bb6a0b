import { Rng, permutation, type RngState } from '@dl/tensor';

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
        this.order = permutation(trainSize, this.rng).data;
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
    this.order = permutation(this.trainSize, replay).data;
    this.permutationRng = state.permutationRng;
    this.cursor = state.cursor;
  }
}
