import type { BatchNormBackwardArgs, BatchNormForwardArgs, BatchNormView } from '../kernels.js';

/**
 * The arithmetic of BatchNormalization on flat arrays (`common/layers.py`), the reference for other
 * backends. The input is viewed as `[n, D, S]`: statistics for each feature `d` over its `n·S`
 * values. The order of operations is the book's, with float64 accumulators, so results match it to
 * rounding.
 */

/** Visits `[n, D, S]` in storage order, passing the flat index and the feature index. */
function forEach({ n, D, S }: BatchNormView, f: (i: number, d: number) => void): void {
  let i = 0;
  for (let k = 0; k < n; k++) for (let d = 0; d < D; d++) for (let s = 0; s < S; s++) f(i++, d);
}

export function batchNormForwardJs(a: BatchNormForwardArgs): void {
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
 * The book's backward through the batch mean and variance; after a test-mode forward the statistics
 * are constants and `dx = dout · gamma / std`.
 */
export function batchNormBackwardJs(a: BatchNormBackwardArgs): void {
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
