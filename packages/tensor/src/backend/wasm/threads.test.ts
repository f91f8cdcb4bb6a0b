import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runConformance } from '../../conformance/index.js';
import { convGeometry } from '../../ops/im2col.js';
import { Rng } from '../../rng.js';
import type { GemmArgs } from '../kernels.js';
import { planGemm, planSamples, splitRange } from './split.js';
import { wasmApi } from './api.js';
import { loadWasmBytes } from './load.js';
import { compileKernels, instantiateKernels } from './module.js';
import { threadsUnavailable, WasmThreadPool } from './threads.js';
import { createWasmBackend, type WasmKernels } from './wasm.js';

function randomFloat32(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.random() * 4 - 2;
  return out;
}

/** The first index where a and b differ (NaN equals NaN), or -1: toEqual on 10⁶ floats takes seconds. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe('splitting work among threads', () => {
  it('splits a range into near-equal aligned parts that cover it', () => {
    expect(splitRange(100, 2, 4)).toEqual([
      { start: 0, size: 52 },
      { start: 52, size: 48 },
    ]);
    expect(splitRange(10, 3)).toEqual([
      { start: 0, size: 4 },
      { start: 4, size: 3 },
      { start: 7, size: 3 },
    ]);
    expect(splitRange(3, 4)).toEqual([
      { start: 0, size: 1 },
      { start: 1, size: 1 },
      { start: 2, size: 1 },
    ]);
  });

  it('keeps small products on one thread and picks M, then N, then K', () => {
    expect(planGemm(100, 10, 50, 2).axis).toBe('none'); // 0.1 MFLOP
    expect(planGemm(100, 50, 784, 1).axis).toBe('none');
    expect(planGemm(100, 10, 784, 2).axis).toBe('none'); // 1.6 MFLOP
    expect(planGemm(100, 50, 784, 2).axis).toBe('m'); // TwoLayerNet's X·W1, 7.8 MFLOP
    expect(planGemm(784, 50, 100, 2).axis).toBe('m'); // its dW1 = Xᵀ·dY
    expect(planGemm(100, 50, 1024, 2).axis).toBe('m'); // DeepConvNet's Affine1, 10.2 MFLOP
    expect(planGemm(1024, 50, 100, 2).axis).toBe('m');
    expect(planGemm(40, 300, 500, 2).axis).toBe('n');
    expect(planGemm(30, 25, 57600, 2).axis).toBe('k'); // SimpleConvNet's dW, unfused
    expect(planSamples(100, 1e8, 2)).toEqual(splitRange(100, 2));
    expect(planSamples(1, 1e8, 2)).toHaveLength(1);
    expect(planSamples(100, 1e5, 2)).toHaveLength(1);
  });
});

describe.each([2, 3])('wasm backend on %i threads', (threads) => {
  let single: WasmKernels;
  let threaded: WasmKernels;
  beforeAll(async () => {
    single = await createWasmBackend({ simd: 'plain' });
    threaded = await createWasmBackend({ simd: 'plain', threads });
  });
  afterAll(async () => {
    await threaded.close();
  });

  it('reports its threads', () => {
    expect(threaded.features.threads).toBe(threads);
    expect(threaded.features.threadsNote).toBeUndefined();
  });

  const shapes: readonly [number, number, number, boolean, boolean][] = [
    [100, 50, 784, false, false], // one thread: TwoLayerNet's products
    [200, 50, 784, false, false], // M split
    [784, 100, 100, true, false],
    [100, 1568, 50, false, true],
    [57600, 30, 25, false, true],
    [61, 300, 300, true, true], // N split: 61 rows are too few
    [30, 25, 57600, false, false], // K split
    [9, 20, 40000, true, true], // K split
  ];
  for (const [m, n, k, transA, transB] of shapes) {
    for (const beta of [0, 1]) {
      const axis = planGemm(m, n, k, threads).axis;
      it(`gemm ${m}×${k}·${k}×${n} transA=${transA} transB=${transB} beta=${beta} (split ${axis})`, () => {
        const rng = new Rng(m + n + k);
        const a = randomFloat32(m * k, rng);
        const b = randomFloat32(k * n, rng);
        const c0 = randomFloat32(m * n, rng);
        const args: Omit<GemmArgs, 'c'> = { m, n, k, transA, transB, alpha: 1.5, beta, a, b };
        const [one, many] = [c0.slice(), c0.slice()];
        single.gemm({ ...args, c: one });
        threaded.gemm({ ...args, c: many });
        if (axis === 'k') {
          // Partial sums added in another order: float32 rounding of a k-term sum of values ≤ 6.
          const bound = k * 2 ** -24 * 6 * 1.5 * 4;
          let worst = 0;
          for (let i = 0; i < one.length; i++) worst = Math.max(worst, Math.abs(many[i]! - one[i]!));
          expect(worst).toBeLessThan(bound);
        } else {
          expect(firstDifference(many, one)).toBe(-1); // bit for bit
        }
      });
    }
  }

  it('convolution forward is bit for bit the one-thread result; backward within rounding', () => {
    const rng = new Rng(9);
    const g = convGeometry('test', [7, 3, 12, 10], 3, 3, { pad: 1 });
    const filters = 8;
    const K = 27;
    const S = g.outH * g.outW;
    const x = randomFloat32(7 * 3 * 120, rng);
    const w = randomFloat32(filters * K, rng);
    const b = randomFloat32(filters, rng);
    const dout = randomFloat32(7 * filters * S, rng);
    const run = (kernels: WasmKernels): Float32Array[] => {
      const out = new Float32Array(7 * filters * S);
      kernels.convForward({ g, filters, x, w, b, out });
      const [dw, db, dx] = [
        new Float32Array(filters * K),
        new Float32Array(filters),
        new Float32Array(x.length),
      ];
      kernels.convBackward({ g, filters, x, w, dout, dw, db, dx, accumulate: false });
      return [out, dw, db, dx];
    };
    // The split needs 2 MFLOP: this convolution has 2·7·120·8·27 = 0.36 M per pass, so scale up.
    const big = convGeometry('test', [40, 3, 24, 20], 3, 3, { pad: 1 });
    expect(planSamples(big.batch, 2 * 40 * 480 * filters * K, threads).length).toBe(threads);
    const xs = randomFloat32(40 * 3 * 480, rng);
    const douts = randomFloat32(40 * filters * big.outH * big.outW, rng);
    const runBig = (kernels: WasmKernels): Float32Array[] => {
      const out = new Float32Array(douts.length);
      kernels.convForward({ g: big, filters, x: xs, w, b, out });
      const [dw, db, dx] = [
        new Float32Array(filters * K),
        new Float32Array(filters),
        new Float32Array(xs.length),
      ];
      kernels.convBackward({ g: big, filters, x: xs, w, dout: douts, dw, db, dx, accumulate: false });
      return [out, dw, db, dx];
    };
    for (const [one, many] of [
      [run(single), run(threaded)],
      [runBig(single), runBig(threaded)],
    ] as const) {
      expect(firstDifference(many[0]!, one[0]!)).toBe(-1); // out: each sample computed as on one thread
      expect(firstDifference(many[3]!, one[3]!)).toBe(-1); // dx likewise
      for (const i of [1, 2]) {
        // dw, db: per-thread partial sums over samples, added in another order.
        one[i]!.forEach((v, j) => expect(Math.abs(many[i]![j]! - v)).toBeLessThan(1e-3 * (1 + Math.abs(v))));
      }
    }
  });

  it('splits max pooling by samples: the same output and argmax (indices into the whole input)', () => {
    const rng = new Rng(12);
    // 10 samples of 16×24×24: 92 160 elements, past the split threshold.
    const g = convGeometry('test', [10, 16, 24, 24], 2, 2, { stride: 2 });
    expect(planSamples(g.batch, 10 * 16 * 576 * 30, threads).length).toBe(threads);
    const x = randomFloat32(10 * 16 * 576, rng);
    x[5 * 16 * 576 + 3] = Number.NaN; // a NaN in the second thread's samples wins its window
    const pool = (kernels: WasmKernels): [Float32Array, Int32Array] => {
      const out = new Float32Array(10 * 16 * 144);
      const argmax = new Int32Array(out.length);
      kernels.maxPool(x, g, out, argmax);
      return [out, argmax];
    };
    const [out1, arg1] = pool(single);
    const [outN, argN] = pool(threaded);
    expect(firstDifference(outN, out1)).toBe(-1);
    expect(Array.from(argN)).toEqual(Array.from(arg1));
    expect(Math.max(...argN)).toBeGreaterThan(5 * 16 * 576); // indices past the first part's samples
  });

  it('splits large activations into ranges: the same ReLU and sigmoid, forward and backward', () => {
    const rng = new Rng(13);
    const n = (1 << 18) + 6; // past the split threshold, and not a multiple of 4
    const [x, dout] = [randomFloat32(n, rng), randomFloat32(n, rng)];
    x[n - 1] = Number.NaN;
    for (const op of ['relu', 'sigmoid'] as const) {
      const run = (kernels: WasmKernels): Float32Array[] => {
        const [y, dx] = [new Float32Array(n), new Float32Array(n)];
        kernels.activation(op, x, y);
        kernels.activationBackward(op, op === 'relu' ? x : y, dout, dx);
        return [y, dx];
      };
      const [one, many] = [run(single), run(threaded)];
      expect(firstDifference(many[0]!, one[0]!), op).toBe(-1);
      expect(firstDifference(many[1]!, one[1]!), op).toBe(-1);
    }
  });

  it('passes the conformance suite', () => {
    expect(runConformance(threaded).filter((r) => !r.passed)).toEqual([]);
  });
});

describe('the thread pool', () => {
  it('runs every call once, on the worker or taken back by the caller when the worker has not started', async () => {
    const bytes = await loadWasmBytes('wasm-simd', true);
    const compiled = await compileKernels(bytes);
    const memory = new (wasmApi()!.Memory)({ initial: 2, maximum: 64, shared: true });
    const local = await instantiateKernels(compiled, memory);
    const pool = await WasmThreadPool.create(compiled, memory, 1, local);
    try {
      const f32 = new Float32Array(memory.buffer);
      const base = Math.ceil(local.heapBase() / 64) * 64;
      for (let i = 0; i < 100; i++) {
        // out[j] = a[j] + b, b a scalar: 16 floats at base + 128 = 1 + i.
        f32[base / 4] = i;
        f32.fill(1, base / 4 + 16, base / 4 + 32);
        pool.run(0, 'binaryF32', [0, 1, 16, base + 64, 0, 1, base, 0, 0, base + 128]);
        if (i % 2 === 1) for (let spin = 0; spin < 2e5; spin++); // sometimes give the worker time to start
        pool.wait(0);
        expect([...f32.subarray(base / 4 + 32, base / 4 + 48)]).toEqual(new Array(16).fill(1 + i));
      }
      expect(pool.counts.worker + pool.counts.main).toBe(100);
    } finally {
      await pool.close();
    }
  });
});

describe('thread setup', () => {
  it('rejects a bad thread count, naming the choices', async () => {
    await expect(createWasmBackend({ threads: 0 })).rejects.toThrow(
      /threads must be 'auto' or an integer 1\.\.64, got 0/,
    );
    await expect(createWasmBackend({ threads: 1.5 })).rejects.toThrow(/got 1.5/);
  });

  it('falls back to one thread, and says why, where memory cannot be shared', async () => {
    vi.stubGlobal('SharedArrayBuffer', undefined);
    vi.stubGlobal('crossOriginIsolated', false);
    try {
      expect(threadsUnavailable()).toMatch(/cross-origin isolation/);
      const kernels = await createWasmBackend({ threads: 2 });
      expect(kernels.features.threads).toBe(1);
      expect(kernels.features.threadsNote).toMatch(
        /running on one thread: SharedArrayBuffer needs cross-origin/,
      );
    } finally {
      vi.unstubAllGlobals();
    }
    expect(threadsUnavailable()).toBeUndefined();
  });

  it("'auto' runs one thread per core", async () => {
    const { availableParallelism } = await import('node:os');
    const kernels = await createWasmBackend({ threads: 'auto' });
    expect(kernels.features.threads).toBe(availableParallelism());
    await kernels.close();
  });

  it('close() ends the workers; a closed backend refuses work', async () => {
    const kernels = await createWasmBackend({ threads: 2 });
    await kernels.close();
    await kernels.close(); // twice is fine
    const a = new Float32Array(200 * 200).fill(1);
    expect(() =>
      kernels.gemm({
        m: 200,
        n: 200,
        k: 200,
        transA: false,
        transB: false,
        alpha: 1,
        beta: 0,
        a,
        b: a,
        c: a.slice(),
      }),
    ).toThrow(/the backend was closed/);
  });

  it('workers never keep a process alive: a script that does not close() exits', () => {
    const script = `
      const { createWasmBackend } = await import(${JSON.stringify(fileURLToPath(new URL('./wasm.ts', import.meta.url)))});
      const kernels = await createWasmBackend({ threads: 2 });
      const a = new Float32Array(300 * 300).fill(1);
      const c = new Float32Array(300 * 300);
      kernels.gemm({ m: 300, n: 300, k: 300, transA: false, transB: false, alpha: 1, beta: 0, a, b: a, c });
      process.stdout.write(kernels.features.threads + ' ' + c[0]);
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('2 300');
    expect(child.status).toBe(0);
  });
});
