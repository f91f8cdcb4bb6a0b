import { beforeAll, describe, expect, it } from 'vitest';
import { createWasmBackend, jsKernels, Rng, randn, withBackend, zeros, type Kernels } from '@dl/tensor';
import { Convolution } from './convolution.js';
import { checkLayer } from '../testing/check-layer.js';
import { expectClose, f64, loadCases, named } from '../testing/fixtures.js';

// [N, C, H, W, FN, FH, FW, stride, pad]: stride 1 and 2, pad 0/1/2, non-square, several channels.
const GEOMETRIES: [number, number, number, number, number, number, number, number, number][] = [
  [2, 1, 5, 5, 2, 3, 3, 1, 0],
  [2, 3, 6, 5, 4, 3, 3, 2, 1],
  [1, 3, 5, 7, 2, 2, 3, 1, 2],
  [3, 2, 7, 6, 3, 3, 2, 2, 0],
  [2, 2, 4, 4, 3, 3, 3, 1, 1],
  [2, 2, 6, 9, 2, 5, 3, 2, 2],
];

describe('Convolution', () => {
  it.each(named(loadCases('convolution.json', 'Convolution')))('matches the book: %s', (_, c) => {
    const { stride, pad } = c.attrs as unknown as { stride: number; pad: number };
    const layer = new Convolution(f64(c.params.W), f64(c.params.b), { stride, pad });
    const x = f64(c.inputs.x);
    const out = layer.forward(x);
    expect(out.shape).toEqual(c.outputs.out!.shape);
    expectClose(out, c.outputs.out, undefined, 'out');
    const dx = layer.backward(f64(c.inputs.dout));
    expect(dx.shape).toEqual(x.shape);
    expectClose(dx, c.outputs.dx, undefined, 'dx');
    expectClose(layer.W.grad, c.outputs.dW, undefined, 'dW');
    expectClose(layer.b.grad, c.outputs.db, undefined, 'db');
  });

  it.each(GEOMETRIES)(
    'passes the gradient check (float64): N%i C%i %ix%i, %i filters %ix%i, stride %i, pad %i',
    (N, C, H, W, FN, FH, FW, stride, pad) => {
      const rng = new Rng(N + C * 10 + H * 100 + W * 1000 + pad);
      const layer = new Convolution(
        randn([FN, C, FH, FW], rng, { dtype: 'float64' }),
        randn([FN], rng, { dtype: 'float64' }),
        { stride, pad, names: { W: 'W1', b: 'b1' } },
      );
      const report = checkLayer(layer, randn([N, C, H, W], rng, { dtype: 'float64' }), rng);
      expect(report.params.map((p) => p.name)).toEqual(['W1', 'b1', 'x']);
      expect(report.maxRelError).toBeLessThan(1e-7);
    },
  );

  it('backwardParams writes the same W.grad and b.grad as backward, and no dx (float64)', () => {
    for (const [N, C, H, W, FN, FH, FW, stride, pad] of GEOMETRIES) {
      const rng = new Rng(N * 3 + C + H + W + FN + pad);
      const layer = new Convolution(
        randn([FN, C, FH, FW], rng, { dtype: 'float64' }),
        randn([FN], rng, { dtype: 'float64' }),
        {
          stride,
          pad,
        },
      );
      const out = layer.forward(randn([N, C, H, W], rng, { dtype: 'float64' }));
      const dout = randn(out.shape, rng, { dtype: 'float64' });
      layer.backward(dout);
      const [dW, db] = [layer.W.grad.clone(), layer.b.grad.clone()];
      layer.W.grad.data.fill(NaN);
      layer.b.grad.data.fill(NaN);
      expect(layer.backwardParams(dout)).toBeUndefined();
      expectClose(layer.W.grad, dW.data, { rtol: 1e-12, atol: 1e-12 }, 'dW');
      expectClose(layer.b.grad, db.data, { rtol: 1e-12, atol: 1e-12 }, 'db');
    }
  });

  it('gives the same numbers when a batch is processed in chunks of samples', () => {
    const rng = new Rng(31);
    const W = randn([4, 3, 3, 3], rng, { dtype: 'float64' });
    const b = randn([4], rng, { dtype: 'float64' });
    const x = randn([7, 3, 6, 5], rng, { dtype: 'float64' });
    const dout = randn([7, 4, 3, 3], rng, { dtype: 'float64' });
    const whole = new Convolution(W, b, { stride: 2, pad: 1 });
    // 9 rows x 27 columns per sample: 3 samples per chunk, the last chunk partial.
    const chunked = new Convolution(W, b, { stride: 2, pad: 1, maxColElements: 3 * 9 * 27 + 5 });
    expectClose(chunked.forward(x), [...whole.forward(x).data], { rtol: 1e-12, atol: 1e-14 }, 'out');
    expectClose(chunked.backward(dout), [...whole.backward(dout).data], { rtol: 1e-12, atol: 1e-14 }, 'dx');
    expectClose(chunked.W.grad, [...whole.W.grad.data], { rtol: 1e-12, atol: 1e-14 }, 'dW');
    expectClose(chunked.b.grad, [...whole.b.grad.data], { rtol: 1e-12, atol: 1e-14 }, 'db');
  });

  it('keeps working in float32 across batch sizes and repeated steps', () => {
    const rng = new Rng(32);
    const layer = new Convolution(randn([5, 2, 3, 3], rng), zeros([5]), { pad: 1 });
    for (const n of [4, 1, 6]) {
      const x = randn([n, 2, 8, 8], rng);
      const out = layer.forward(x);
      expect(out.shape).toEqual([n, 5, 8, 8]);
      expect(out.dtype).toBe('float32');
      expect(layer.backward(randn(out.shape, rng)).shape).toEqual([n, 2, 8, 8]);
    }
  });

  it('names its params, marks W for weight decay and infers its output shape', () => {
    const layer = new Convolution(zeros([30, 1, 5, 5]), zeros([30]), { names: { W: 'W1', b: 'b1' } });
    expect(layer.params().map((p) => [p.name, p.decay ?? false])).toEqual([
      ['W1', true],
      ['b1', false],
    ]);
    expect(layer.outputShape([100, 1, 28, 28])).toEqual([100, 30, 24, 24]);
    const strided = new Convolution(zeros([2, 3, 3, 2]), zeros([2]), { stride: 2, pad: 1 });
    expect(strided.outputShape([1, 3, 7, 6])).toEqual([1, 2, 4, 4]);
  });

  it('explains shape and dtype errors', () => {
    const layer = new Convolution(zeros([2, 3, 3, 3], 'float64'), zeros([2], 'float64'), {
      names: { W: 'W1', b: 'b1' },
    });
    expect(() => layer.forward(zeros([1, 2, 5, 5], 'float64'))).toThrow(
      /Convolution \(W1 \[2,3,3,3\]\): input \[1,2,5,5\] has 2 channels, the filters 3/,
    );
    expect(() => layer.forward(zeros([3, 5, 5], 'float64'))).toThrow(/add a batch axis/);
    expect(() => layer.forward(zeros([1, 3, 2, 5], 'float64'))).toThrow(/does not fit input \[1,3,2,5\]/);
    expect(() => layer.forward(zeros([1, 3, 5, 5]))).toThrow(/input is float32 but W is float64/);
    expect(() => layer.backward(zeros([1, 2, 3, 3], 'float64'))).toThrow(/call forward first/);
    layer.forward(zeros([1, 3, 5, 5], 'float64'));
    expect(() => layer.backward(zeros([1, 2, 2, 2], 'float64'))).toThrow(/does not match the forward output/);
    expect(() => new Convolution(zeros([2, 3, 3]), zeros([2]))).toThrow(/W must be \[FN, C, FH, FW\]/);
  });
});

