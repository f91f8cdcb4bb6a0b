import type { FloatArray } from '../../dtype.js';

/**
 * Dropout's mask applied (`common/layers.py:Dropout`): `x · mask · scale`, where a dropped unit is
 * `x · 0` as in the book's `x * mask` (NaN stays NaN); without a mask `x · scale` (test mode).
 */
export function dropoutJs(x: FloatArray, mask: Uint8Array | undefined, scale: number, out: FloatArray): void {
  const n = x.length;
  if (mask === undefined) {
    for (let i = 0; i < n; i++) out[i] = x[i]! * scale;
    return;
  }
  for (let i = 0; i < n; i++) out[i] = mask[i] ? x[i]! * scale : x[i]! * 0;
}
