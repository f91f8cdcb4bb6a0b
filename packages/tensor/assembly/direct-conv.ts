import { packA } from './pack';
import { madd } from './simd';
import { copyRow } from './window';

/**
 * Stride-1 convolution without an im2col matrix (an "implicit GEMM"). Each sample is first copied
 * into a zero-bordered image [C, Hp, Wp] (Hp = H + 2·padH, Wp = W + 2·padW). Then the column of
 * im2col for filter entry k = (c, fy, fx) and output pixels (oy, ox .. ox+7) is simply the 8 floats
 * at xpad[c, oy + fy, ox + fx ..]: one offset per k (`offsets`, in bytes) and two v128 loads. The
 * micro-kernel is the GEMM's 4×8 (four filters × eight pixels of one output row) with B read straight
 * from the padded image, so neither the im2col matrix nor its packed copy is ever written: on
 * DeepConvNet's 3×3 layers those two copies cost as much memory traffic as the multiply-adds.
 *
 * The backward reuses it: dx is the forward of dout (zero-bordered by FH-1-pad, FW-1-pad) with the
 * filters turned 180° and their C and FN axes swapped; dw[f, k] = Σ dout[f, oy, ox] · xpad[k + (oy, ox)]
 * has its own 4×2 kernel that sums four pixels per lane. Lanes past an output row's end read the
 * next row (or the zeroed tail), compute garbage and are never stored.
 */

/** Zero floats after a padded image: the last tile's loads run up to 7 floats past its end. */
const TAIL: i32 = 16;
/** Filters per tile (rows of the packed weights). */
const FR: i32 = 4;
/** Output pixels per tile. */
const PX: i32 = 8;

// @ts-ignore: decorator
@inline
export function roundUp(x: i32, to: i32): i32 {
  return ((x + to - 1) / to) * to;
}

// @ts-ignore: decorator
@inline
export function align16(at: usize): usize {
  return (at + 15) & ~(<usize>15);
}

/** Floats of a zero-bordered image of `channels` planes, its tail included. */
// @ts-ignore: decorator
@inline
function paddedFloats(channels: i32, hp: i32, wp: i32): i32 {
  return channels * hp * wp + TAIL;
}

/** dst [C, H + 2·padH, W + 2·padW] = x [C, H, W] with zero borders, then TAIL zeros. */
function padImage(x: usize, channels: i32, height: i32, width: i32, padH: i32, padW: i32, dst: usize): void {
  const hp = height + 2 * padH;
  const wp = width + 2 * padW;
  if (padH == 0 && padW == 0) {
    copyRow(x, dst, channels * height * width);
    memory.fill(dst + ((<usize>channels * height * width) << 2), 0, (<usize>TAIL) << 2);
    return;
  }
  memory.fill(dst, 0, (<usize>paddedFloats(channels, hp, wp)) << 2);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      const src = x + ((<usize>(c * height + y) * width) << 2);
      copyRow(src, dst + ((<usize>((c * hp + y + padH) * wp + padW)) << 2), width);
    }
  }
}

/** offsets[k] = byte offset of entry k = (c, fy, fx) in a padded image: ((c·Hp + fy)·Wp + fx)·4. */
function fillOffsets(channels: i32, filterH: i32, filterW: i32, hp: i32, wp: i32, offsets: usize): void {
  let k = 0;
  for (let c = 0; c < channels; c++) {
    for (let fy = 0; fy < filterH; fy++) {
      for (let fx = 0; fx < filterW; fx++) {
        store<i32>(offsets + ((<usize>k) << 2), ((c * hp + fy) * wp + fx) << 2);
        k++;
      }
    }
  }
}

/**
 * out[r, 0..cols] = bias[r] + Σk a[k, r] · x[offsets[k] + 0..cols] for the tile's `rows` ≤ 4 filters
 * (rows `plane` bytes apart in out) and `cols` ≤ 8 pixels; `a` is a packed 4-row panel (4 floats a
 * step), `bias` 4 readable floats.
 */
