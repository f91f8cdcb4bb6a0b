import { align16, dwTile4x2, roundUp, storeRun } from './direct-conv';
import { madd } from './simd';
import { copyRow } from './window';

/**
 * Winograd's minimal filtering F(4×4, 3×3) (Lavin & Gray, "Fast Algorithms for Convolutional Neural
 * Networks", 2015; the points 0, ±1, ±2 and ∞) for 3×3 stride-1 convolutions, the only kind in
 * DeepConvNet: the forward, the input gradient and the weight gradient. Each 4×4 block of output
 * pixels of one filter ("tile") is Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A, where d is the 6×6 input patch under
 * the tile and g the 3×3 filter: the sum over channels happens in the 6×6 transformed domain, so a
 * tile costs 36 multiply-adds per channel and filter instead of 16·9 = 144. The direct convolution
 * (direct-conv.ts) already runs as fast as our GEMM, so fewer multiply-adds is the way left.
 * F(2×2, 3×3) (16 for 4 pixels) ran here before; the larger tiles cost larger transforms and
 * larger rounding errors (the constants reach 8 and 1/24) and took DeepConvNet's convolutions ~12%
 * faster (docs/benchmarks.md).
 *
 * A group of images at a time (one image, or several small ones: TILE_TARGET):
 *   V[ξ][c][t] = (Bᵀ d B)[ξ] for each of the 36 positions ξ = 6·row + column, channel c and tile t,
 *   M[ξ][f][t] = Σc U[ξ][f][c] · V[ξ][c][t]: 36 small GEMMs, run by direct-conv's 4×8 kernel,
 *   out[f] tile t = Aᵀ M[·][f][t] A + bias,
 * with U[ξ][f][c] = (G g Gᵀ)[ξ] computed once a call. Tiles past the image's edge read zeros and
 * the output pixels past it are never stored, so any height and width work.
 *
 *   Bᵀ = | 4  0 -5  0  1  0 |   G = |  1/4     0     0  |   Aᵀ = | 1  1  1  1  1  0 |
 *        | 0 -4 -4  1  1  0 |       | -1/6  -1/6  -1/6  |        | 0  1 -1  2 -2  0 |
 *        | 0  4 -4 -1  1  0 |       | -1/6   1/6  -1/6  |        | 0  1  1  4  4  0 |
 *        | 0 -2 -1  2  1  0 |       | 1/24  1/12   1/6  |        | 0  1 -1  8 -8  1 |
 *        | 0  2 -1 -2  1  0 |       | 1/24 -1/12   1/6  |
 *        | 0  4  0 -5  0  1 |       |    0     0     1  |
 *
 * Four consecutive tiles share a v128 (one lane each), whatever their rows. Each transform runs
 * along the rows first and then down the columns, through small blocks in L1; the input's row pass
 * runs once per row of the bordered plane, so the two rows that vertically neighbouring tiles share
 * are transformed once. The conformance suite holds these kernels to the direct kernel's rounding
 * bound; over 40 seeds the worst case used 61-65% of it (F(2×2, 3×3): at most 10%,
 * `tooling/bench/src/conformance-margin.ts`). The backward's dx is the
 * same convolution of the zero-bordered dout with the filters turned 180° (`flip`), as in
 * direct-conv.ts; dw is at the end of this file.
 */

/** The 36 transformed positions ξ = 6·i + j of a tile. */
const XI: i32 = 36;
/** Filters per packed panel: the 4×8 kernel's rows. */
const FR: i32 = 4;
/**
 * Tiles one pass handles: small images (DeepConvNet's 8×8 layers have 4 tiles) are taken several at
 * a time, so the 36 GEMMs have enough columns to amortise their calls (64 and 196 measured no better).
 */
const TILE_TARGET: i32 = 128;

// Where the scratch blocks start (16-byte aligned), set by `layout`.
let uAt: usize = 0; // U [ξ][ceil(outCh/4) panels][inCh][4]
let planeAt: usize = 0; // one zero-bordered channel [hq][wq], its border zeroed once a call
let rowsAt: usize = 0; // R: the plane's rows times B, [i][j][rp], by tile
let gAt: usize = 0; // four filters' G g: 6×3 v128
let tapsAt: usize = 0; // the filters' taps, [9][inCh][outChPadded]
let sAt: usize = 0; // the output transform's row pass: 6×4 v128
let yAt: usize = 0; // its result: 4×4 v128, [row][column] of four tiles
let tAt: usize = 0; // Y transposed: 4×4 v128, [tile][row]
let vAt: usize = 0; // V [ξ][inCh][tp]
let mAt: usize = 0; // M [ξ][outChPadded][tp]; weights: A y Aᵀ, same shape
let doutPlaneAt: usize = 0; // weights: one dout channel [4·tilesY][wq], zeros past it
let doutRowsAt: usize = 0; // weights: its rows times Aᵀ, [i][j][rp], by tile
let partialAt: usize = 0; // weights: v128 sums [ξ][outChPadded][inCh + 1]
let endAt: usize = 0;

