import { describe, expect, it } from 'vitest';
import { Rng, randn } from '@dl/tensor';
import { formatGradientCheck, gradientCheck } from '@dl/gradcheck';
import { SimpleConvNet } from './simple-conv-net.js';
import {
  DIFF_TOL,
  NUMGRAD_TOL,
  confidentLabels,
  expectClose,
  f64,
  loadCases,
  named,
  rms,
  setParams,
  toTensor,
  type FixtureCase,
} from '../testing/fixtures.js';

interface ConvNetAttrs {
  input_dim: [number, number, number];
  conv_param: { filter_num: number; filter_size: number; pad: number; stride: number };
  hidden_size: number;
  output_size: number;
}

function build(c: FixtureCase): SimpleConvNet {
  const a = c.attrs as unknown as ConvNetAttrs;
  return new SimpleConvNet({
    inputDim: a.input_dim,
    convParam: {
      filterNum: a.conv_param.filter_num,
      filterSize: a.conv_param.filter_size,
      pad: a.conv_param.pad,
      stride: a.conv_param.stride,
    },
    hiddenSize: a.hidden_size,
    outputSize: a.output_size,
    dtype: 'float64',
  });
}

describe('SimpleConvNet', () => {
  it.each(named(loadCases('simple_convnet.json', 'SimpleConvNet')))('matches the book: %s', (_, c) => {
    const net = build(c);
    setParams(net, c.params);
    const x = f64(c.inputs.x);
    const t = toTensor(c.inputs.t);
    expectClose(net.predict(x), c.outputs.scores, undefined, 'scores');
    expectClose(net.loss(x, t), c.outputs.loss, undefined, 'loss');
    net.gradient(x, t);
    for (const p of net.params())
      expectClose(p.grad, c.outputs[`grad.${p.name}`], undefined, `grad.${p.name}`);
    const numgrad = net.numericalGradient(x, t);
    for (const p of net.params())
      expectClose(numgrad.get(p.name)!, c.outputs[`numgrad.${p.name}`], NUMGRAD_TOL, `numgrad.${p.name}`);
  });

  it.each(named(loadCases('gradient_check.json', 'gradient_check.SimpleConvNet')))(
    "reproduces the book's gradient check (ch07/gradient_check.py): %s",
    (_, c) => {
      const net = build(c);
      setParams(net, c.params);
      const report = gradientCheck(net, f64(c.inputs.x), toTensor(c.inputs.t));
      expect(report.params.map((p) => `diff.${p.name}`).sort()).toEqual(Object.keys(c.outputs).sort());
      for (const p of report.params) {
        // Averages of differences of nearly equal numbers: the README's tolerance is loose (DIFF_TOL).
        expectClose(p.meanAbsError, c.outputs[`diff.${p.name}`], DIFF_TOL, `diff.${p.name}`);
      }
    },
  );

  it("builds the book's default network with every size inferred", () => {
    const net = new SimpleConvNet();
    expect([...net.layers.keys()]).toEqual(['Conv1', 'Relu1', 'Pool1', 'Affine1', 'Relu2', 'Affine2']);
    expect(net.params().map((p) => [p.name, p.value.shape])).toEqual([
      ['W1', [30, 1, 5, 5]],
      ['b1', [30]],
      ['W2', [4320, 100]],
      ['b2', [100]],
      ['W3', [100, 10]],
      ['b3', [10]],
    ]);
    expect(rms(net.param('W1').value.data)).toBeCloseTo(0.01, 3);
    expect(rms(net.param('W2').value.data)).toBeCloseTo(0.01, 3);
    expect([...net.param('b1').value.data].every((v) => v === 0)).toBe(true);
  });

  it('infers sizes the book could not (odd convolution output, non-square input, stride and pad)', () => {
    const net = new SimpleConvNet({
      inputDim: [3, 11, 14],
      convParam: { filterNum: 4, filterSize: [3, 4], pad: 1, stride: 2 },
      hiddenSize: 6,
      outputSize: 5,
      rng: new Rng(3),
    });
    // conv: (11+2-3)/2+1 = 6, (14+2-4)/2+1 = 7; pool 2x2/2: 3 x 3.
    expect(net.param('W2').value.shape).toEqual([4 * 3 * 3, 6]);
    const x = randn([2, 3, 11, 14], new Rng(4));
    expect(net.predict(x).shape).toEqual([2, 5]);
  });

  it('passes the gradient check on that geometry (float64)', () => {
    const rng = new Rng(5);
    const net = new SimpleConvNet({
      inputDim: [2, 9, 8],
      convParam: { filterNum: 3, filterSize: 3, pad: 2, stride: 2 },
      hiddenSize: 5,
      outputSize: 4,
      weightInitStd: 'he',
      rng,
      dtype: 'float64',
    });
    const x = randn([3, 2, 9, 8], rng, { dtype: 'float64' });
    for (const p of net.params())
      if (!p.decay) p.value.assign(randn(p.value.shape, rng, { dtype: 'float64', std: 0.1 }));
    const report = gradientCheck(net, x, confidentLabels(net, x));
    expect(report.maxRelError, formatGradientCheck(report)).toBeLessThan(1e-6);
  });
});