// @ts-ignore: decorator
@inline
export function tile4x8(
  k: i32,
  a: usize,
  offsets: usize,
  x: usize,
  bias: usize,
  out: usize,
  plane: usize,
  rows: i32,
  cols: i32,
): void {
  let c00 = v128.load32_splat(bias);
  let c01 = c00;
  let c10 = v128.load32_splat(bias, 4);
  let c11 = c10;
  let c20 = v128.load32_splat(bias, 8);
  let c21 = c20;
  let c30 = v128.load32_splat(bias, 12);
  let c31 = c30;
  const end = offsets + ((<usize>k) << 2);
  for (let o = offsets; o < end; o += 4) {
    const src = x + <usize>load<i32>(o);
    const b0 = v128.load(src);
    const b1 = v128.load(src, 16);
    let w = v128.load32_splat(a);
    c00 = madd(w, b0, c00);
    c01 = madd(w, b1, c01);
    w = v128.load32_splat(a, 4);
    c10 = madd(w, b0, c10);
    c11 = madd(w, b1, c11);
    w = v128.load32_splat(a, 8);
    c20 = madd(w, b0, c20);
    c21 = madd(w, b1, c21);
    w = v128.load32_splat(a, 12);
    c30 = madd(w, b0, c30);
    c31 = madd(w, b1, c31);
    a += 16;
  }
  storeRun(out, c00, c01, cols);
  if (rows > 1) storeRun(out + plane, c10, c11, cols);
  if (rows > 2) storeRun(out + 2 * plane, c20, c21, cols);
  if (rows > 3) storeRun(out + 3 * plane, c30, c31, cols);
}

/** The first `cols` ≤ 8 lanes of (x0, x1) at `out`; nothing past them is written. */
// @ts-ignore: decorator
@inline
export function storeRun(out: usize, x0: v128, x1: v128, cols: i32): void {
  if (cols == 8) {
    v128.store(out, x0);
    v128.store(out, x1, 16);
    return;
  }
  let x = x0;
  if (cols >= 4) {
    v128.store(out, x0);
    x = x1;
    out += 16;
    cols -= 4;
  }
  if (cols > 0) v128.store32_lane(out, x, 0);
  if (cols > 1) v128.store32_lane(out, x, 1, 4);
  if (cols > 2) v128.store32_lane(out, x, 2, 8);
}

/**
 * out [filters, outH, outW] = packed filters ⋆ one padded image (row pitch `wp` floats) + bias.
 * `packed` holds ceil(filters/4) panels of k steps; `bias` ceil(filters/4)·4 floats.
 */
function directForward(
  xpad: usize,
  wp: i32,
  k: i32,
  offsets: usize,
  packed: usize,
  bias: usize,
  filters: i32,
  outH: i32,
  outW: i32,
  out: usize,
): void {
  const plane = (<usize>outH * outW) << 2;
  for (let f = 0; f < filters; f += FR) {
    const rows = min(FR, filters - f);
    const a = packed + ((<usize>f * k) << 2);
    const b = bias + ((<usize>f) << 2);
    const o = out + <usize>f * plane;
    // One panel of filters (4·k floats) stays in L1 while the image's rows stream past it.
    for (let oy = 0; oy < outH; oy++) {
      const x = xpad + ((<usize>oy * wp) << 2);
      const row = o + ((<usize>oy * outW) << 2);
      for (let ox = 0; ox < outW; ox += PX) {
        tile4x8(
          k,
          a,
          offsets,
          x + ((<usize>ox) << 2),
          b,
          row + ((<usize>ox) << 2),
          plane,
          rows,
          min(PX, outW - ox),
        );
      }
    }
  }
}

// Where one part's scratch blocks start (16-byte aligned), set by `layout`. Globals, not an object:
// the module runs without a heap (`--runtime stub`), and each thread's instance has its own globals.
let xpadAt: usize = 0;
let packedAt: usize = 0;
let biasAt: usize = 0;
let offsetsAt: usize = 0;
let doutRowsAt: usize = 0; // backward only, from here on
let partialAt: usize = 0;
let dpadAt: usize = 0; // with dx only, from here on
let flippedAt: usize = 0;
let zerosAt: usize = 0;
let dOffsetsAt: usize = 0;
let endAt: usize = 0;