let tilesY: i32 = 0;
let tilesX: i32 = 0;
let group: i32 = 0; // images per pass
let tp: i32 = 0; // floats per V or M row: a group's tiles, rounded up, with room for 8-wide loads
let hq: i32 = 0; // rows of the bordered plane: 4·tilesY + 2
let rp: i32 = 0; // floats per block of R: the tiles and 3 lanes of slack, rounded up to 4
let wq: i32 = 0; // the plane's row pitch in floats: 4·roundUp(tilesX, 4) + 4 (the row pass reads one tile past)

function layout(at: usize, inCh: i32, height: i32, width: i32, pad: i32, outCh: i32, weights: bool): void {
  tilesY = (height + 2 * pad - 2 + 3) >> 2;
  tilesX = (width + 2 * pad - 2 + 3) >> 2;
  const tiles = tilesY * tilesX;
  group = max(1, TILE_TARGET / max(1, tiles));
  tp = roundUp(group * tiles + 4, 8);
  hq = 4 * tilesY + 2;
  rp = roundUp(tiles + 3, 4);
  wq = 4 * roundUp(tilesX, 4) + 4;
  const outPad = roundUp(outCh, FR);
  uAt = align16(at);
  planeAt = align16(uAt + (weights ? 0 : (<usize>XI * outPad * inCh) << 2));
  rowsAt = align16(planeAt + ((<usize>hq * wq) << 2));
  gAt = align16(rowsAt + ((<usize>36 * rp) << 2));
  sAt = gAt + 18 * 16;
  tapsAt = sAt + 56 * 16; // after S, Y and T
  yAt = sAt + 24 * 16;
  tAt = yAt + 16 * 16;
  vAt = align16(tapsAt + (weights ? 0 : (<usize>9 * inCh * outPad) << 2));
  mAt = align16(vAt + ((<usize>XI * inCh * tp) << 2));
  doutPlaneAt = align16(mAt + ((<usize>XI * outPad * tp) << 2));
  doutRowsAt = align16(doutPlaneAt + ((<usize>(4 * tilesY) * wq) << 2));
  partialAt = align16(doutRowsAt + ((<usize>24 * rp) << 2));
  endAt = weights ? align16(partialAt + ((<usize>XI * outPad * (inCh + 1)) << 4)) : doutPlaneAt;
}

/**
 * Whether Winograd's algorithm handles this convolution: 3×3 filters, stride 1, and at least 8 input
 * channels (with fewer, the transforms cost about as much as the multiplies they save; the book's
 * first layers have 1). `pad` may be anything ≥ 0: the border is copied in as zeros.
 */
export function winogradApplies(inCh: i32, filterH: i32, filterW: i32, stride: i32): bool {
  return filterH == 3 && filterW == 3 && stride == 1 && inCh >= 8;
}

/** Scratch bytes `winogradConv` (`weights` false) or `winogradWeights` needs. */
export function winogradScratchBytes(
  inCh: i32,
  height: i32,
  width: i32,
  pad: i32,
  outCh: i32,
  weights: bool,
): usize {
  layout(0, inCh, height, width, pad, outCh, weights);
  return endAt + 16;
}

/**
 * U = G g Gᵀ for every (output, input) channel pair, packed for the 4×8 kernel (panel p holds
 * outputs 4p..4p+3, four floats per input channel). g is w[o][i], or with `flip` w[i][o] turned 180°.
 */
function transformFilters(w: usize, inCh: i32, outCh: i32, flip: bool): void {
  const outPad = roundUp(outCh, FR);
  const xiStride = (<usize>outPad * inCh) << 2;
  stageTaps(w, inCh, outCh, flip);
  const tapStride = (<usize>(inCh * outPad)) << 2;
  for (let o = 0; o < outCh; o += FR) {
    for (let i = 0; i < inCh; i++) {
      // Four filters o .. o + 3 at once, one a lane: G times each column of g gives G g (6×3, into
      // gAt); row r of U = (G g) Gᵀ is G times its row r.
      const g = tapsAt + ((<usize>(i * outPad + o)) << 2);
      for (let col = 0; col < 3; col++) {
        const k = g + <usize>col * tapStride;
        storeG(
          gAt + ((<usize>col) << 4),
          48,
          v128.load(k),
          v128.load(k + 3 * tapStride),
          v128.load(k + 6 * tapStride),
        );
      }
      const at = uAt + ((<usize>(o * inCh + i * FR)) << 2);
      for (let r = 0; r < 6; r++) {
        const row = gAt + <usize>(48 * r);
        storeG(
          at + <usize>(6 * r) * xiStride,
          xiStride,
          v128.load(row),
          v128.load(row, 16),
          v128.load(row, 32),
        );
      }
    }
  }
}

