import {
  directConvApplies,
  directConvBackward,
  directConvForward,
  directConvScratchBytes,
} from './direct-conv';
import { gemm, gemmScratchBytes } from './gemm';
import { winogradApplies, winogradConv, winogradScratchBytes, winogradWeights } from './winograd';
import { addRow, copyRow } from './window';

/**
 * A whole convolution layer's forward and backward, one sample at a time, the math of the js
 * reference (src/backend/js/conv.ts) with the sample's im2col matrix kept transposed: colT [K, S]
 * (K = C·FH·FW rows (c, fy, fx), S = outH·outW columns (oy, ox)), Caffe's layout. Its rows are runs
 * of outW pixels of one input row (contiguous for stride 1), so unfolding and folding back move whole
 * runs with v128 loads instead of FW floats at a time: on DeepConvNet's 3×3 layers both passes
 * measured faster than with the book's layout (docs/benchmarks.md). The GEMMs read it through
 * their transpose flags. Nothing leaves WebAssembly but the
 * results: out[n] = w · colT comes out in NCHW order. out, dw and dx are followed by 16 readable
 * bytes (the GEMM's edge tiles load whole v128s); `scratch` holds convScratchBytes.
 * Stride-1 layers (all of the book's) skip im2col altogether: see direct-conv.ts; 3×3 stride-1
 * layers with 8 or more input channels (DeepConvNet's) run Winograd's F(4×4, 3×3), see winograd.ts.
 */

/** Whether the backward's dx is a Winograd convolution of dout (`filters` channels, bordered by 2 - pad). */
function winogradDx(filters: i32, filterH: i32, filterW: i32, stride: i32, pad: i32): bool {
  return winogradApplies(filters, filterH, filterW, stride) && pad <= 2;
}

/** Whether the whole backward (dw by Winograd, and dx too when asked for) runs in winograd.ts. */
function winogradBackward(
  channels: i32,
  filterH: i32,
  filterW: i32,
  stride: i32,
  pad: i32,
  filters: i32,
  withDx: bool,
): bool {
  return (
    winogradApplies(channels, filterH, filterW, stride) &&
    (!withDx || winogradDx(filters, filterH, filterW, stride, pad))
  );
}

/** The start of the GEMMs' scratch after colT [K, S] (and its 16 bytes of slack) at `scratch`. */
// @ts-ignore: decorator
@inline
function gemmScratchAt(scratch: usize, S: i32, K: i32): usize {
  return (scratch + ((<usize>S * K) << 2) + 16 + 15) & ~(<usize>15);
}

/** Bytes of scratch convForwardF32 (`backward` false) or convBackwardF32 needs for one part. */
export function convScratchBytes(
  channels: i32,
  height: i32,
  width: i32,
  filterH: i32,
  filterW: i32,
  stride: i32,
  pad: i32,
  outH: i32,
  outW: i32,
  filters: i32,
  backward: bool,
  withDx: bool,
): usize {
  if (!backward && winogradApplies(channels, filterH, filterW, stride)) {
    return winogradScratchBytes(channels, height, width, pad, filters, false);
  }
  // dx by Winograd: the convolution of dout (bordered by 2 - pad) with the turned filters.
  const dxByWinograd = backward && withDx && winogradDx(filters, filterH, filterW, stride, pad);
  const dxBytes = dxByWinograd ? winogradScratchBytes(filters, outH, outW, 2 - pad, channels, false) : 0;
  if (backward && winogradBackward(channels, filterH, filterW, stride, pad, filters, withDx)) {
    return max(winogradScratchBytes(channels, height, width, pad, filters, true), dxBytes);
  }
  if (dxByWinograd) {
    return max(
      directConvScratchBytes(
        channels,
        height,
        width,
        filterH,
        filterW,
        pad,
        outH,
        outW,
        filters,
        true,
        false,
      ),
      dxBytes,
    );
  }
  if (directConvApplies(channels, filterH, filterW, stride, pad, backward && withDx)) {
    return directConvScratchBytes(
      channels,
      height,
      width,
      filterH,
      filterW,
      pad,
      outH,
      outW,
      filters,
      backward,
      withDx,
    );
  }
  const S = outH * outW;
  const K = channels * filterH * filterW;
  const gemmBytes = max(
    gemmScratchBytes(filters, S, K),
    max(gemmScratchBytes(filters, K, S), gemmScratchBytes(K, S, filters)),
  );
  return gemmScratchAt(0, S, K) + gemmBytes;
}