/** Lays the scratch blocks out from `at`. */
function layout(
  at: usize,
  channels: i32,
  height: i32,
  width: i32,
  filterH: i32,
  filterW: i32,
  pad: i32,
  outH: i32,
  outW: i32,
  filters: i32,
  backward: bool,
  withDx: bool,
): void {
  const k = channels * filterH * filterW;
  const fPad = roundUp(filters, FR);
  xpadAt = align16(at);
  packedAt = align16(xpadAt + ((<usize>paddedFloats(channels, height + 2 * pad, width + 2 * pad)) << 2));
  biasAt = align16(packedAt + ((<usize>fPad * k) << 2));
  offsetsAt = align16(biasAt + ((<usize>fPad) << 2));
  // One spare offset: the dw kernel's second column of an odd k reads entry k (0, harmless).
  endAt = align16(offsetsAt + ((<usize>k + 1) << 2));
  if (!backward) return;
  doutRowsAt = endAt;
  partialAt = align16(doutRowsAt + ((<usize>FR * outH * roundUp(outW, 4)) << 2));
  endAt = align16(partialAt + ((<usize>fPad * (k + 1)) << 4));
  if (!withDx) return;
  // dx = forward of dout bordered by FH-1-pad, FW-1-pad, with filters [C, FN·FH·FW].
  const dh = outH + 2 * (filterH - 1 - pad);
  const dwp = outW + 2 * (filterW - 1 - pad);
  const kd = filters * filterH * filterW;
  const cPad = roundUp(channels, FR);
  dpadAt = endAt;
  flippedAt = align16(dpadAt + ((<usize>paddedFloats(filters, dh, dwp)) << 2));
  zerosAt = align16(flippedAt + ((<usize>cPad * kd) << 2));
  dOffsetsAt = align16(zerosAt + ((<usize>cPad) << 2));
  endAt = align16(dOffsetsAt + ((<usize>kd) << 2));
}

/**
 * Whether the direct kernels handle this geometry: stride 1; for dx also pad < filter size, and at
 * least 3 channels (dx's tiles are 4 channels: with 1 or 2 most of each tile would be wasted, and
 * the im2col path measured faster on SimpleConvNet's 1-channel layer; docs/benchmarks.md).
 */
export function directConvApplies(
  channels: i32,
  filterH: i32,
  filterW: i32,
  stride: i32,
  pad: i32,
  withDx: bool,
): bool {
  return stride == 1 && (!withDx || (pad < filterH && pad < filterW && channels >= 3));
}

/** Scratch bytes one part of the direct forward (or backward) needs. */
export function directConvScratchBytes(
  channels: i32,
  height: i32,
  width: i32,
  filterH: i32,
  filterW: i32,
  pad: i32,
  outH: i32,
  outW: i32,
  filters: i32,
  backward: bool,
  withDx: bool,
): usize {
  layout(0, channels, height, width, filterH, filterW, pad, outH, outW, filters, backward, withDx);
  return endAt + 16;
}

/** out [batch, filters, outH, outW] = w ⋆ x + b for stride 1; see the top of this file. */
export function directConvForward(
  x: usize,
  batch: i32,
  channels: i32,
  height: i32,
  width: i32,
  filterH: i32,
  filterW: i32,
  pad: i32,
  outH: i32,
  outW: i32,
  filters: i32,
  w: usize,
  b: usize,
  out: usize,
  scratch: usize,
): void {
  layout(scratch, channels, height, width, filterH, filterW, pad, outH, outW, filters, false, false);
  const k = channels * filterH * filterW;
  const wp = width + 2 * pad;
  packA(w, k, false, 0, filters, 0, k, packedAt);
  memory.fill(biasAt, 0, (<usize>roundUp(filters, FR)) << 2);
  memory.copy(biasAt, b, (<usize>filters) << 2);
  fillOffsets(channels, filterH, filterW, height + 2 * pad, wp, offsetsAt);
  const image = (<usize>channels * height * width) << 2;
  const result = (<usize>filters * outH * outW) << 2;
  for (let n = 0; n < batch; n++) {
    padImage(x + <usize>n * image, channels, height, width, pad, pad, xpadAt);
    directForward(xpadAt, wp, k, offsetsAt, packedAt, biasAt, filters, outH, outW, out + <usize>n * result);
  }
}

/**
 * partial[f, kk + j] += Σ over pixels of dout rows (4 filters, `plane` bytes apart) times the image
 * at offsets ka, kb: eight sums of four lanes each, folded to one float each at the end.
 */
