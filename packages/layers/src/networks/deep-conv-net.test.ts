import { describe, expect, it } from 'vitest';
import { Rng, randn } from '@dl/tensor';
import { gradientCheck } from '@dl/gradcheck';
import type { Dropout } from '../layers/dropout.js';
import { DeepConvNet } from './deep-conv-net.js';
import {
  confidentLabels,
  expectClose,
  f64,
  loadCases,
  named,
  numberAttr,
  rms,
  setParams,
  toTensor,
} from '../testing/fixtures.js';

const TEST = { train: false };
const TRAIN = { train: true };

describe('DeepConvNet', () => {
  it.each(named(loadCases('deep_convnet.json.gz', 'DeepConvNet')))(
    "matches the book's network (given weights and dropout masks): %s",
    (_, c) => {
      const net = new DeepConvNet({
        inputDim: c.inputs.x!.shape.slice(1) as [number, number, number],
        dropoutRatio: numberAttr(c, 'dropout_ratio'),
        dtype: 'float64',
      });
      setParams(net, c.params);
      const dropout1 = net.layers.get('Dropout1') as Dropout;
      const dropout2 = net.layers.get('Dropout2') as Dropout;
      dropout1.setFixedUniforms(f64(c.inputs['dropout1.u']));
      dropout2.setFixedUniforms(f64(c.inputs['dropout2.u']));
      const x = f64(c.inputs.x);
      const t = toTensor(c.inputs.t);
      const o = c.outputs;
      expectClose(net.predict(x, TEST), o.scores_test, undefined, 'scores_test');
      expectClose(net.predict(x, TRAIN), o.scores_train, undefined, 'scores_train');
      expectClose(net.gradient(x, t, TRAIN), o.loss, undefined, 'loss');
      expect([...dropout1.mask!.data]).toEqual(o['dropout1.mask']!.data);
      expect([...dropout2.mask!.data]).toEqual(o['dropout2.mask']!.data);
      for (const p of net.params()) {
        expectClose(p.grad, o[`grad.${p.name}`], undefined, `grad.${p.name}`);
      }
    },
  );

  it("has the book's layers, 123 552 parameters named W1…W8, He-scaled from inferred fan-ins", () => {
    const net = new DeepConvNet({ rng: new Rng(8) });
    expect([...net.layers.keys()]).toEqual([
      ...['Conv1', 'Relu1', 'Conv2', 'Relu2', 'Pool1', 'Conv3', 'Relu3', 'Conv4', 'Relu4', 'Pool2'],
      ...['Conv5', 'Relu5', 'Conv6', 'Relu6', 'Pool3', 'Affine1', 'Relu7', 'Dropout1', 'Affine2', 'Dropout2'],
    ]);
    const shapes = Object.fromEntries(net.params().map((p) => [p.name, p.value.shape]));
    expect(shapes).toEqual({
      W1: [16, 1, 3, 3], b1: [16], W2: [16, 16, 3, 3], b2: [16], W3: [32, 16, 3, 3], b3: [32],
      W4: [32, 32, 3, 3], b4: [32], W5: [64, 32, 3, 3], b5: [64], W6: [64, 64, 3, 3], b6: [64],
      W7: [1024, 50], b7: [50], W8: [50, 10], b8: [10],
    }); // prettier-ignore
    expect(net.params().reduce((n, p) => n + p.value.size, 0)).toBe(123_552);
    // The book's pre_node_nums: 1·3·3, 16·3·3, 16·3·3, 32·3·3, 32·3·3, 64·3·3, 64·4·4, 50.
    const fanIns = [9, 144, 144, 288, 288, 576, 1024, 50];
    fanIns.forEach((fanIn, i) => {
      const w = net.param(`W${i + 1}`).value.data;
      expect(rms(w) / Math.sqrt(2 / fanIn), `W${i + 1}`).toBeGreaterThan(w.length > 1000 ? 0.95 : 0.8);
      expect(rms(w) / Math.sqrt(2 / fanIn), `W${i + 1}`).toBeLessThan(w.length > 1000 ? 1.05 : 1.2);
    });
    expect(net.predict(randn([2, 1, 28, 28], new Rng(9))).shape).toEqual([2, 10]);
  });

  it('passes the gradient check on a small version with fixed dropout masks (float64)', () => {
    const rng = new Rng(10);
    const small = [4, 4, 5, 5, 6, 6].map((filterNum, i) => ({
      filterNum,
      filterSize: 3,
      pad: i === 3 ? 2 : 1,
    }));
    const net = new DeepConvNet({
      inputDim: [1, 8, 8],
      convParams: small,
      hiddenSize: 6,
      outputSize: 3,
      rng,
      dtype: 'float64',
    });
    for (const p of net.params())
      if (!p.decay) p.value.assign(randn(p.value.shape, rng, { dtype: 'float64', std: 0.1 }));
    const x = randn([2, 1, 8, 8], rng, { dtype: 'float64' });
    // Each forward gets a clone of this rng: the same dropout masks every time.
    const report = gradientCheck(net, x, confidentLabels(net, x), { ctx: { train: true, rng: new Rng(11) } });
    expect(report.maxRelError).toBeLessThan(1e-6);
  });

  it('explains a wrong number of convolutions', () => {
    expect(() => new DeepConvNet({ convParams: [] })).toThrow(/convParams must list 6 convolutions, got 0/);
  });
});
