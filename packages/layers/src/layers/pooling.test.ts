import { beforeAll, describe, expect, it } from 'vitest';
import {
  createWasmBackend,
  jsKernels,
  maximum,
  Rng,
  randn,
  withBackend,
  zeros,
  type Kernels,
} from '@dl/tensor';
import { Pooling } from './pooling.js';
import { checkLayer } from '../testing/check-layer.js';
import { expectClose, f64, loadCases, named } from '../testing/fixtures.js';

interface PoolAttrs {
  pool_h: number;
  pool_w: number;
  stride: number;
  pad: number;
  out_h: number;
  out_w: number;
}

describe('Pooling', () => {
  it.each(named(loadCases('pooling.json', 'Pooling')))('matches the book: %s', (_, c) => {
    const a = c.attrs as unknown as PoolAttrs;
    const layer = new Pooling(a.pool_h, a.pool_w, { stride: a.stride, pad: a.pad });
    const x = f64(c.inputs.x);
    const out = layer.forward(x);
    expectClose(out, c.outputs.out, undefined, 'out');
    // The book's arg_max: rows (n, oy, ox, c), the index inside the window (fy·pool_w + fx).
    const [N, C, H, W] = x.shape as [number, number, number, number];
    const flat = layer.lastArgmax!.data;
    const bookArgmax: number[] = [];
    for (let n = 0; n < N; n++)
      for (let oy = 0; oy < a.out_h; oy++)
        for (let ox = 0; ox < a.out_w; ox++)
          for (let ch = 0; ch < C; ch++) {
            const at = flat[((n * C + ch) * a.out_h + oy) * a.out_w + ox]!;
            const iy = Math.floor((at % (H * W)) / W);
            const ix = at % W;
            bookArgmax.push((iy - oy * a.stride) * a.pool_w + (ix - ox * a.stride));
          }
    expect(bookArgmax).toEqual(c.outputs.arg_max!.data);
    expectClose(layer.backward(f64(c.inputs.dout)), c.outputs.dx, undefined, 'dx');
  });

  it.each([
    ['max 2x2 stride 2', 2, 2, { stride: 2 }],
    ['max 3x2 stride 1 pad 1', 3, 2, { pad: 1 }],
    ['max 3x3 stride 2 pad 1', 3, 3, { stride: 2, pad: 1 }],
    ['average 2x2 stride 2', 2, 2, { stride: 2, mode: 'average' }],
    ['average 3x3 stride 2 pad 2', 3, 3, { stride: 2, pad: 2, mode: 'average' }],
  ] as const)('passes the gradient check (float64): %s', (_, ph, pw, options) => {
    const rng = new Rng(ph * 10 + pw);
    const layer = new Pooling(ph, pw, options);
    // Distinct random values: max pooling is differentiable away from ties.
    const report = checkLayer(layer, randn([2, 3, 7, 6], rng, { dtype: 'float64' }), rng);
    expect(report.params.map((p) => p.name)).toEqual(['x']);
    expect(report.maxRelError).toBeLessThan(1e-7);
  });

  it('infers its output shape and explains bad windows', () => {
    expect(new Pooling(2, 2, { stride: 2 }).outputShape([100, 30, 24, 24])).toEqual([100, 30, 12, 12]);
    expect(new Pooling(3, 3, { stride: 2, pad: 1 }).outputShape([1, 4, 7, 8])).toEqual([1, 4, 4, 4]);
    expect(() => new Pooling(2, 2, { pad: 2 })).toThrow(/pad 2 must be smaller than the 2x2 window/);
    expect(() => new Pooling(2, 2, { mode: 'min' as never })).toThrow(/mode must be 'max' or 'average'/);
    const layer = new Pooling(4, 4);
    expect(() => layer.forward(zeros([1, 1, 3, 3]))).toThrow(
      /Pooling \(max 4x4, stride 1, pad 0\): a 4x4 window/,
    );
    expect(() => layer.backward(zeros([1, 1, 1, 1]))).toThrow(/call forward first/);
  });
});

describe('Pooling on the wasm backend', () => {
  let wasm: Kernels;
  beforeAll(async () => {
    wasm = await createWasmBackend({ simd: 'plain' });
  });

  it.each([
    ['max 2x2 stride 2', 2, 2, { stride: 2 }],
    ['max 3x3 stride 2 pad 1', 3, 3, { stride: 2, pad: 1 }],
    ['average 3x2 stride 1 pad 1', 3, 2, { pad: 1, mode: 'average' }],
  ] as const)("gives the js backend's numbers exactly in float32: %s", (_, ph, pw, options) => {
    const rng = new Rng(ph * 10 + pw + 1);
    const x = maximum(randn([3, 4, 9, 8], rng), 0); // ReLU zeros: ties, the first maximum wins
    const run = (kernels: Kernels): number[][] =>
      withBackend(kernels, () => {
        const layer = new Pooling(ph, pw, options);
        const out = layer.forward(x);
        const dx = layer.backward(randn(out.shape, new Rng(5)));
        return [[...out.data], [...dx.data], [...(layer.lastArgmax?.data ?? [])]];
      });
    expect(run(wasm)).toEqual(run(jsKernels));
  });
});
