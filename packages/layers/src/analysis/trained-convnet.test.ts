import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, slice, take, type Tensor } from '@dl/tensor';
import { loadMnist } from '@dl/data-mnist';
import { SimpleConvNet } from '../networks/simple-conv-net.js';
import type { Param } from '../layer.js';
import { filterGrid } from './filter-grid.js';
import { listMisclassified } from './misclassified.js';
import { accuracyByPrecision } from './reduced-precision.js';

/** The book's Adam (`common/optimizer.py`), inlined: @dl/optim depends on this package. */
function adam(params: Param[], lr = 0.001): () => void {
  const m = params.map((p) => new Float64Array(p.value.size));
  const v = params.map((p) => new Float64Array(p.value.size));
  let iter = 0;
  return () => {
    iter++;
    const lrT = (lr * Math.sqrt(1 - 0.999 ** iter)) / (1 - 0.9 ** iter);
    params.forEach((p, k) => {
      const [w, g, mk, vk] = [p.value.data, p.grad.data, m[k]!, v[k]!];
      for (let i = 0; i < w.length; i++) {
        mk[i] = mk[i]! + 0.1 * (g[i]! - mk[i]!);
        vk[i] = vk[i]! + 0.001 * (g[i]! ** 2 - vk[i]!);
        w[i] = w[i]! - (lrT * mk[i]!) / (Math.sqrt(vk[i]!) + 1e-7);
      }
    });
  };
}

// A reduced SimpleConvNet (8 filters 5x5 and 32 hidden units where the book has 30 and 100; He
// initialisation) trained for real on 2 000 MNIST digits, 250 Adam steps (lr 0.003) of 50, then checked
// on 1 000 held-out test digits (about 93%; the js backend needs ~15 s on a loaded 2-core machine).
const TRAIN = 2000;
const HELD_OUT = 1000;
const STEPS = 250;
const BATCH = 50;

describe('a SimpleConvNet trained on 2 000 MNIST digits', () => {
  let net: SimpleConvNet;
  let xTest: Tensor<'float32'>;
  let tTest: Tensor<'int32'>;
  let filtersBefore: Float32Array;
  let accuracy: number;

  beforeAll(() => {
    const mnist = loadMnist({ flatten: false });
    const xTrain = slice(mnist.xTrain, [[0, TRAIN]]);
    const tTrain = slice(mnist.tTrain, [[0, TRAIN]]);
    xTest = slice(mnist.xTest, [[0, HELD_OUT]]);
    tTest = slice(mnist.tTest, [[0, HELD_OUT]]);
    const rng = new Rng(2024);
    net = new SimpleConvNet({
      convParam: { filterNum: 8, filterSize: 5 },
      hiddenSize: 32,
      weightInitStd: 'he',
      rng,
    });
    filtersBefore = Float32Array.from(net.param('W1').value.data);
    const step = adam(net.params(), 0.003);
    for (let s = 0; s < STEPS; s++) {
      const batch = Array.from({ length: BATCH }, () => rng.int(TRAIN)); // with replacement, as the book's
      net.gradient(take(xTrain, batch), take(tTrain, batch), { train: true, rng });
      step();
    }
    accuracy = net.accuracy(xTest, tTest);
  }, 120_000);

  it('beats 90% on held-out digits', () => {
    expect(accuracy).toBeGreaterThan(0.9);
  });

  it('loses almost nothing with float16 weights, and little with bfloat16 weights', () => {
    const acc = accuracyByPrecision(net, xTest, tTest);
    expect(acc.float32).toBe(accuracy);
    expect(Math.abs(acc.float16! - acc.float32!)).toBeLessThanOrEqual(0.002);
    expect(Math.abs(acc.bfloat16! - acc.float32!)).toBeLessThanOrEqual(0.01);
    expect(net.accuracy(xTest, tTest)).toBe(accuracy); // weights restored exactly
  });

  it('lists exactly the misclassified held-out digits', () => {
    const wrong = listMisclassified(net, xTest, tTest);
    expect(wrong.length).toBe(Math.round((1 - accuracy) * HELD_OUT));
    for (const w of wrong) {
      expect(w.label).toBe(tTest.data[w.index]);
      expect(w.prediction).not.toBe(w.label);
      expect(w.probability).toBeGreaterThanOrEqual(w.labelProbability);
      expect(w.probability).toBeLessThanOrEqual(1);
    }
    expect(listMisclassified(net, xTest, tTest, { limit: 3, batchSize: 7 })).toEqual(wrong.slice(0, 3));
  });

  it('gives first-layer filters that changed in training, as an image grid', () => {
    const W1 = net.param('W1').value;
    expect(W1.data).not.toEqual(filtersBefore);
    const grid = filterGrid(W1, { columns: 4, zoom: 2 });
    expect([grid.width, grid.height]).toEqual([4 * 10 + 5, 2 * 10 + 3]);
  });
});
