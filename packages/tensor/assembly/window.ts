/**
 * float32 sliding-window kernels of the convolution and pooling layers, with the semantics of the js
 * reference (src/backend/js/window.ts): im2col/col2im in the book's layout (rows (n, oy, ox), columns
 * (c, fy, fx)), max pooling with argmax (the first maximum wins, NaN wins over numbers) and average
 * pooling (sums in float64, padding counts as zero). Every image is [batch, channels, height, width];
 * a window is filterH×filterW, moved by `stride` over the image padded by `pad` zeros on each side.
 */

/** Copies `count` floats; overlapping is not allowed. Short rows (3 or 5 floats) are the common case. */
// @ts-ignore: decorator
@inline
export function copyRow(src: usize, dst: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(dst + ((<usize>i) << 2), v128.load(src + ((<usize>i) << 2)));
  for (; i < count; i++) store<f32>(dst + ((<usize>i) << 2), load<f32>(src + ((<usize>i) << 2)));
}

/** dst[i] += src[i] for i < count. */
// @ts-ignore: decorator
@inline
export function addRow(src: usize, dst: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const at = (<usize>i) << 2;
    v128.store(dst + at, f32x4.add(v128.load(dst + at), v128.load(src + at)));
  }
  for (; i < count; i++) {
    const at = (<usize>i) << 2;
    store<f32>(dst + at, load<f32>(dst + at) + load<f32>(src + at));
  }
}

/** Writes col [batch·outH·outW, channels·filterH·filterW] from x; padding reads as 0. */
export function im2colF32(
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
  col: usize,
): void {
  const plane = <usize>height * width;
  const rowBytes = (<usize>filterW) << 2;
  let dst = col;
  for (let n = 0; n < batch; n++) {
    const xn = x + ((<usize>n * channels * plane) << 2);
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride - pad;
        const inside = x0 >= 0 && x0 + filterW <= width; // no column of this window is padding
        for (let c = 0; c < channels; c++) {
          const xc = xn + ((<usize>c * plane) << 2);
          for (let fy = 0; fy < filterH; fy++) {
            const iy = y0 + fy;
            if (iy < 0 || iy >= height) {
              memory.fill(dst, 0, rowBytes);
            } else {
              const row = xc + ((<usize>(iy * width + x0)) << 2);
              if (inside) {
                copyRow(row, dst, filterW);
              } else {
                for (let fx = 0; fx < filterW; fx++) {
                  const ix = x0 + fx;
                  const at = (<usize>fx) << 2;
                  store<f32>(dst + at, ix >= 0 && ix < width ? load<f32>(row + at) : 0);
                }
              }
            }
            dst += rowBytes;
          }
        }
      }
    }
  }
}

/**
 * im2col's adjoint: adds every entry of col back to the pixel it was read from (overlapping windows
 * sum; entries from padding are dropped). img is zeroed first unless `accumulate`.
 */
export function col2imF32(
  col: usize,
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
  img: usize,
  accumulate: bool,
): void {
  const plane = <usize>height * width;
  if (!accumulate) memory.fill(img, 0, (<usize>batch * channels * plane) << 2);
  const rowBytes = (<usize>filterW) << 2;
  let src = col;
  for (let n = 0; n < batch; n++) {
    const xn = img + ((<usize>n * channels * plane) << 2);
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride - pad;
        const inside = x0 >= 0 && x0 + filterW <= width;
        for (let c = 0; c < channels; c++) {
          const xc = xn + ((<usize>c * plane) << 2);
          for (let fy = 0; fy < filterH; fy++) {
            const iy = y0 + fy;
            if (iy >= 0 && iy < height) {
              const row = xc + ((<usize>(iy * width + x0)) << 2);
              if (inside) {
                addRow(src, row, filterW);
              } else {
                for (let fx = 0; fx < filterW; fx++) {
                  const ix = x0 + fx;
                  const at = (<usize>fx) << 2;
                  if (ix >= 0 && ix < width) store<f32>(row + at, load<f32>(row + at) + load<f32>(src + at));
                }
              }
            }
            src += rowBytes;
          }
        }
      }
    }
  }
}

/**
 * Max pooling: out[o] is the largest cell of window o, argmax[o] (i32) its flat index into x. Cells
 * are read row-major; the first maximum wins a tie, and the first NaN wins over numbers and stays.
 */