export function dwTile4x2(
  d: usize,
  plane: usize,
  outH: i32,
  r: i32,
  xa: usize,
  xb: usize,
  pitch: usize,
  partial: usize,
  stride: usize,
): void {
  let s00 = f32x4.splat(0);
  let s01 = s00;
  let s10 = s00;
  let s11 = s00;
  let s20 = s00;
  let s21 = s00;
  let s30 = s00;
  let s31 = s00;
  const rowBytes = (<usize>r) << 2;
  for (let oy = 0; oy < outH; oy++) {
    for (let q: usize = 0; q < rowBytes; q += 16) {
      const d0 = v128.load(d + q);
      const d1 = v128.load(d + plane + q);
      const d2 = v128.load(d + 2 * plane + q);
      const d3 = v128.load(d + 3 * plane + q);
      let x = v128.load(xa + q);
      s00 = madd(d0, x, s00);
      s10 = madd(d1, x, s10);
      s20 = madd(d2, x, s20);
      s30 = madd(d3, x, s30);
      x = v128.load(xb + q);
      s01 = madd(d0, x, s01);
      s11 = madd(d1, x, s11);
      s21 = madd(d2, x, s21);
      s31 = madd(d3, x, s31);
    }
    d += rowBytes;
    xa += pitch;
    xb += pitch;
  }
  addTo(partial, s00);
  addTo(partial + 16, s01);
  addTo(partial + stride, s10);
  addTo(partial + stride + 16, s11);
  addTo(partial + 2 * stride, s20);
  addTo(partial + 2 * stride + 16, s21);
  addTo(partial + 3 * stride, s30);
  addTo(partial + 3 * stride + 16, s31);
}

/**
 * dwTile4x2 on dout rows interleaved by filter: quad q of row oy of the tile's four filters is the 64
 * bytes at d + (oy·quads + q)·64, filter by filter, so the four loads share one pointer (constant
 * offsets) and the rows follow each other without a gap. The x rows are `pitch` bytes apart.
 */
export function dwTile4x2Interleaved(
  d: usize,
  outH: i32,
  quads: i32,
  xa: usize,
  xb: usize,
  pitch: usize,
  partial: usize,
  stride: usize,
): void {
  let s00 = f32x4.splat(0);
  let s01 = s00;
  let s10 = s00;
  let s11 = s00;
  let s20 = s00;
  let s21 = s00;
  let s30 = s00;
  let s31 = s00;
  const rowBytes = (<usize>quads) << 4;
  const skip = pitch - rowBytes;
  for (let oy = 0; oy < outH; oy++) {
    const end = xa + rowBytes;
    for (; xa < end; xa += 16) {
      const d0 = v128.load(d);
      const d1 = v128.load(d, 16);
      const d2 = v128.load(d, 32);
      const d3 = v128.load(d, 48);
      let x = v128.load(xa);
      s00 = madd(d0, x, s00);
      s10 = madd(d1, x, s10);
      s20 = madd(d2, x, s20);
      s30 = madd(d3, x, s30);
      x = v128.load(xb);
      s01 = madd(d0, x, s01);
      s11 = madd(d1, x, s11);
      s21 = madd(d2, x, s21);
      s31 = madd(d3, x, s31);
      d += 64;
      xb += 16;
    }
    xa += skip;
    xb += skip;
  }
  addTo(partial, s00);
  addTo(partial + 16, s01);
  addTo(partial + stride, s10);
  addTo(partial + stride + 16, s11);
  addTo(partial + 2 * stride, s20);
  addTo(partial + 2 * stride + 16, s21);
  addTo(partial + 3 * stride, s30);
  addTo(partial + 3 * stride + 16, s31);
}

// @ts-ignore: decorator
@inline
function addTo(at: usize, v: v128): void {
  v128.store(at, f32x4.add(v128.load(at), v));
}

/**
 * The stride-1 backward: db as in conv.ts (float64 sums, done by the caller), dw (+)= Σn dout[n] ⋆
 * x[n], and dx[n] (when dx ≠ 0) the forward of the bordered dout[n] with the turned filters.
 */
