import type { BatchNormBackwardArgs, BatchNormForwardArgs, OptimizerUpdate } from '../kernels.js';
import type { GpuArray } from './buffers.js';
import { linearMain, needFloat32, needLength } from './check.js';
import type { BindingSpec, GpuRuntime, KernelSpec, ParamType } from './runtime.js';
import type { OnGpu } from './types.js';

/**
 * The fused tier: BatchNormalization's forward and backward, Dropout, every optimizer's update. Each
 * follows its book-named reference (`@dl/layers`' `batch-normalization.ts` and `dropout.ts`,
 * `@dl/optim`'s `sgd.ts` ... `adam.ts`) step by step, in float32 where the references keep float64
 * accumulators. Per-feature statistics are fixed-order workgroup reductions, as in `reduce.ts`. Like
 * every fused kernel, each returns false, having recorded nothing, for operands it does not take
 * (anything but float32; uint8 for Dropout's mask).
 */

export type GpuBatchNormForwardArgs = OnGpu<BatchNormForwardArgs>;
export type GpuBatchNormBackwardArgs = OnGpu<BatchNormBackwardArgs>;
export type GpuOptimizerUpdate = OnGpu<OptimizerUpdate>;

const WG = 64;

const f32 = (name: string, access: BindingSpec['access'] = 'read'): BindingSpec => ({
  name,
  access,
  dtype: 'float32',
});

const allFloat32 = (...arrays: (GpuArray | undefined)[]): boolean =>
  arrays.every((a) => a === undefined || a.dtype === 'float32');

const VIEW_PARAMS: readonly (readonly [string, ParamType])[] = [
  ['n', 'u32'],
  ['D', 'u32'],
  ['S', 'u32'],
  ['m', 'u32'],
  ['momentum', 'f32'],
  ['eps', 'f32'],
];

/** WGSL: a fixed-order tree sum of `part` (one value per invocation) into part[0]. */
const TREE_SUM = (part: string): string => `
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid.x < s) { ${part}[lid.x] += ${part}[lid.x + s]; }
    workgroupBarrier();
  }`;

/** WGSL: the flat index of the j-th of feature d's n·S values in `[n, D, S]`. */
const AT = 'fn at(j: u32, d: u32) -> u32 { return ((j / P.S) * P.D + d) * P.S + j % P.S; }';