/** The first ox whose column ox·stride - pad + fx is ≥ 0, and one past the last that is < width. */
// @ts-ignore: decorator
@inline
function firstInside(fx: i32, stride: i32, pad: i32): i32 {
  const need = pad - fx; // ox·stride ≥ need
  return need <= 0 ? 0 : (need + stride - 1) / stride;
}

// @ts-ignore: decorator
@inline
function endInside(fx: i32, stride: i32, pad: i32, width: i32, outW: i32): i32 {
  const last = width - 1 + pad - fx; // ox·stride ≤ last
  return last < 0 ? 0 : min(outW, last / stride + 1);
}

/** colT [K, S] of one sample x [C, H, W] (padding reads 0). */
function im2colT(
  x: usize,
  channels: i32,
  height: i32,
  width: i32,
  filterH: i32,
  filterW: i32,
  stride: i32,
  pad: i32,
  outH: i32,
  outW: i32,
  colT: usize,
): void {
  let dst = colT;
  for (let c = 0; c < channels; c++) {
    const xc = x + ((<usize>c * height * width) << 2);
    for (let fy = 0; fy < filterH; fy++) {
      for (let fx = 0; fx < filterW; fx++) {
        const lo = min(firstInside(fx, stride, pad), outW);
        const hi = max(endInside(fx, stride, pad, width, outW), lo);
        for (let oy = 0; oy < outH; oy++) {
          const iy = oy * stride - pad + fy;
          if (iy < 0 || iy >= height) {
            memory.fill(dst, 0, (<usize>outW) << 2);
          } else {
            const src = xc + ((<usize>(iy * width + lo * stride - pad + fx)) << 2);
            for (let ox = 0; ox < lo; ox++) store<f32>(dst + ((<usize>ox) << 2), 0);
            const run = dst + ((<usize>lo) << 2);
            const count = hi - lo;
            if (stride == 1) {
              copyRow(src, run, count);
            } else {
              for (let i = 0; i < count; i++) {
                store<f32>(run + ((<usize>i) << 2), load<f32>(src + ((<usize>(i * stride)) << 2)));
              }
            }
            for (let ox = hi; ox < outW; ox++) store<f32>(dst + ((<usize>ox) << 2), 0);
          }
          dst += (<usize>outW) << 2;
        }
      }
    }
  }
}

/** dx [C, H, W] = 0, then every colT entry added to the pixel it came from (padding dropped). */
function col2imT(
  colT: usize,
  channels: i32,
  height: i32,
  width: i32,
  filterH: i32,
  filterW: i32,
  stride: i32,
  pad: i32,
  outH: i32,
  outW: i32,
  dx: usize,
): void {
  memory.fill(dx, 0, (<usize>channels * height * width) << 2);
  let src = colT;
  for (let c = 0; c < channels; c++) {
    const xc = dx + ((<usize>c * height * width) << 2);
    for (let fy = 0; fy < filterH; fy++) {
      for (let fx = 0; fx < filterW; fx++) {
        const lo = min(firstInside(fx, stride, pad), outW);
        const hi = max(endInside(fx, stride, pad, width, outW), lo);
        for (let oy = 0; oy < outH; oy++) {
          const iy = oy * stride - pad + fy;
          if (iy >= 0 && iy < height) {
            const dst = xc + ((<usize>(iy * width + lo * stride - pad + fx)) << 2);
            const run = src + ((<usize>lo) << 2);
            const count = hi - lo;
            if (stride == 1) {
              addRow(run, dst, count);
            } else {
              for (let i = 0; i < count; i++) {
                const at = dst + ((<usize>(i * stride)) << 2);
                store<f32>(at, load<f32>(at) + load<f32>(run + ((<usize>i) << 2)));
              }
            }
          }
          src += (<usize>outW) << 2;
        }
      }
    }
  }
}

