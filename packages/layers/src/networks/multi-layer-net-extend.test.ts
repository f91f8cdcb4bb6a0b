import { describe, expect, it } from 'vitest';
import { Rng, randn } from '@dl/tensor';
import { gradientCheck } from '@dl/gradcheck';
import { Dropout } from '../layers/dropout.js';
import { MultiLayerNetExtend } from './multi-layer-net-extend.js';
import type { Activation } from './multi-layer-net.js';
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

interface ExtendAttrs {
  input_size: number;
  hidden_size_list: number[];
  output_size: number;
  activation: Activation;
  weight_decay_lambda: number;
  use_dropout: boolean;
  dropout_ration: number;
  use_batchnorm: boolean;
}

const TRAIN = { train: true };
const TEST = { train: false };

describe('MultiLayerNetExtend', () => {
  it.each(named(loadCases('multi_layer_net.json', 'MultiLayerNetExtend')))('matches the book: %s', (_, c) => {
    const a = c.attrs as unknown as ExtendAttrs;
    const net = new MultiLayerNetExtend({
      inputSize: a.input_size,
      hiddenSizeList: a.hidden_size_list,
      outputSize: a.output_size,
      activation: a.activation,
      weightDecayLambda: a.weight_decay_lambda,
      useDropout: a.use_dropout,
      dropoutRatio: a.dropout_ration,
      useBatchnorm: a.use_batchnorm,
      dtype: 'float64',
    });
    setParams(net, c.params);
    // The recorded np.random.rand draws of each Dropout, held for every train forward.
    for (const [key, layer] of net.layers) {
      if (layer instanceof Dropout) layer.setFixedUniforms(f64(c.inputs[`${key}.u`]));
    }
    const x = f64(c.inputs.x);
    const t = toTensor(c.inputs.t);
    const o = c.outputs;

    // (1) one train-mode gradient
    net.gradient(x, t, TRAIN);
    for (const p of net.params()) expectClose(p.grad, o[`grad.${p.name}`], undefined, `grad.${p.name}`);
    for (const [key, layer] of net.layers) {
      if (layer instanceof Dropout) expect([...layer.mask!.data], key).toEqual(o[`${key}.mask`]!.data);
    }
    const buffers = net.buffers();
    expect(buffers.length).toBe(a.use_batchnorm ? 2 * a.hidden_size_list.length : 0);
    for (const b of buffers) expectClose(b.value, o[b.name], undefined, b.name);
    // (2) test mode, with the running statistics of (1)
    expectClose(net.predict(x, TEST), o.scores_test, undefined, 'scores_test');
    expectClose(net.loss(x, t, TEST), o.loss_test, undefined, 'loss_test');
    // (3) train mode, same masks
    expectClose(net.predict(x, TRAIN), o.scores_train, undefined, 'scores_train');
    expectClose(net.loss(x, t, TRAIN), o.loss_train, undefined, 'loss_train');
    // (4) numerical gradient, same masks
    const numgrad = net.numericalGradient(x, t, TRAIN);
    for (const p of net.params())
      expectClose(numgrad.get(p.name)!, o[`numgrad.${p.name}`], NUMGRAD_TOL, `numgrad.${p.name}`);
  });

  it('orders each hidden layer Affine, BatchNorm, activation, Dropout, with book names', () => {
    const net = new MultiLayerNetExtend({
      inputSize: 784,
      hiddenSizeList: [100, 50],
      outputSize: 10,
      useBatchnorm: true,
      useDropout: true,
      dropoutRatio: 0.2,
    });
    expect([...net.layers.keys()]).toEqual([
      'Affine1',
      'BatchNorm1',
      'Activation_function1',
      'Dropout1',
      'Affine2',
      'BatchNorm2',
      'Activation_function2',
      'Dropout2',
      'Affine3',
    ]);
    expect(net.params().map((p) => p.name)).toEqual([
      'W1',
      'b1',
      'gamma1',
      'beta1',
      'W2',
      'b2',
      'gamma2',
      'beta2',
      'W3',
      'b3',
    ]);
    expect(net.buffers().map((b) => [b.name, b.value.shape])).toEqual([
      ['BatchNorm1.running_mean', [100]],
      ['BatchNorm1.running_var', [100]],
      ['BatchNorm2.running_mean', [50]],
      ['BatchNorm2.running_var', [50]],
    ]);
    expect((net.layers.get('Dropout2') as Dropout).ratio).toBe(0.2);
  });

  it('takes train/test mode from the context only: dropout differs in train mode, not in test mode', () => {
    const rng = new Rng(61);
    const net = new MultiLayerNetExtend({
      inputSize: 5,
      hiddenSizeList: [8],
      outputSize: 3,
      useDropout: true,
      rng,
      dtype: 'float64',
    });
    const x = randn([4, 5], rng, { dtype: 'float64' });
    expect([...net.predict(x, TEST).data]).toEqual([...net.predict(x, TEST).data]);
    const a = net.predict(x, { train: true, rng: new Rng(1) });
    const b = net.predict(x, { train: true, rng: new Rng(2) });
    expect([...a.data]).not.toEqual([...b.data]);
    expect(() => net.predict(x, TRAIN)).toThrow(/needs ctx.rng/);
  });

  it.each([
    ['BatchNorm', { useBatchnorm: true }],
    ['Dropout', { useDropout: true, dropoutRatio: 0.3 }],
    ['BatchNorm + Dropout + weight decay', { useBatchnorm: true, useDropout: true, weightDecayLambda: 0.1 }],
    [
      'sigmoid + BatchNorm + inverted Dropout',
      { activation: 'sigmoid', useBatchnorm: true, useDropout: true, invertedDropout: true },
    ],
  ] as const)('passes the gradient check with %s (float64)', (_, extra) => {
    const rng = new Rng(62);
    const net = new MultiLayerNetExtend({
      inputSize: 6,
      hiddenSizeList: [5, 4],
      outputSize: 3,
      rng,
      dtype: 'float64',
      ...extra,
    });
    for (const p of net.params())
      if (!p.decay) p.value.assign(randn(p.value.shape, rng, { dtype: 'float64', std: 0.3, mean: 0.5 }));
    const x = randn([5, 6], rng, { dtype: 'float64' });
    // Each pass gets a clone of this rng: the same dropout masks in every forward.
    const report = gradientCheck(net, x, confidentLabels(net, x), { ctx: { train: true, rng: new Rng(7) } });
    for (const p of report.params) {
      if (p.scale < 1e-9) {
        // A bias feeding BatchNorm has a zero gradient (the mean subtraction cancels it): both sides are noise.
        expect('useBatchnorm' in extra && p.name.startsWith('b'), p.name).toBe(true);
        expect(p.maxAbsError, p.name).toBeLessThan(1e-9);
      } else {
        expect(p.maxRelError, p.name).toBeLessThan(1e-6);
      }
    }
  });
});
