import { describe, expect, it } from 'vitest';
import { Rng, randn, tensor } from '@dl/tensor';
import { Relu } from './relu.js';
import { Sigmoid } from './sigmoid.js';
import { checkLayer } from '../testing/check-layer.js';
import { expectClose, f64, loadCases, named } from '../testing/fixtures.js';

describe('Relu', () => {
  it.each(named(loadCases('layers.json', 'Relu')))('matches the book: %s', (_, c) => {
    const layer = new Relu();
    const dout = f64(c.inputs.dout);
    const doutBefore = dout.clone();
    expectClose(layer.forward(f64(c.inputs.x), { train: true }), c.outputs.out);
    expectClose(layer.backward(dout), c.outputs.dx);
    expect([...dout.data]).toEqual([...doutBefore.data]); // unlike the book, dout is not written to
  });

  it('has gradient 0 at exactly 0', () => {
    const layer = new Relu();
    layer.forward(tensor([-1, 0, 1], 'float64'), { train: false });
    expect([...layer.backward(tensor([5, 5, 5], 'float64')).data]).toEqual([0, 0, 5]);
  });

  it('passes the gradient check (float64, 4-D input)', () => {
    const rng = new Rng(11);
    // Keep inputs away from the kink at 0, where central differences straddle it.
    const x = randn([2, 3, 2, 2], rng, { dtype: 'float64' });
    x.data.forEach((v, i) => (x.data[i] = v + Math.sign(v) * 0.05));
    const report = checkLayer(new Relu(), x, rng);
    expect(report.maxRelError).toBeLessThan(1e-6);
  });

  it('keeps the shape and has no params', () => {
    const layer = new Relu();
    expect(layer.params()).toEqual([]);
    expect(layer.outputShape([4, 3, 2])).toEqual([4, 3, 2]);
    expect(() => layer.backward(tensor([1], 'float64'))).toThrow(/call forward first/);
  });
});

describe('Sigmoid', () => {
  it.each(named(loadCases('layers.json', 'Sigmoid')))('matches the book: %s', (_, c) => {
    const layer = new Sigmoid();
    expectClose(layer.forward(f64(c.inputs.x)), c.outputs.out);
    expectClose(layer.backward(f64(c.inputs.dout)), c.outputs.dx);
  });

  it('passes the gradient check (float64)', () => {
    const rng = new Rng(12);
    const report = checkLayer(new Sigmoid(), randn([3, 5], rng, { dtype: 'float64' }), rng);
    expect(report.maxRelError).toBeLessThan(1e-6);
  });
});