export function directConvBackward(
  x: usize,
  batch: i32,
  channels: i32,
  height: i32,
  width: i32,
  filterH: i32,
  filterW: i32,
  pad: i32,
  outH: i32,
  outW: i32,
  filters: i32,
  w: usize,
  dout: usize,
  dw: usize,
  dx: usize,
  accumulate: bool,
  scratch: usize,
): void {
  const withDx = dx != 0;
  layout(scratch, channels, height, width, filterH, filterW, pad, outH, outW, filters, true, withDx);
  const k = channels * filterH * filterW;
  const hp = height + 2 * pad;
  const wp = width + 2 * pad;
  const S = outH * outW;
  const r = roundUp(outW, 4);
  const fPad = roundUp(filters, FR);
  fillOffsets(channels, filterH, filterW, hp, wp, offsetsAt);
  store<i32>(offsetsAt + ((<usize>k) << 2), 0);
  // One tile of four filters' dout rows, widened to r floats with zeros after outW.
  memory.fill(doutRowsAt, 0, (<usize>FR * outH * r) << 2);
  const partialStride = (<usize>(k + 1)) << 4;
  memory.fill(partialAt, 0, <usize>fPad * partialStride);
  // dx's filters: flipped[c, (f, fy, fx)] = w[f, c, FH-1-fy, FW-1-fx], packed in 4-row panels.
  const padH = filterH - 1 - pad;
  const padW = filterW - 1 - pad;
  const kd = filters * filterH * filterW;
  const dh = outH + 2 * padH;
  const dwp = outW + 2 * padW;
  if (withDx) {
    const cPad = roundUp(channels, FR);
    memory.fill(flippedAt, 0, (<usize>cPad * kd) << 2);
    memory.fill(zerosAt, 0, (<usize>cPad) << 2);
    const taps = filterH * filterW;
    for (let c = 0; c < channels; c++) {
      const panel = flippedAt + ((<usize>(c / FR) * kd * FR + (c % FR)) << 2);
      for (let f = 0; f < filters; f++) {
        const src = w + ((<usize>(f * channels + c) * taps) << 2);
        for (let t = 0; t < taps; t++) {
          // Step (f, fy, fx) of the panel takes tap (FH-1-fy, FW-1-fx) = taps-1-t.
          const value = load<f32>(src + ((<usize>(taps - 1 - t)) << 2));
          store<f32>(panel + ((<usize>(f * taps + t) * FR) << 2), value);
        }
      }
    }
    fillOffsets(filters, filterH, filterW, dh, dwp, dOffsetsAt);
  }
  const image = (<usize>channels * height * width) << 2;
  const result = (<usize>filters * S) << 2;
  const pitch = (<usize>wp) << 2;
  for (let n = 0; n < batch; n++) {
    const xn = x + <usize>n * image;
    const dn = dout + <usize>n * result;
    padImage(xn, channels, height, width, pad, pad, xpadAt);
    // dout interleaved four filters at a time (see dwTile4x2Interleaved), each tile just before its
    // products, while it is in L1. The columns past outW stay the zeros filled above; a last tile of
    // fewer than four filters keeps the previous tile's rows in its empty places, whose sums go to
    // rows of partial that are never folded into dw.
    const quads = r >> 2;
    for (let f0 = 0; f0 < filters; f0 += FR) {
      for (let f = f0; f < min(f0 + FR, filters); f++) {
        const tile = doutRowsAt + ((<usize>(f - f0)) << 4);
        for (let oy = 0; oy < outH; oy++) {
          const src = dn + ((<usize>(f * S + oy * outW)) << 2);
          const dst = tile + ((<usize>(oy * quads)) << 6);
          let q = 0;
          for (; q + 4 <= outW; q += 4)
            v128.store(dst + ((<usize>q) << 4), v128.load(src + ((<usize>q) << 2)));
          for (; q < outW; q++) {
            const at = dst + ((<usize>(q >> 2)) << 6) + ((<usize>(q & 3)) << 2);
            store<f32>(at, load<f32>(src + ((<usize>q) << 2)));
          }
        }
      }
      const part = partialAt + <usize>f0 * partialStride;
      for (let kk = 0; kk < k; kk += 2) {
        const xa = xpadAt + <usize>load<i32>(offsetsAt + ((<usize>kk) << 2));
        const xb = xpadAt + <usize>load<i32>(offsetsAt + ((<usize>(kk + 1)) << 2));
        dwTile4x2Interleaved(
          doutRowsAt,
          outH,
          quads,
          xa,
          xb,
          pitch,
          part + ((<usize>kk) << 4),
          partialStride,
        );
      }
    }
    if (withDx) {
      padImage(dn, filters, outH, outW, padH, padW, dpadAt);
      directForward(
        dpadAt,
        dwp,
        kd,
        dOffsetsAt,
        flippedAt,
        zerosAt,
        channels,
        height,
        width,
        dx + <usize>n * image,
      );
    }
  }
  // Fold each sum's four lanes (in lane order) into dw.
  for (let f = 0; f < filters; f++) {
    for (let kk = 0; kk < k; kk++) {
      const v = v128.load(partialAt + <usize>f * partialStride + ((<usize>kk) << 4));
      const s =
        f32x4.extract_lane(v, 0) +
        f32x4.extract_lane(v, 1) +
        (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
      const at = dw + ((<usize>(f * k + kk)) << 2);
      store<f32>(at, accumulate ? load<f32>(at) + s : s);
    }
  }
}
