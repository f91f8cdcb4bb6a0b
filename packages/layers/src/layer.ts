import type { FloatDType, Rng, Shape, Tensor } from '@dl/tensor';

/** A float tensor: what flows through layers (float32 to train, float64 for gradient checks). */
export type FloatTensor = Tensor<FloatDType>;

/**
 * A learnable parameter: its book name (`W1`, `b1`, `gamma1`), its value and the gradient the last
 * `backward` wrote. Optimizers update `value` in place; `backward` overwrites `grad` (the book's
 * semantics: there is no zero_grad).
 */
export interface Param {
  readonly name: string;
  value: FloatTensor;
  grad: FloatTensor;
  /** True for weights that L2 weight decay applies to (`W`), absent for biases, `gamma`, `beta`. */
  readonly decay?: boolean;
}

/**
 * A named tensor that is state but not learnable (BatchNorm's running statistics): what save/load
 * must keep besides the `Param`s. Names are `<layer key>.<buffer>` at network level
 * (`BatchNorm1.running_mean`).
 */
export interface NamedTensor {
  readonly name: string;
  readonly value: FloatTensor;
}

/**
 * What a forward pass needs to know besides its input. Train/test mode is passed explicitly, never
 * detected from a layer's type or name; `rng` feeds layers that draw random numbers (Dropout).
 */
export interface ForwardContext {
  train: boolean;
  rng?: Rng | undefined;
}

/**
 * One layer of the book's chapter 5: `forward` caches what `backward` needs; `backward(dout)`
 * returns `dx` and writes each parameter's `grad`.
 */
export interface Layer {
  /** The layer's kind, as the book names it (`Affine`, `Relu`, ...). */
  readonly kind: string;
  forward(x: FloatTensor, ctx: ForwardContext): FloatTensor;
  backward(dout: FloatTensor): FloatTensor;
  /**
   * `backward` without computing dx, for a layer whose input gradient nobody uses (the first layer
   * with parameters: its input is data). Writes the same parameter gradients. Optional: networks
   * fall back to `backward`.
   */
  backwardParams?(dout: FloatTensor): void;
  /** The learnable parameters (empty for Relu, Pooling, ...). */
  params(): Param[];
  /** The output shape for an input shape (batch axis included), without running the layer. */
  outputShape(inputShape: Shape): number[];
  /** Non-learnable state (running statistics), updated in place by `forward`; absent when none. */
  buffers?(): NamedTensor[];
}

/** The last layer: computes a scalar loss from scores and targets, then starts backprop. */
export interface LossLayer {
  readonly kind: string;
  /** `t` holds label indices (int32, shape [N]) or one-hot rows (float, same shape as `x`). */
  forward(x: FloatTensor, t: Tensor): number;
  /**
   * `forward` with the loss as a one-element tensor on the backend, not read back: what a backend
   * whose tensors the CPU cannot read synchronously (`webgpu`) trains with.
   */
  forwardTensor?(x: FloatTensor, t: Tensor): FloatTensor;
  /** `dL/dx` for the last forward (the loss's own `dout` is 1). */
  backward(): FloatTensor;
}

/**
 * What the training loop and the optimizers need from a network (the book's `TwoLayerNet`,
 * `MultiLayerNet`, ... all provide it).
 */
export interface Model {
  /** All learnable parameters, in a stable order, with unique book names. */
  params(): Param[];
  /** Scores (pre-softmax) for a batch. */
  predict(x: FloatTensor, ctx: ForwardContext): FloatTensor;
  /** Loss of a batch (weight decay included, where the network has it). */
  loss(x: FloatTensor, t: Tensor, ctx: ForwardContext): number;
  /** Forward + backward: fills every `Param.grad`; returns the loss of that forward. */
  gradient(x: FloatTensor, t: Tensor, ctx: ForwardContext): number;
  /** Fraction of correct predictions, in test mode, in batches of `batchSize` (default 1000). */
  accuracy(x: FloatTensor, t: Tensor, options?: { batchSize?: number }): number;
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