/**
 * taps [9][inCh][outPad]: tap k = 3·y + x of filter (o, i), zeros past outCh, so four filters' tap
 * is one v128 load. The filter is w[o][i], or with `flip` w[i][o] ([inCh, outCh, 3, 3]) turned 180°.
 */
function stageTaps(w: usize, inCh: i32, outCh: i32, flip: bool): void {
  const outPad = roundUp(outCh, FR);
  const tapStride = (<usize>(inCh * outPad)) << 2;
  memory.fill(tapsAt, 0, 9 * tapStride);
  for (let o = 0; o < outCh; o++) {
    for (let i = 0; i < inCh; i++) {
      const g = w + ((<usize>(flip ? i * outCh + o : o * inCh + i) * 9) << 2);
      const at = tapsAt + ((<usize>(i * outPad + o)) << 2);
      for (let k = 0; k < 9; k++)
        store<f32>(at + <usize>k * tapStride, load<f32>(g + ((<usize>(flip ? 8 - k : k)) << 2)));
    }
  }
}

/** G times (a, b, c), four filters a lane, stored `stride` bytes apart from `at`. */
// @ts-ignore: decorator
@inline
function storeG(at: usize, stride: usize, a: v128, b: v128, c: v128): void {
  const sixth = f32x4.splat(1.0 / 6.0);
  const ac = f32x4.add(a, c);
  const a24c6 = f32x4.add(f32x4.mul(a, f32x4.splat(1.0 / 24.0)), f32x4.mul(c, sixth));
  const b12 = f32x4.mul(b, f32x4.splat(1.0 / 12.0));
  v128.store(at, f32x4.mul(a, f32x4.splat(0.25)));
  v128.store(at + stride, f32x4.neg(f32x4.mul(f32x4.add(ac, b), sixth)));
  v128.store(at + 2 * stride, f32x4.neg(f32x4.mul(f32x4.sub(ac, b), sixth)));
  v128.store(at + 3 * stride, f32x4.add(a24c6, b12));
  v128.store(at + 4 * stride, f32x4.sub(a24c6, b12));
  v128.store(at + 5 * stride, c);
}

/** Bᵀ times (d0 .. d5), four tiles a lane, stored `stride` bytes apart from `at`. */
// @ts-ignore: decorator
@inline
function storeBt(at: usize, stride: usize, d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128): void {
  const four = f32x4.splat(4);
  const a = f32x4.sub(d4, f32x4.mul(four, d2)); // d4 - 4 d2
  const b = f32x4.sub(d3, f32x4.mul(four, d1)); // d3 - 4 d1
  const c = f32x4.sub(d4, d2);
  const e = f32x4.add(f32x4.sub(d3, d1), f32x4.sub(d3, d1)); // 2 (d3 - d1)
  v128.store(at, f32x4.add(f32x4.mul(four, f32x4.sub(d0, d2)), f32x4.sub(d4, d2)));
  v128.store(at + stride, f32x4.add(a, b));
  v128.store(at + 2 * stride, f32x4.sub(a, b));
  v128.store(at + 3 * stride, f32x4.add(c, e));
  v128.store(at + 4 * stride, f32x4.sub(c, e));
  v128.store(at + 5 * stride, f32x4.add(f32x4.mul(four, f32x4.sub(d1, d3)), f32x4.sub(d5, d3)));
}

/** Aᵀ times (m0 .. m5), four tiles a lane, stored `stride` bytes apart from `at`. */
// @ts-ignore: decorator
@inline
function storeAt(at: usize, stride: usize, m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128): void {
  const sum12 = f32x4.add(m1, m2);
  const dif12 = f32x4.sub(m1, m2);
  const sum34 = f32x4.add(m3, m4);
  const dif34 = f32x4.sub(m3, m4);
  v128.store(at, f32x4.add(f32x4.add(m0, sum12), sum34));
  v128.store(at + stride, f32x4.add(dif12, f32x4.add(dif34, dif34)));
  v128.store(at + 2 * stride, f32x4.add(sum12, f32x4.mul(f32x4.splat(4), sum34)));
  v128.store(at + 3 * stride, f32x4.add(f32x4.add(dif12, f32x4.mul(f32x4.splat(8), dif34)), m5));
}

/**
 * V[ξ][c][first + t] = (Bᵀ d B)[ξ] for every channel c and tile t of one image x [inCh, height,
 * width]. Four consecutive tiles share a v128 whatever their rows, so small images (DeepConvNet's
 * 8×8 layers have 2×2 tiles) fill every lane; the last group writes up to 3 lanes past the image's
 * tiles: into the next image's, which are written later, or into the slack of V's rows.
 */
