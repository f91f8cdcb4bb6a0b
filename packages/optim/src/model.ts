import type { FloatDType, Kernels, Rng, Tensor } from '@dl/tensor';

/**
 * What the optimizers and the training loop see of a network, as structural types, so `@dl/optim`
 * stands on `@dl/tensor` alone (as `@dl/gradcheck` does). `@dl/layers`' `Param`, `ForwardContext`
 * and `Model` (every book network) fit them as they are; so does any object of the same shape.
 */

/** A float tensor (float32 to train, float64 for the book-parity tests). */
export type FloatTensor = Tensor<FloatDType>;

/**
 * A learnable parameter: its book name (`W1`), its value, and the gradient the last backward wrote.
 * Optimizers update `value` in place, keyed by `name`.
 */
export interface Param {
  readonly name: string;
  value: FloatTensor;
  grad: FloatTensor;
  /** True for weights that L2 weight decay applies to. */
  readonly decay?: boolean;
}

/** Train or test mode, and the generator of layers that draw random numbers (Dropout). */
export interface ForwardContext {
  train: boolean;
  rng?: Rng | undefined;
}

/** What the training loop needs from a network (the book's `TwoLayerNet`, `MultiLayerNet`, ...). */
export interface Model {
  /** All learnable parameters, in a stable order, with unique names. */
  params(): Param[];
  /** Scores (pre-softmax) for a batch. */
  predict(x: FloatTensor, ctx: ForwardContext): FloatTensor;
  /** Loss of a batch (weight decay included, where the network has it). */
  loss(x: FloatTensor, t: Tensor, ctx: ForwardContext): number;
  /** Forward + backward: fills every `Param.grad`; returns the loss of that forward. */
  gradient(x: FloatTensor, t: Tensor, ctx: ForwardContext): number;
  /** Fraction of correct predictions, in test mode, in batches of `batchSize`. */
  accuracy(x: FloatTensor, t: Tensor, options?: { batchSize?: number }): number;
  /** The backend the model runs on, when it was given one (`LayerNetwork`'s `backend` option). */
  readonly backend?: Kernels | undefined;
  /**
   * `gradient` on a backend that reads values back asynchronously (`webgpu`): the step is recorded
   * when the call returns (the gradients are ready for the optimizer) and the loss arrives later.
   */
  gradientAsync?(x: FloatTensor, t: Tensor, ctx: ForwardContext): Promise<number>;
  /** `loss`, read back asynchronously. */
  lossAsync?(x: FloatTensor, t: Tensor, ctx: ForwardContext): Promise<number>;
  /** `accuracy`, read back asynchronously. */
  accuracyAsync?(x: FloatTensor, t: Tensor, options?: { batchSize?: number }): Promise<number>;
}
