import type { FloatArray } from '../../dtype.js';
import type { ConvGeometry } from '../kernels.js';

/**
 * The `js` backend's sliding-window kernels, the reference the conformance suite holds other
 * backends to: im2col/col2im (the book's layout: rows `(n, oy, ox)`, columns `(c, fy, fx)`) and
 * max/average pooling forward and backward, on flat row-major arrays. Pooling reads each window in
 * place (no `[rows, FH·FW]` copy, unlike the book) and gives the same numbers. Padding is not in the
 * book's pooling: max pooling skips padded cells (they never win, as PyTorch's implicit -∞) and
 * average pooling counts them as zeros (divides by `FH·FW`).
 */

/**
 * im2col on flat arrays (the kernel): writes `col` `[N·outH·outW, C·FH·FW]` from `x` `[N, C, H, W]`,
 * rows ordered `(n, oy, ox)` and columns `(c, fy, fx)`, the book's layout. Padding reads as 0.
 * `col` must hold exactly that many elements; every one is written.
 */
export function im2colInto(x: FloatArray, g: ConvGeometry, col: FloatArray): void {
  const { batch, channels, height: H, width: W, filterH: FH, filterW: FW, stride, pad, outH, outW } = g;
  const plane = H * W;
  let r = 0;
  for (let n = 0; n < batch; n++) {
    const xn = n * channels * plane;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride - pad;
        const inside = x0 >= 0 && x0 + FW <= W; // no column of this window is padding
        for (let c = 0; c < channels; c++) {
          const xc = xn + c * plane;
          for (let fy = 0; fy < FH; fy++) {
            const iy = y0 + fy;
            if (iy < 0 || iy >= H) {
              for (let fx = 0; fx < FW; fx++) col[r++] = 0;
              continue;
            }
            const row = xc + iy * W + x0;
            if (inside) {
              for (let fx = 0; fx < FW; fx++) col[r++] = x[row + fx]!;
            } else {
              for (let fx = 0; fx < FW; fx++) {
                const ix = x0 + fx;
                col[r++] = ix >= 0 && ix < W ? x[row + fx]! : 0;
              }
            }
          }
        }
      }
    }
  }
}

/**
 * col2im on flat arrays (the kernel), the adjoint of `im2colInto`: adds every entry of `col` back to
 * the pixel it was read from, so overlapping windows **sum**; entries that came from padding are
 * dropped. Overwrites `img` `[N, C, H, W]` unless `accumulate` is true.
 */
export function col2imInto(col: FloatArray, g: ConvGeometry, img: FloatArray, accumulate = false): void {
  const { batch, channels, height: H, width: W, filterH: FH, filterW: FW, stride, pad, outH, outW } = g;
  if (!accumulate) img.fill(0);
  const plane = H * W;
  let r = 0;
  for (let n = 0; n < batch; n++) {
    const xn = n * channels * plane;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride - pad;
        const inside = x0 >= 0 && x0 + FW <= W;
        for (let c = 0; c < channels; c++) {
          const xc = xn + c * plane;
          for (let fy = 0; fy < FH; fy++) {
            const iy = y0 + fy;
            if (iy < 0 || iy >= H) {
              r += FW;
              continue;
            }
            const row = xc + iy * W + x0;
            if (inside) {
              for (let fx = 0; fx < FW; fx++) img[row + fx] = img[row + fx]! + col[r++]!;
            } else {
              for (let fx = 0; fx < FW; fx++, r++) {
                const ix = x0 + fx;
                if (ix >= 0 && ix < W) img[row + fx] = img[row + fx]! + col[r]!;
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Max pooling kernel. `argmax[i]` receives the flat index into `x` of output `i`'s maximum; within a
 * window cells are read in row-major `(fy, fx)` order and **the first maximum wins a tie** (NumPy's
 * argmax, which decides the book's gradients after ReLU zeros). A NaN wins over numbers, as in NumPy.
 */
export function maxPoolInto(x: FloatArray, g: ConvGeometry, out: FloatArray, argmax: Int32Array): void {
  const { batch, channels, height: H, width: W, filterH: FH, filterW: FW, stride, pad, outH, outW } = g;
  let o = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * H * W;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      const fy0 = Math.max(0, -y0);
      const fy1 = Math.min(FH, H - y0);
      for (let ox = 0; ox < outW; ox++, o++) {
        const x0 = ox * stride - pad;
        const fx0 = Math.max(0, -x0);
        const fx1 = Math.min(FW, W - x0);
        let best = 0;
        let at = -1;
        for (let fy = fy0; fy < fy1; fy++) {
          const row = base + (y0 + fy) * W + x0;
          for (let fx = fx0; fx < fx1; fx++) {
            const v = x[row + fx]!;
            // v !== v: the first NaN wins and stays (NaN > best is always false afterwards).
            if (at < 0 || v > best || (v !== v && best === best)) {
              best = v;
              at = row + fx;
            }
          }
        }
        out[o] = best;
        argmax[o] = at;
      }
    }
  }
}

/** Max pooling's backward: each `dout` entry goes to its window's maximum; shared maxima sum. */
export function maxPoolBackwardInto(dout: FloatArray, argmax: Int32Array, dx: FloatArray): void {
  dx.fill(0);
  for (let i = 0; i < dout.length; i++) {
    const at = argmax[i]!;
    dx[at] = dx[at]! + dout[i]!;
  }
}

/** Average pooling kernel: the window's sum divided by `FH·FW` (padding counts as zeros). */
export function avgPoolInto(x: FloatArray, g: ConvGeometry, out: FloatArray): void {
  const { batch, channels, height: H, width: W, filterH: FH, filterW: FW, stride, pad, outH, outW } = g;
  const scale = 1 / (FH * FW);
  let o = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * H * W;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      const fy0 = Math.max(0, -y0);
      const fy1 = Math.min(FH, H - y0);
      for (let ox = 0; ox < outW; ox++, o++) {
        const x0 = ox * stride - pad;
        const fx1 = Math.min(FW, W - x0);
        let s = 0;
        for (let fy = fy0; fy < fy1; fy++) {
          const row = base + (y0 + fy) * W + x0;
          for (let fx = Math.max(0, -x0); fx < fx1; fx++) s += x[row + fx]!;
        }
        out[o] = s * scale;
      }
    }
  }
}

/** Average pooling's backward: each `dout` entry spread evenly (`/ FH·FW`) over its window. */
export function avgPoolBackwardInto(dout: FloatArray, g: ConvGeometry, dx: FloatArray): void {
  const { batch, channels, height: H, width: W, filterH: FH, filterW: FW, stride, pad, outH, outW } = g;
  const scale = 1 / (FH * FW);
  dx.fill(0);
  let o = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * H * W;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      const fy1 = Math.min(FH, H - y0);
      for (let ox = 0; ox < outW; ox++, o++) {
        const x0 = ox * stride - pad;
        const fx1 = Math.min(FW, W - x0);
        const d = dout[o]! * scale;
        for (let fy = Math.max(0, -y0); fy < fy1; fy++) {
          const row = base + (y0 + fy) * W + x0;
          for (let fx = Math.max(0, -x0); fx < fx1; fx++) dx[row + fx] = dx[row + fx]! + d;
        }
      }
    }
  }
}