function transformInput(x: usize, inCh: i32, height: i32, width: i32, pad: i32, first: i32): void {
  const vRow = (<usize>tp) << 2;
  const xiStride = <usize>inCh * vRow;
  const block = (<usize>rp) << 2; // one (i, j) block of R
  const tiles = tilesY * tilesX;
  for (let c = 0; c < inCh; c++) {
    // The channel inside its zero border (the plane covers every tile's 6×6 patch)...
    const src = x + ((<usize>c * height * width) << 2);
    for (let y = 0; y < height; y++) {
      copyRow(src + ((<usize>y * width) << 2), planeAt + ((<usize>((y + pad) * wq + pad)) << 2), width);
    }
    // ... each row times B into R[i][j][t]: plane row r is row i = r mod 4 of the tiles in row
    // r / 4, and also row i + 4 of those above them when i < 2 ...
    for (let r = 0; r < hq; r++) {
      const ty = r >> 2;
      const i = r & 3;
      const here = ty < tilesY ? rowsAt + <usize>(6 * i) * block + ((<usize>(ty * tilesX)) << 2) : 0;
      const above =
        i < 2 && ty > 0 ? rowsAt + <usize>(6 * (i + 4)) * block + ((<usize>((ty - 1) * tilesX)) << 2) : 0;
      rowTimesB(planeAt + ((<usize>r * wq) << 2), here, above);
    }
    // ... and Bᵀ down the columns: ξ = 6·i + j.
    const vc = vAt + <usize>c * vRow + ((<usize>first) << 2);
    for (let j = 0; j < 6; j++) {
      const column = rowsAt + <usize>j * block;
      for (let t = 0; t < tiles; t += 4) {
        const at = column + ((<usize>t) << 2);
        const rows = <usize>6 * block;
        storeBt(
          vc + <usize>j * xiStride + ((<usize>t) << 2),
          6 * xiStride,
          v128.load(at),
          v128.load(at + rows),
          v128.load(at + 2 * rows),
          v128.load(at + 3 * rows),
          v128.load(at + 4 * rows),
          v128.load(at + 5 * rows),
        );
      }
    }
  }
}

/**
 * One plane row times B: for every tile tx of the row, Σk row[4·tx + k] B[k][j] goes to block j
 * (blocks `rp` floats apart) at `here` + tx and, unless it is 0, at `above` + tx. Tile tx's six
 * columns are the four floats at 4·tx and the first two of the next tile's, so four tiles' column k
 * come from a 4×4 transpose of four v128 loads (and a fifth load for k = 4, 5). Lanes past the row's
 * last tile land on the next row's first tiles, which are written after them, or in R's slack.
 */
function rowTimesB(row: usize, here: usize, above: usize): void {
  const block = (<usize>rp) << 2;
  for (let tx = 0; tx < tilesX; tx += 4) {
    const src = row + ((<usize>tx) << 4);
    const a0 = v128.load(src);
    const a1 = v128.load(src, 16);
    const a2 = v128.load(src, 32);
    const a3 = v128.load(src, 48);
    const a4 = v128.load(src, 64);
    const t0 = i32x4.shuffle(a0, a1, 0, 4, 1, 5);
    const t1 = i32x4.shuffle(a2, a3, 0, 4, 1, 5);
    const t2 = i32x4.shuffle(a0, a1, 2, 6, 3, 7);
    const t3 = i32x4.shuffle(a2, a3, 2, 6, 3, 7);
    const c0 = i32x4.shuffle(t0, t1, 0, 1, 4, 5);
    const c1 = i32x4.shuffle(t0, t1, 2, 3, 6, 7);
    const c2 = i32x4.shuffle(t2, t3, 0, 1, 4, 5);
    const c3 = i32x4.shuffle(t2, t3, 2, 3, 6, 7);
    const c4 = i32x4.shuffle(c0, a4, 1, 2, 3, 4);
    const c5 = i32x4.shuffle(c1, a4, 1, 2, 3, 5);
    const at = (<usize>tx) << 2;
    if (here != 0) storeBt(here + at, block, c0, c1, c2, c3, c4, c5);
    if (above != 0) storeBt(above + at, block, c0, c1, c2, c3, c4, c5);
  }
}

/** M[ξ] [outCh, tiles] = U[ξ] [outCh, inCh] · V[ξ] [inCh, tiles], for the 36 ξ. */
function multiply(inCh: i32, outCh: i32, tiles: i32): void {
  const outPad = roundUp(outCh, FR);
  const vRow = (<usize>tp) << 2;
  for (let xi = 0; xi < XI; xi++) {
    const v = vAt + <usize>(xi * inCh) * vRow;
    const u = uAt + ((<usize>(xi * outPad * inCh)) << 2);
    const m = mAt + <usize>(xi * outPad) * vRow;
    for (let f = 0; f < outCh; f += FR) {
      const a = u + ((<usize>(f * inCh)) << 2);
      const o = m + <usize>f * vRow;
      for (let t = 0; t < tiles; t += 8)
        panel4x8(inCh, a, v + ((<usize>t) << 2), vRow, o + ((<usize>t) << 2));
    }
  }
}

