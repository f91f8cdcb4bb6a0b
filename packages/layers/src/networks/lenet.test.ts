import { describe, expect, it } from 'vitest';
import { Rng, randn } from '@dl/tensor';
import { checkGradients } from '@dl/gradcheck';
import { LeNet } from './lenet.js';
import { confidentLabels } from '../testing/fixtures.js';

describe('LeNet-5', () => {
  it('stacks C1, S2, C3, S4, C5, F6 and the output with sigmoid and average pooling', () => {
    const net = new LeNet();
    expect([...net.layers.keys()]).toEqual([
      ...['Conv1', 'Sigmoid1', 'Pool1', 'Conv2', 'Sigmoid2', 'Pool2', 'Conv3', 'Sigmoid3'],
      ...['Affine1', 'Sigmoid4', 'Affine2'],
    ]);
    expect(net.params().map((p) => [p.name, p.value.shape])).toEqual([
      ['W1', [6, 1, 5, 5]],
      ['b1', [6]],
      ['W2', [16, 6, 5, 5]],
      ['b2', [16]],
      ['W3', [120, 16, 5, 5]],
      ['b3', [120]],
      ['W4', [120, 84]],
      ['b4', [84]],
      ['W5', [84, 10]],
      ['b5', [10]],
    ]);
    expect(net.params().reduce((n, p) => n + p.value.size, 0)).toBe(61_706); // LeCun et al.'s ~60k
    expect(net.predict(randn([3, 1, 28, 28], new Rng(1))).shape).toEqual([3, 10]);
  });

  it('builds the modern variant (ReLU, max pooling) and 32x32 input without padding', () => {
    const net = new LeNet({ inputDim: [1, 32, 32], firstPad: 0, activation: 'relu', pooling: 'max' });
    expect([...net.layers.keys()].slice(0, 3)).toEqual(['Conv1', 'Relu1', 'Pool1']);
    expect(net.param('W4').value.shape).toEqual([120, 84]);
  });

  it('backpropagates correctly through every layer (gradient check of the small parameters, float64)', () => {
    const rng = new Rng(2);
    const net = new LeNet({ rng, dtype: 'float64' });
    const x = randn([2, 1, 28, 28], rng, { dtype: 'float64' });
    const t = confidentLabels(net, x);
    net.gradient(x, t);
    // W2…W5 have 61 000 weights between them; the biases check the same backward paths, W1 the input end.
    const checked = net.params().filter((p) => p.value.size <= 200);
    expect(checked.map((p) => p.name)).toEqual(['W1', 'b1', 'b2', 'b3', 'b4', 'b5']);
    const report = checkGradients(() => net.loss(x, t, { train: true }), checked);
    expect(report.maxRelError).toBeLessThan(1e-6);
  });
});
