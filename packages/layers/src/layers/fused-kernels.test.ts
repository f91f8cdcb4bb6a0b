import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createWasmBackend,
  hasWasmRelaxedSimd,
  jsKernels,
  Rng,
  randn,
  tensor,
  withBackend,
  type BatchNormView,
  type FusedKernels,
  type Kernels,
} from '@dl/tensor';
import { worstError } from '@dl/tensor/conformance';
import { createWebGpuBackend, typedArrayMover, type WebGpuBackend } from '@dl/tensor/webgpu';
import { BatchNormalization, batchNormBackward, batchNormForward } from './batch-normalization.js';
import { applyDropout, Dropout } from './dropout.js';
import { SoftmaxWithLoss, softmaxWithLossBackward } from './softmax-with-loss.js';

// Conformance of the fused layer kernels: each backend's kernel against the book's arithmetic in the
// layer's own file (the reference), on seeded random float32 inputs, at the tolerances of
// `@dl/tensor/conformance` (rtol 1e-5, atol 1e-6).

type Fused = Required<FusedKernels>;

interface Outcome {
  name: string;
  /** Whether the fused kernel took the call. */
  took: boolean;
  worst: number;
}

function random(n: number, rng: Rng, low = -2, high = 2): Float32Array {
  return Float32Array.from({ length: n }, () => low + (high - low) * rng.random());
}

/**
 * The outcome of one case, compared when called: a backend that computes elsewhere (webgpu) has
 * the results in the arrays only once its work is read back (`conformance`'s `settle`).
 */
type Pending = () => Outcome;

function compare(name: string, took: boolean, actual: Float32Array[], expected: Float32Array[]): Pending {
  const flat = (arrays: Float32Array[]): number[] => arrays.flatMap((a) => [...a]);
  return () => ({ name, took, worst: worstError(flat(actual), flat(expected), 1e-5, 1e-6) });
}

/** `[n, D, S]`: per activation (D a multiple of 4 and not), per channel (S with and without a tail). */
const views: readonly BatchNormView[] = [
  { n: 7, D: 13, S: 1 },
  { n: 5, D: 8, S: 1 },
  { n: 3, D: 5, S: 42 },
  { n: 4, D: 3, S: 6 },
];

function batchNormCases(fused: Pick<Fused, 'batchNormForward' | 'batchNormBackward'>, rng: Rng): Pending[] {
  const outcomes: Pending[] = [];
  for (const view of views) {
    const size = view.n * view.D * view.S;
    for (const train of [true, false]) {
      const label = `[${view.n},${view.D},${view.S}] train=${train}`;
      // Features with a mean far from 0, as after an affine layer.
      const x = random(size, rng, 1, 4);
      const [gamma, beta] = [random(view.D, rng), random(view.D, rng)];
      const [runningMean, runningVar] = [random(view.D, rng), random(view.D, rng, 0.5, 2)];
      const forward = (run: typeof batchNormForward | Fused['batchNormForward']) => {
        const outputs = {
          runningMean: runningMean.slice(),
          runningVar: runningVar.slice(),
          xc: new Float32Array(size),
          xn: new Float32Array(size),
          std: new Float32Array(view.D),
          out: new Float32Array(size),
        };
        const took = run({ view, train, momentum: 0.9, eps: 1e-6, x, gamma, beta, ...outputs });
        return { took: took !== false, outputs };
      };
      const f = forward(fused.batchNormForward);
      const r = forward(batchNormForward);
      outcomes.push(
        compare(`batchNormForward ${label}`, f.took, Object.values(f.outputs), Object.values(r.outputs)),
      );
      // The backward from what the reference forward saved.
      const dout = random(size, rng);
      const backward = (run: typeof batchNormBackward | Fused['batchNormBackward']) => {
        const outputs = {
          dgamma: new Float32Array(view.D).fill(NaN),
          dbeta: new Float32Array(view.D).fill(NaN),
          dx: new Float32Array(size).fill(NaN),
        };
        const { xc, xn, std } = r.outputs;
        const took = run({ view, train, dout, gamma, xc, xn, std, ...outputs });
        return { took: took !== false, outputs };
      };
      const fb = backward(fused.batchNormBackward);
      const rb = backward(batchNormBackward);
      outcomes.push(
        compare(`batchNormBackward ${label}`, fb.took, Object.values(fb.outputs), Object.values(rb.outputs)),
      );
    }
  }
  return outcomes;
}

