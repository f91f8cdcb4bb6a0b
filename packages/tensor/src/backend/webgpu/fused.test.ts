import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { worstError } from '../../conformance/case.js';
import { Rng } from '../../rng.js';
import type { OptimizerUpdate } from '../kernels.js';
import { createWebGpuBackend, onTypedArrays, type WebGpuBackend } from './index.js';

// The fused tier against straightforward loops restated from kernels.ts and the book-named files
// that hold the references (@dl/layers' softmax-with-loss.ts, batch-normalization.ts, dropout.ts;
// @dl/optim's sgd.ts ... adam.ts): those packages depend on @dl/tensor, so importing them here would
// be a cycle. Like webgpu.test.ts, these tests FAIL where no WebGPU adapter can be created, unless
// DL_WEBGPU=off says to skip them.
const enabled = process.env.DL_WEBGPU !== 'off';

/** The conformance suite's default tolerances, the ones the wasm backend passes. */
const RTOL = 1e-5;
const ATOL = 1e-6;

function random(n: number, rng: Rng, low = -2, high = 2): Float32Array {
  return Float32Array.from({ length: n }, () => low + (high - low) * rng.random());
}

function randomInts(n: number, rng: Rng, low: number, high: number): Int32Array {
  return Int32Array.from({ length: n }, () => low + Math.floor((high - low) * rng.random()));
}

/** worstError, with equal values (±Infinity included) always passing. */
function specialError(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number): number {
  const a = Array.from(actual, (v, i) => (v === expected[i] ? 0 : v));
  const e = Array.from(expected, (v, i) => (v === actual[i] ? 0 : v));
  return worstError(a, e, rtol, 1e-30);
}

