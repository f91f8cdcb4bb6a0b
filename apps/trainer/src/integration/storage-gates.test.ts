import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, type ModelSpec } from '@dl/layers';
import { Trainer, createOptimizer, type TrainData } from '@dl/optim';
import { createWasmBackend, randint, randn, Rng, type WasmKernels } from '@dl/tensor';

// Issue 15, slice 3: tensors of the wasm backend live in its memory. The gates: per training step
// only the batch, its labels and the Dropout masks cross into WebAssembly memory and nothing comes
// out (the loss is read in place); parameters, gradients and optimizer slots never cross; and 2 000
// steps leave the memory and the allocator's high-water mark where they were at step 100.

const MLP: ModelSpec = {
  kind: 'multi-layer-net-extend',
  inputSize: 64,
  hiddenSizeList: [48, 32],
  outputSize: 10,
  useBatchnorm: true,
  useDropout: true,
  dropoutRatio: 0.2,
};
const CONV: ModelSpec = {
  kind: 'simple-conv-net',
  inputDim: [1, 10, 10],
  convParam: { filterNum: 6, filterSize: 3, pad: 0, stride: 1 },
  hiddenSize: 20,
  outputSize: 10,
};

function data(shape: readonly number[], seed: number): TrainData {
  const rng = new Rng(seed);
  return {
    xTrain: randn([200, ...shape], rng),
    tTrain: randint([200], rng, 0, 10),
    xTest: randn([50, ...shape], rng),
    tTest: randint([50], rng, 0, 10),
  };
}

function trainer(
  backend: WasmKernels,
  spec: ModelSpec,
  shape: readonly number[],
  batchSize: number,
): Trainer {
  return new Trainer({
    model: buildModel(spec, { rng: new Rng(7), backend }),
    optimizer: createOptimizer('adam', { lr: 0.001, backend }),
    data: data(shape, 3),
    batchSize,
    iterations: 1_000_000,
    seed: 5,
    yieldEvery: 0,
    // Evaluations allocate too; they are steps of their own (checked apart below).
    evaluateAt: 'book',
    evaluateSampleNumPerEpoch: 50,
  });
}

describe('wasm storage (issue 15, slice 3)', () => {
  let backend: WasmKernels;
  beforeAll(async () => {
    backend = await createWasmBackend();
  });
  afterAll(() => backend.close());

  it('copies only the labels and the Dropout masks in per step, and nothing out', () => {
    const batch = 25;
    const run = trainer(backend, MLP, [64], batch);
    run.trainStep(); // the first step makes the optimizer's slots
    const before = backend.copies();
    const steps = 5;
    for (let i = 0; i < steps; i++) run.trainStep();
    const after = backend.copies();
    // Each step: the labels once (SoftmaxWithLoss's backward), each of the two Dropout layers' masks
    // twice (forward and backward). The batch itself is gathered straight into the backend's memory.
    const dropoutUnits = 48 + 32;
    expect(after.inCalls - before.inCalls).toBe(steps * (1 + 2 * 2));
    expect(after.inBytes - before.inBytes).toBe(steps * (batch * 4 + 2 * batch * dropoutUnits));
    expect(after.outCalls - before.outCalls).toBe(0);
    expect(after.outBytes - before.outBytes).toBe(0);
  });

  it('copies only the labels in per step of a convolutional network', () => {
    const batch = 8;
    const run = trainer(backend, CONV, [1, 10, 10], batch);
    run.trainStep();
    const before = backend.copies();
    for (let i = 0; i < 4; i++) run.trainStep();
    const after = backend.copies();
    expect(after.inCalls - before.inCalls).toBe(4);
    expect(after.inBytes - before.inBytes).toBe(4 * batch * 4);
    expect(after.outBytes - before.outBytes).toBe(0);
  });

  it('keeps memory and the high-water mark flat from step 100 to step 2 000', () => {
    const runs = [trainer(backend, MLP, [64], 20), trainer(backend, CONV, [1, 10, 10], 4)];
    let at100 = backend.heapStats();
    for (let step = 1; step <= 2000; step++) {
      for (const run of runs) run.trainStep();
      if (step === 100) at100 = backend.heapStats();
    }
    const at2000 = backend.heapStats();
    expect(at2000.memoryBytes).toBe(at100.memoryBytes);
    expect(at2000.highWaterBytes).toBe(at100.highWaterBytes);
    expect(at2000.liveBytes).toBe(at100.liveBytes);
  });
});
