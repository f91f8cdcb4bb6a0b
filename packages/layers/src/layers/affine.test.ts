import { describe, expect, it } from 'vitest';
import { Rng, randn, tensor, zeros } from '@dl/tensor';
import { Affine } from './affine.js';
import { checkLayer } from '../testing/check-layer.js';
import { expectClose, f64, loadCases, named } from '../testing/fixtures.js';

describe('Affine', () => {
  it.each(named(loadCases('layers.json', 'Affine')))('matches the book: %s', (_, c) => {
    const layer = new Affine(f64(c.params.W), f64(c.params.b));
    const x = f64(c.inputs.x);
    expectClose(layer.forward(x), c.outputs.out);
    const dx = layer.backward(f64(c.inputs.dout));
    expect(dx.shape).toEqual(x.shape);
    expectClose(dx, c.outputs.dx);
    expectClose(layer.W.grad, c.outputs.dW);
    expectClose(layer.b.grad, c.outputs.db);
  });

  it('backwardParams writes the same W.grad and b.grad as backward, and no dx (float64)', () => {
    const rng = new Rng(17);
    const layer = new Affine(
      randn([12, 5], rng, { dtype: 'float64' }),
      randn([5], rng, { dtype: 'float64' }),
    );
    layer.forward(randn([4, 3, 2, 2], rng, { dtype: 'float64' }));
    const dout = randn([4, 5], rng, { dtype: 'float64' });
    layer.backward(dout);
    const [dW, db] = [layer.W.grad.clone(), layer.b.grad.clone()];
    layer.W.grad.data.fill(NaN);
    layer.b.grad.data.fill(NaN);
    expect(layer.backwardParams(dout)).toBeUndefined();
    expectClose(layer.W.grad, dW.data, { rtol: 0, atol: 0 }, 'dW');
    expectClose(layer.b.grad, db.data, { rtol: 0, atol: 0 }, 'db');
  });

  it('passes the gradient check on 2-D and 4-D input (float64)', () => {
    const rng = new Rng(13);
    for (const shape of [
      [4, 6],
      [2, 3, 1, 2],
    ]) {
      const layer = new Affine(
        randn([6, 3], rng, { dtype: 'float64' }),
        randn([3], rng, { dtype: 'float64' }),
        { W: 'W1', b: 'b1' },
      );
      const report = checkLayer(layer, randn(shape, rng, { dtype: 'float64' }), rng);
      expect(report.params.map((p) => p.name)).toEqual(['W1', 'b1', 'x']);
      expect(report.maxRelError).toBeLessThan(1e-6);
    }
  });

  it('names its params as the network asks, marks W for weight decay and infers its output shape', () => {
    const layer = new Affine(zeros([12, 4], 'float64'), zeros([4], 'float64'), { W: 'W2', b: 'b2' });
    expect(layer.params().map((p) => [p.name, p.decay ?? false])).toEqual([
      ['W2', true],
      ['b2', false],
    ]);
    expect(layer.outputShape([7, 3, 2, 2])).toEqual([7, 4]);
    expect([layer.inputSize, layer.outputSize]).toEqual([12, 4]);
  });

  it('writes gradients into the same grad tensors each backward', () => {
    const rng = new Rng(14);
    const layer = new Affine(randn([3, 2], rng, { dtype: 'float64' }), zeros([2], 'float64'));
    const grad = layer.W.grad;
    layer.forward(randn([5, 3], rng, { dtype: 'float64' }));
    layer.backward(randn([5, 2], rng, { dtype: 'float64' }));
    expect(layer.W.grad).toBe(grad);
  });

  it('explains shape and dtype errors', () => {
    const layer = new Affine(zeros([6, 3], 'float64'), zeros([3], 'float64'), { W: 'W1', b: 'b1' });
    expect(() => layer.forward(zeros([4, 5], 'float64'))).toThrow(
      /Affine \(W1 \[6,3\]\): input \[4,5\] must be \[N, \.\.\.\] with 6 features/,
    );
    expect(() => layer.forward(zeros([6], 'float64'))).toThrow(/add a batch axis/);
    expect(() => layer.forward(zeros([1, 6], 'float32'))).toThrow(/input is float32 but W is float64/);
    expect(() => new Affine(zeros([6, 3]), zeros([2]))).toThrow(/W must be \[in, out\] and b \[out\]/);
    expect(() => layer.backward(tensor([[1, 2, 3]], 'float64'))).toThrow(/call forward first/);
  });
});