describe.skipIf(!enabled)(
  'webgpu fused kernels against the reference loops of their book-named files',
  () => {
    let gpu: WebGpuBackend;
    beforeAll(async () => {
      gpu = await createWebGpuBackend();
    }, 60_000);
    afterAll(() => gpu?.destroy());
    // The references live in @dl/layers and @dl/optim, which depend on @dl/tensor: importing them
    // here would be a cycle, so their loops are restated below from kernels.ts and those files.
    it('softmaxCrossEntropyBackward: dx = (y - onehot) / rows', async () => {
      const rng = new Rng(11);
      const [rows, classes] = [37, 10];
      const y = random(rows * classes, rng, 0, 1);
      const labels = randomInts(rows, rng, 0, classes);
      const expected = y.slice();
      for (let i = 0; i < rows; i++) expected[i * classes + labels[i]!]! -= 1;
      for (let i = 0; i < expected.length; i++) expected[i] = expected[i]! / rows;
      const actual = new Float32Array(rows * classes);
      const done = await onTypedArrays(gpu, (move) =>
        gpu.fused.softmaxCrossEntropyBackward(move(y), move(labels), rows, classes, move(actual)),
      );
      expect(done).toBe(true);
      expect(worstError(actual, expected, RTOL, ATOL)).toBeLessThanOrEqual(1);
    });

    it('dropout: x · mask · scale (x · 0 where dropped), and x · scale without a mask', async () => {
      const rng = new Rng(12);
      const x = random(1001, rng);
      x[3] = NaN;
      x[5] = Infinity;
      const mask = Uint8Array.from({ length: x.length }, () => (rng.random() > 0.5 ? 1 : 0));
      mask[3] = 0;
      mask[5] = 0;
      for (const [m, scale] of [
        [mask, 2],
        [undefined, 0.5],
      ] as const) {
        const expected = Float32Array.from(x, (v, i) =>
          m === undefined ? v * scale : m[i] ? v * scale : v * 0,
        );
        const actual = new Float32Array(x.length);
        await onTypedArrays(gpu, (move) => gpu.fused.dropout(move(x), m && move(m), scale, move(actual)));
        expect(specialError(actual, expected, RTOL)).toBeLessThanOrEqual(1);
      }
    });

    it('batchNormForward and batchNormBackward, train and test, per activation and per channel', async () => {
      const rng = new Rng(13);
      for (const view of [
        { n: 20, D: 7, S: 1 },
        { n: 4, D: 3, S: 25 },
        { n: 70, D: 2, S: 1 },
      ]) {
        for (const train of [true, false]) {
          const size = view.n * view.D * view.S;
          const x = random(size, rng, -3, 5);
          const gamma = random(view.D, rng, 0.5, 1.5);
          const beta = random(view.D, rng);
          const rm0 = random(view.D, rng, -0.5, 0.5);
          const rv0 = random(view.D, rng, 0.5, 1.5);
          const ref = batchNormForwardReference(
            view,
            train,
            0.9,
            1e-6,
            x,
            gamma,
            beta,
            rm0.slice(),
            rv0.slice(),
          );
          const got = {
            runningMean: rm0.slice(),
            runningVar: rv0.slice(),
            xc: new Float32Array(size),
            xn: new Float32Array(size),
            std: new Float32Array(view.D),
            out: new Float32Array(size),
          };
          await onTypedArrays(gpu, (move) =>
            gpu.fused.batchNormForward(
              move({ view, train, momentum: 0.9, eps: 1e-6, x, gamma, beta, ...got }),
            ),
          );
          for (const key of Object.keys(got) as (keyof typeof got)[]) {
            expect(
              worstError(got[key], ref[key], 1e-4, 1e-5),
              `forward ${key} train=${train}`,
            ).toBeLessThanOrEqual(1);
          }
          const dout = random(size, rng);
          const back = {
            dgamma: new Float32Array(view.D),
            dbeta: new Float32Array(view.D),
            dx: new Float32Array(size),
          };
          const saved = { xc: ref.xc, xn: ref.xn, std: ref.std };
          const refBack = batchNormBackwardReference(view, train, dout, gamma, saved.xc, saved.xn, saved.std);
          await onTypedArrays(gpu, (move) =>
            gpu.fused.batchNormBackward(move({ view, train, dout, gamma, ...saved, ...back })),
          );
          for (const key of Object.keys(back) as (keyof typeof back)[]) {
            expect(
              worstError(back[key], refBack[key], 1e-4, 1e-5),
              `backward ${key} train=${train}`,
            ).toBeLessThanOrEqual(1);
          }
        }
      }
    });

    it('optimizerUpdate: every kind, three steps, against the optimizers’ loops', async () => {
      const rng = new Rng(14);
      const n = 513;
      const kinds: ((slots: Record<string, Float32Array>) => OptimizerUpdate)[] = [
        () => ({ kind: 'sgd', lr: 0.1 }),
        (s) => ({ kind: 'momentum', lr: 0.05, momentum: 0.9, v: s.v! }),
        (s) => ({ kind: 'nesterov', lr: 0.05, momentum: 0.9, v: s.v! }),
        (s) => ({ kind: 'adagrad', lr: 0.1, eps: 1e-7, h: s.h! }),
        (s) => ({ kind: 'rmsprop', lr: 0.01, decayRate: 0.99, eps: 1e-7, h: s.h! }),
        (s) => ({
          kind: 'adam',
          variant: 'book',
          lr: 0.001,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-7,
          t: 1,
          m: s.m!,
          v: s.v!,
        }),
        (s) => ({
          kind: 'adam',
          variant: 'standard',
          lr: 0.001,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          t: 1,
          m: s.m!,
          v: s.v!,
        }),
      ];
      for (const make of kinds) {
        const w = random(n, rng);
        const slots = { v: new Float32Array(n), h: new Float32Array(n), m: new Float32Array(n) };
        const refW = Float64Array.from(w);
        const refSlots = { v: new Float64Array(n), h: new Float64Array(n), m: new Float64Array(n) };
        for (let step = 1; step <= 3; step++) {
          const g = random(n, rng);
          const update = make(slots);
          if (update.kind === 'adam') update.t = step;
          optimizerReference(update, refW, Float64Array.from(g), refSlots);
          const done = await onTypedArrays(gpu, (move) =>
            gpu.fused.optimizerUpdate(move(update), move(w), move(g)),
          );
          expect(done).toBe(true);
        }
        const label = `${make(slots).kind} ${JSON.stringify(make(slots)).match(/"variant":"(\w+)"/)?.[1] ?? ''}`;
        expect(worstError(w, refW, 1e-5, 1e-6), label).toBeLessThanOrEqual(1);
      }
    });

    it('declines (false, nothing recorded) what it does not take', () => {
      const ints = gpu.upload(new Int32Array(8));
      const floats = gpu.upload(new Float32Array(8));
      expect(gpu.fused.dropout(ints, undefined, 2, ints)).toBe(false);
      expect(gpu.fused.optimizerUpdate({ kind: 'sgd', lr: 1 }, ints, floats)).toBe(false);
      expect(gpu.fused.softmaxCrossEntropyBackward(floats, floats, 2, 4, floats)).toBe(false);
      gpu.release(ints);
      gpu.release(floats);
    });
  },
);

// --- the references: float64 loops restated from the book-named files ---

interface View {
  n: number;
  D: number;
  S: number;
}

function forEach({ n, D, S }: View, f: (i: number, d: number) => void): void {
  let i = 0;
  for (let k = 0; k < n; k++) for (let d = 0; d < D; d++) for (let s = 0; s < S; s++) f(i++, d);
}

/** `batch-normalization.ts: batchNormForward`, in float64. */
function batchNormForwardReference(
  view: View,
  train: boolean,
  momentum: number,
  eps: number,
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  runningMean: Float32Array,
  runningVar: Float32Array,
): Record<'runningMean' | 'runningVar' | 'xc' | 'xn' | 'std' | 'out', Float32Array> {
  const { D } = view;
  const m = view.n * view.S;
  const size = x.length;
  const [xc, xn, out, std] = [
    new Float32Array(size),
    new Float32Array(size),
    new Float32Array(size),
    new Float32Array(D),
  ];
  if (train) {
    const mu = new Float64Array(D);
    const v = new Float64Array(D);
    forEach(view, (i, d) => (mu[d]! += x[i]!));
    for (let d = 0; d < D; d++) mu[d] = mu[d]! / m;
    forEach(view, (i, d) => {
      const c = (xc[i] = x[i]! - mu[d]!);
      v[d]! += c * c;
    });
    for (let d = 0; d < D; d++) {
      v[d] = v[d]! / m;
      std[d] = Math.sqrt(v[d]! + eps);
      runningMean[d] = momentum * runningMean[d]! + (1 - momentum) * mu[d]!;
      runningVar[d] = momentum * runningVar[d]! + (1 - momentum) * v[d]!;
    }
  } else {
    for (let d = 0; d < D; d++) std[d] = Math.sqrt(runningVar[d]! + eps);
    forEach(view, (i, d) => (xc[i] = x[i]! - runningMean[d]!));
  }
  forEach(view, (i, d) => {
    const v = xc[i]! / std[d]!;
    xn[i] = v;
    out[i] = gamma[d]! * v + beta[d]!;
  });
  return { runningMean, runningVar, xc, xn, std, out };
}

