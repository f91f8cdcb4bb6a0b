import { describe, expect, it, vi } from 'vitest';
import { Rng, type Tensor } from '@dl/tensor';
import type { FloatTensor, ForwardContext, Model } from './model.js';
import { LogisticModel, blobs } from '../test/logistic-model.js';
import { createOptimizer } from './create-optimizer.js';
import { rowsView, type TrainData } from './dataset.js';
import { NonFiniteError } from './non-finite.js';
import type { OptimizerName } from './optimizer.js';
import { Trainer, train } from './trainer.js';
import type { EpochEvent, TrainerOptions } from './trainer-options.js';

function dataset(
  trainSize: number,
  testSize = 60,
  seed = 7,
  dtype: 'float32' | 'float64' = 'float64',
): TrainData {
  // One draw (one set of cluster centres), split into train and test rows.
  const { x, t } = blobs(trainSize + testSize, 3, 4, new Rng(seed), dtype);
  const n = trainSize + testSize;
  return {
    xTrain: rowsView(x, 0, trainSize).clone(),
    tTrain: rowsView(t, 0, trainSize).clone(),
    xTest: rowsView(x, trainSize, n).clone(),
    tTest: rowsView(t, trainSize, n).clone(),
  };
}

const model = (seed = 1, dtype: 'float32' | 'float64' = 'float64'): LogisticModel =>
  new LogisticModel(4, 3, new Rng(seed), dtype);

/** Options for a small run; `rest` overrides. */
function options(rest: Partial<TrainerOptions> & { data?: TrainData } = {}): TrainerOptions {
  return {
    model: model(),
    optimizer: createOptimizer('sgd', { lr: 0.1 }),
    data: dataset(500),
    batchSize: 100,
    epochs: 3,
    yieldEvery: 0,
    ...rest,
  } as TrainerOptions;
}

describe('Trainer (common/trainer.py)', () => {
  it.each<[OptimizerName, number]>([
    ['sgd', 0.1],
    ['momentum', 0.05],
    ['nesterov', 0.05],
    ['adagrad', 0.5],
    ['rmsprop', 0.05],
    ['adam', 0.05],
  ])('learns separable blobs with %s', async (name, lr) => {
    const result = await train(options({ optimizer: createOptimizer(name, { lr }), epochs: 5 }));
    expect(result.testAcc).toBeGreaterThan(0.95);
    expect(result.steps).toBe(25);
    expect(result.epochs).toBe(5);
    expect(result.trainLossList).toHaveLength(25);
    expect(result.trainLossList.at(-1)!).toBeLessThan(result.trainLossList[0]!);
    expect(result.aborted).toBe(false);
  });

  it('learns in float32 too', async () => {
    const result = await train(
      options({ model: model(1, 'float32'), data: dataset(500, 60, 7, 'float32'), epochs: 5 }),
    );
    expect(result.testAcc).toBeGreaterThan(0.95);
  });

  it("evaluates after the first step of each epoch (book) or after the last ('epochEnd')", async () => {
    const steps = async (rest: Partial<TrainerOptions>): Promise<number[]> => {
      const events: EpochEvent[] = [];
      await train(options({ ...rest, onEpoch: (e) => events.push(e) }));
      expect(events.map((e) => e.epoch)).toEqual(events.map((_, i) => i + 1));
      return events.map((e) => e.step);
    };
    // 500 / 100: 5 steps an epoch, 15 steps in all.
    expect(await steps({})).toEqual([1, 6, 11]);
    expect(await steps({ evaluateAt: 'epochEnd' })).toEqual([5, 10, 15]);
    // 250 / 100: 2.5 steps an epoch; epochs end after ceil(2.5 k) steps.
    expect(await steps({ data: dataset(250), epochs: 2 })).toEqual([1, 4]);
    expect(await steps({ data: dataset(250), epochs: 2, evaluateAt: 'epochEnd' })).toEqual([3, 5]);
    // A batch larger than the set: max(50 / 100, 1) = 1 step an epoch.
    expect(await steps({ data: dataset(50), epochs: 3, evaluateAt: 'epochEnd' })).toEqual([1, 2, 3]);
    // iterations: exact steps; a partial last epoch is not evaluated.
    expect(await steps({ epochs: undefined, iterations: 12, evaluateAt: 'epochEnd' })).toEqual([5, 10]);
  });

  it('reports steps and epochs to the callbacks', async () => {
    const stepEvents: { step: number; epoch: number; loss: number; imagesPerSecond: number }[] = [];
    const epochEvents: EpochEvent[] = [];
    const result = await train(
      options({
        evaluateAt: 'epochEnd',
        onStep: (e) => stepEvents.push(e),
        onEpoch: (e) => epochEvents.push(e),
      }),
    );
    expect(stepEvents.map((e) => e.step)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(stepEvents.map((e) => e.epoch)).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]);
    expect(stepEvents.map((e) => e.loss)).toEqual(result.trainLossList);
    const mean = result.trainLossList.slice(5, 10).reduce((a, b) => a + b) / 5;
    expect(epochEvents[1]!.loss).toBeCloseTo(mean, 14);
    expect(epochEvents.map((e) => e.trainAcc)).toEqual(result.trainAccList);
    expect(epochEvents.map((e) => e.testAcc)).toEqual(result.testAccList);
    for (const e of [...stepEvents, ...epochEvents]) expect(e.imagesPerSecond).toBeGreaterThanOrEqual(0);
    expect(epochEvents[2]!.seconds).toBeGreaterThanOrEqual(epochEvents[0]!.seconds);
  });

  it('evaluates on the first evaluateSampleNumPerEpoch rows, and the final testAcc on all', async () => {
    const seen: number[] = [];
    const m = model();
    const spy: Model = Object.assign(Object.create(m) as LogisticModel, {
      accuracy: (x: FloatTensor, t: Tensor): number => {
        seen.push(x.shape[0]!);
        return m.accuracy(x, t);
      },
    });
    await train(options({ model: spy, epochs: 2, evaluateSampleNumPerEpoch: 30 }));
    expect(seen).toEqual([30, 30, 30, 30, 60]);
  });

  it('is reproducible from a seed, and the seed matters', async () => {
    const run = async (seed: number): Promise<number[]> => (await train(options({ seed }))).trainLossList;
    expect(await run(5)).toEqual(await run(5));
    expect(await run(5)).not.toEqual(await run(6));
    const rng = new Rng(5);
    expect((await train(options({ rng }))).trainLossList).toEqual(await run(5));
  });

  it("records the book's loss after the update with recordLoss: 'afterUpdate'", async () => {
    const a = model();
    const b = model();
    const before = await train(options({ model: a, seed: 3 }));
    const after = await train(options({ model: b, seed: 3, recordLoss: 'afterUpdate' }));
    // Same batches and updates; each recorded loss is the next step's weights on the same batch.
    expect(Array.from(b.W.value.data)).toEqual(Array.from(a.W.value.data));
    expect(after.trainLossList).not.toEqual(before.trainLossList);
    expect(b.forwardCalls - a.forwardCalls).toBe(15);
  });

  it('computes the test loss on request', async () => {
    const m = model();
    const result = await train(options({ model: m, computeTestLoss: true, evalBatchSize: 25 }));
    const data = dataset(500);
    expect(result.testLoss).toBeCloseTo(m.loss(data.xTest, data.tTest, { train: false }), 12);
  });
});

