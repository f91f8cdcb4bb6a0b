import type { GemmArgs } from '../kernels.js';
import type { GpuArray } from './buffers.js';
import { needFloat32 } from './check.js';
import type { BindingSpec, GpuRuntime, KernelSpec, ParamType } from './runtime.js';

/**
 * Tiled matrix products. One template (`tiledProductBody`) serves GEMM and the convolution kernels:
 * each workgroup computes a `BM × BN` block of the result, staging `BK`-deep slices of both operands
 * in workgroup memory, and each invocation accumulates an `R × R` block of it in registers (float32,
 * in a fixed order: results are the same run after run). What differs between the users is only how
 * an element of each operand is found (`load_a(row, k)`, `load_b(k, col)`: a transpose, an im2col
 * gather) and how a result is stored (`store(row, col, acc)`: alpha/beta, a bias). Edges are
 * zero-filled, so any m, n, k works. `z` of the grid is free for batching (convolution: samples).
 */

export interface Tile {
  /** Invocations per side of the workgroup (T × T). */
  T: number;
  /** Results per invocation per side. */
  R: number;
}

/**
 * A caller's tile (`WebGpuBackendOptions.tile`, e.g. a benchmark sweeping tile sizes on a real GPU)
 * checked against the device, or one line saying which limit it breaks: the kernels would otherwise
 * fail validation only when first dispatched.
 */
export function checkTile(tile: Tile, limits: GPUSupportedLimits): Tile {
  const { T, R } = tile;
  const bad = (why: string): never => {
    throw new RangeError(`webgpu tile ${T}x${R}: ${why}`);
  };
  if (!Number.isInteger(T) || !Number.isInteger(R) || T < 1 || R < 1)
    bad('T and R must be positive integers');
  if (T * T > limits.maxComputeInvocationsPerWorkgroup) {
    bad(`${T * T} invocations exceed the device's ${limits.maxComputeInvocationsPerWorkgroup} per workgroup`);
  }
  if (T > limits.maxComputeWorkgroupSizeX || T > limits.maxComputeWorkgroupSizeY) {
    bad(`a side of ${T} exceeds the device's workgroup size`);
  }
  const bytes = 2 * T * R * T * 4;
  if (bytes > limits.maxComputeWorkgroupStorageSize) {
    bad(`its staging tiles take ${bytes} bytes; the device has ${limits.maxComputeWorkgroupStorageSize}`);
  }
  return { T, R };
}

/** The largest tile the device allows: 16 × 16 invocations of 4 × 4 results, else 8 × 8. */
export function chooseTile(limits: GPUSupportedLimits): Tile {
  const T = limits.maxComputeInvocationsPerWorkgroup >= 256 && limits.maxComputeWorkgroupSizeX >= 16 ? 16 : 8;
  const R = 4;
  // Two T·R × T staging tiles of f32 must fit the workgroup memory.
  if (2 * T * R * T * 4 > limits.maxComputeWorkgroupStorageSize) return { T: 8, R: 2 };
  return { T, R };
}

/**
 * The WGSL of a tiled product. `loaders` defines `load_a(row: u32, k: u32) -> f32` (row < M),
 * `load_b(k: u32, col: u32) -> f32` (col < N), `store(row: u32, col: u32, acc: f32)` and may use
 * `sample` (the grid's z); `P.M`, `P.N`, `P.K` bound the product.
 */
