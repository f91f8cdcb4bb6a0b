import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWasmBackend,
  hasWasmRelaxedSimd,
  jsKernels,
  Rng,
  tensor,
  withBackend,
  type FloatArray,
  type FusedKernels,
  type Kernels,
  type OptimizerUpdate,
} from '@dl/tensor';
import { worstError } from '@dl/tensor/conformance';
import { createWebGpuBackend, typedArrayMover, type WebGpuBackend } from '@dl/tensor/webgpu';
import { adagradUpdate } from './adagrad.js';
import { Adam, adamUpdate } from './adam.js';
import { createOptimizer } from './create-optimizer.js';
import type { Param } from './model.js';
import { momentumUpdate } from './momentum.js';
import { nesterovUpdate } from './nesterov.js';
import { OPTIMIZER_NAMES } from './optimizer.js';
import { rmspropUpdate } from './rmsprop.js';
import { sgdUpdate } from './sgd.js';

// Conformance of the fused `optimizerUpdate` kernels: each backend's kernel against the book's update
// in the optimizer's own file (the reference), on seeded random float32 inputs.

type FusedUpdate = NonNullable<FusedKernels['optimizerUpdate']>;

/** The reference of an update: the book-named function of its optimizer. */
function reference(u: OptimizerUpdate, w: FloatArray, g: FloatArray): void {
  switch (u.kind) {
    case 'sgd':
      return sgdUpdate(w, g, u);
    case 'momentum':
      return momentumUpdate(w, g, u.v, u);
    case 'nesterov':
      return nesterovUpdate(w, g, u.v, u);
    case 'adagrad':
      return adagradUpdate(w, g, u.h, u);
    case 'rmsprop':
      return rmspropUpdate(w, g, u.h, u);
    case 'adam':
      return adamUpdate(w, g, u.m, u.v, u, u.t);
  }
}

const N = 1027; // whole vectors and a tail
const TINY = 8; // the first weights' gradients and second moments are tiny: there eps decides the step

function random(rng: Rng, low = -1, high = 1): Float32Array {
  return Float32Array.from({ length: N }, () => low + (high - low) * rng.random());
}

/** Every optimizer of book 6.1 and both Adam variants, with the book's hyper-parameters and random slots. */
function updates(rng: Rng): OptimizerUpdate[] {
  const tinyV = random(rng, 0, 1);
  for (let i = 0; i < TINY; i++) tinyV[i] = tinyV[i]! * 1e-14;
  return [
    { kind: 'sgd', lr: 0.01 },
    { kind: 'momentum', lr: 0.01, momentum: 0.9, v: random(rng) },
    { kind: 'nesterov', lr: 0.01, momentum: 0.9, v: random(rng) },
    { kind: 'adagrad', lr: 0.01, eps: 1e-7, h: random(rng, 0, 1) },
    { kind: 'rmsprop', lr: 0.01, decayRate: 0.99, eps: 1e-7, h: random(rng, 0, 1) },
    ...(['book', 'standard'] as const).map((variant): OptimizerUpdate => ({
      kind: 'adam',
      variant,
      lr: 0.001,
      beta1: 0.9,
      beta2: 0.999,
      eps: variant === 'book' ? 1e-7 : 1e-8,
      t: 3,
      m: random(rng),
      v: tinyV.slice(),
    })),
  ];
}

/** The slots of an update, in a fixed order. */
function slots(u: OptimizerUpdate): FloatArray[] {
  switch (u.kind) {
    case 'sgd':
      return [];
    case 'momentum':
    case 'nesterov':
      return [u.v];
    case 'adagrad':
    case 'rmsprop':
      return [u.h];
    case 'adam':
      return [u.m, u.v];
  }
}

/** A copy of an update with its own slot arrays (each run updates them in place). */
function clone(u: OptimizerUpdate): OptimizerUpdate {
  switch (u.kind) {
    case 'sgd':
      return { ...u };
    case 'momentum':
    case 'nesterov':
      return { ...u, v: u.v.slice() };
    case 'adagrad':
    case 'rmsprop':
      return { ...u, h: u.h.slice() };
    case 'adam':
      return { ...u, m: u.m.slice(), v: u.v.slice() };
  }
}

const label = (u: OptimizerUpdate): string => (u.kind === 'adam' ? `adam ${u.variant}` : u.kind);

/**
 * Each update's worst error (in multiples of the tolerance) of `fused` against the reference.
 * `settle` runs after every call and before the comparisons (webgpu: reads the results back).
 */
async function conformance(
  fused: FusedUpdate,
  seed = 7,
  settle: () => Promise<void> = () => Promise.resolve(),
): Promise<{ name: string; worst: number; took: boolean }[]> {
  const rng = new Rng(seed);
  const pending = updates(rng).map((update) => {
    const w = random(rng, -2, 2);
    const g = random(rng, -2, 2);
    for (let i = 0; i < TINY; i++) g[i] = g[i]! * 1e-7;
    const [u1, w1, u2, w2] = [clone(update), w.slice(), clone(update), w.slice()];
    const took = fused(u1, w1, g);
    reference(u2, w2, g);
    const concat = (w: FloatArray, u: OptimizerUpdate): number[] => [
      ...w,
      ...slots(u).flatMap((s) => [...s]),
    ];
    return () => ({
      name: label(update),
      worst: worstError(concat(w1, u1), concat(w2, u2), 1e-5, 1e-6),
      took,
    });
  });
  await settle();
  return pending.map((outcome) => outcome());
}