/**
 * direct-conv's tile4x8 for `multiply`: V's channel rows are `vRow` bytes apart, so the k loop steps
 * a pointer instead of reading an offset table, starts from zeros (no bias) and stores whole tiles;
 * inlined, with no call per tile. With DeepConvNet's 16-64 channels the k loop is short, and that
 * overhead was a fifth of the product.
 */
// @ts-ignore: decorator
@inline
function panel4x8(k: i32, a: usize, v: usize, vRow: usize, out: usize): void {
  let c00 = f32x4.splat(0);
  let c01 = c00;
  let c10 = c00;
  let c11 = c00;
  let c20 = c00;
  let c21 = c00;
  let c30 = c00;
  let c31 = c00;
  const end = a + ((<usize>k) << 4);
  for (; a < end; a += 16) {
    const b0 = v128.load(v);
    const b1 = v128.load(v, 16);
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
    v += vRow;
  }
  v128.store(out, c00);
  v128.store(out, c01, 16);
  out += vRow;
  v128.store(out, c10);
  v128.store(out, c11, 16);
  out += vRow;
  v128.store(out, c20);
  v128.store(out, c21, 16);
  out += vRow;
  v128.store(out, c30);
  v128.store(out, c31, 16);
}

/** out [outCh, outH, outW] = Aᵀ M A per tile (tiles from `first` on), plus bias[f] (none when `bias` is 0). */
function transformOutput(outCh: i32, outH: i32, outW: i32, bias: usize, out: usize, first: i32): void {
  const vRow = (<usize>tp) << 2;
  const xiStride = <usize>roundUp(outCh, FR) * vRow;
  const tiles = tilesY * tilesX;
  for (let f = 0; f < outCh; f++) {
    const b = f32x4.splat(bias != 0 ? load<f32>(bias + ((<usize>f) << 2)) : 0);
    const m = mAt + <usize>f * vRow + ((<usize>first) << 2);
    const plane = out + ((<usize>(f * outH * outW)) << 2);
    for (let t = 0; t < tiles; t += 4) {
      const at = m + ((<usize>t) << 2);
      // Along the rows: S[i][k] = Σj M[6i + j] Aᵀ[k][j] ...
      for (let i = 0; i < 6; i++) {
        const mi = at + <usize>(6 * i) * xiStride;
        storeAt(
          sAt + <usize>i * 64,
          16,
          v128.load(mi),
          v128.load(mi + xiStride),
          v128.load(mi + 2 * xiStride),
          v128.load(mi + 3 * xiStride),
          v128.load(mi + 4 * xiStride),
          v128.load(mi + 5 * xiStride),
        );
      }
      // ... and down the columns: Y[r][k] = Σi Aᵀ[r][i] S[i][k].
      for (let k = 0; k < 4; k++) {
        const s = sAt + <usize>k * 16;
        storeAt(
          yAt + <usize>k * 16,
          64,
          v128.load(s),
          v128.load(s, 64),
          v128.load(s, 128),
          v128.load(s, 192),
          v128.load(s, 256),
          v128.load(s, 320),
        );
      }
      storeTiles(plane, outH, outW, t, min(4, tiles - t), b);
    }
  }
}

/**
 * Tiles t .. t + count - 1 from Y (one lane each) into the output plane, plus b. A 4×4 transpose of
 * each row r of Y gives the four pixels of row r of each tile (into `tAt`, [tile][r]); pixels
 * past the image's edge are not stored.
 */
