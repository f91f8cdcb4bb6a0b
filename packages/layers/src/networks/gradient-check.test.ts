import { describe, expect, it } from 'vitest';
import { gradientCheck } from '@dl/gradcheck';
import { MultiLayerNet, type Activation } from './multi-layer-net.js';
import { TwoLayerNet } from './two-layer-net.js';
import type { LayerNetwork } from './layer-network.js';
import {
  DIFF_TOL,
  expectClose,
  f64,
  loadCases,
  named,
  setParams,
  toTensor,
  type FixtureCase,
} from '../testing/fixtures.js';

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

// SimpleConvNet's case runs in simple-conv-net.test.ts, with the network's own parity tests.
const cases = loadCases('gradient_check.json', /^gradient_check\.(TwoLayerNet|MultiLayerNet)$/);

describe("the book's gradient check (ch05/gradient_check.py)", () => {
  it.each(named(cases))('reproduces diff = mean |backprop - numerical|: %s', (_, c) => {
    const net = build(c);
    setParams(net, c.params);
    const report = gradientCheck(net, f64(c.inputs.x), toTensor(c.inputs.t));
    expect(report.params.map((p) => `diff.${p.name}`).sort()).toEqual(Object.keys(c.outputs).sort());
    for (const p of report.params) {
      // Averages of differences of nearly equal numbers: the README's tolerance is loose (DIFF_TOL).
      expectClose(p.meanAbsError, c.outputs[`diff.${p.name}`], DIFF_TOL, `diff.${p.name}`);
    }
  });
});
