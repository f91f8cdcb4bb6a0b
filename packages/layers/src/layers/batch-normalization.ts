import {
  allocateOutput,
  getBackend,
  ShapeError,
  Tensor,
  zerosLike,
  type BatchNormBackwardArgs,
  type BatchNormForwardArgs,
  type BatchNormView,
  type Shape,
} from '@dl/tensor';
import type { FloatTensor, Layer, NamedTensor, ForwardContext, Param } from '../layer.js';

export interface BatchNormalizationOptions {
  /** Weight of the old running statistics in each update (the book's 0.9). */
  momentum?: number;
  /** Added to the variance inside the square root (the book's `10e-7`, i.e. 1e-6). */
  eps?: number;
  /** Initial running statistics (updated in place); zeros by default, as the book's first forward makes them. */
  runningMean?: FloatTensor;
  runningVar?: FloatTensor;
  /**
   * `per-activation` (the book): input `[N, ...]` is read as `[N, D]`, one mean and variance per
   * activation, `gamma` of `D` entries. `per-channel` (the usual convolutional form): input
   * `[N, C, ...]`, statistics over N and the spatial axes, `gamma` of `C` entries.
   */
  mode?: 'per-activation' | 'per-channel';
  /** The names the network gives `gamma`/`beta` (`gamma1`/`beta1`). */
  names?: { gamma: string; beta: string };
}

/**
 * Batch normalization (`common/layers.py:BatchNormalization`). Train mode normalises with the batch
 * mean and biased variance and updates the running statistics
 * (`running = momentum * running + (1 - momentum) * batch`); test mode uses the running statistics.
 * The running statistics are buffers, not params: `buffers()` names them `running_mean`/`running_var`.
 * The input is viewed as `[N, D, S]` (S = 1 per activation, S = H·W per channel): statistics for each
 * `d` over `N·S` values. The arithmetic is the book's, in `batchNormForward` and `batchNormBackward`
 * below; a backend that offers fused BatchNorm kernels (wasm, for float32) runs them instead.
 */
export class BatchNormalization implements Layer {
  readonly kind = 'BatchNormalization';
  readonly gamma: Param;
  readonly beta: Param;
  readonly momentum: number;
  readonly eps: number;
  readonly mode: 'per-activation' | 'per-channel';
  readonly runningMean: FloatTensor;
  readonly runningVar: FloatTensor;
  private cache:
    | { train: boolean; shape: readonly number[]; xc: FloatTensor; xn: FloatTensor; std: FloatTensor }
    | undefined;

  constructor(gamma: FloatTensor, beta: FloatTensor, options: BatchNormalizationOptions = {}) {
    const {
      momentum = 0.9,
      eps = 1e-6,
      mode = 'per-activation',
      names = { gamma: 'gamma', beta: 'beta' },
    } = options;
    if (gamma.ndim !== 1 || beta.size !== gamma.size || beta.dtype !== gamma.dtype) {
      throw new ShapeError(
        `BatchNormalization: gamma and beta must be 1-D of one size and dtype, got [${gamma.shape.join(',')}] and [${beta.shape.join(',')}]`,
      );
    }
    this.gamma = { name: names.gamma, value: gamma, grad: zerosLike(gamma) };
    this.beta = { name: names.beta, value: beta, grad: zerosLike(beta) };
    this.momentum = momentum;
    this.eps = eps;
    this.mode = mode;
    this.runningMean = options.runningMean ?? zerosLike(gamma);
    this.runningVar = options.runningVar ?? zerosLike(gamma);
    for (const [what, t] of [
      ['runningMean', this.runningMean],
      ['runningVar', this.runningVar],
    ] as const) {
      if (t.size !== gamma.size)
        throw new ShapeError(`BatchNormalization: ${what} has ${t.size} entries, gamma ${gamma.size}`);
    }
  }

  /** The normalised input of the last forward (the book's `xn`, `[N, D]` per activation). */
  get xn(): FloatTensor | undefined {
    return this.cache?.xn;
  }

  /** `sqrt(var + eps)` of the last forward, per feature (the book's `std`). */
  get std(): FloatTensor | undefined {
    return this.cache?.std;
  }

  /** `[n, D, S]`: batch, features (gamma entries), values per feature per sample. */
  private view(shape: Shape): BatchNormView {
    const n = shape[0] ?? 0;
    const size = shape.reduce((a, d) => a * d, 1);
    const [d, s] =
      this.mode === 'per-channel' && shape.length > 2 ? [shape[1]!, size / n / shape[1]!] : [size / n, 1];
    if (shape.length < 2 || d !== this.gamma.value.size) {
      throw new ShapeError(
        `BatchNormalization (${this.gamma.name}, ${this.mode}): input [${shape.join(',')}] has ${d} features, gamma has ${this.gamma.value.size}`,
      );
    }
    return { n, D: d, S: s };
  }

  forward(x: FloatTensor, ctx: ForwardContext): FloatTensor {
    const view = this.view(x.shape);
    const xc = new Tensor(allocateOutput(x.dtype, x.size), x.shape);
    const xn = new Tensor(
      allocateOutput(x.dtype, x.size),
      this.mode === 'per-activation' ? [view.n, view.D] : x.shape,
    );
    const out = new Tensor(allocateOutput(x.dtype, x.size), x.shape, x.dtype);
    const std = new Tensor(allocateOutput(x.dtype, view.D), [view.D]);
    // Views taken after every allocation (an allocation may grow the backend's memory).
    const args: BatchNormForwardArgs = {
      view,
      train: ctx.train,
      momentum: this.momentum,
      eps: this.eps,
      x: x.operand,
      gamma: this.gamma.value.operand,
      beta: this.beta.value.operand,
      runningMean: this.runningMean.operand,
      runningVar: this.runningVar.operand,
      xc: xc.operand,
      xn: xn.operand,
      std: std.operand,
      out: out.operand,
    };
    if (!getBackend().fused?.batchNormForward?.(args)) batchNormForward(args);
    this.cache = { train: ctx.train, shape: x.shape, xc, xn, std };
    return out;
  }