export function tiledProductBody({ T, R }: Tile, loaders: string): string {
  const B = T * R;
  return `const T: u32 = ${T}u;
const R: u32 = ${R}u;
const BM: u32 = ${B}u;
const BK: u32 = ${T}u;
var<workgroup> As: array<f32, ${B * T}>; // [BK][BM]
var<workgroup> Bs: array<f32, ${B * T}>; // [BK][BN]
var<private> sample: u32;
${loaders}
@compute @workgroup_size(${T}, ${T})
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u) {
  sample = wid.z;
  let row0 = wid.y * BM;
  let col0 = wid.x * BM;
  let tid = lid.y * T + lid.x;
  var acc: array<f32, ${R * R}>;
  for (var i = 0u; i < R * R; i++) { acc[i] = 0.0; }
  for (var k0 = 0u; k0 < P.K; k0 += BK) {
    // Each invocation stages R elements of each operand; outside the matrices they are 0.
    for (var e = 0u; e < R; e++) {
      let idx = tid + e * T * T;
      let kk = idx / BM;
      let mm = idx % BM;
      let r = row0 + mm;
      let c = col0 + mm;
      let k = k0 + kk;
      var va = 0.0;
      var vb = 0.0;
      if (k < P.K) {
        if (r < P.M) { va = load_a(r, k); }
        if (c < P.N) { vb = load_b(k, c); }
      }
      As[kk * BM + mm] = va;
      Bs[kk * BM + mm] = vb;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      var a: array<f32, ${R}>;
      var b: array<f32, ${R}>;
      for (var i = 0u; i < R; i++) {
        a[i] = As[kk * BM + lid.y * R + i];
        b[i] = Bs[kk * BM + lid.x * R + i];
      }
      for (var i = 0u; i < R; i++) {
        for (var j = 0u; j < R; j++) { acc[i * R + j] = fma(a[i], b[j], acc[i * R + j]); }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < R; i++) {
    let r = row0 + lid.y * R + i;
    if (r >= P.M) { break; }
    for (var j = 0u; j < R; j++) {
      let c = col0 + lid.x * R + j;
      if (c < P.N) { store(r, c, acc[i * R + j]); }
    }
  }
}`;
}

/** The grid of a tiled product of M × N (× `batch` in z). */
export function productGrid(tile: Tile, M: number, N: number, batch = 1): number[] {
  const B = tile.T * tile.R;
  return [Math.ceil(N / B), Math.ceil(M / B), batch];
}

export const PRODUCT_PARAMS: readonly (readonly [string, ParamType])[] = [
  ['M', 'u32'],
  ['N', 'u32'],
  ['K', 'u32'],
];

export type GpuGemmArgs = Omit<GemmArgs, 'a' | 'b' | 'c'> & { a: GpuArray; b: GpuArray; c: GpuArray };

export function createGemm(rt: GpuRuntime, tile: Tile): (args: GpuGemmArgs) => void {
  const specs = new Map<string, KernelSpec>();
  const bindings: BindingSpec[] = [
    { name: 'a', access: 'read', dtype: 'float32' },
    { name: 'b', access: 'read', dtype: 'float32' },
    { name: 'c', access: 'write', dtype: 'float32' },
  ];
  function spec(transA: boolean, transB: boolean, accumulate: boolean): KernelSpec {
    const key = `gemm ${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${accumulate ? 'beta' : 'overwrite'} ${tile.T}x${tile.R}`;
    let s = specs.get(key);
    if (s) return s;
    // beta = 0 never reads c, so NaN or garbage there is overwritten, as the contract says.
    const loaders = `
fn load_a(row: u32, k: u32) -> f32 { return a_ld(${transA ? 'k * P.M + row' : 'row * P.K + k'}); }
fn load_b(k: u32, col: u32) -> f32 { return b_ld(${transB ? 'col * P.K + k' : 'k * P.N + col'}); }
fn store(row: u32, col: u32, acc: f32) {
  let at = row * P.N + col;
  c_st(at, ${accumulate ? 'P.alpha * acc + P.beta * c_ld(at)' : 'P.alpha * acc'});
}`;
    s = {
      name: 'gemm',
      key,
      bindings,
      params: [...PRODUCT_PARAMS, ['alpha', 'f32'], ['beta', 'f32']],
      body: tiledProductBody(tile, loaders),
    };
    specs.set(key, s);
    return s;
  }
  return ({ m, n, k, transA, transB, alpha, beta, a, b, c }) => {
    needFloat32('gemm', { a: [a, m * k], b: [b, k * n], c: [c, m * n] });
    if (c.buffer === a.buffer || c.buffer === b.buffer) {
      throw new Error('webgpu gemm: c shares a buffer with a or b; the product needs them apart');
    }
    if (m === 0 || n === 0) return;
    rt.dispatch(
      spec(transA, transB, beta !== 0),
      [a, b, c],
      { M: m, N: n, K: k, alpha, beta },
      productGrid(tile, m, n),
    );
  };
}
