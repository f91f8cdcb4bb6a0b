import { describe, expect, it } from 'vitest';
import { Rng, oneHot, randn } from '@dl/tensor';
import { gradientCheck } from '@dl/gradcheck';
import { TwoLayerNet } from './two-layer-net.js';
import {
  NUMGRAD_TOL,
  confidentLabels,
  expectClose,
  f64,
  loadCases,
  named,
  rms,
  scalar,
  setParams,
  toTensor,
} from '../testing/fixtures.js';

describe('TwoLayerNet', () => {
  it.each(named(loadCases('two_layer_net.json', 'TwoLayerNet')))('matches the book: %s', (_, c) => {
    const { input_size, hidden_size, output_size } = c.attrs as unknown as Record<string, number>;
    const net = new TwoLayerNet(input_size!, hidden_size!, output_size!, { dtype: 'float64' });
    setParams(net, c.params);
    const x = f64(c.inputs.x);
    const t = toTensor(c.inputs.t);
    expectClose(net.predict(x), c.outputs.scores, undefined, 'scores');
    expectClose(net.loss(x, t), c.outputs.loss, undefined, 'loss');
    expect(net.accuracy(x, t)).toBe(scalar(c.outputs.accuracy));
    expectClose(net.gradient(x, t), c.outputs.loss, undefined, 'gradient returns the loss');
    const numgrad = net.numericalGradient(x, t);
    for (const p of net.params()) {
      expectClose(p.grad, c.outputs[`grad.${p.name}`], undefined, `grad.${p.name}`);
      expectClose(numgrad.get(p.name)!, c.outputs[`numgrad.${p.name}`], NUMGRAD_TOL, `numgrad.${p.name}`);
    }
  });

  it('has the book layers and parameter names, shapes and init scale', () => {
    const net = new TwoLayerNet(784, 50, 10, { rng: new Rng(1) });
    expect([...net.layers.keys()]).toEqual(['Affine1', 'Relu1', 'Affine2']);
    expect(net.params().map((p) => [p.name, p.value.shape, p.value.dtype])).toEqual([
      ['W1', [784, 50], 'float32'],
      ['b1', [50], 'float32'],
      ['W2', [50, 10], 'float32'],
      ['b2', [10], 'float32'],
    ]);
    const std = rms(net.param('W1').value.data);
    expect(std).toBeGreaterThan(0.0097);
    expect(std).toBeLessThan(0.0103);
    expect(net.param('b1').value.data.every((b) => b === 0)).toBe(true);
  });

  it('same rng seed, same weights', () => {
    const a = new TwoLayerNet(5, 4, 3, { rng: new Rng(3) });
    const b = new TwoLayerNet(5, 4, 3, { rng: new Rng(3) });
    expect([...a.param('W2').value.data]).toEqual([...b.param('W2').value.data]);
  });

  it.each([['labels'], ['one-hot']])('passes the gradient check with %s (float64)', (form) => {
    const rng = new Rng(41);
    const net = new TwoLayerNet(6, 5, 3, { weightInitStd: 'he', rng, dtype: 'float64' });
    for (const p of net.params()) p.value.assign(randn(p.value.shape, rng, { dtype: 'float64', std: 0.5 }));
    const x = randn([4, 6], rng, { dtype: 'float64' });
    const labels = confidentLabels(net, x);
    const report = gradientCheck(net, x, form === 'labels' ? labels : oneHot(labels, 3, 'float64'));
    expect(report.params.map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect(report.maxRelError).toBeLessThan(1e-6);
  });
});