export function maxPoolF32(
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
  out: usize,
  argmax: usize,
  indexBase: i32,
): void {
  const planes = batch * channels;
  if (filterH == 2 && filterW == 2 && stride == 2 && pad == 0 && (outW >= 4 || width >= 4)) {
    maxPool2x2Planes(x, planes, height, width, outH, outW, out, argmax, indexBase);
    return;
  }
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * height * width;
    // argmax holds indices into the whole input: a thread's part starts `indexBase` elements in.
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      const fy0 = max(0, -y0);
      const fy1 = min(filterH, height - y0);
      for (let ox = 0; ox < outW;) {
        const x0 = ox * stride - pad;
        // Stride 2 (the book's pooling): four windows side by side at once when all their columns
        // are real pixels. It reads 8 floats from each cell's row, up to 7 + filterW past x0 + 6,
        // which the caller leaves readable (the arena continues after x).
        if (stride == 2 && ox + 4 <= outW && x0 >= 0 && x0 + 6 + filterW <= width) {
          if (filterW == 2 && fy0 == 0 && fy1 == 2) {
            maxPool2x2(x, base + y0 * width + x0, width, out + (o << 2), argmax + (o << 2), indexBase, 4);
          } else {
            maxPool4(x, base, width, y0, fy0, fy1, x0, filterW, out + (o << 2), argmax + (o << 2), indexBase);
          }
          ox += 4;
          o += 4;
          continue;
        }
        const fx0 = max(0, -x0);
        const fx1 = min(filterW, width - x0);
        // Windows hold at least one real pixel (pad < window): start from the first, then select
        // without branches (a mispredicted branch per cell cost more than the whole comparison).
        let at = (y0 + fy0) * width + x0 + fx0;
        let best = load<f32>(x + ((<usize>(base + at)) << 2));
        for (let fy = fy0; fy < fy1; fy++) {
          const row = (y0 + fy) * width + x0;
          for (let fx = fx0; fx < fx1; fx++) {
            const v = load<f32>(x + ((<usize>(base + row + fx)) << 2));
            // v wins if larger, or if it is the first NaN (v != v) while best is still a number.
            const take = (v > best) | ((v != v) & (best == best));
            best = select<f32>(v, best, take);
            at = select<i32>(row + fx, at, take);
          }
        }
        at += base + indexBase;
        store<f32>(out + (o << 2), best);
        store<i32>(argmax + (o << 2), at);
        o++;
        ox++;
      }
    }
  }
}

/**
 * Four stride-2 windows whose columns start at x0, x0 + 2, x0 + 4, x0 + 6 (all inside the row), rows
 * fy0..fy1 of the window from y0: the scalar loop's comparisons, one window per lane. Cell (fy, fx) of
 * the four windows is every other float from row + fx: two loads and one shuffle.
 */
// @ts-ignore: decorator
@inline
function maxPool4(
  x: usize,
  base: i32,
  width: i32,
  y0: i32,
  fy0: i32,
  fy1: i32,
  x0: i32,
  filterW: i32,
  out: usize,
  argmax: usize,
  indexBase: i32,
): void {
  const lanes = i32x4(0, 2, 4, 6);
  const first = base + (y0 + fy0) * width + x0;
  let best = cells4(x, first);
  let at = i32x4.add(i32x4.splat(first), lanes);
  for (let fy = fy0; fy < fy1; fy++) {
    const row = base + (y0 + fy) * width + x0;
    for (let fx = 0; fx < filterW; fx++) {
      const v = cells4(x, row + fx);
      const take = v128.or(f32x4.gt(v, best), v128.and(f32x4.ne(v, v), f32x4.eq(best, best)));
      best = v128.bitselect(v, best, take);
      at = v128.bitselect(i32x4.add(i32x4.splat(row + fx), lanes), at, take);
    }
  }
  v128.store(out, best);
  v128.store(argmax, i32x4.add(at, i32x4.splat(indexBase)));
}

/**
 * maxPoolF32 for 2×2 windows, stride 2, no padding. Rows of 4 windows or more end with the last 4
 * windows again (the same values written twice), reading no further than the row's last pair;
 * rows of 1-3 windows (DeepConvNet's last pooling: 7 → 3) store only theirs and read up to
 * 8 - width ≤ 4 floats past the row, the next row's or the 16 readable bytes after x.
 */
function maxPool2x2Planes(
  x: usize,
  planes: i32,
  height: i32,
  width: i32,
  outH: i32,
  outW: i32,
  out: usize,
  argmax: usize,
  indexBase: i32,
): void {
  for (let p = 0; p < planes; p++) {
    for (let oy = 0; oy < outH; oy++) {
      const row = (p * height + 2 * oy) * width;
      const o = <usize>((p * outH + oy) * outW);
      if (outW < 4) {
        maxPool2x2(x, row, width, out + (o << 2), argmax + (o << 2), indexBase, outW);
        continue;
      }
      for (let ox = 0; ox + 4 <= outW; ox += 4) {
        const at = (o + <usize>ox) << 2;
        maxPool2x2(x, row + 2 * ox, width, out + at, argmax + at, indexBase, 4);
      }
      if (outW % 4 != 0) {
        const at = (o + <usize>(outW - 4)) << 2;
        maxPool2x2(x, row + 2 * (outW - 4), width, out + at, argmax + at, indexBase, 4);
      }
    }
  }
}

/**
 * maxPool4 for whole 2×2 windows (the book's pooling): both rows' eight floats loaded once and split
 * into even and odd columns, and the argmax kept as the winning cell's offset in its window (0, 1,
 * width, width + 1), made an index at the end. The same comparisons in the same cell order as the
 * scalar loop; `take` is (best is a number) and not (v <= best), which is v > best or v the first
 * NaN. maxPool4's general loop measured twice as long on SimpleConvNet's pooling.
 */
