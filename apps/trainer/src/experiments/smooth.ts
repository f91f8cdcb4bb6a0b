/** The modified Bessel function I0 (power series; converges fast for the small arguments used here). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return sum;
}

/** NumPy's `np.kaiser(m, beta)`. */
export function kaiser(m: number, beta: number): number[] {
  if (m === 1) return [1];
  return Array.from({ length: m }, (_, n) => {
    const r = (2 * n) / (m - 1) - 1;
    return besselI0(beta * Math.sqrt(1 - r * r)) / besselI0(beta);
  });
}

/**
 * The book's `common/util.py:smooth_curve`, used for its loss plots: mirror 10 values at each end, a
 * normalised Kaiser window of 11 (β = 2), 'valid' convolution, trimmed back to the input's length.
 * Series shorter than the window are returned as they are.
 */
export function smoothCurve(x: readonly number[]): number[] {
  const windowLen = 11;
  if (x.length < windowLen) return [...x];
  const s = [...x.slice(1, windowLen).reverse(), ...x, ...x.slice(-windowLen, -1).reverse()];
  const w = kaiser(windowLen, 2);
  const total = w.reduce((a, b) => a + b, 0);
  const y: number[] = [];
  for (let i = 0; i + windowLen <= s.length; i++) {
    let acc = 0;
    // np.convolve flips the window; the Kaiser window is symmetric, so it is the same.
    for (let k = 0; k < windowLen; k++) acc += (w[k]! / total) * s[i + k]!;
    y.push(acc);
  }
  return y.slice(5, y.length - 5);
}
