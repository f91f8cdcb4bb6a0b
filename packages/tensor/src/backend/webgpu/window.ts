import type { ConvGeometry } from '../kernels.js';
import type { GpuArray } from './buffers.js';
import { linearMain, needDType, needFloat32, needLength } from './check.js';
import type { GpuRuntime, KernelSpec, ParamType, ParamValues } from './runtime.js';

/** WGSL: output element i's window — its column, row and plane, and its top-left corner in the padded input. */
const WINDOW_ORIGIN = `  let ox = i % P.outW;
  let oy = (i / P.outW) % P.outH;
  let plane = i / (P.outW * P.outH);
  let y0 = i32(oy * P.stride) - i32(P.pad);
  let x0 = i32(ox * P.stride) - i32(P.pad);
`;

/**
 * Sliding-window kernels over `[N, C, H, W]`: im2col, col2im, max and average pooling, forward and
 * backward, with the js kernels' semantics (`js/window.ts`). Every output is computed by one
 * invocation that **gathers** what it needs, so nothing is added from two places at once: col2im
 * and average pooling's backward visit the windows covering their pixel in the order the js kernels
 * add them (ascending window row, then column), and max pooling's backward, which knows no
 * geometry, first links each pixel to the outputs that chose it (integer atomic exchanges into a
 * per-pixel list head) and then sums each list in ascending output order. Results are therefore the
 * same on every run, and col2im and max pooling's backward equal the js kernels' bit for bit.
 */

export const GEOMETRY_PARAMS: readonly (readonly [string, ParamType])[] = [
  ['batch', 'u32'],
  ['C', 'u32'],
  ['H', 'u32'],
  ['W', 'u32'],
  ['FH', 'u32'],
  ['FW', 'u32'],
  ['stride', 'u32'],
  ['pad', 'u32'],
  ['outH', 'u32'],
  ['outW', 'u32'],
];

export function geometryValues(g: ConvGeometry): ParamValues {
  return {
    batch: g.batch,
    C: g.channels,
    H: g.height,
    W: g.width,
    FH: g.filterH,
    FW: g.filterW,
    stride: g.stride,
    pad: g.pad,
    outH: g.outH,
    outW: g.outW,
  };
}

/**
 * WGSL: the im2col matrix's entry for sample `n`, position `s` (= oy·outW + ox) and column `c`
 * (= (ch·FH + fy)·FW + fx), read from binding `x` (0 in the padding). Conv kernels use it to read
 * their im2col operand without building it.
 */
export const IM2COL_AT = `
fn im2col_at(n: u32, s: u32, c: u32) -> f32 {
  let oy = s / P.outW;
  let ox = s % P.outW;
  let window = P.FH * P.FW;
  let ch = c / window;
  let f = c % window;
  let iy = i32(oy * P.stride + f / P.FW) - i32(P.pad);
  let ix = i32(ox * P.stride + f % P.FW) - i32(P.pad);
  if (iy < 0 || ix < 0 || iy >= i32(P.H) || ix >= i32(P.W)) { return 0.0; }
  return x_ld(((n * P.C + ch) * P.H + u32(iy)) * P.W + u32(ix));
}`;

/**
 * WGSL: the windows covering pixel `y` of an axis, as the range of window rows `[lo, hi]` (empty
 * when lo > hi); row `o` reads the pixel at filter offset `y + pad - o·stride`.
 */
const COVER = `
fn cover(y: u32, F: u32, out: u32) -> vec2i {
  let top = i32(y + P.pad) - i32(F) + 1;
  var lo = 0;
  if (top > 0) { lo = (top + i32(P.stride) - 1) / i32(P.stride); }
  let hi = min(i32(y + P.pad) / i32(P.stride), i32(out) - 1);
  return vec2i(lo, hi);
}`;

export type WindowKernels = ReturnType<typeof createWindow>;