/** out [batch, filters, S] = w · colT(x[n]) + b, sample by sample. */
export function convForwardF32(
  x: usize,
  batch: i32,
  channels: i32,
  height: i32,
  width: i32,
  filterH: i32,
  filterW: i32,
  stride: i32,
  pad: i32,
  outH: i32,
  outW: i32,
  filters: i32,
  w: usize,
  b: usize,
  out: usize,
  scratch: usize,
): void {
  if (winogradApplies(channels, filterH, filterW, stride)) {
    winogradConv(x, batch, channels, height, width, pad, filters, w, false, b, out, scratch);
    return;
  }
  if (directConvApplies(channels, filterH, filterW, stride, pad, false)) {
    directConvForward(
      x,
      batch,
      channels,
      height,
      width,
      filterH,
      filterW,
      pad,
      outH,
      outW,
      filters,
      w,
      b,
      out,
      scratch,
    );
    return;
  }
  const colT = scratch;
  const S = outH * outW;
  const K = channels * filterH * filterW;
  const planeBytes = (<usize>channels * height * width) << 2;
  const outBytes = (<usize>filters * S) << 2;
  for (let n = 0; n < batch; n++) {
    const xn = x + <usize>n * planeBytes;
    im2colT(xn, channels, height, width, filterH, filterW, stride, pad, outH, outW, colT);
    const o = out + <usize>n * outBytes;
    // The bias first, then the product is added to it (beta = 1).
    for (let f = 0; f < filters; f++) {
      const row = o + ((<usize>f * S) << 2);
      const bias = load<f32>(b + ((<usize>f) << 2));
      const v = f32x4.splat(bias);
      let s = 0;
      for (; s + 4 <= S; s += 4) v128.store(row + ((<usize>s) << 2), v);
      for (; s < S; s++) store<f32>(row + ((<usize>s) << 2), bias);
    }
    gemm(filters, S, K, false, false, 1, 1, w, K, colT, S, o, S, gemmScratchAt(scratch, S, K));
  }
}

/**
 * Σ row[0..count] in float64, over eight independent sums (four f64x2): one running sum was a chain
 * of dependent float64 adds, ~3 cycles an element, as long as the whole filter gradient of
 * SimpleConvNet's first layer. The float64 sums of float32 terms differ from the js kernel's single
 * running sum only far below float32's rounding.
 */
function rowSumF64(row: usize, count: i32): f64 {
  let s0 = f64x2.splat(0);
  let s1 = s0;
  let s2 = s0;
  let s3 = s0;
  const end = row + ((<usize>(count & ~7)) << 2);
  let at = row;
  for (; at < end; at += 32) {
    const a = v128.load(at);
    const b = v128.load(at, 16);
    s0 = f64x2.add(s0, f64x2.promote_low_f32x4(a));
    s1 = f64x2.add(s1, f64x2.promote_low_f32x4(i32x4.shuffle(a, a, 2, 3, 0, 1)));
    s2 = f64x2.add(s2, f64x2.promote_low_f32x4(b));
    s3 = f64x2.add(s3, f64x2.promote_low_f32x4(i32x4.shuffle(b, b, 2, 3, 0, 1)));
  }
  const v = f64x2.add(f64x2.add(s0, s1), f64x2.add(s2, s3));
  let s = f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
  const tail = row + ((<usize>count) << 2);
  for (; at < tail; at += 4) s += <f64>load<f32>(at);
  return s;
}