/** `batch-normalization.ts: batchNormBackward`, in float64. */
function batchNormBackwardReference(
  view: View,
  train: boolean,
  dy: Float32Array,
  g: Float32Array,
  xc: Float32Array,
  xn: Float32Array,
  std: Float32Array,
): Record<'dgamma' | 'dbeta' | 'dx', Float32Array> {
  const { D } = view;
  const m = view.n * view.S;
  const dbeta = new Float64Array(D);
  const dgamma = new Float64Array(D);
  const dstd = new Float64Array(D);
  forEach(view, (i, d) => {
    dbeta[d]! += dy[i]!;
    dgamma[d]! += xn[i]! * dy[i]!;
    dstd[d]! += (g[d]! * dy[i]! * xc[i]!) / (std[d]! * std[d]!);
  });
  const dx = new Float32Array(dy.length);
  if (!train) {
    forEach(view, (i, d) => (dx[i] = (g[d]! * dy[i]!) / std[d]!));
  } else {
    const dmu = new Float64Array(D);
    const dxc = new Float64Array(dy.length);
    forEach(view, (i, d) => {
      const dvar = (0.5 * -dstd[d]!) / std[d]!;
      dxc[i] = (g[d]! * dy[i]!) / std[d]! + (2 / m) * xc[i]! * dvar;
      dmu[d] = dmu[d]! + dxc[i];
    });
    forEach(view, (i, d) => (dx[i] = dxc[i]! - dmu[d]! / m));
  }
  return { dgamma: Float32Array.from(dgamma), dbeta: Float32Array.from(dbeta), dx };
}

/** The update loops of `@dl/optim`'s sgd.ts ... adam.ts, in float64, on float64 copies of the slots. */
function optimizerReference(
  u: OptimizerUpdate,
  w: Float64Array,
  g: Float64Array,
  s: { v: Float64Array; h: Float64Array; m: Float64Array },
): void {
  const n = w.length;
  switch (u.kind) {
    case 'sgd':
      for (let i = 0; i < n; i++) w[i] = w[i]! - u.lr * g[i]!;
      return;
    case 'momentum':
      for (let i = 0; i < n; i++) {
        s.v[i] = u.momentum * s.v[i]! - u.lr * g[i]!;
        w[i] = w[i]! + s.v[i]!;
      }
      return;
    case 'nesterov':
      for (let i = 0; i < n; i++) {
        w[i] = w[i]! + u.momentum * u.momentum * s.v[i]!;
        w[i] = w[i]! - (1 + u.momentum) * u.lr * g[i]!;
        s.v[i] = s.v[i]! * u.momentum - u.lr * g[i]!;
      }
      return;
    case 'adagrad':
      for (let i = 0; i < n; i++) {
        s.h[i] = s.h[i]! + g[i]! * g[i]!;
        w[i] = w[i]! - (u.lr * g[i]!) / (Math.sqrt(s.h[i]!) + u.eps);
      }
      return;
    case 'rmsprop':
      for (let i = 0; i < n; i++) {
        s.h[i] = s.h[i]! * u.decayRate + (1 - u.decayRate) * g[i]! * g[i]!;
        w[i] = w[i]! - (u.lr * g[i]!) / (Math.sqrt(s.h[i]!) + u.eps);
      }
      return;
    case 'adam': {
      const c1 = 1 - u.beta1 ** u.t;
      const c2 = 1 - u.beta2 ** u.t;
      for (let i = 0; i < n; i++) {
        if (u.variant === 'book') {
          s.m[i] = s.m[i]! + (1 - u.beta1) * (g[i]! - s.m[i]!);
          s.v[i] = s.v[i]! + (1 - u.beta2) * (g[i]! * g[i]! - s.v[i]!);
          w[i] = w[i]! - (((u.lr * Math.sqrt(c2)) / c1) * s.m[i]!) / (Math.sqrt(s.v[i]!) + u.eps);
        } else {
          s.m[i] = u.beta1 * s.m[i]! + (1 - u.beta1) * g[i]!;
          s.v[i] = u.beta2 * s.v[i]! + (1 - u.beta2) * g[i]! * g[i]!;
          w[i] = w[i]! - (u.lr * (s.m[i]! / c1)) / (Math.sqrt(s.v[i]! / c2) + u.eps);
        }
      }
    }
  }
}
