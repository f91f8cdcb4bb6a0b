import { describe, expect, it } from 'vitest';
import { Rng } from '@dl/tensor';
import { MultiLayerNet, TwoLayerNet } from '@dl/layers';
import { blobs } from '../test/logistic-model.js';
import { createOptimizer } from './create-optimizer.js';
import { rowsView, type TrainData } from './dataset.js';
import { train } from './trainer.js';

function data(): TrainData {
  const { x, t } = blobs(360, 3, 4, new Rng(21), 'float32');
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
