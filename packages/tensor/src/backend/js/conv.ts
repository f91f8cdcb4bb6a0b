import type { FloatArray } from '../../dtype.js';
import { gemmJs } from './gemm.js';
import { col2imInto, im2colInto } from './window.js';
import type { ConvBackwardArgs, ConvForwardArgs, ConvGeometry } from '../kernels.js';

/**
 * The `js` backend's convolution, one sample at a time: the sample's im2col matrix `col` `[S, K]`
 * (S = outH·outW positions, K = C·FH·FW) stays small enough for the cache, and the filters `w`
 * `[FN, K]` multiply it into the output's NCHW layout directly (`out[n] = w · colᵀ`, `[FN, S]`), so
 * nothing is transposed afterwards. The WebAssembly kernels (assembly/conv.ts) do the same steps.
 */

// Reused im2col buffers, one per dtype: a training step allocates no new ones.
let col32 = new Float32Array(0);
let col64 = new Float64Array(0);

function colBuffer(like: FloatArray, length: number): FloatArray {
  if (like instanceof Float32Array) {
    if (col32.length < length) col32 = new Float32Array(length);
    return col32.subarray(0, length);
  }
  if (col64.length < length) col64 = new Float64Array(length);
  return col64.subarray(0, length);
}

interface Sizes {
  /** Positions per sample, outH·outW. */
  S: number;
  /** Columns of the im2col matrix, C·FH·FW. */
  K: number;
  /** Elements per input sample, C·H·W. */
  plane: number;
  /** The geometry of one sample. */
  one: ConvGeometry;
}

function sizes(g: ConvGeometry): Sizes {
  return {
    S: g.outH * g.outW,
    K: g.channels * g.filterH * g.filterW,
    plane: g.channels * g.height * g.width,
    one: { ...g, batch: 1 },
  };
}

export function convForwardJs({ g, filters, x, w, b, out }: ConvForwardArgs): void {
  const { S, K, plane, one } = sizes(g);
  const col = colBuffer(x, S * K);
  for (let n = 0; n < g.batch; n++) {
    im2colInto(x.subarray(n * plane, (n + 1) * plane), one, col);
    const o = out.subarray(n * filters * S, (n + 1) * filters * S);
    for (let f = 0; f < filters; f++) o.fill(b[f]!, f * S, (f + 1) * S);
    // out[n] [FN, S] = w [FN, K] · colᵀ [K, S] + bias.
    gemmJs({ m: filters, n: S, k: K, transA: false, transB: true, alpha: 1, beta: 1, a: w, b: col, c: o });
  }
}

export function convBackwardJs(args: ConvBackwardArgs): void {
  const { g, filters, x, w, dout, dw, db, dx, accumulate } = args;
  const { S, K, plane, one } = sizes(g);
  const col = colBuffer(x, S * K);
  for (let f = 0; f < filters; f++) {
    let s = accumulate ? db[f]! : 0;
    for (let n = 0; n < g.batch; n++) {
      for (let i = (n * filters + f) * S, end = i + S; i < end; i++) s += dout[i]!;
    }
    db[f] = s;
  }
  // Every sample adds to dw, so a fresh dw starts at zero (and stays so for an empty batch).
  if (!accumulate) dw.fill(0, 0, filters * K);
  for (let n = 0; n < g.batch; n++) {
    const d = dout.subarray(n * filters * S, (n + 1) * filters * S);
    im2colInto(x.subarray(n * plane, (n + 1) * plane), one, col);
    // dw [FN, K] += dout[n] [FN, S] · col [S, K].
    gemmJs({ m: filters, n: K, k: S, transA: false, transB: false, alpha: 1, beta: 1, a: d, b: col, c: dw });
    if (!dx) continue;
    // dcol [S, K] = dout[n]ᵀ [S, FN] · w [FN, K], over col; folded back into dx[n].
    gemmJs({ m: S, n: K, k: filters, transA: true, transB: false, alpha: 1, beta: 0, a: d, b: w, c: col });
    col2imInto(col, one, dx.subarray(n * plane, (n + 1) * plane), false);
  }
}