function dropoutCases(fused: Fused['dropout'], rng: Rng): Pending[] {
  return [true, false].map((masked) => {
    const x = random(1027, rng);
    const mask = masked ? Uint8Array.from(x, () => (rng.random() > 0.3 ? 1 : 0)) : undefined;
    const scale = masked ? 1 / (1 - 0.3) : 1 - 0.3;
    const [actual, expected] = [new Float32Array(x.length).fill(NaN), new Float32Array(x.length)];
    const took = fused(x, mask, scale, actual);
    applyDropout(x, mask, scale, expected);
    return compare(`dropout mask=${masked}`, took, [actual], [expected]);
  });
}

function softmaxWithLossCases(fused: Fused['softmaxCrossEntropyBackward'], rng: Rng): Pending[] {
  const shapes: readonly [number, number][] = [
    [7, 10],
    [3, 13],
    [5, 3],
    [2, 100],
  ];
  return shapes.map(([rows, classes]) => {
    const y = random(rows * classes, rng, 0, 1);
    const labels = Int32Array.from({ length: rows }, () => Math.floor(rng.random() * classes));
    const [actual, expected] = [new Float32Array(y.length).fill(NaN), new Float32Array(y.length)];
    const took = fused(y, labels, rows, classes, actual);
    softmaxWithLossBackward(y, labels, rows, classes, expected);
    return compare(`softmaxCrossEntropyBackward rows=${rows} classes=${classes}`, took, [actual], [expected]);
  });
}

/**
 * Every fused layer kernel of `fused` against its reference. `settle` runs after every call and
 * before the comparisons (webgpu: reads the results back into the arrays).
 */
async function conformance(
  fused: Fused,
  seed = 11,
  settle: () => Promise<void> = () => Promise.resolve(),
): Promise<Outcome[]> {
  const rng = new Rng(seed);
  const pending = [
    ...batchNormCases(fused, rng),
    ...dropoutCases(fused.dropout, rng),
    ...softmaxWithLossCases(fused.softmaxCrossEntropyBackward, rng),
  ];
  await settle();
  return pending.map((outcome) => outcome());
}

const variants = hasWasmRelaxedSimd() ? (['plain', 'relaxed'] as const) : (['plain'] as const);

describe.each(variants)('fused layer kernels of the wasm backend (%s SIMD)', (simd) => {
  let wasm: Awaited<ReturnType<typeof createWasmBackend>>;
  beforeAll(async () => {
    wasm = await createWasmBackend({ simd });
  });

  it('match the book-named references on float32', async () => {
    const outcomes = await conformance(wasm.fused);
    expect(outcomes).toHaveLength(2 * 2 * views.length + 2 + 4);
    expect(outcomes.filter((o) => !o.took || !(o.worst <= 1))).toEqual([]);
  });

  it('decline float64 arrays and write nothing', () => {
    const x = Float64Array.from([1, 2, 3]);
    const out = new Float64Array(3);
    expect(wasm.fused.dropout(x, undefined, 0.5, out)).toBe(false);
    expect(wasm.fused.softmaxCrossEntropyBackward(x, Int32Array.from([1]), 1, 3, out)).toBe(false);
    expect([...out]).toEqual([0, 0, 0]);
  });
});