describe('Convolution on the wasm backend', () => {
  let wasm: Kernels;
  beforeAll(async () => {
    wasm = await createWasmBackend({ simd: 'plain' });
  });

  it.each(GEOMETRIES)(
    'matches the js backend in float32: N%i C%i %ix%i, %i filters %ix%i, stride %i, pad %i',
    (N, C, H, W, FN, FH, FW, stride, pad) => {
      const rng = new Rng(N + C * 10 + H * 100 + W * 1000 + pad + 7);
      const [Wt, b] = [randn([FN, C, FH, FW], rng), randn([FN], rng)];
      const x = randn([N, C, H, W], rng);
      const run = (kernels: Kernels, maxColElements?: number): number[][] =>
        withBackend(kernels, () => {
          const layer = new Convolution(Wt, b, { stride, pad, maxColElements });
          const out = layer.forward(x);
          const dout = randn(out.shape, new Rng(5));
          const dx = layer.backward(dout);
          const grads = [layer.W.grad, layer.b.grad].map((t) => [...t.data]);
          // The first layer's backward: the same gradients, no dx.
          layer.W.grad.data.fill(0);
          layer.backwardParams(dout);
          return [out, dx, layer.W.grad, layer.b.grad].map((t) => [...t.data]).concat(grads);
        });
      const expected = run(jsKernels);
      // Whole batch, then one sample per call (the chunks accumulate dW and db).
      for (const actual of [run(wasm), run(wasm, 1)]) {
        ['out', 'dx', 'dW', 'db', 'dW (backward)', 'db (backward)'].forEach((what, i) =>
          expectClose(actual[i]!, expected[i], { rtol: 1e-5, atol: 1e-5 }, what),
        );
      }
    },
  );
});
