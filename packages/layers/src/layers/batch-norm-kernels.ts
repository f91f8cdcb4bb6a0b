import type { FloatArray } from '@dl/tensor';

/**
 * The arithmetic of BatchNormalization on flat arrays, separate from the layer's state and shapes (and
 * ready to move to a faster backend). The input is viewed as `[n, D, S]`: statistics for each feature
 * `d` over its `n·S` values (S = 1 per activation, S = H·W per channel). The order of operations is
 * the book's (`common/layers.py`), so results match it to rounding.
 */
export interface BatchNormView {
  n: number;
  D: number;
  S: number;
}

/** Visits `[n, D, S]` in storage order, passing the flat index and the feature index. */
function forEach({ n, D, S }: BatchNormView, f: (i: number, d: number) => void): void {
  let i = 0;
  for (let k = 0; k < n; k++) for (let d = 0; d < D; d++) for (let s = 0; s < S; s++) f(i++, d);
}

export interface BatchNormForwardArgs {
  view: BatchNormView;
  train: boolean;
  momentum: number;
  eps: number;
  x: FloatArray;
  gamma: FloatArray;
  beta: FloatArray;
  /** Updated in place in train mode; used in test mode. */
  runningMean: FloatArray;
  runningVar: FloatArray;
  /** Outputs: `x - mean`, `xc / std`, `std` per feature, and `gamma·xn + beta`. */
  xc: FloatArray;
  xn: FloatArray;
  std: FloatArray;
  out: FloatArray;
}

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

export interface BatchNormBackwardArgs {
  view: BatchNormView;
  /** Whether the forward used batch statistics (train) or constants (test). */
  train: boolean;
  dout: FloatArray;
  gamma: FloatArray;
  /** Saved by the forward. */
  xc: FloatArray;
  xn: FloatArray;
  std: FloatArray;
  /** Outputs. */
  dgamma: FloatArray;
  dbeta: FloatArray;
  dx: FloatArray;
}

/**
 * The book's backward through the batch mean and variance; after a test-mode forward the statistics
 * are constants and `dx = dout · gamma / std`.
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
