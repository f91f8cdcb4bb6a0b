import { describe, expect, it } from 'vitest';
import { Rng, oneHot, randint, randn, tensor } from '@dl/tensor';
import { checkGradients } from '@dl/gradcheck';
import { SoftmaxWithLoss } from './softmax-with-loss.js';
import { expectClose, f64, loadCases, named, toTensor } from '../testing/fixtures.js';

describe('SoftmaxWithLoss', () => {
  it.each(named(loadCases('layers.json', 'SoftmaxWithLoss')))('matches the book: %s', (_, c) => {
    const layer = new SoftmaxWithLoss();
    expectClose(layer.forward(f64(c.inputs.x), toTensor(c.inputs.t)), c.outputs.loss);
    expectClose(layer.output!, c.outputs.y);
    expectClose(layer.backward(), c.outputs.dx);
  });

  it.each([['labels'], ['one-hot']])('passes the gradient check with %s (float64)', (form) => {
    const rng = new Rng(15);
    const x = randn([4, 5], rng, { dtype: 'float64' });
    const labels = randint([4], rng, 0, 5);
    const t = form === 'labels' ? labels : oneHot(labels, 5, 'float64');
    const layer = new SoftmaxWithLoss();
    layer.forward(x, t);
    const dx = layer.backward();
    const report = checkGradients(() => layer.forward(x, t), [{ name: 'x', value: x, grad: dx }]);
    expect(report.maxRelError).toBeLessThan(1e-6);
  });

  it('needs 2-D scores', () => {
    expect(() => new SoftmaxWithLoss().forward(tensor([1, 2], 'float64'), tensor([0], 'int32'))).toThrow(
      /reshape a single sample to \[1, C\]/,
    );
    expect(() => new SoftmaxWithLoss().backward()).toThrow(/call forward first/);
  });
});
