import type { ConvBackwardArgs, ConvForwardArgs } from '../kernels.js';
import { needFloat32 } from './check.js';
import { PRODUCT_PARAMS, productGrid, tiledProductBody, type Tile } from './gemm.js';
import type { GpuRuntime, KernelSpec } from './runtime.js';
import type { OnGpu } from './types.js';
import { GEOMETRY_PARAMS, IM2COL_AT, geometryValues, type WindowKernels } from './window.js';

/**
 * Convolution forward and backward as implicit GEMMs on the tiled product of `gemm.ts`: the im2col
 * operand is gathered from `x` inside the product's loader (`IM2COL_AT`), so no im2col matrix is
 * built. Forward: `out[n] = w · im2col(x[n])ᵀ + b`, samples in the grid's z. dw: one product over
 * all samples' positions, `dw = Σn dout[n] · im2col(x[n])` (k = N·S). db: a workgroup per filter
 * summing its N·S gradients in a fixed tree. dx: `dcol = doutᵀ · w` into a pooled scratch matrix,
 * then col2im's gather. Everything runs in a fixed order: results repeat exactly.
 */

export type GpuConvForwardArgs = OnGpu<ConvForwardArgs>;
export type GpuConvBackwardArgs = OnGpu<ConvBackwardArgs>;

const PARAMS = [...PRODUCT_PARAMS, ...GEOMETRY_PARAMS, ['filters', 'u32'], ['flag', 'u32']] as const;

export function createConv(
  rt: GpuRuntime,
  tile: Tile,
  window: WindowKernels,
): {
  convForward: (args: GpuConvForwardArgs) => void;
  convBackward: (args: GpuConvBackwardArgs) => void;
} {
  const forward: KernelSpec = {
    name: 'convForward',
    key: `convForward ${tile.T}x${tile.R}`,
    bindings: [
      { name: 'x', access: 'read', dtype: 'float32' },
      { name: 'w', access: 'read', dtype: 'float32' },
      { name: 'b', access: 'read', dtype: 'float32' },
      { name: 'out', access: 'write', dtype: 'float32' },
    ],
    params: PARAMS,
    body: tiledProductBody(
      tile,
      `${IM2COL_AT}
fn load_a(row: u32, k: u32) -> f32 { return w_ld(row * P.K + k); }
fn load_b(k: u32, col: u32) -> f32 { return im2col_at(sample, col, k); }
fn store(row: u32, col: u32, acc: f32) { out_st((sample * P.M + row) * P.N + col, acc + b_ld(row)); }`,
    ),
  };
  // dw [FN, K] = Σ over (n, s) of dout[n, f, s] · im2col(x)[n, s, k]: the product's k runs over N·S.
  const backwardW: KernelSpec = {
    name: 'convBackward dw',
    key: `convBackward dw ${tile.T}x${tile.R}`,
    bindings: [
      { name: 'x', access: 'read', dtype: 'float32' },
      { name: 'dout', access: 'read', dtype: 'float32' },
      { name: 'dw', access: 'write', dtype: 'float32' },
    ],
    params: PARAMS,
    body: tiledProductBody(
      tile,
      `${IM2COL_AT}
fn load_a(row: u32, k: u32) -> f32 {
  let S = P.outH * P.outW;
  return dout_ld(((k / S) * P.filters + row) * S + k % S);
}
fn load_b(k: u32, col: u32) -> f32 {
  let S = P.outH * P.outW;
  return im2col_at(k / S, k % S, col);
}
fn store(row: u32, col: u32, acc: f32) {
  let at = row * P.N + col;
  if (P.flag == 1u) { dw_st(at, dw_ld(at) + acc); } else { dw_st(at, acc); }
}`,
    ),
  };
  // dcol [N·S, K] = dout viewed as [(n, s), f] · w [f, K].
  const backwardCol: KernelSpec = {
    name: 'convBackward dx',
    key: `convBackward dcol ${tile.T}x${tile.R}`,
    bindings: [
      { name: 'dout', access: 'read', dtype: 'float32' },
      { name: 'w', access: 'read', dtype: 'float32' },
      { name: 'dcol', access: 'write', dtype: 'float32' },
    ],
    params: PARAMS,
    body: tiledProductBody(
      tile,
      `
fn load_a(row: u32, k: u32) -> f32 {
  let S = P.outH * P.outW;
  return dout_ld(((row / S) * P.filters + k) * S + row % S);
}
fn load_b(k: u32, col: u32) -> f32 { return w_ld(k * P.N + col); }
fn store(row: u32, col: u32, acc: f32) { dcol_st(row * P.N + col, acc); }`,
    ),
  };
  const WG = 64;
  const backwardB: KernelSpec = {
    name: 'convBackward db',
    key: 'convBackward db',
    bindings: [
      { name: 'dout', access: 'read', dtype: 'float32' },
      { name: 'db', access: 'write', dtype: 'float32' },
    ],
    params: PARAMS,
    body: `var<workgroup> part: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  let f = wid.x;
  let S = P.outH * P.outW;
  let count = P.batch * S;
  var sum = 0.0;
  for (var k = lid.x; k < count; k += ${WG}u) { sum += dout_ld(((k / S) * P.filters + f) * S + k % S); }
  part[lid.x] = sum;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid.x < s) { part[lid.x] += part[lid.x + s]; }
    workgroupBarrier();
  }
  if (lid.x == 0u) {
    if (P.flag == 1u) { db_st(f, db_ld(f) + part[0]); } else { db_st(f, part[0]); }
  }
}`,
  };

  function convForward({ g, filters, x, w, b, out }: GpuConvForwardArgs): void {
    const S = g.outH * g.outW;
    const K = g.channels * g.filterH * g.filterW;
    needFloat32('convForward', {
      x: [x, g.batch * g.channels * g.height * g.width],
      w: [w, filters * K],
      b: [b, filters],
      out: [out, g.batch * filters * S],
    });
    rt.dispatch(
      forward,
      [x, w, b, out],
      { M: filters, N: S, K, ...geometryValues(g), filters, flag: 0 },
      productGrid(tile, filters, S, g.batch),
    );
  }

  function convBackward(args: GpuConvBackwardArgs): void {
    const { g, filters, x, w, dout, dw, db, dx, accumulate } = args;
    const S = g.outH * g.outW;
    const K = g.channels * g.filterH * g.filterW;
    const image = g.batch * g.channels * g.height * g.width;
    needFloat32('convBackward', {
      x: [x, image],
      w: [w, filters * K],
      dout: [dout, g.batch * filters * S],
      dw: [dw, filters * K],
      db: [db, filters],
      ...(dx ? { dx: [dx, image] } : {}),
    });
    const geometry = { ...geometryValues(g), filters, flag: accumulate ? 1 : 0 };
    rt.dispatch(backwardB, [dout, db], { M: 0, N: 0, K: 0, ...geometry }, [filters]);
    rt.dispatch(
      backwardW,
      [x, dout, dw],
      { M: filters, N: K, K: g.batch * S, ...geometry },
      productGrid(tile, filters, K),
    );
    if (!dx) return;
    const rows = g.batch * S;
    const dcol = rt.alloc('float32', rows * K, false);
    rt.dispatch(
      backwardCol,
      [dout, w, dcol],
      { M: rows, N: K, K: filters, ...geometry },
      productGrid(tile, rows, K),
    );
    window.col2im(dcol, g, dx, false);
    rt.release(dcol);
  }

  return { convForward, convBackward };
}