const variants = hasWasmRelaxedSimd() ? (['plain', 'relaxed'] as const) : (['plain'] as const);

describe.each(variants)('fused optimizerUpdate of the wasm backend (%s SIMD)', (simd) => {
  let wasm: Awaited<ReturnType<typeof createWasmBackend>>;
  beforeAll(async () => {
    wasm = await createWasmBackend({ simd });
  });

  it('matches the book-named reference of every optimizer on float32', async () => {
    const results = await conformance(wasm.fused.optimizerUpdate);
    expect(results.map((r) => r.name)).toEqual([
      ...OPTIMIZER_NAMES.slice(0, 5),
      'adam book',
      'adam standard',
    ]);
    expect(results.filter((r) => !r.took || !(r.worst <= 1))).toEqual([]);
  });

  it('declines float64 arrays and leaves them as they were', () => {
    const w = Float64Array.from([1, 2, 3]);
    const g = Float64Array.from([0.5, -0.5, 1]);
    expect(wasm.fused.optimizerUpdate({ kind: 'sgd', lr: 0.1 }, w, g)).toBe(false);
    expect([...w]).toEqual([1, 2, 3]);
  });
});

describe.runIf(process.env.DL_WEBGPU !== 'off')('fused optimizerUpdate of the webgpu backend', () => {
  // On the machine's WebGPU adapter (Mesa's llvmpipe in CI); where none opens this fails with the
  // reason, as the backend's own tests do (DL_WEBGPU=off skips it on purpose).
  let gpu: WebGpuBackend;
  beforeAll(async () => {
    gpu = await createWebGpuBackend();
  });
  afterAll(() => gpu?.destroy());

  it('matches the book-named reference of every optimizer on float32, three steps running', async () => {
    for (const seed of [7, 8, 9]) {
      const { move, settle } = typedArrayMover(gpu);
      const results = await conformance(
        (u, w, g) => gpu.fused.optimizerUpdate(move(u), move(w), move(g)),
        seed,
        settle,
      );
      expect(results).toHaveLength(OPTIMIZER_NAMES.length + 1);
      expect(results.filter((r) => !r.took || !(r.worst <= 1))).toEqual([]);
    }
  });
});

describe('fused optimizer conformance', () => {
  it('catches a fused kernel that swaps the Adam variants', async () => {
    const swapped: FusedUpdate = (u, w, g) => {
      reference(u.kind === 'adam' ? { ...u, variant: u.variant === 'book' ? 'standard' : 'book' } : u, w, g);
      return true;
    };
    const failed = (await conformance(swapped)).filter((r) => !(r.worst <= 1));
    expect(failed.map((r) => r.name)).toEqual(['adam book', 'adam standard']);
  });

  it('the js backend offers no fused kernels: its path is the book code', () => {
    expect(jsKernels.fused).toBeUndefined();
  });
});

describe('optimizers use a fused kernel when their backend has one', () => {
  const params = (): Param[] => [
    { name: 'W', value: tensor([[1, -2]], 'float32'), grad: tensor([[0.5, 0.25]], 'float32') },
  ];
  /** A backend whose fused kernel records its calls and takes them (`true`) or declines them. */
  const recording = (takes: boolean): { backend: Kernels; kinds: string[] } => {
    const kinds: string[] = [];
    const fused: FusedKernels = {
      optimizerUpdate: (u) => {
        kinds.push(u.kind);
        return takes;
      },
    };
    return { backend: { ...jsKernels, name: 'recording', fused }, kinds };
  };

  it.each(OPTIMIZER_NAMES)('%s: a taken call replaces the reference; a declined one runs it', (name) => {
    const taken = recording(true);
    const p1 = params();
    withBackend(taken.backend, () => createOptimizer(name).update(p1));
    expect(taken.kinds).toEqual([name]);
    expect([...p1[0]!.value.data]).toEqual([1, -2]); // the (pretend) fused kernel wrote nothing

    const declined = recording(false);
    const [p2, p3] = [params(), params()];
    withBackend(declined.backend, () => createOptimizer(name).update(p2));
    withBackend(jsKernels, () => createOptimizer(name).update(p3));
    expect(declined.kinds).toEqual([name]);
    expect([...p2[0]!.value.data]).toEqual([...p3[0]!.value.data]);
    expect([...p2[0]!.value.data]).not.toEqual([1, -2]);
  });

  it('Adam passes its update count and variant to the fused kernel', () => {
    const seen: OptimizerUpdate[] = [];
    const backend: Kernels = { ...jsKernels, fused: { optimizerUpdate: (u) => (seen.push(u), false) } };
    const adam = new Adam({ variant: 'standard' });
    withBackend(backend, () => {
      adam.update(params());
      adam.update(params());
    });
    expect(seen.map((u) => (u.kind === 'adam' ? [u.t, u.variant] : []))).toEqual([
      [1, 'standard'],
      [2, 'standard'],
    ]);
  });
});