function storeTiles(plane: usize, outH: i32, outW: i32, t: i32, count: i32, b: v128): void {
  for (let r = 0; r < 4; r++) {
    const y = yAt + <usize>r * 64;
    const y0 = v128.load(y);
    const y1 = v128.load(y, 16);
    const y2 = v128.load(y, 32);
    const y3 = v128.load(y, 48);
    const t0 = i32x4.shuffle(y0, y1, 0, 4, 1, 5);
    const t1 = i32x4.shuffle(y2, y3, 0, 4, 1, 5);
    const t2 = i32x4.shuffle(y0, y1, 2, 6, 3, 7);
    const t3 = i32x4.shuffle(y2, y3, 2, 6, 3, 7);
    const row = tAt + <usize>r * 16;
    v128.store(row, f32x4.add(i32x4.shuffle(t0, t1, 0, 1, 4, 5), b));
    v128.store(row, f32x4.add(i32x4.shuffle(t0, t1, 2, 3, 6, 7), b), 64);
    v128.store(row, f32x4.add(i32x4.shuffle(t2, t3, 0, 1, 4, 5), b), 128);
    v128.store(row, f32x4.add(i32x4.shuffle(t2, t3, 2, 3, 6, 7), b), 192);
  }
  let ty = t / tilesX;
  let tx = t - ty * tilesX;
  for (let l = 0; l < count; l++) {
    const rows = min(4, outH - 4 * ty);
    const cols = min(4, outW - 4 * tx);
    const o = plane + ((<usize>(4 * ty * outW + 4 * tx)) << 2);
    const src = tAt + <usize>l * 64;
    for (let r = 0; r < rows; r++) {
      const pixels = v128.load(src + <usize>r * 16);
      storeRun(o + ((<usize>(r * outW)) << 2), pixels, pixels, cols); // cols ≤ 4: the first half only
    }
    if (++tx == tilesX) {
      tx = 0;
      ty++;
    }
  }
}

/**
 * Zeros in every row of V from lane `used` on. The kernels read up to 8 lanes past a group's tiles:
 * there they find these zeros, or, in a short last group, the fuller group's numbers, not whatever
 * the scratch held (which might be NaN: 0 · NaN is NaN in the weight gradient's sums).
 */
function zeroSlack(inCh: i32, used: i32): void {
  const vRow = (<usize>tp) << 2;
  const bytes = (<usize>(tp - used)) << 2;
  for (let row = 0; row < XI * inCh; row++)
    memory.fill(vAt + <usize>row * vRow + ((<usize>used) << 2), 0, bytes);
}

/**
 * out [batch, outCh, H + 2·pad - 2, W + 2·pad - 2] = the 3×3 stride-1 convolution of x [batch,
 * inCh, H, W] zero-bordered by `pad`, with filters w [outCh, inCh, 3, 3] (or, with `flip`, w
 * [inCh, outCh, 3, 3] turned 180°), plus bias [outCh] unless `bias` is 0. `scratch` holds
 * winogradScratchBytes; nothing is written past the last output pixel.
 */
export function winogradConv(
  x: usize,
  batch: i32,
  inCh: i32,
  height: i32,
  width: i32,
  pad: i32,
  outCh: i32,
  w: usize,
  flip: bool,
  bias: usize,
  out: usize,
  scratch: usize,
): void {
  layout(scratch, inCh, height, width, pad, outCh, false);
  const outH = height + 2 * pad - 2;
  const outW = width + 2 * pad - 2;
  transformFilters(w, inCh, outCh, flip);
  memory.fill(planeAt, 0, (<usize>hq * wq) << 2);
  memory.fill(rowsAt, 0, (<usize>36 * rp) << 2); // slack lanes: finite
  zeroSlack(inCh, min(group, batch) * tilesY * tilesX);
  const image = (<usize>(inCh * height * width)) << 2;
  const result = (<usize>(outCh * outH * outW)) << 2;
  const tiles = tilesY * tilesX;
  for (let n0 = 0; n0 < batch; n0 += group) {
    const count = min(group, batch - n0);
    for (let i = 0; i < count; i++)
      transformInput(x + <usize>(n0 + i) * image, inCh, height, width, pad, i * tiles);
    multiply(inCh, outCh, count * tiles);
    for (let i = 0; i < count; i++) {
      transformOutput(outCh, outH, outW, bias, out + <usize>(n0 + i) * result, i * tiles);
    }
  }
}

/*
 * The weight gradient by the same tiles. The forward is linear in g: out tile = Aᵀ [(G g Gᵀ) ⊙ V] A,
 * so the gradient of a tile's loss with respect to g is Gᵀ [(A y Aᵀ) ⊙ V] G, y the tile's 4×4 block
 * of dout; summed over tiles and samples, dw[f, c] = Gᵀ [Σt Y[·][f][t] · V[·][c][t]] G: 36 sums of
 * products over the tiles instead of 9 over every pixel (16 of them a tile): 4× fewer multiply-adds.
 */

/** A times (y0 .. y3) (A = Aᵀ's transpose, 6×4), four tiles a lane, stored `stride` bytes apart. */
// @ts-ignore: decorator
@inline
function storeA(at: usize, stride: usize, y0: v128, y1: v128, y2: v128, y3: v128): void {
  const even = f32x4.add(y0, y2);
  const odd = f32x4.add(y1, y3);
  const even4 = f32x4.add(y0, f32x4.mul(f32x4.splat(4), y2));
  const odd8 = f32x4.add(f32x4.add(y1, y1), f32x4.mul(f32x4.splat(8), y3));
  v128.store(at, y0);
  v128.store(at + stride, f32x4.add(even, odd));
  v128.store(at + 2 * stride, f32x4.sub(even, odd));
  v128.store(at + 3 * stride, f32x4.add(even4, odd8));
  v128.store(at + 4 * stride, f32x4.sub(even4, odd8));
  v128.store(at + 5 * stride, y3);
}

