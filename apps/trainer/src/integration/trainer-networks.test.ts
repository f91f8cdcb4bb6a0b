import { describe, expect, it } from 'vitest';
import { randn, Rng, zeros, type Tensor } from '@dl/tensor';
import { MultiLayerNet, TwoLayerNet, type FloatTensor } from '@dl/layers';
import { createOptimizer, rowsView, train, type TrainData } from '@dl/optim';

// Here, not in @dl/optim: the Trainer with @dl/layers' book networks, and @dl/optim does not depend
// on @dl/layers (it sees a network through its structural `Model` type).

/** `n` float32 points in `dim` dimensions around one random centre per class (the label `i % classes`). */
function blobs(n: number, classes: number, dim: number, rng: Rng): { x: FloatTensor; t: Tensor<'int32'> } {
  const centres = randn([classes, dim], rng, { std: 3, dtype: 'float64' });
  const x = randn([n, dim], rng, { std: 0.5, dtype: 'float32' });
  const t = zeros([n], 'int32');
  for (let i = 0; i < n; i++) {
    const k = i % classes;
    t.data[i] = k;
    for (let d = 0; d < dim; d++) x.data[i * dim + d]! += centres.data[k * dim + d]!;
  }
  return { x, t };
}

function data(): TrainData {
  const { x, t } = blobs(360, 3, 4, new Rng(21));
  return {
    xTrain: rowsView(x, 0, 300),
    tTrain: rowsView(t, 0, 300),
    xTest: rowsView(x, 300, 360),
    tTest: rowsView(t, 300, 360),
  };
}

describe("Trainer with @dl/layers' networks", () => {
  it('trains TwoLayerNet with Adam', async () => {
    const model = new TwoLayerNet(4, 10, 3, { rng: new Rng(1) });
    const result = await train({
      model,
      optimizer: createOptimizer('adam', { lr: 0.01 }),
      data: data(),
      batchSize: 50,
      epochs: 10,
    });
    expect(model.params().map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect(result.testAcc).toBeGreaterThan(0.9);
    expect(result.trainAccList).toHaveLength(10);
  });

  it('trains MultiLayerNet with weight decay and Momentum', async () => {
    const model = new MultiLayerNet({
      inputSize: 4,
      hiddenSizeList: [8, 8],
      outputSize: 3,
      weightDecayLambda: 1e-4,
      rng: new Rng(2),
    });
    const result = await train({
      model,
      optimizer: createOptimizer('momentum'),
      data: data(),
      batchSize: 50,
      epochs: 10,
    });
    expect(result.testAcc).toBeGreaterThan(0.9);
  });
});
