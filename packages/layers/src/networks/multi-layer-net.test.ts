import { describe, expect, it } from 'vitest';
import { Rng, randint, randn } from '@dl/tensor';
import { gradientCheck } from '@dl/gradcheck';
import { MultiLayerNet, type Activation } from './multi-layer-net.js';
import {
  NUMGRAD_TOL,
  confidentLabels,
  expectClose,
  f64,
  loadCases,
  named,
  setParams,
  toTensor,
} from '../testing/fixtures.js';

interface NetAttrs {
  input_size: number;
  hidden_size_list: number[];
  output_size: number;
  activation: Activation;
  weight_decay_lambda: number;
}

describe('MultiLayerNet', () => {
  it.each(named(loadCases('multi_layer_net.json', 'MultiLayerNet')))('matches the book: %s', (_, c) => {
    const a = c.attrs as unknown as NetAttrs;
    const net = new MultiLayerNet({
      inputSize: a.input_size,
      hiddenSizeList: a.hidden_size_list,
      outputSize: a.output_size,
      activation: a.activation,
      weightDecayLambda: a.weight_decay_lambda,
      dtype: 'float64',
    });
    setParams(net, c.params);
    const x = f64(c.inputs.x);
    const t = toTensor(c.inputs.t);
    expectClose(net.predict(x), c.outputs.scores, undefined, 'scores');
    expectClose(net.loss(x, t), c.outputs.loss, undefined, 'loss');
    net.gradient(x, t);
    const numgrad = net.numericalGradient(x, t);
    for (const p of net.params()) {
      expectClose(p.grad, c.outputs[`grad.${p.name}`], undefined, `grad.${p.name}`);
      expectClose(numgrad.get(p.name)!, c.outputs[`numgrad.${p.name}`], NUMGRAD_TOL, `numgrad.${p.name}`);
    }
  });

  it('has the book layer keys and parameter names', () => {
    const net = new MultiLayerNet({
      inputSize: 784,
      hiddenSizeList: [100, 100, 100],
      outputSize: 10,
      activation: 'sigmoid',
    });
    expect([...net.layers.keys()]).toEqual([
      'Affine1',
      'Activation_function1',
      'Affine2',
      'Activation_function2',
      'Affine3',
      'Activation_function3',
      'Affine4',
    ]);
    expect(net.layers.get('Activation_function2')!.kind).toBe('Sigmoid');
    expect(net.params().map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3', 'W4', 'b4']);
    expect(net.hiddenLayerNum).toBe(3);
  });

  it.each([
    ['relu', 0.1],
    ['sigmoid', 0.05],
    ['relu', 0],
  ] as const)('passes the gradient check (%s, weight decay %s, float64)', (activation, lambda) => {
    const rng = new Rng(51);
    const net = new MultiLayerNet({
      inputSize: 6,
      hiddenSizeList: [5, 4],
      outputSize: 3,
      activation,
      weightDecayLambda: lambda,
      rng,
      dtype: 'float64',
    });
    for (const p of net.params())
      if (!p.decay) p.value.assign(randn(p.value.shape, rng, { dtype: 'float64', std: 0.1 }));
    const x = randn([4, 6], rng, { dtype: 'float64' });
    const report = gradientCheck(net, x, confidentLabels(net, x));
    expect(report.maxRelError).toBeLessThan(1e-6);
  });

  it('adds 0.5·λ·ΣW² to the loss (last W included, biases excluded)', () => {
    const opts = {
      inputSize: 3,
      hiddenSizeList: [2],
      outputSize: 2,
      rng: new Rng(1),
      dtype: 'float64' as const,
    };
    const plain = new MultiLayerNet({ ...opts });
    const decayed = new MultiLayerNet({ ...opts, rng: new Rng(1), weightDecayLambda: 0.3 });
    decayed.param('b2').value.fill(5); // biases are not decayed
    plain.param('b2').value.fill(5);
    const x = randn([2, 3], new Rng(2), { dtype: 'float64' });
    const t = randint([2], new Rng(3), 0, 2);
    let sumW2 = 0;
    for (const name of ['W1', 'W2']) for (const w of decayed.param(name).value.data) sumW2 += w * w;
    expect(decayed.loss(x, t) - plain.loss(x, t)).toBeCloseTo(0.5 * 0.3 * sumW2, 12);
  });
});
