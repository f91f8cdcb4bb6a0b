import { type AnyTypedArray, type DType, type FloatArray } from '../dtype.js';
import { allocate } from '../allocate.js';
import type { Kernels } from '../backend/kernels.js';
import type { Rng } from '../rng.js';

/** What one case produced on the backend under test and on the reference. */
export interface CaseResult {
  actual: AnyTypedArray;
  expected: AnyTypedArray;
  /**
   * A per-element rounding bound to allow on top of rtol/atol. GEMM sets it to the classic error bound
   * of a k-term float32 dot product, `k·u·(|alpha|·|op(a)|·|op(b)| + |beta|·|c|)` with u = 2^-24: a
   * backend that sums in float32 (as BLAS does) may differ from the float64 reference by that much.
   */
  bound?: AnyTypedArray;
}

export interface Case {
  name: string;
  run(k: Kernels, rng: Rng): CaseResult;
}

export const FLOAT32_UNIT_ROUNDOFF = 2 ** -24;

/** Random values in `[low, high)` (floored for integer dtypes), never all zero. */
export function randomArray(dtype: DType, n: number, rng: Rng, low = -2, high = 2): AnyTypedArray {
  const a = allocate(dtype, n);
  for (let i = 0; i < n; i++) {
    const v = low + (high - low) * rng.random();
    a[i] = dtype === 'int32' || dtype === 'uint8' ? Math.floor(v) : v;
  }
  return a;
}

export function concat(...arrays: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

export function absolute(a: FloatArray): FloatArray {
  return a.map(Math.abs);
}

/**
 * The worst error of `actual` against `expected`, as a multiple of the tolerance
 * `atol + rtol·|expected| + bound`: <= 1 passes. NaN where both are NaN is equal; NaN in `actual`
 * alone is `Infinity`, and so is a length mismatch.
 */
export function worstError(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  atol: number,
  bound?: ArrayLike<number>,
): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const err = Math.abs(a - e) / (atol + rtol * Math.abs(e) + (bound?.[i] ?? 0));
    // NaN in actual counts as a failure (Infinity, so a later finite error cannot replace it).
    if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : err;
  }
  return worst;
}