/**
 * Y[ξ][f][first + t] = (A y Aᵀ)[ξ] (in the M block) for every filter f and tile t of one dout image
 * [outCh, outH, outW]; pixels past its edge read 0. As in transformInput, four consecutive tiles
 * share a v128, rows first (into doutRows [i][j][t]), then down the columns.
 */
function transformDout(dout: usize, outCh: i32, outH: i32, outW: i32, first: i32): void {
  const vRow = (<usize>tp) << 2;
  const xiStride = <usize>roundUp(outCh, FR) * vRow;
  const block = (<usize>rp) << 2;
  const tiles = tilesY * tilesX;
  for (let f = 0; f < outCh; f++) {
    const src = dout + ((<usize>(f * outH * outW)) << 2);
    for (let y = 0; y < outH; y++) {
      copyRow(src + ((<usize>y * outW) << 2), doutPlaneAt + ((<usize>y * wq) << 2), outW);
    }
    for (let r = 0; r < 4 * tilesY; r++) {
      const row = doutPlaneAt + ((<usize>r * wq) << 2);
      const dst = doutRowsAt + <usize>(6 * (r & 3)) * block + ((<usize>((r >> 2) * tilesX)) << 2);
      for (let tx = 0; tx < tilesX; tx += 4) {
        const src = row + ((<usize>tx) << 4);
        const a0 = v128.load(src);
        const a1 = v128.load(src, 16);
        const a2 = v128.load(src, 32);
        const a3 = v128.load(src, 48);
        const t0 = i32x4.shuffle(a0, a1, 0, 4, 1, 5);
        const t1 = i32x4.shuffle(a2, a3, 0, 4, 1, 5);
        const t2 = i32x4.shuffle(a0, a1, 2, 6, 3, 7);
        const t3 = i32x4.shuffle(a2, a3, 2, 6, 3, 7);
        storeA(
          dst + ((<usize>tx) << 2),
          block,
          i32x4.shuffle(t0, t1, 0, 1, 4, 5),
          i32x4.shuffle(t0, t1, 2, 3, 6, 7),
          i32x4.shuffle(t2, t3, 0, 1, 4, 5),
          i32x4.shuffle(t2, t3, 2, 3, 6, 7),
        );
      }
    }
    const yf = mAt + <usize>f * vRow + ((<usize>first) << 2);
    const rows = <usize>6 * block;
    for (let j = 0; j < 6; j++) {
      const column = doutRowsAt + <usize>j * block;
      for (let t = 0; t < tiles; t += 4) {
        const at = column + ((<usize>t) << 2);
        storeA(
          yf + <usize>j * xiStride + ((<usize>t) << 2),
          6 * xiStride,
          v128.load(at),
          v128.load(at + rows),
          v128.load(at + 2 * rows),
          v128.load(at + 3 * rows),
        );
      }
    }
  }
}

/** partial[ξ][f][c] += Σt Y[ξ][f][t] · V[ξ][c][t] over the first `tiles` (4-lane sums, direct-conv's 4×2 kernel). */
function accumulateWeights(inCh: i32, outCh: i32, tiles: i32): void {
  const vRow = (<usize>tp) << 2;
  const outPad = roundUp(outCh, FR);
  const r = roundUp(tiles, 4);
  const stride = (<usize>(inCh + 1)) << 4;
  for (let xi = 0; xi < XI; xi++) {
    const v = vAt + <usize>(xi * inCh) * vRow;
    const y = mAt + <usize>(xi * outPad) * vRow;
    const part = partialAt + <usize>(xi * outPad) * stride;
    for (let f = 0; f < outCh; f += FR) {
      for (let c = 0; c < inCh; c += 2) {
        const xa = v + <usize>c * vRow;
        dwTile4x2(
          y + <usize>f * vRow,
          vRow,
          1,
          r,
          xa,
          xa + vRow,
          0,
          part + <usize>f * stride + ((<usize>c) << 4),
          stride,
        );
      }
    }
  }
}

/** Gᵀ times (p0 .. p5), row k (0, 1 or 2). */
// @ts-ignore: decorator
@inline
function gtRow(k: i32, p0: f32, p1: f32, p2: f32, p3: f32, p4: f32, p5: f32): f32 {
  const sixth: f32 = 1.0 / 6.0;
  if (k == 0) return p0 * 0.25 - (p1 + p2) * sixth + (p3 + p4) * (1.0 / 24.0);
  if (k == 1) return (p2 - p1) * sixth + (p3 - p4) * (1.0 / 12.0);
  return (p3 + p4 - p1 - p2) * sixth + p5;
}