/**
 * dw [filters, K] (+)= Σn dout[n] · colT(x[n])ᵀ; db [filters] (+)= Σ dout (float64 sums in `sums`,
 * `filters` doubles, in the js kernel's order); dx[n] = col2im(wᵀ · dout[n]), or no dx when `dx` is
 * 0 (a network's first layer: its input gradient is never used). `accumulate` adds to dw and db.
 */
export function convBackwardF32(
  x: usize,
  batch: i32,
  channels: i32,
  height: i32,
  width: i32,
  filterH: i32,
  filterW: i32,
  stride: i32,
  pad: i32,
  outH: i32,
  outW: i32,
  filters: i32,
  w: usize,
  dout: usize,
  dw: usize,
  db: usize,
  dx: usize,
  accumulate: bool,
  scratch: usize,
  sums: usize,
): void {
  const S = outH * outW;
  const K = channels * filterH * filterW;
  const planeBytes = (<usize>channels * height * width) << 2;
  const outBytes = (<usize>filters * S) << 2;
  for (let f = 0; f < filters; f++) {
    store<f64>(sums + ((<usize>f) << 3), accumulate ? <f64>load<f32>(db + ((<usize>f) << 2)) : 0);
  }
  for (let n = 0; n < batch; n++) {
    const d = dout + <usize>n * outBytes;
    for (let f = 0; f < filters; f++) {
      const at = sums + ((<usize>f) << 3);
      store<f64>(at, load<f64>(at) + rowSumF64(d + ((<usize>f * S) << 2), S));
    }
  }
  for (let f = 0; f < filters; f++)
    store<f32>(db + ((<usize>f) << 2), <f32>load<f64>(sums + ((<usize>f) << 3)));
  if (winogradBackward(channels, filterH, filterW, stride, pad, filters, dx != 0)) {
    winogradWeights(x, dout, batch, channels, height, width, pad, filters, dw, accumulate, scratch);
    if (dx != 0) winogradConv(dout, batch, filters, outH, outW, 2 - pad, channels, w, true, 0, dx, scratch);
    return;
  }
  // dx as the Winograd convolution of dout with the turned filters, after dw (same scratch).
  const dxByWinograd = dx != 0 && winogradDx(filters, filterH, filterW, stride, pad);
  if (directConvApplies(channels, filterH, filterW, stride, pad, dx != 0 && !dxByWinograd)) {
    const direct: usize = dxByWinograd ? 0 : dx;
    directConvBackward(
      x,
      batch,
      channels,
      height,
      width,
      filterH,
      filterW,
      pad,
      outH,
      outW,
      filters,
      w,
      dout,
      dw,
      direct,
      accumulate,
      scratch,
    );
    if (dxByWinograd)
      winogradConv(dout, batch, filters, outH, outW, 2 - pad, channels, w, true, 0, dx, scratch);
    return;
  }
  const colT = scratch;
  const gemmScratch = gemmScratchAt(scratch, S, K);
  // Every sample adds to dw (beta = 1), so a fresh dw starts at zero (and stays so for no samples).
  if (!accumulate) memory.fill(dw, 0, (<usize>filters * K) << 2);
  for (let n = 0; n < batch; n++) {
    const d = dout + <usize>n * outBytes;
    const xn = x + <usize>n * planeBytes;
    im2colT(xn, channels, height, width, filterH, filterW, stride, pad, outH, outW, colT);
    // dw [FN, K] += dout[n] [FN, S] · colTᵀ [S, K].
    gemm(filters, K, S, false, true, 1, 1, d, S, colT, S, dw, K, gemmScratch);
    if (dx == 0) continue;
    // dcolT [K, S] = wᵀ [K, FN] · dout[n] [FN, S], over colT, then folded back into dx[n].
    gemm(K, S, filters, true, false, 1, 0, w, K, d, S, colT, S, gemmScratch);
    const dxn = dx + <usize>n * planeBytes;
    col2imT(colT, channels, height, width, filterH, filterW, stride, pad, outH, outW, dxn);
  }
}