describe.runIf(process.env.DL_WEBGPU !== 'off')('fused layer kernels of the webgpu backend', () => {
  // On the machine's WebGPU adapter (Mesa's llvmpipe in CI); where none opens this fails with the
  // reason, as the backend's own tests do (DL_WEBGPU=off skips it on purpose).
  let gpu: WebGpuBackend;
  beforeAll(async () => {
    gpu = await createWebGpuBackend();
  });
  afterAll(() => gpu?.destroy());

  it('match the book-named references on float32', async () => {
    const { move, settle } = typedArrayMover(gpu);
    const fused: Fused = {
      batchNormForward: (a) => gpu.fused.batchNormForward(move(a)),
      batchNormBackward: (a) => gpu.fused.batchNormBackward(move(a)),
      dropout: (x, mask, scale, out) => gpu.fused.dropout(move(x), mask && move(mask), scale, move(out)),
      softmaxCrossEntropyBackward: (y, labels, rows, classes, dx) =>
        gpu.fused.softmaxCrossEntropyBackward(move(y), move(labels), rows, classes, move(dx)),
      optimizerUpdate: () => false,
      scaleBytes: () => false,
    };
    const outcomes = await conformance(fused, 11, settle);
    expect(outcomes).toHaveLength(2 * 2 * views.length + 2 + 4);
    expect(outcomes.filter((o) => !o.took || !(o.worst <= 1))).toEqual([]);
  });
});

describe('fused layer conformance', () => {
  it('catches a BatchNorm backward that forgets the path through the batch mean', async () => {
    const reference: Fused = {
      batchNormForward: (a) => (batchNormForward(a), true),
      batchNormBackward: (a) => (batchNormBackward(a), true),
      dropout: (x, mask, scale, out) => (applyDropout(x, mask, scale, out), true),
      softmaxCrossEntropyBackward: (y, labels, rows, classes, dx) => (
        softmaxWithLossBackward(y, labels, rows, classes, dx),
        true
      ),
      optimizerUpdate: () => false,
      scaleBytes: () => false,
    };
    expect((await conformance(reference)).filter((o) => !(o.worst <= 1))).toEqual([]);
    // As if the statistics were constants in train mode too: dx = dout · gamma / std.
    const broken: Fused = {
      ...reference,
      batchNormBackward: (a) => (batchNormBackward({ ...a, train: false }), true),
    };
    const failed = (await conformance(broken)).filter((o) => !(o.worst <= 1));
    expect(failed.map((o) => o.name)).toEqual(
      views.map((v) => `batchNormBackward [${v.n},${v.D},${v.S}] train=true`),
    );
  });
});

describe('layers use a fused kernel when their backend has one', () => {
  /** A backend whose fused kernels record their calls and take them (writing nothing) or decline them. */
  const recording = (takes: boolean): { backend: Kernels; calls: string[] } => {
    const calls: string[] = [];
    const record = (name: string) => () => (calls.push(name), takes);
    const fused: FusedKernels = {
      batchNormForward: record('batchNormForward'),
      batchNormBackward: record('batchNormBackward'),
      dropout: record('dropout'),
      softmaxCrossEntropyBackward: record('softmaxCrossEntropyBackward'),
    };
    return { backend: { ...jsKernels, name: 'recording', fused }, calls };
  };

  /** One forward and backward through BatchNormalization, Dropout and SoftmaxWithLoss. */
  function step(): number[] {
    const rng = new Rng(3);
    const x = randn([4, 3], rng, { dtype: 'float32' });
    const bn = new BatchNormalization(tensor([1, 1, 1], 'float32'), tensor([0, 0, 0], 'float32'));
    const dropout = new Dropout(0.3);
    const loss = new SoftmaxWithLoss();
    const ctx = { train: true, rng };
    loss.forward(dropout.forward(bn.forward(x, ctx), ctx), tensor([0, 1, 2, 1], 'int32'));
    return [...bn.backward(dropout.backward(loss.backward())).data];
  }

  it('a taken call replaces the reference; a declined one runs it', () => {
    const taken = recording(true);
    const dxTaken = withBackend(taken.backend, step);
    expect(taken.calls).toEqual([
      'batchNormForward',
      'dropout',
      'softmaxCrossEntropyBackward',
      'dropout',
      'batchNormBackward',
    ]);
    expect(dxTaken).toEqual([...new Float32Array(12)]); // the (pretend) fused kernels wrote nothing

    const declined = recording(false);
    const dxDeclined = withBackend(declined.backend, step);
    expect(declined.calls).toHaveLength(5);
    expect(dxDeclined).toEqual(withBackend(jsKernels, step));
    expect(dxDeclined.some((v) => v !== 0)).toBe(true);
  });
});