/** dw[f, c] (+)= Gᵀ P G, P[ξ] the lane sums of partial[ξ][f][c] (6×6 → 3×3). */
function foldWeights(inCh: i32, outCh: i32, dw: usize, accumulate: bool): void {
  const stride = (<usize>(inCh + 1)) << 4;
  const xiStride = <usize>roundUp(outCh, FR) * stride;
  const p = planeAt; // P: 36 floats, then Gᵀ P: 18 floats (the plane is free by now)
  const q = planeAt + 144;
  for (let f = 0; f < outCh; f++) {
    for (let c = 0; c < inCh; c++) {
      const sums = partialAt + <usize>f * stride + ((<usize>c) << 4);
      for (let xi = 0; xi < XI; xi++) {
        const v = v128.load(sums + <usize>xi * xiStride);
        const s =
          f32x4.extract_lane(v, 0) +
          f32x4.extract_lane(v, 1) +
          (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
        store<f32>(p + ((<usize>xi) << 2), s);
      }
      // Q = Gᵀ P column by column, then dw = Q G row by row.
      for (let j = 0; j < 6; j++) {
        const col = p + ((<usize>j) << 2);
        for (let k = 0; k < 3; k++) {
          const v = gtRow(
            k,
            load<f32>(col),
            load<f32>(col, 24),
            load<f32>(col, 48),
            load<f32>(col, 72),
            load<f32>(col, 96),
            load<f32>(col, 120),
          );
          store<f32>(q + ((<usize>(6 * k + j)) << 2), v);
        }
      }
      const g = dw + ((<usize>(f * inCh + c) * 9) << 2);
      for (let y = 0; y < 3; y++) {
        const row = q + ((<usize>(6 * y)) << 2);
        for (let x = 0; x < 3; x++) {
          const v = gtRow(
            x,
            load<f32>(row),
            load<f32>(row, 4),
            load<f32>(row, 8),
            load<f32>(row, 12),
            load<f32>(row, 16),
            load<f32>(row, 20),
          );
          const at = g + ((<usize>(3 * y + x)) << 2);
          store<f32>(at, accumulate ? load<f32>(at) + v : v);
        }
      }
    }
  }
}

/**
 * dw [outCh, inCh, 3, 3] (+)= Σn dout[n] ⋆ x[n] for the 3×3 stride-1 convolution of `winogradConv`
 * (x [batch, inCh, height, width] bordered by `pad`, dout [batch, outCh, H + 2·pad - 2, W + 2·pad - 2]).
 * `scratch` holds winogradScratchBytes(…, true).
 */
export function winogradWeights(
  x: usize,
  dout: usize,
  batch: i32,
  inCh: i32,
  height: i32,
  width: i32,
  pad: i32,
  outCh: i32,
  dw: usize,
  accumulate: bool,
  scratch: usize,
): void {
  layout(scratch, inCh, height, width, pad, outCh, true);
  const outH = height + 2 * pad - 2;
  const outW = width + 2 * pad - 2;
  const outPad = roundUp(outCh, FR);
  const yBytes = (<usize>XI * outPad * tp) << 2;
  // Lanes past the tiles: zeros in Y, and finite numbers in V, so they add nothing.
  zeroSlack(inCh, min(group, batch) * tilesY * tilesX);
  memory.fill(mAt, 0, yBytes);
  memory.fill(partialAt, 0, (<usize>XI * outPad * (inCh + 1)) << 4);
  // The planes' borders and the row blocks' slack: every image then writes only their insides.
  memory.fill(planeAt, 0, (<usize>hq * wq) << 2);
  memory.fill(rowsAt, 0, (<usize>36 * rp) << 2);
  memory.fill(doutPlaneAt, 0, (<usize>(4 * tilesY) * wq) << 2);
  memory.fill(doutRowsAt, 0, (<usize>24 * rp) << 2);
  const tiles = tilesY * tilesX;
  const image = (<usize>(inCh * height * width)) << 2;
  const result = (<usize>(outCh * outH * outW)) << 2;
  for (let n0 = 0; n0 < batch; n0 += group) {
    const count = min(group, batch - n0);
    // A short last group: the 4×2 kernel sums up to 3 lanes past its tiles, which the fuller group
    // before it may have filled.
    if (count < group && n0 > 0) memory.fill(mAt, 0, yBytes);
    for (let i = 0; i < count; i++) {
      transformInput(x + <usize>(n0 + i) * image, inCh, height, width, pad, i * tiles);
      transformDout(dout + <usize>(n0 + i) * result, outCh, outH, outW, i * tiles);
    }
    accumulateWeights(inCh, outCh, count * tiles);
  }
  foldWeights(inCh, outCh, dw, accumulate);
}