export function createWindow(rt: GpuRuntime) {
  const specs = new Map<string, KernelSpec>();
  const spec = (s: KernelSpec): KernelSpec => {
    const cached = specs.get(s.key);
    if (cached) return cached;
    specs.set(s.key, s);
    return s;
  };
  const params: readonly (readonly [string, ParamType])[] = [
    ['n', 'u32'],
    ...GEOMETRY_PARAMS,
    ['flag', 'u32'],
  ];
  const sizes = (g: ConvGeometry) => ({
    image: g.batch * g.channels * g.height * g.width,
    pooled: g.batch * g.channels * g.outH * g.outW,
    col: g.batch * g.outH * g.outW * g.channels * g.filterH * g.filterW,
  });

  function im2col(x: GpuArray, g: ConvGeometry, col: GpuArray): void {
    const { image, col: n } = sizes(g);
    needFloat32('im2col', { x: [x, image], col: [col, n] });
    const s = spec({
      name: 'im2col',
      key: 'im2col',
      bindings: [
        { name: 'x', access: 'read', dtype: 'float32' },
        { name: 'col', access: 'write', dtype: 'float32' },
      ],
      params,
      body:
        IM2COL_AT +
        linearMain(`  let K = P.C * P.FH * P.FW;
  let r = i / K;
  let S = P.outH * P.outW;
  col_st(i, im2col_at(r / S, r % S, i % K));`),
    });
    rt.dispatch(s, [x, col], { n, ...geometryValues(g), flag: 0 }, rt.grid(n, 64));
  }

  function col2im(col: GpuArray, g: ConvGeometry, img: GpuArray, accumulate: boolean): void {
    const { image, col: n } = sizes(g);
    needFloat32('col2im', { col: [col, n], img: [img, image] });
    const s = spec({
      name: 'col2im',
      key: 'col2im',
      bindings: [
        { name: 'col', access: 'read', dtype: 'float32' },
        { name: 'img', access: 'write', dtype: 'float32' },
      ],
      params,
      body: `${COVER}
${linearMain(`  let x = i % P.W;
  let y = (i / P.W) % P.H;
  let ch = (i / (P.W * P.H)) % P.C;
  let b = i / (P.W * P.H * P.C);
  let K = P.C * P.FH * P.FW;
  var sum = 0.0;
  if (P.flag == 1u) { sum = img_ld(i); }
  let ry = cover(y, P.FH, P.outH);
  let rx = cover(x, P.FW, P.outW);
  for (var oy = ry.x; oy <= ry.y; oy++) {
    let fy = y + P.pad - u32(oy) * P.stride;
    for (var ox = rx.x; ox <= rx.y; ox++) {
      let fx = x + P.pad - u32(ox) * P.stride;
      let row = (b * P.outH + u32(oy)) * P.outW + u32(ox);
      sum += col_ld(row * K + (ch * P.FH + fy) * P.FW + fx);
    }
  }
  img_st(i, sum);`)}`,
    });
    rt.dispatch(
      s,
      [col, img],
      { n: image, ...geometryValues(g), flag: accumulate ? 1 : 0 },
      rt.grid(image, 64),
    );
  }

  function maxPool(x: GpuArray, g: ConvGeometry, out: GpuArray, argmax: GpuArray): void {
    const { image, pooled } = sizes(g);
    needFloat32('maxPool', { x: [x, image], out: [out, pooled] });
    needDType('maxPool', 'argmax', argmax, 'int32');
    needLength('maxPool', 'argmax', argmax, pooled);
    const s = spec({
      name: 'maxPool',
      key: 'maxPool',
      bindings: [
        { name: 'x', access: 'read', dtype: 'float32' },
        { name: 'out', access: 'write', dtype: 'float32' },
        { name: 'argmax', access: 'write', dtype: 'int32' },
      ],
      params,
      body: linearMain(`${WINDOW_ORIGIN}  let fy0 = max(0, -y0);
  let fy1 = min(i32(P.FH), i32(P.H) - y0);
  let fx0 = max(0, -x0);
  let fx1 = min(i32(P.FW), i32(P.W) - x0);
  var best = 0.0;
  var at = -1;
  for (var fy = fy0; fy < fy1; fy++) {
    let row = i32(plane * P.H * P.W) + (y0 + fy) * i32(P.W) + x0;
    for (var fx = fx0; fx < fx1; fx++) {
      let v = x_ld(u32(row + fx));
      // The first maximum wins a tie; the first NaN wins and stays.
      if (at < 0 || v > best || (is_nan(v) && !is_nan(best))) {
        best = v;
        at = row + fx;
      }
    }
  }
  out_st(i, best);
  argmax_st(i, at);`),
    });
    rt.dispatch(s, [x, out, argmax], { n: pooled, ...geometryValues(g), flag: 0 }, rt.grid(pooled, 64));
  }

  function maxPoolBackward(dout: GpuArray, argmax: GpuArray, dx: GpuArray): void {
    needFloat32('maxPoolBackward', { dout: [dout, dout.length], dx: [dx, dx.length] });
    needDType('maxPoolBackward', 'argmax', argmax, 'int32');
    needLength('maxPoolBackward', 'argmax', argmax, dout.length);
    const n = dout.length;
    const pixels = dx.length;
    // List heads hold 1 + the output index (0: empty); `next` chains the outputs of one pixel.
    const head = rt.alloc('int32', pixels, true);
    const next = rt.alloc('int32', Math.max(n, 1), false);
    const link = spec({
      name: 'maxPoolBackward link',
      key: 'maxPoolBackward link',
      bindings: [
        { name: 'argmax', access: 'read', dtype: 'int32' },
        { name: 'head', access: 'atomic', dtype: 'int32' },
        { name: 'next', access: 'write', dtype: 'int32' },
      ],
      params: [
        ['n', 'u32'],
        ['pixels', 'u32'],
      ],
      body: linearMain(`  let at = argmax_ld(i);
  // Indices outside dx are dropped, as a typed array drops writes past its end.
  if (at >= 0 && u32(at) < P.pixels) { next_st(i, i32(head_xchg(u32(at), i + 1u))); }`),
    });
    const gather = spec({
      name: 'maxPoolBackward',
      key: 'maxPoolBackward gather',
      bindings: [
        { name: 'dout', access: 'read', dtype: 'float32' },
        { name: 'head', access: 'atomic', dtype: 'int32' },
        { name: 'next', access: 'read', dtype: 'int32' },
        { name: 'dx', access: 'write', dtype: 'float32' },
      ],
      params: [
        ['n', 'u32'],
        ['pixels', 'u32'],
      ],
      body: linearMain(`  let first = head_load(i);
  var sum = 0.0;
  var after = 0u; // outputs below this index are summed already
  loop {
    // The smallest output index >= after in this pixel's list: the js kernel's order.
    var pick = 0xffffffffu;
    var node = first;
    while (node != 0u) {
      let o = node - 1u;
      if (o >= after && o < pick) { pick = o; }
      node = u32(next_ld(o));
    }
    if (pick == 0xffffffffu) { break; }
    sum += dout_ld(pick);
    after = pick + 1u;
  }
  dx_st(i, sum);`),
    });
    rt.dispatch(link, [argmax, head, next], { n, pixels }, rt.grid(n, 64));
    rt.dispatch(gather, [dout, head, next, dx], { n: pixels, pixels }, rt.grid(pixels, 64));
    rt.release(head);
    rt.release(next);
  }

  function avgPool(x: GpuArray, g: ConvGeometry, out: GpuArray): void {
    const { image, pooled } = sizes(g);
    needFloat32('avgPool', { x: [x, image], out: [out, pooled] });
    const s = spec({
      name: 'avgPool',
      key: 'avgPool',
      bindings: [
        { name: 'x', access: 'read', dtype: 'float32' },
        { name: 'out', access: 'write', dtype: 'float32' },
      ],
      params,
      body: linearMain(`${WINDOW_ORIGIN}  var sum = 0.0;
  for (var fy = max(0, -y0); fy < min(i32(P.FH), i32(P.H) - y0); fy++) {
    let row = i32(plane * P.H * P.W) + (y0 + fy) * i32(P.W) + x0;
    for (var fx = max(0, -x0); fx < min(i32(P.FW), i32(P.W) - x0); fx++) { sum += x_ld(u32(row + fx)); }
  }
  out_st(i, sum / f32(P.FH * P.FW));`),
    });
    rt.dispatch(s, [x, out], { n: pooled, ...geometryValues(g), flag: 0 }, rt.grid(pooled, 64));
  }

  function avgPoolBackward(dout: GpuArray, g: ConvGeometry, dx: GpuArray): void {
    const { image, pooled } = sizes(g);
    needFloat32('avgPoolBackward', { dout: [dout, pooled], dx: [dx, image] });
    const s = spec({
      name: 'avgPoolBackward',
      key: 'avgPoolBackward',
      bindings: [
        { name: 'dout', access: 'read', dtype: 'float32' },
        { name: 'dx', access: 'write', dtype: 'float32' },
      ],
      params,
      body: `${COVER}
${linearMain(`  let x = i % P.W;
  let y = (i / P.W) % P.H;
  let plane = i / (P.W * P.H);
  let scale = 1.0 / f32(P.FH * P.FW);
  var sum = 0.0;
  let ry = cover(y, P.FH, P.outH);
  let rx = cover(x, P.FW, P.outW);
  for (var oy = ry.x; oy <= ry.y; oy++) {
    for (var ox = rx.x; ox <= rx.y; ox++) {
      sum += dout_ld((plane * P.outH + u32(oy)) * P.outW + u32(ox)) * scale;
    }
  }
  dx_st(i, sum);`)}`,
    });
    rt.dispatch(s, [dout, dx], { n: image, ...geometryValues(g), flag: 0 }, rt.grid(image, 64));
  }

  return { im2col, col2im, maxPool, maxPoolBackward, avgPool, avgPoolBackward };
}