// @ts-ignore: decorator
@inline
function maxPool2x2(
  x: usize,
  first: i32,
  width: i32,
  out: usize,
  argmax: usize,
  indexBase: i32,
  cols: i32,
): void {
  const top = x + ((<usize>first) << 2);
  const bottom = top + ((<usize>width) << 2);
  const t0 = v128.load(top);
  const t1 = v128.load(top, 16);
  const b0 = v128.load(bottom);
  const b1 = v128.load(bottom, 16);
  let best = f32x4.shuffle(t0, t1, 0, 2, 4, 6);
  let cell = i32x4.splat(0);
  let v = f32x4.shuffle(t0, t1, 1, 3, 5, 7);
  let take = v128.andnot(f32x4.eq(best, best), f32x4.le(v, best));
  best = v128.bitselect(v, best, take);
  cell = v128.and(i32x4.splat(1), take);
  v = f32x4.shuffle(b0, b1, 0, 2, 4, 6);
  take = v128.andnot(f32x4.eq(best, best), f32x4.le(v, best));
  best = v128.bitselect(v, best, take);
  cell = v128.bitselect(i32x4.splat(width), cell, take);
  v = f32x4.shuffle(b0, b1, 1, 3, 5, 7);
  take = v128.andnot(f32x4.eq(best, best), f32x4.le(v, best));
  best = v128.bitselect(v, best, take);
  cell = v128.bitselect(i32x4.splat(width + 1), cell, take);
  const at = i32x4.add(cell, i32x4.add(i32x4.splat(first + indexBase), i32x4(0, 2, 4, 6)));
  if (cols == 4) {
    v128.store(out, best);
    v128.store(argmax, at);
    return;
  }
  v128.store32_lane(out, best, 0);
  v128.store32_lane(argmax, at, 0);
  if (cols > 1) {
    v128.store32_lane(out, best, 1, 4);
    v128.store32_lane(argmax, at, 1, 4);
  }
  if (cols > 2) {
    v128.store32_lane(out, best, 2, 8);
    v128.store32_lane(argmax, at, 2, 8);
  }
}

/** x[i], x[i + 2], x[i + 4], x[i + 6]. */
// @ts-ignore: decorator
@inline
function cells4(x: usize, i: i32): v128 {
  const at = x + ((<usize>i) << 2);
  return f32x4.shuffle(v128.load(at), v128.load(at, 16), 0, 2, 4, 6);
}

/**
 * Max pooling's backward: dx (dxLength floats) = 0, then dx[argmax[i]] += dout[i] for i < count.
 * Returns -1, or the first i whose argmax[i] lies outside dx (nothing is written for it or after it).
 */
export function maxPoolBackwardF32(dout: usize, argmax: usize, count: i32, dx: usize, dxLength: i32): i32 {
  memory.fill(dx, 0, (<usize>dxLength) << 2);
  for (let i = 0; i < count; i++) {
    const index = load<i32>(argmax + ((<usize>i) << 2));
    if (<u32>index >= <u32>dxLength) return i;
    const at = dx + ((<usize>index) << 2);
    store<f32>(at, load<f32>(at) + load<f32>(dout + ((<usize>i) << 2)));
  }
  return -1;
}

/** Average pooling: each window's float64 sum times 1/(filterH·filterW); padding counts as zero. */
export function avgPoolF32(
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
  out: usize,
): void {
  const scale = 1 / (<f64>filterH * filterW);
  const planes = batch * channels;
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * height * width;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      const fy0 = max(0, -y0);
      const fy1 = min(filterH, height - y0);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride - pad;
        const fx0 = max(0, -x0);
        const fx1 = min(filterW, width - x0);
        let s: f64 = 0;
        for (let fy = fy0; fy < fy1; fy++) {
          const row = base + (y0 + fy) * width + x0;
          for (let fx = fx0; fx < fx1; fx++) s += <f64>load<f32>(x + ((<usize>(row + fx)) << 2));
        }
        store<f32>(out + (o << 2), <f32>(s * scale));
        o++;
      }
    }
  }
}

/** Average pooling's backward: dx = 0, then each dout entry times 1/(filterH·filterW) over its window. */
export function avgPoolBackwardF32(
  dout: usize,
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
  dx: usize,
): void {
  const scale = 1 / (<f64>filterH * filterW);
  const planes = batch * channels;
  memory.fill(dx, 0, (<usize>planes * height * width) << 2);
  let o: usize = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * height * width;
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * stride - pad;
      const fy0 = max(0, -y0);
      const fy1 = min(filterH, height - y0);
      for (let ox = 0; ox < outW; ox++) {
        const x0 = ox * stride - pad;
        const fx0 = max(0, -x0);
        const fx1 = min(filterW, width - x0);
        // As the js kernel: the product rounds to float64, each sum to float32.
        const d = <f64>load<f32>(dout + (o << 2)) * scale;
        for (let fy = fy0; fy < fy1; fy++) {
          const row = base + (y0 + fy) * width + x0;
          for (let fx = fx0; fx < fx1; fx++) {
            const at = dx + ((<usize>(row + fx)) << 2);
            store<f32>(at, <f32>(<f64>load<f32>(at) + d));
          }
        }
        o++;
      }
    }
  }
}
