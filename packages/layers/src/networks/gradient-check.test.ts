import { describe, expect, it } from 'vitest';
import { gradientCheck } from '@dl/gradcheck';
import { MultiLayerNet, type Activation } from './multi-layer-net.js';
import { TwoLayerNet } from './two-layer-net.js';
import type { LayerNetwork } from './layer-network.js';
import { f64, loadCases, named, scalar, setParams, toTensor, type FixtureCase } from '../testing/fixtures.js';

function build(c: FixtureCase): LayerNetwork {
  const a = c.attrs as unknown as {
    input_size: number;
    hidden_size: number;
    hidden_size_list: number[];
    output_size: number;
    activation: Activation;
    weight_decay_lambda: number;
  };
  if (c.attrs.kind === 'gradient_check.TwoLayerNet') {
    return new TwoLayerNet(a.input_size, a.hidden_size, a.output_size, { dtype: 'float64' });
  }
  return new MultiLayerNet({
    inputSize: a.input_size,
    hiddenSizeList: a.hidden_size_list,
    outputSize: a.output_size,
    activation: a.activation,
    weightDecayLambda: a.weight_decay_lambda,
    dtype: 'float64',
  });
}

// The SimpleConvNet case waits for the convolution layers.
const cases = loadCases('gradient_check.json', /^gradient_check\.(TwoLayerNet|MultiLayerNet)$/);

describe("the book's gradient check (ch05/gradient_check.py)", () => {
  it('covers the TwoLayerNet and MultiLayerNet cases', () => {
    expect(cases.map((c) => c.attrs.kind)).toEqual([
      'gradient_check.TwoLayerNet',
      'gradient_check.MultiLayerNet',
    ]);
  });

  it.each(named(cases))('reproduces diff = mean |backprop - numerical|: %s', (_, c) => {
    const net = build(c);
    setParams(net, c.params);
    const report = gradientCheck(net, f64(c.inputs.x), toTensor(c.inputs.t));
    for (const p of report.params) {
      const expected = scalar(c.outputs[`diff.${p.name}`]);
      // Averages of differences of nearly equal numbers: the README allows ~1e-3 relative.
      expect(Math.abs(p.meanAbsError - expected), p.name).toBeLessThanOrEqual(1e-3 * expected);
      expect(p.maxRelError, p.name).toBeLessThan(1e-6);
    }
  });
});
