import type { FloatDType, Kernels, OptimizerUpdate, Tensor } from '@dl/tensor';
import type { Param } from './model.js';

/**
 * The optimizers of the book's chapter 6 (`common/optimizer.py`), by the name `createOptimizer` takes.
 * Defined once: the kinds of `@dl/tensor`'s fused `optimizerUpdate` kernel.
 */
export type OptimizerName = OptimizerUpdate['kind'];

export const OPTIMIZER_NAMES: readonly OptimizerName[] = [
  'sgd',
  'momentum',
  'nesterov',
  'adagrad',
  'rmsprop',
  'adam',
];

/**
 * Adam's two forms. `book`: the bias correction folded into the step size
 * (`lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)`), eps 1e-7 outside the square root.
 * `standard`: Kingma & Ba's algorithm with bias-corrected `m̂`, `v̂` and eps 1e-8.
 */
export type AdamVariant = 'book' | 'standard';

/** Every hyper-parameter of each optimizer, resolved (no defaults left to fill). */
export interface OptimizerHyperMap {
  sgd: { lr: number };
  momentum: { lr: number; momentum: number };
  nesterov: { lr: number; momentum: number };
  adagrad: { lr: number; eps: number };
  rmsprop: { lr: number; decayRate: number; eps: number };
  adam: { lr: number; beta1: number; beta2: number; eps: number; variant: AdamVariant };
}

/**
 * Constructor options: any hyper-parameter may be omitted and takes the book's default. `backend`:
 * the backend every update runs on (its fused kernels, its slots), for the optimizer's whole life;
 * without one, each update runs on its parameters' backend (`Tensor.backend`), else the process
 * default.
 */
export type OptimizerOptions<K extends OptimizerName> = Partial<OptimizerHyperMap[K]> & {
  backend?: Kernels | undefined;
};

/** The per-parameter buffers each optimizer keeps, by the book's names (`self.v`, `self.h`, `self.m`). */
export interface OptimizerSlotMap {
  sgd: never;
  momentum: 'v';
  nesterov: 'v';
  adagrad: 'h';
  rmsprop: 'h';
  adam: 'm' | 'v';
}

export const SLOT_NAMES: { readonly [K in OptimizerName]: readonly OptimizerSlotMap[K][] } = {
  sgd: [],
  momentum: ['v'],
  nesterov: ['v'],
  adagrad: ['h'],
  rmsprop: ['h'],
  adam: ['m', 'v'],
};

/** A float tensor (slots have the dtype of their parameter). */
export type SlotTensor = Tensor<FloatDType>;

/**
 * Everything an optimizer needs to continue exactly where it stopped: a small JSON-able part
 * (`kind`, `hyper`, `iter`) and float tensors by slot name, then parameter name (`slots.v.W1`).
 * `optimizerStateToTensors` flattens it for safetensors.
 */
export type OptimizerState<K extends OptimizerName = OptimizerName> = {
  [N in K]: {
    readonly kind: N;
    readonly hyper: OptimizerHyperMap[N];
    /** Number of `update` calls so far (Adam's `t`). */
    readonly iter: number;
    readonly slots: { readonly [S in OptimizerSlotMap[N]]: Readonly<Record<string, SlotTensor>> };
  };
}[K];

/**
 * The book's optimizer interface, with gradients taken from the parameters themselves:
 * `update(params)` moves every `param.value` in place using `param.grad`.
 */
export interface Optimizer<K extends OptimizerName = OptimizerName> {
  readonly kind: K;
  /** Learning rate; may be changed between updates (a schedule). */
  lr: number;
  /** Number of `update` calls so far. */
  readonly iter: number;
  update(params: readonly Param[]): void;
  /** A deep copy of the state (slot tensors are copied). */
  /**
   * `getState` with the slots read back into host tensors (`await t.read()`): how a checkpoint is
   * taken on a backend whose tensors the CPU cannot read synchronously (`webgpu`).
   */
  getStateAsync?(): Promise<OptimizerState<K>>;
  getState(): OptimizerState<K>;
  /** Restores hyper-parameters, `iter` and slots (copied); throws if the kind or the shapes do not fit. */
  setState(state: OptimizerState): void;
}