  /** The book's backward after a train forward; after a test forward, `dx = dout · gamma / std`. */
  backward(dout: FloatTensor): FloatTensor {
    const cache = this.cache;
    if (!cache || cache.xc.size !== dout.size) {
      throw new Error(
        `BatchNormalization.backward (${this.gamma.name}): dout [${dout.shape.join(',')}] does not match the last forward`,
      );
    }
    const dx = allocateOutput(dout.dtype, dout.size);
    const args: BatchNormBackwardArgs = {
      view: this.view(cache.shape),
      train: cache.train,
      dout: dout.operand,
      gamma: this.gamma.value.operand,
      xc: cache.xc.operand,
      xn: cache.xn.operand,
      std: cache.std.operand,
      dgamma: this.gamma.grad.operand,
      dbeta: this.beta.grad.operand,
      dx,
    };
    if (!getBackend().fused?.batchNormBackward?.(args)) batchNormBackward(args);
    return new Tensor(dx, cache.shape, dout.dtype);
  }

  params(): Param[] {
    return [this.gamma, this.beta];
  }

  /** `running_mean` and `running_var` (the book's attribute names), updated in place by train forwards. */
  buffers(): NamedTensor[] {
    return [
      { name: 'running_mean', value: this.runningMean },
      { name: 'running_var', value: this.runningVar },
    ];
  }

  outputShape(inputShape: Shape): number[] {
    this.view(inputShape);
    return [...inputShape];
  }
}

/** Visits `[n, D, S]` in storage order, passing the flat index and the feature index. */
function forEach({ n, D, S }: BatchNormView, f: (i: number, d: number) => void): void {
  let i = 0;
  for (let k = 0; k < n; k++) for (let d = 0; d < D; d++) for (let s = 0; s < S; s++) f(i++, d);
}

/**
 * The book's `__forward` on flat arrays: batch mean and biased variance (running statistics updated)
 * in train mode, the running statistics in test mode, then `xn = xc / std`, `out = gamma·xn + beta`.
 * The order of operations is the book's, with float64 accumulators, so results match it to rounding.
 * This is the reference every backend's fused `batchNormForward` is compared with.
 */
export function batchNormForward(a: BatchNormForwardArgs): void {
  const { view, x, xc, xn, std, out, gamma: g, beta: b, runningMean: rm, runningVar: rv, momentum, eps } = a;
  const D = view.D;
  const m = view.n * view.S;
  if (a.train) {
    const mu = new Float64Array(D);
    const v = new Float64Array(D);
    forEach(view, (i, d) => (mu[d]! += x[i]!));
    for (let d = 0; d < D; d++) mu[d] = mu[d]! / m;
    forEach(view, (i, d) => {
      const c = (xc[i] = x[i]! - mu[d]!);
      v[d]! += c * c;
    });
    for (let d = 0; d < D; d++) {
      v[d] = v[d]! / m;
      std[d] = Math.sqrt(v[d]! + eps);
      rm[d] = momentum * rm[d]! + (1 - momentum) * mu[d]!;
      rv[d] = momentum * rv[d]! + (1 - momentum) * v[d]!;
    }
  } else {
    for (let d = 0; d < D; d++) std[d] = Math.sqrt(rv[d]! + eps);
    forEach(view, (i, d) => (xc[i] = x[i]! - rm[d]!));
  }
  forEach(view, (i, d) => {
    const v = xc[i]! / std[d]!;
    xn[i] = v;
    out[i] = g[d]! * v + b[d]!;
  });
}

/**
 * The book's `__backward` through the batch mean and variance; after a test-mode forward the
 * statistics are constants and `dx = dout · gamma / std`. The reference of every backend's fused
 * `batchNormBackward`.
 */
export function batchNormBackward(a: BatchNormBackwardArgs): void {
  const { view, dout: dy, gamma: g, xc, xn, std, dx } = a;
  const D = view.D;
  const m = view.n * view.S;
  const dbeta = new Float64Array(D);
  const dgamma = new Float64Array(D);
  const dstd = new Float64Array(D); // -dstd of the book, accumulated
  forEach(view, (i, d) => {
    dbeta[d]! += dy[i]!;
    dgamma[d]! += xn[i]! * dy[i]!;
    dstd[d]! += (g[d]! * dy[i]! * xc[i]!) / (std[d]! * std[d]!);
  });
  a.dbeta.set(dbeta);
  a.dgamma.set(dgamma);
  if (!a.train) {
    forEach(view, (i, d) => (dx[i] = (g[d]! * dy[i]!) / std[d]!));
    return;
  }
  const dmu = new Float64Array(D);
  forEach(view, (i, d) => {
    const dvar = (0.5 * -dstd[d]!) / std[d]!;
    const dxc = (g[d]! * dy[i]!) / std[d]! + (2 / m) * xc[i]! * dvar;
    dx[i] = dxc;
    dmu[d]! += dxc;
  });
  forEach(view, (i, d) => (dx[i] = dx[i]! - dmu[d]! / m));
}
