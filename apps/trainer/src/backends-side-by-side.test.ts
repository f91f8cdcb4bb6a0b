import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, type ModelSpec } from '@dl/layers';
import { Trainer, createOptimizer, type TrainData } from '@dl/optim';
import {
  createBackend,
  jsKernels,
  onBackend,
  randint,
  randn,
  Rng,
  setBackend,
  type Kernels,
  type WasmKernels,
} from '@dl/tensor';

// Backends are values (issue 15, slice 2): a js and a wasm network, each with its own optimizer
// and Trainer, train in one process, step by step in turn, and each gives the numbers of a run
// with its backend as the process default. BatchNorm, Dropout and Adam take the wasm backend's
// fused kernels, so a mix-up would show in the losses.

const SPEC: ModelSpec = {
  kind: 'multi-layer-net-extend',
  inputSize: 20,
  hiddenSizeList: [16, 12],
  outputSize: 4,
  useBatchnorm: true,
  useDropout: true,
  dropoutRatio: 0.2,
};
const STEPS = 12;

function data(): TrainData {
  const rng = new Rng(5);
  return {
    xTrain: randn([64, 20], rng),
    tTrain: randint([64], rng, 0, 4),
    xTest: randn([32, 20], rng),
    tTest: randint([32], rng, 0, 4),
  };
}

/** A Trainer on `backend` (or on the process default when `undefined`). */
function trainer(backend: Kernels | undefined): Trainer {
  return new Trainer({
    model: buildModel(SPEC, { rng: new Rng(11), backend }),
    optimizer: createOptimizer('adam', { lr: 0.01, backend }),
    data: data(),
    batchSize: 16,
    iterations: STEPS,
    seed: 3,
    yieldEvery: 0,
  });
}

/** The losses and final weights of a run with `backend` as the process default, nothing given explicitly. */
function defaultRun(backend: Kernels): {
  losses: number[];
  weights: number[];
  accuracy: { trainAcc: number; testAcc: number };
} {
  const previous = setBackend(backend);
  try {
    const t = trainer(undefined);
    for (let i = 0; i < STEPS; i++) t.trainStep();
    return { losses: t.trainLossList, weights: [...t.model.params()[0]!.value.data], accuracy: t.evaluate() };
  } finally {
    setBackend(previous);
  }
}

let wasm: WasmKernels;
beforeAll(async () => {
  wasm = await createBackend('wasm', { simd: 'plain' });
});
afterAll(async () => {
  await wasm.close();
});

describe('two backends in one process', () => {
  it('a js and a wasm network trained side by side each match their own single-backend run', () => {
    const jsAlone = defaultRun(jsKernels);
    const wasmAlone = defaultRun(wasm);
    // Not the same numbers: otherwise this test could not tell the backends apart.
    expect(wasmAlone.losses).not.toEqual(jsAlone.losses);

    const onJs = trainer(jsKernels);
    const onWasm = trainer(wasm);
    for (let i = 0; i < STEPS; i++) {
      onWasm.trainStep();
      onJs.trainStep();
    }
    expect(onJs.trainLossList).toEqual(jsAlone.losses);
    expect(onWasm.trainLossList).toEqual(wasmAlone.losses);
    expect([...onJs.model.params()[0]!.value.data]).toEqual(jsAlone.weights);
    expect([...onWasm.model.params()[0]!.value.data]).toEqual(wasmAlone.weights);
    expect(onWasm.model.params()[0]!.value.backend).toBe(wasm);
    expect(onJs.evaluate()).toEqual(jsAlone.accuracy);
    expect(onWasm.evaluate()).toEqual(wasmAlone.accuracy);
  });

  it('a network refuses an input tied to another backend, naming both', () => {
    const network = buildModel(SPEC, { rng: new Rng(11), backend: wasm });
    const x = onBackend(jsKernels, () => randn([2, 20], new Rng(1)));
    expect(() => network.predict(x)).toThrow(/tensors on two backends, js and wasm/);
    expect(network.predict(x.to(wasm)).backend).toBe(wasm);
  });

  it('a Trainer refuses a model on another backend', () => {
    expect(
      () =>
        new Trainer({
          model: buildModel(SPEC, { backend: wasm }),
          optimizer: createOptimizer('sgd'),
          data: data(),
          backend: jsKernels,
          iterations: 1,
        }),
    ).toThrow(
      'Trainer: the model runs on the wasm backend, the trainer was given js; give both the same backend',
    );
  });
});
