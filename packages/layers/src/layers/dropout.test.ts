import { beforeAll, describe, expect, it } from 'vitest';
import { createWasmBackend, jsKernels, Rng, randn, tensor, withBackend, type Kernels } from '@dl/tensor';
import { Dropout } from './dropout.js';
import { checkLayer } from '../testing/check-layer.js';
import { expectClose, f64, loadCases, named } from '../testing/fixtures.js';

describe('Dropout (book form: not inverted)', () => {
  it.each(named(loadCases('dropout.json', 'Dropout.train')))('matches the book: %s', (_, c) => {
    const layer = new Dropout(c.attrs.dropout_ratio as number);
    layer.setFixedUniforms(f64(c.inputs.u));
    expectClose(layer.forward(f64(c.inputs.x), { train: true }), c.outputs.out);
    expect(layer.mask!.shape).toEqual(c.outputs.mask!.shape);
    expect([...layer.mask!.data]).toEqual(c.outputs.mask!.data);
    expectClose(layer.backward(f64(c.inputs.dout)), c.outputs.dx);
  });

  it.each(named(loadCases('dropout.json', 'Dropout.test')))('matches the book: %s', (_, c) => {
    expectClose(
      new Dropout(c.attrs.dropout_ratio as number).forward(f64(c.inputs.x), { train: false }),
      c.outputs.out,
    );
  });

  it('draws the mask from ctx.rng: same seed, same mask; about ratio of the units dropped', () => {
    const x = randn([50, 40], new Rng(1), { dtype: 'float64' });
    const a = new Dropout(0.3);
    const b = new Dropout(0.3);
    a.forward(x, { train: true, rng: new Rng(7) });
    b.forward(x, { train: true, rng: new Rng(7) });
    expect([...a.mask!.data]).toEqual([...b.mask!.data]);
    const dropped = a.mask!.data.reduce((n, m) => n + (m ? 0 : 1), 0) / x.size;
    expect(dropped).toBeGreaterThan(0.25);
    expect(dropped).toBeLessThan(0.35);
    // Without rng and without a fixed mask, train mode cannot draw.
    expect(() => a.forward(x, { train: true })).toThrow(/needs ctx.rng/);
  });

  it('takes a fixed mask and releases it', () => {
    const layer = new Dropout(0.5);
    const x = tensor([[1, 2, 3]], 'float64');
    layer.setFixedMask(tensor([[1, 0, 1]], 'uint8'));
    expect([...layer.forward(x, { train: true }).data]).toEqual([1, 0, 3]);
    layer.setFixedMask(null);
    expect(() => layer.forward(x, { train: true })).toThrow(/needs ctx.rng/);
    layer.setFixedUniforms(tensor([0.1, 0.2], 'float64'));
    expect(() => layer.forward(x, { train: true })).toThrow(/fixed mask has 2 entries/);
  });

  it('inverted form scales by 1/(1 - ratio) in training and is the identity at test', () => {
    const layer = new Dropout(0.2, { inverted: true });
    const x = tensor([[1, 2, 3, 4]], 'float64');
    layer.setFixedMask(tensor([[1, 1, 0, 1]], 'uint8'));
    expect([...layer.forward(x, { train: true }).data]).toEqual([1.25, 2.5, 0, 5]);
    expect([...layer.backward(tensor([[1, 1, 1, 1]], 'float64')).data]).toEqual([1.25, 1.25, 0, 1.25]);
    expect([...layer.forward(x, { train: false }).data]).toEqual([1, 2, 3, 4]);
    expect([...layer.backward(tensor([[1, 1, 1, 1]], 'float64')).data]).toEqual([1, 1, 1, 1]);
  });

  it.each([[false], [true]])(
    'passes the gradient check in train and test mode (inverted: %s, float64)',
    (inverted) => {
      const rng = new Rng(31);
      const x = randn([4, 3, 2], rng, { dtype: 'float64' });
      const layer = new Dropout(0.4, { inverted });
      // A fresh clone of the same generator for every forward: the same mask each time.
      const maskRng = new Rng(5);
      const train = checkLayer(layer, x, rng, () => ({ train: true, rng: maskRng.clone() }));
      expect(train.maxRelError).toBeLessThan(1e-6);
      expect(checkLayer(layer, x, rng, () => ({ train: false })).maxRelError).toBeLessThan(1e-6);
    },
  );

  it('rejects a ratio outside [0, 1)', () => {
    expect(() => new Dropout(1)).toThrow(/ratio must be in \[0, 1\)/);
  });
});

describe('Dropout on the wasm backend', () => {
  let wasm: Kernels;
  beforeAll(async () => {
    wasm = await createWasmBackend({ simd: 'plain' });
  });

  it.each([[false], [true]])('draws the same mask and matches the js backend (inverted: %s)', (inverted) => {
    const x = randn([7, 33], new Rng(3));
    const dout = randn([7, 33], new Rng(4));
    const run = (kernels: Kernels): number[][] =>
      withBackend(kernels, () => {
        const layer = new Dropout(0.3, { inverted });
        // The mask is drawn in JS from ctx.rng: one seed, one mask, whatever the backend.
        const out = layer.forward(x, { train: true, rng: new Rng(11) });
        const dx = layer.backward(dout);
        const test = layer.forward(x, { train: false });
        return [layer.mask!, out, dx, test].map((t) => [...t.data]);
      });
    const expected = run(jsKernels);
    const actual = run(wasm);
    expect(actual[0]).toEqual(expected[0]);
    for (let i = 1; i < 4; i++) expectClose(actual[i]!, expected[i], { rtol: 1e-6, atol: 1e-7 });
  });
});
