import { describe, expect, it } from 'vitest';
import { Rng } from '@dl/tensor';
import { LogisticModel, blobs } from '../test/logistic-model.js';
import { createOptimizer } from './create-optimizer.js';
import { splitValidation, type ValidationSplit } from './dataset.js';
import { logUniform, randomSearch, sampleBookHyper } from './random-search.js';
import { train } from './trainer.js';

describe('hyper-parameter random search (ch06/hyperparameter_optimization.py)', () => {
  it('logUniform draws 10^U(low, high)', () => {
    const rng = new Rng(1);
    const values = Array.from({ length: 2000 }, () => logUniform(rng, -6, -2));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(1e-6);
    expect(Math.max(...values)).toBeLessThan(1e-2);
    const below = values.filter((v) => v < 1e-4).length / values.length; // the middle exponent
    expect(below).toBeGreaterThan(0.45);
    expect(below).toBeLessThan(0.55);
    expect(() => logUniform(rng, 1, 0)).toThrow(/lowExp <= highExp/);
  });

  it("samples the book's ranges in the book's order (weight decay first)", () => {
    const a = new Rng(9);
    const hyper = sampleBookHyper(a);
    const b = new Rng(9);
    expect(hyper.weightDecay).toBe(10 ** (-8 + 4 * b.random()));
    expect(hyper.lr).toBe(10 ** (-6 + 4 * b.random()));
    expect(hyper.weightDecay).toBeGreaterThanOrEqual(1e-8);
    expect(hyper.weightDecay).toBeLessThan(1e-4);
  });

  const search = (seed: number, signal?: AbortSignal) => {
    const { x, t } = blobs(300, 3, 4, new Rng(5));
    const data = splitValidation(x, t, { rng: new Rng(6) });
    const runs: number[] = [];
    const promise = randomSearch({
      trials: 6,
      seed,
      data,
      signal,
      sample: (rng) => ({ lr: logUniform(rng, -4, 0) }),
      run: async (hyper, d: ValidationSplit, trial) => {
        runs.push(trial.index);
        const model = new LogisticModel(4, 3, trial.rng);
        const result = await train({
          model,
          optimizer: createOptimizer('sgd', { lr: hyper.lr }),
          data: { xTrain: d.xTrain, tTrain: d.tTrain, xTest: d.xVal, tTest: d.tVal },
          batchSize: 40,
          epochs: 2,
          rng: trial.rng,
          yieldEvery: 0,
        });
        return { valAcc: result.testAcc, finalLoss: result.trainLossList.at(-1)! };
      },
    });
    return { promise, runs };
  };

  it('runs the trials and returns them best first; a tiny lr loses on this easy problem', async () => {
    const { promise, runs } = search(1);
    const trials = await promise;
    expect(runs).toEqual([0, 1, 2, 3, 4, 5]);
    expect(trials).toHaveLength(6);
    const accs = trials.map((tr) => tr.result.valAcc);
    expect(accs).toEqual([...accs].sort((a, b) => b - a));
    // Ties keep run order; the tiniest lr barely moves the weights in 2 epochs and ranks last.
    expect(trials.at(-1)!.hyper.lr).toBe(Math.min(...trials.map((tr) => tr.hyper.lr)));
    expect(trials.at(-1)!.result.valAcc).toBeLessThan(trials[0]!.result.valAcc);
    expect(trials[0]!.result.valAcc).toBeGreaterThan(0.9);
    const again = await search(1).promise;
    expect(again).toEqual(trials);
  });

  it('stops before the next trial when aborted, ranks NaN last, checks trials', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const trials = await randomSearch({
      trials: 10,
      data: null,
      signal: controller.signal,
      sample: (rng) => rng.random(),
      run: (_h, _d, { index }) => ({ valAcc: index === 0 ? Number.NaN : index / 10 }),
      onTrial: (trial) => {
        seen.push(trial.index);
        if (trial.index === 2) controller.abort();
      },
    });
    expect(seen).toEqual([0, 1, 2]);
    expect(trials.map((tr) => tr.index)).toEqual([2, 1, 0]);
    await expect(
      randomSearch({ trials: -1, data: null, sample: () => 0, run: () => ({ valAcc: 0 }) }),
    ).rejects.toThrow(/trials must be an integer >= 0/);
  });
});