export function createFused(rt: GpuRuntime): {
  batchNormForward: (args: GpuBatchNormForwardArgs) => boolean;
  batchNormBackward: (args: GpuBatchNormBackwardArgs) => boolean;
  dropout: (x: GpuArray, mask: GpuArray | undefined, scale: number, out: GpuArray) => boolean;
  optimizerUpdate: (update: GpuOptimizerUpdate, w: GpuArray, g: GpuArray) => boolean;
} {
  const statsTrain: KernelSpec = {
    name: 'batchNormForward stats',
    key: 'batchNormForward stats',
    bindings: [f32('x'), f32('std', 'write'), f32('rm', 'write'), f32('rv', 'write'), f32('mean', 'write')],
    params: VIEW_PARAMS,
    body: `${AT}
var<workgroup> part: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  // One workgroup per feature (a uniform condition: the barriers below stay legal).
  let d = wid.x + wid.y * nwg.x;
  if (d >= P.D) { return; }
  var acc = 0.0;
  for (var j = lid.x; j < P.m; j += ${WG}u) { acc += x_ld(at(j, d)); }
  part[lid.x] = acc;
  ${TREE_SUM('part')}
  let mu = part[0] / f32(P.m);
  workgroupBarrier();
  var v = 0.0;
  for (var j = lid.x; j < P.m; j += ${WG}u) { let c = x_ld(at(j, d)) - mu; v += c * c; }
  part[lid.x] = v;
  ${TREE_SUM('part')}
  if (lid.x == 0u) {
    let variance = part[0] / f32(P.m);
    std_st(d, sqrt(variance + P.eps));
    rm_st(d, P.momentum * rm_ld(d) + (1.0 - P.momentum) * mu);
    rv_st(d, P.momentum * rv_ld(d) + (1.0 - P.momentum) * variance);
    mean_st(d, mu);
  }
}`,
  };
  const statsTest: KernelSpec = {
    name: 'batchNormForward stats',
    key: 'batchNormForward running',
    bindings: [f32('rm'), f32('rv'), f32('std', 'write'), f32('mean', 'write')],
    params: VIEW_PARAMS,
    body: linearMain('  std_st(i, sqrt(rv_ld(i) + P.eps));\n  mean_st(i, rm_ld(i));'),
  };
  const normalize: KernelSpec = {
    name: 'batchNormForward',
    key: 'batchNormForward normalize',
    bindings: [
      f32('x'),
      f32('mean'),
      f32('std'),
      f32('gamma'),
      f32('beta'),
      f32('xc', 'write'),
      f32('xn', 'write'),
      f32('out', 'write'),
    ],
    params: VIEW_PARAMS,
    body: linearMain(`  let d = (i / P.S) % P.D;
  let c = x_ld(i) - mean_ld(d);
  let v = c / std_ld(d);
  xc_st(i, c);
  xn_st(i, v);
  out_st(i, gamma_ld(d) * v + beta_ld(d));`),
  };
  // Per feature: dbeta, dgamma and the book's dstd, then dmu; scratch holds (dvar, dmu) per feature.
  const backwardStats: KernelSpec = {
    name: 'batchNormBackward stats',
    key: 'batchNormBackward stats',
    bindings: [
      f32('dout'),
      f32('gamma'),
      f32('xc'),
      f32('xn'),
      f32('std'),
      f32('dgamma', 'write'),
      f32('dbeta', 'write'),
      f32('scratch', 'write'),
    ],
    params: VIEW_PARAMS,
    body: `${AT}
var<workgroup> pb: array<f32, ${WG}>;
var<workgroup> pg: array<f32, ${WG}>;
var<workgroup> ps: array<f32, ${WG}>;
@compute @workgroup_size(${WG})
fn main(@builtin(local_invocation_id) lid: vec3u, @builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  // One workgroup per feature (a uniform condition: the barriers below stay legal).
  let d = wid.x + wid.y * nwg.x;
  if (d >= P.D) { return; }
  let g = gamma_ld(d);
  let sd = std_ld(d);
  var sb = 0.0;
  var sg = 0.0;
  var ss = 0.0;
  for (var j = lid.x; j < P.m; j += ${WG}u) {
    let i = at(j, d);
    let dy = dout_ld(i);
    sb += dy;
    sg += xn_ld(i) * dy;
    ss += (g * dy * xc_ld(i)) / (sd * sd);
  }
  pb[lid.x] = sb;
  pg[lid.x] = sg;
  ps[lid.x] = ss;
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s = s >> 1u) {
    if (lid.x < s) {
      pb[lid.x] += pb[lid.x + s];
      pg[lid.x] += pg[lid.x + s];
      ps[lid.x] += ps[lid.x + s];
    }
    workgroupBarrier();
  }
  let totalB = pb[0];
  let totalG = pg[0];
  let dvar = (0.5 * -ps[0]) / sd;
  let m = f32(P.m);
  workgroupBarrier();
  var mu = 0.0;
  for (var j = lid.x; j < P.m; j += ${WG}u) {
    let i = at(j, d);
    mu += (g * dout_ld(i)) / sd + (2.0 / m) * xc_ld(i) * dvar;
  }
  ps[lid.x] = mu;
  ${TREE_SUM('ps')}
  if (lid.x == 0u) {
    dbeta_st(d, totalB);
    dgamma_st(d, totalG);
    scratch_st(2u * d, dvar);
    scratch_st(2u * d + 1u, ps[0]);
  }
}`,
  };
  const backwardDx = (train: boolean): KernelSpec => ({
    name: 'batchNormBackward',
    key: `batchNormBackward dx ${train}`,
    bindings: [f32('dout'), f32('gamma'), f32('xc'), f32('std'), f32('scratch'), f32('dx', 'write')],
    params: VIEW_PARAMS,
    body: linearMain(`  let d = (i / P.S) % P.D;
  let dy = dout_ld(i);
  ${
    train
      ? `let m = f32(P.m);
  let dxc = (gamma_ld(d) * dy) / std_ld(d) + (2.0 / m) * xc_ld(i) * scratch_ld(2u * d);
  dx_st(i, dxc - scratch_ld(2u * d + 1u) / m);`
      : 'dx_st(i, (gamma_ld(d) * dy) / std_ld(d));'
  }`),
  });
  const dxTrain = backwardDx(true);
  const dxTest = backwardDx(false);

  function batchNormForward(a: GpuBatchNormForwardArgs): boolean {
    const { view, x, gamma, beta, runningMean, runningVar, xc, xn, std, out } = a;
    if (!allFloat32(x, gamma, beta, runningMean, runningVar, xc, xn, std, out)) return false;
    const { n, D, S } = view;
    const size = n * D * S;
    needFloat32('batchNormForward', {
      x: [x, size],
      xc: [xc, size],
      xn: [xn, size],
      out: [out, size],
      gamma: [gamma, D],
      beta: [beta, D],
      runningMean: [runningMean, D],
      runningVar: [runningVar, D],
      std: [std, D],
    });
    const values = { n: size, D, S, m: n * S, momentum: a.momentum, eps: a.eps };
    const mean = rt.alloc('float32', D, false);
    if (a.train) rt.dispatch(statsTrain, [x, std, runningMean, runningVar, mean], values, rt.grid(D, 1));
    else rt.dispatch(statsTest, [runningMean, runningVar, std, mean], { ...values, n: D }, rt.grid(D, 64));
    rt.dispatch(normalize, [x, mean, std, gamma, beta, xc, xn, out], values, rt.grid(size, 64));
    rt.release(mean);
    return true;
  }

  function batchNormBackward(a: GpuBatchNormBackwardArgs): boolean {
    const { view, dout, gamma, xc, xn, std, dgamma, dbeta, dx } = a;
    if (!allFloat32(dout, gamma, xc, xn, std, dgamma, dbeta, dx)) return false;
    const { n, D, S } = view;
    const size = n * D * S;
    needFloat32('batchNormBackward', {
      dout: [dout, size],
      xc: [xc, size],
      xn: [xn, size],
      dx: [dx, size],
      gamma: [gamma, D],
      std: [std, D],
      dgamma: [dgamma, D],
      dbeta: [dbeta, D],
    });
    const values = { n: size, D, S, m: n * S, momentum: 0, eps: 0 };
    const scratch = rt.alloc('float32', 2 * D, false);
    rt.dispatch(backwardStats, [dout, gamma, xc, xn, std, dgamma, dbeta, scratch], values, rt.grid(D, 1));
    rt.dispatch(a.train ? dxTrain : dxTest, [dout, gamma, xc, std, scratch, dx], values, rt.grid(size, 64));
    rt.release(scratch);
    return true;
  }

  const dropoutMasked: KernelSpec = {
    name: 'dropout',
    key: 'dropout mask',
    bindings: [f32('x'), { name: 'mask', access: 'read', dtype: 'uint8' }, f32('out', 'write')],
    params: [
      ['n', 'u32'],
      ['scale', 'f32'],
    ],
    // x · 0 for a dropped unit, so NaN and ±Infinity give NaN as in the book's x * mask.
    body: linearMain('  out_st(i, x_ld(i) * select(0.0, P.scale, mask_ld(i) != 0u));'),
  };
  const dropoutScaled: KernelSpec = {
    name: 'dropout',
    key: 'dropout scale',
    bindings: [f32('x'), f32('out', 'write')],
    params: [
      ['n', 'u32'],
      ['scale', 'f32'],
    ],
    body: linearMain('  out_st(i, x_ld(i) * P.scale);'),
  };

  function dropout(x: GpuArray, mask: GpuArray | undefined, scale: number, out: GpuArray): boolean {
    if (!allFloat32(x, out) || (mask && mask.dtype !== 'uint8')) return false;
    const n = x.length;
    needLength('dropout', 'out', out, n);
    if (mask) {
      needLength('dropout', 'mask', mask, n);
      rt.dispatch(dropoutMasked, [x, mask, out], { n, scale }, rt.grid(n, 64));
    } else {
      rt.dispatch(dropoutScaled, [x, out], { n, scale }, rt.grid(n, 64));
    }
    return true;
  }

  const OPT_PARAMS: readonly (readonly [string, ParamType])[] = [
    ['n', 'u32'],
    ['lr', 'f32'],
    ['p1', 'f32'],
    ['p2', 'f32'],
    ['p3', 'f32'],
    ['p4', 'f32'],
    ['p5', 'f32'],
  ];
  const optimizerSpec = (kind: string, slots: string[], body: string): KernelSpec => ({
    name: `optimizerUpdate ${kind}`,
    key: `optimizerUpdate ${kind}`,
    bindings: [f32('w', 'write'), f32('g'), ...slots.map((s) => f32(s, 'write'))],
    params: OPT_PARAMS,
    body: linearMain(`  let gi = g_ld(i);\n  var wi = w_ld(i);\n${body}\n  w_st(i, wi);`),
  });
  // The references' statements, in order (p1..p5 are each kind's hyper-parameters, see below).
  const optimizers = {
    sgd: optimizerSpec('sgd', [], '  wi = wi - P.lr * gi;'),
    momentum: optimizerSpec(
      'momentum',
      ['v'],
      '  let vi = P.p1 * v_ld(i) - P.lr * gi;\n  v_st(i, vi);\n  wi = wi + vi;',
    ),
    nesterov: optimizerSpec(
      'nesterov',
      ['v'],
      `  let vi = v_ld(i);
  wi = wi + P.p1 * P.p1 * vi;
  wi = wi - (1.0 + P.p1) * P.lr * gi;
  v_st(i, vi * P.p1 - P.lr * gi);`,
    ),
    adagrad: optimizerSpec(
      'adagrad',
      ['h'],
      '  let hi = h_ld(i) + gi * gi;\n  h_st(i, hi);\n  wi = wi - (P.lr * gi) / (sqrt(hi) + P.p2);',
    ),
    rmsprop: optimizerSpec(
      'rmsprop',
      ['h'],
      `  let hi = h_ld(i) * P.p1 + (1.0 - P.p1) * gi * gi;
  h_st(i, hi);
  wi = wi - (P.lr * gi) / (sqrt(hi) + P.p2);`,
    ),
    // p1 = beta1, p2 = eps, p3 = beta2, p4 = 1 - beta1^t, p5 = 1 - beta2^t; lr is lr_t for the book's.
    adamBook: optimizerSpec(
      'adam book',
      ['m', 'v'],
      `  let mi = m_ld(i) + (1.0 - P.p1) * (gi - m_ld(i));
  let vi = v_ld(i) + (1.0 - P.p3) * (gi * gi - v_ld(i));
  m_st(i, mi);
  v_st(i, vi);
  wi = wi - (P.lr * mi) / (sqrt(vi) + P.p2);`,
    ),
    adamStandard: optimizerSpec(
      'adam standard',
      ['m', 'v'],
      `  let mi = P.p1 * m_ld(i) + (1.0 - P.p1) * gi;
  let vi = P.p3 * v_ld(i) + (1.0 - P.p3) * gi * gi;
  m_st(i, mi);
  v_st(i, vi);
  wi = wi - (P.lr * (mi / P.p4)) / (sqrt(vi / P.p5) + P.p2);`,
    ),
  };

  function optimizerUpdate(u: GpuOptimizerUpdate, w: GpuArray, g: GpuArray): boolean {
    const slots: GpuArray[] =
      u.kind === 'sgd'
        ? []
        : u.kind === 'adam'
          ? [u.m, u.v]
          : u.kind === 'adagrad' || u.kind === 'rmsprop'
            ? [u.h]
            : [u.v];
    if (!allFloat32(w, g, ...slots)) return false;
    const n = w.length;
    const kernel = `optimizerUpdate ${u.kind}`;
    needLength(kernel, 'g', g, n);
    for (const s of slots) needLength(kernel, 'slot', s, n);
    const none = { p1: 0, p2: 0, p3: 0, p4: 1, p5: 1 };
    let spec: KernelSpec;
    let values: Record<string, number>;
    switch (u.kind) {
      case 'sgd':
        [spec, values] = [optimizers.sgd, { lr: u.lr, ...none }];
        break;
      case 'momentum':
      case 'nesterov':
        [spec, values] = [optimizers[u.kind], { lr: u.lr, ...none, p1: u.momentum }];
        break;
      case 'adagrad':
        [spec, values] = [optimizers.adagrad, { lr: u.lr, ...none, p2: u.eps }];
        break;
      case 'rmsprop':
        [spec, values] = [optimizers.rmsprop, { lr: u.lr, ...none, p1: u.decayRate, p2: u.eps }];
        break;
      case 'adam': {
        // The bias corrections are scalars: computed here in float64, as the reference does.
        const c1 = 1 - u.beta1 ** u.t;
        const c2 = 1 - u.beta2 ** u.t;
        const book = u.variant === 'book';
        const lr = book ? (u.lr * Math.sqrt(c2)) / c1 : u.lr;
        [spec, values] = [
          book ? optimizers.adamBook : optimizers.adamStandard,
          { lr, p1: u.beta1, p2: u.eps, p3: u.beta2, p4: c1, p5: c2 },
        ];
        break;
      }
    }
    rt.dispatch(spec, [w, g, ...slots], { n, ...values }, rt.grid(n, 64));
    return true;
  }

  return { batchNormForward, batchNormBackward, dropout, optimizerUpdate };
}