describe('Trainer: cancellation, non-finite losses, resume', () => {
  it('stops between steps when the signal fires, resolving with what was done', async () => {
    const controller = new AbortController();
    const result = await train(
      options({
        signal: controller.signal,
        onStep: (e) => e.step === 7 && controller.abort(),
        evaluateAt: 'epochEnd',
      }),
    );
    expect(result).toMatchObject({ aborted: true, steps: 7, epochs: 1 });
    expect(result.trainLossList).toHaveLength(7);
    expect(result.testAcc).toBe(result.testAccList[0]);
    const before = await train(options({ signal: AbortSignal.abort() }));
    expect(before).toMatchObject({ aborted: true, steps: 0 });
    expect(before.testAcc).toBeNaN();
  });

  it('yields to the event loop, so a timer can abort a long run', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 5);
    const result = await train(
      options({ iterations: 1e7, epochs: undefined, signal: controller.signal, yieldEvery: 1 }),
    );
    expect(result.aborted).toBe(true);
    expect(result.steps).toBeGreaterThan(0);
    expect(result.steps).toBeLessThan(1e7);
  });

  it('throws NonFiniteError when the loss diverges, naming the step and the learning rate', async () => {
    const optimizer = createOptimizer('sgd', { lr: 1e308 });
    const error = await train(options({ optimizer })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteError);
    const e = error as NonFiniteError;
    // The weights reach ~1e308: the scores overflow, and the gradient of W is the first NaN.
    expect(e.source).toMatchObject({ where: 'grad', param: 'W' });
    expect(e.step).toBe(optimizer.iter + 1);
    expect(e.loss).toBeNaN();
    expect(e.message).toMatch(
      /^train: the loss became NaN at step \d+ \(epoch 1\); first non-finite: gradient of W\[\d+\] is NaN/,
    );
    expect(e.message).toMatch(/Lower the learning rate \(lr 1e\+308\)/);
  });

  it('names a weight that became non-finite before the gradient', async () => {
    const m = model();
    const onStep = (e: { step: number }): void => {
      if (e.step === 2) m.W.value.data[3] = Number.POSITIVE_INFINITY;
    };
    const e = (await train(options({ model: m, onStep })).catch((err: unknown) => err)) as NonFiniteError;
    expect(e).toBeInstanceOf(NonFiniteError);
    expect(e).toMatchObject({ step: 3, source: { where: 'value', param: 'W', index: 3, value: Infinity } });
    expect(e.message).toMatch(/weight W\[3\] is Infinity \(a previous update diverged\)/);
  });

  it('names a non-finite gradient, or bad input data', async () => {
    const m = model();
    let calls = 0;
    const faulty: Model = Object.assign(Object.create(m) as LogisticModel, {
      gradient: (x: FloatTensor, t: Tensor, ctx: ForwardContext): number => {
        m.gradient(x, t, ctx);
        if (++calls === 3) {
          m.b.grad.data[2] = Number.NaN;
          return Number.NaN;
        }
        return 1;
      },
    });
    const optimizer = createOptimizer('sgd');
    const e = (await train(options({ model: faulty, optimizer })).catch(
      (err: unknown) => err,
    )) as NonFiniteError;
    expect(e).toBeInstanceOf(NonFiniteError);
    expect(e).toMatchObject({ step: 3, epoch: 1, source: { where: 'grad', param: 'b', index: 2 } });
    expect(optimizer.iter).toBe(2); // the bad step did not update
    const data = dataset(500);
    data.xTrain.data.fill(Number.POSITIVE_INFINITY, 0, data.xTrain.size);
    const bad = (await train(options({ data })).catch((err: unknown) => err)) as NonFiniteError;
    expect(bad.source).toMatchObject({ where: 'input', index: 0, value: Infinity });
    expect(bad.message).toMatch(/at step 1 \(epoch 1\).*the input batch holds Infinity/);
  });

  it.each(['replacement', 'shuffle'] as const)(
    'resumes from a saved state bit-identically (%s)',
    async (sampling) => {
      const common = { sampling, epochs: 4, seed: 11 } as const;
      const full = await train(options({ ...common, optimizer: createOptimizer('adam', { lr: 0.05 }) }));

      const m1 = model();
      const o1 = createOptimizer('adam', { lr: 0.05 });
      const first = new Trainer(options({ ...common, model: m1, optimizer: o1 }));
      for (let i = 0; i < 7; i++) first.trainStep();
      const saved = {
        trainer: first.getState(),
        optimizer: o1.getState(),
        W: m1.W.value.clone(),
        b: m1.b.value.clone(),
      };

      const m2 = model(99);
      m2.W.value.assign(saved.W);
      m2.b.value.assign(saved.b);
      const o2 = createOptimizer('adam');
      o2.setState(saved.optimizer);
      const second = new Trainer(options({ ...common, model: m2, optimizer: o2, seed: 12345 }));
      second.setState(JSON.parse(JSON.stringify(saved.trainer)) as typeof saved.trainer);
      const resumed = await second.train();
      expect(resumed.trainLossList).toEqual(full.trainLossList);
      expect(resumed.trainAccList).toEqual(full.trainAccList);
      expect(resumed.testAcc).toBe(full.testAcc);
    },
  );

  it('after a resume, images/s counts only the steps run since (a clock that ticks 1 ms a call)', () => {
    let now = 0;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => ++now);
    try {
      // 500 images, batches of 100: 5 steps an epoch. Resume at step 3, in the middle of epoch 1.
      const rates: number[] = [];
      const first = new Trainer(options());
      for (let i = 0; i < 3; i++) first.trainStep();
      const second = new Trainer({ ...options(), onStep: (e) => rates.push(e.imagesPerSecond) });
      second.setState(first.getState());
      second.trainStep();
      const fresh: number[] = [];
      const third = new Trainer({ ...options(), onStep: (e) => fresh.push(e.imagesPerSecond) });
      third.trainStep();
      // One step each, timed by the same clock: the same rate (it used to count the steps before the resume too).
      expect(rates[0]).toBeGreaterThan(0);
      expect(rates[0]).toBe(fresh[0]);
    } finally {
      clock.mockRestore();
    }
  });

  it('checks its options', () => {
    expect(() => new Trainer(options({ iterations: 3 }))).toThrow(/give epochs or iterations, not both/);
    expect(
      () => new Trainer(options({ seed: 1, rng: new Rng(1) } as unknown as Partial<TrainerOptions>)),
    ).toThrow(/seed or rng, not both/);
    expect(() => new Trainer(options({ batchSize: 0 }))).toThrow(/batchSize must be an integer > 0, got 0/);
    expect(() => new Trainer(options({ sampling: 'random' as 'shuffle' }))).toThrow(
      /sampling must be 'replacement' or 'shuffle', got 'random'/,
    );
    const data = dataset(500);
    expect(() => new Trainer(options({ data: { ...data, tTrain: data.tTest } }))).toThrow(
      /xTrain and tTrain must have the same number of rows, got \[500,4\] and \[60\]/,
    );
    expect(new Trainer(options({ epochs: undefined })).config.maxIter).toBe(100); // the book's 20 epochs
  });
});
