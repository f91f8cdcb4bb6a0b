import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocate } from '../../allocate.js';
import type { AnyTypedArray } from '../../dtype.js';
import { worstError } from '../../conformance/case.js';
import type { Case } from '../../conformance/case.js';
import { convCases } from '../../conformance/conv.js';
import { elementwiseCases } from '../../conformance/elementwise.js';
import { gemmCases } from '../../conformance/gemm.js';
import { reduceCases } from '../../conformance/reduce.js';
import { softmaxCases } from '../../conformance/softmax.js';
import { windowCases, windowGeometry } from '../../conformance/window.js';
import { Rng } from '../../rng.js';
import { broadcastShapes, broadcastStrides, sizeOf } from '../../shape.js';
import { jsKernels } from '../js/js.js';
import { BINARY_OPS, type Kernels } from '../kernels.js';
import { createWebGpuBackend, onTypedArrays, type GpuKernels, type WebGpuBackend } from './index.js';

// These tests need a WebGPU adapter. Where none can be created (no GPU and no Mesa llvmpipe, or the
// optional `webgpu` package missing), they FAIL with the reason from createWebGpuBackend rather
// than skip: a silently skipped backend is a backend nobody tests. Set DL_WEBGPU=off to skip them
// on purpose (a machine known to have no WebGPU).
const enabled = process.env.DL_WEBGPU !== 'off';

/** The conformance suite's default tolerances, the ones the wasm backend passes. */
const RTOL = 1e-5;
const ATOL = 1e-6;

type KernelName = keyof GpuKernels;
interface Call {
  kernel: KernelName;
  args: unknown[];
}

const isTyped = (v: unknown): v is AnyTypedArray => ArrayBuffer.isView(v) && !(v instanceof DataView);

/** A deep-enough copy of kernel arguments: typed arrays (at the top or in an argument object) cloned. */
function cloneArgs(args: readonly unknown[]): unknown[] {
  const copies = new Map<AnyTypedArray, AnyTypedArray>();
  const one = (v: AnyTypedArray): AnyTypedArray => {
    let c = copies.get(v);
    if (!c) copies.set(v, (c = v.slice()));
    return c;
  };
  return args.map((a) => {
    if (isTyped(a)) return one(a);
    if (a === null || typeof a !== 'object') return a;
    return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, isTyped(v) ? one(v) : v]));
  });
}

/** Copies every typed array of `from` into the matching one of `to` (arguments of the same call). */
function copyInto(from: readonly unknown[], to: readonly unknown[]): void {
  from.forEach((f, i) => {
    const t = to[i];
    if (isTyped(f) && isTyped(t)) t.set(f);
    else if (f && t && typeof f === 'object' && typeof t === 'object') {
      for (const [k, v] of Object.entries(f)) {
        const target = (t as Record<string, unknown>)[k];
        if (isTyped(v) && isTyped(target)) target.set(v);
      }
    }
  });
}

const KERNEL_NAMES = Object.keys(jsKernels).filter((k) => k !== 'name') as KernelName[];

/** Kernels that only record their calls (arguments cloned at call time) and compute nothing. */
function recorder(calls: Call[]): Kernels {
  const k: Record<string, unknown> = { name: 'recorder' };
  for (const name of KERNEL_NAMES)
    k[name] = (...args: unknown[]) => calls.push({ kernel: name, args: cloneArgs(args) });
  return k as unknown as Kernels;
}

/** Kernels that hand out the results of recorded calls, in order, instead of computing. */
function replayer(calls: Call[]): Kernels {
  let next = 0;
  const k: Record<string, unknown> = { name: 'replayer' };
  for (const name of KERNEL_NAMES) {
    k[name] = (...args: unknown[]) => {
      const call = calls[next++];
      if (call?.kernel !== name) throw new Error(`replay: expected ${call?.kernel}, got ${name}`);
      copyInto(call.args, args);
    };
  }
  return k as unknown as Kernels;
}

/** Runs one recorded call on the GPU; its typed arrays then hold the GPU's results. */
async function runOnGpu(gpu: WebGpuBackend, call: Call): Promise<void> {
  await onTypedArrays(gpu, (move) => {
    const kernel = gpu[call.kernel] as (...args: unknown[]) => void;
    kernel(...call.args.map((a) => move(a)));
  });
}

/**
 * One conformance case on the GPU. The cases are synchronous (`kernels.gemm(...)` then compare), the
 * GPU is not, so each case runs twice on the same seed: first with a recorder (the inputs of each
 * kernel call are captured and run on the GPU), then with a replayer that hands the case the GPU's
 * outputs. Everything else (inputs, reference, tolerance, bound) is the suite's own.
 */
async function runCase(gpu: WebGpuBackend, c: Case, seed: number): Promise<number> {
  const calls: Call[] = [];
  c.run(recorder(calls), new Rng(seed));
  for (const call of calls) await runOnGpu(gpu, call);
  const { actual, expected, bound } = c.run(replayer(calls), new Rng(seed));
  return worstError(actual, expected, RTOL, ATOL, bound);
}

/** worstError, with equal values (±Infinity included) always passing. */
function specialError(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-5): number {
  const a = Array.from(actual, (v, i) => (v === expected[i] ? 0 : v));
  const e = Array.from(expected, (v, i) => (v === actual[i] ? 0 : v));
  return worstError(a, e, rtol, 1e-30);
}

/** Exactly the same numbers (integer results must match the js kernel exactly). */
function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  return a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]) || v === b[i]);
}

function random(n: number, rng: Rng, low = -2, high = 2): Float32Array {
  return Float32Array.from({ length: n }, () => low + (high - low) * rng.random());
}

function randomInts(n: number, rng: Rng, low: number, high: number): Int32Array {
  return Int32Array.from({ length: n }, () => low + Math.floor((high - low) * rng.random()));
}

describe.skipIf(!enabled)('webgpu backend', () => {
  let gpu: WebGpuBackend;
  beforeAll(async () => {
    gpu = await createWebGpuBackend();
  }, 60_000);
  afterAll(() => gpu?.destroy());

  it('names its adapter and says when it is software', () => {
    expect(gpu.name).toBe('webgpu');
    expect(gpu.adapter.length).toBeGreaterThan(0);
    if (/llvmpipe|swiftshader/i.test(gpu.adapter)) expect(gpu.software).toBe(true);
    if (gpu.software) expect(gpu.warning).toMatch(/^webgpu: .*software.*slow[^\n]*$/);
    else expect(gpu.warning).toBeUndefined();
  });

  // The conformance suite's float32 cases, family by family (float64 has no WGSL type: see below).
  const families: [string, () => Case[]][] = [
    ['gemm', gemmCases],
    ['elementwise', elementwiseCases],
    ['reduce', reduceCases],
    ['window', windowCases],
    ['conv', convCases],
    ['softmax', softmaxCases],
  ];
  for (const [family, cases] of families) {
    it(`passes the conformance suite's ${family} cases at the wasm tolerances`, async () => {
      const failed: string[] = [];
      const all = cases().filter((c) => !c.name.includes('float64'));
      expect(all.length).toBeGreaterThan(0);
      for (const [i, c] of all.entries()) {
        const worst = await runCase(gpu, c, 1000 + i);
        if (!(worst <= 1)) failed.push(`${c.name}: ${worst.toExponential(2)}x tolerance`);
      }
      expect(failed).toEqual([]);
    });
  }

  it('runs every binary op on int32 and uint8 exactly as the js kernel', async () => {
    const rng = new Rng(7);
    const shapes: [number[], number[]][] = [
      [[4, 5], [5]],
      [
        [3, 1, 6],
        [1, 5, 1],
      ],
      [[13], []],
    ];
    const failed: string[] = [];
    for (const dtype of ['int32', 'uint8'] as const) {
      for (const op of BINARY_OPS) {
        for (const [sa, sb] of shapes) {
          const outShape = broadcastShapes(op, sa, sb);
          const make = (shape: number[], low: number): AnyTypedArray => {
            const ints = randomInts(sizeOf(shape), rng, low, op === 'pow' ? 4 : 300);
            return dtype === 'int32' ? ints : Uint8Array.from(ints);
          };
          const a = make(sa, dtype === 'int32' ? -300 : 0);
          const b = make(sb, dtype === 'int32' ? (op === 'pow' ? -2 : -300) : 0);
          if (op === 'div') b[0] = 0; // division by 0 stores 0
          const outDtype =
            op === 'equal' || op.includes('ess') || op.includes('reater') || op === 'notEqual'
              ? 'uint8'
              : dtype;
          const args = {
            op,
            a,
            b,
            aStrides: broadcastStrides(sa, outShape),
            bStrides: broadcastStrides(sb, outShape),
            outShape,
          };
          const actual = allocate(outDtype, sizeOf(outShape));
          const expected = allocate(outDtype, sizeOf(outShape));
          jsKernels.binary({ ...args, out: expected });
          await onTypedArrays(gpu, (move) => gpu.binary(move({ ...args, out: actual })));
          if (!sameValues(actual, expected))
            failed.push(`${op} ${dtype} [${sa.join(',')}] [${sb.join(',')}]`);
        }
      }
    }
    expect(failed).toEqual([]);
  });

  it('reduces int32 and uint8 exactly, and runs the integer unary ops', async () => {
    const rng = new Rng(8);
    const failed: string[] = [];
    for (const dtype of ['int32', 'uint8'] as const) {
      for (const op of ['sum', 'max', 'min', 'argmax', 'argmin'] as const) {
        for (const [outer, length, inner] of [
          [3, 100, 5],
          [5, 7, 3],
          [1, 9, 1],
        ] as const) {
          const ints = randomInts(
            outer * length * inner,
            rng,
            dtype === 'int32' ? -1000 : 0,
            dtype === 'int32' ? 1000 : 256,
          );
          const x = dtype === 'int32' ? ints : Uint8Array.from(ints);
          const outDtype = op.startsWith('arg') ? 'int32' : dtype;
          const [actual, expected] = [allocate(outDtype, outer * inner), allocate(outDtype, outer * inner)];
          jsKernels.reduce({ op, x, outer, length, inner, out: expected });
          await onTypedArrays(gpu, (move) => gpu.reduce(move({ op, x, outer, length, inner, out: actual })));
          if (!sameValues(actual, expected)) failed.push(`reduce ${op} ${dtype} ${outer}x${length}x${inner}`);
        }
      }
      for (const op of ['neg', 'abs', 'square', 'sign'] as const) {
        const ints = randomInts(37, rng, dtype === 'int32' ? -70000 : 0, dtype === 'int32' ? 70000 : 256);
        const x = dtype === 'int32' ? ints : Uint8Array.from(ints);
        const [actual, expected] = [allocate(dtype, 37), allocate(dtype, 37)];
        jsKernels.unary(op, x, expected);
        await onTypedArrays(gpu, (move) => gpu.unary(op, move(x), move(actual)));
        if (!sameValues(actual, expected)) failed.push(`unary ${op} ${dtype}`);
      }
    }
    expect(failed).toEqual([]);
    const x = gpu.upload(new Int32Array(4));
    expect(() => gpu.unary('exp', x, x)).toThrow(/^webgpu unary exp: int32 is not supported/);
    gpu.release(x);
  });

  it('keeps the js semantics on NaN, ±Infinity and ±0', async () => {
    const special = [
      0,
      -0,
      Infinity,
      -Infinity,
      NaN,
      1e-30,
      -1e-30,
      88,
      89,
      -104,
      0.5,
      -2,
      3,
      1e-4,
      -1e-4,
      20,
    ];
    const x = Float32Array.from(special);
    const failed: string[] = [];
    for (const op of ['neg', 'abs', 'exp', 'log', 'sqrt', 'square', 'tanh', 'sign', 'reciprocal'] as const) {
      const [actual, expected] = [new Float32Array(x.length), new Float32Array(x.length)];
      jsKernels.unary(op, x, expected);
      await onTypedArrays(gpu, (move) => gpu.unary(op, move(x), move(actual)));
      const worst = specialError(actual, expected);
      if (!(worst <= 1)) failed.push(`unary ${op}: ${[...actual].join(',')}`);
    }
    // Every pair of special values through every binary op.
    const a = Float32Array.from(special.flatMap((v) => special.map(() => v)));
    const b = Float32Array.from(special.flatMap(() => special));
    for (const op of BINARY_OPS) {
      const comparison = op.includes('qual') || op.includes('ess') || op.includes('reater');
      const n = a.length;
      const [actual, expected] = comparison
        ? [new Uint8Array(n), new Uint8Array(n)]
        : [new Float32Array(n), new Float32Array(n)];
      const args = { op, a, b, aStrides: [1], bStrides: [1], outShape: [n] };
      jsKernels.binary({ ...args, out: expected });
      await onTypedArrays(gpu, (move) => gpu.binary(move({ ...args, out: actual })));
      const worst = specialError(actual, expected);
      if (!(worst <= 1)) {
        const bad = [...expected.keys()].filter((i) => !(specialError([actual[i]!], [expected[i]!]) <= 1));
        failed.push(
          `binary ${op}: ${bad
            .slice(0, 4)
            .map((i) => `${a[i]} ${op} ${b[i]} = ${actual[i]}, js ${expected[i]}`)
            .join('; ')}`,
        );
      }
    }
    for (const op of ['relu', 'sigmoid'] as const) {
      const [actual, expected] = [new Float32Array(x.length), new Float32Array(x.length)];
      jsKernels.activation(op, x, expected);
      await onTypedArrays(gpu, (move) => gpu.activation(op, move(x), move(actual)));
      if (!(specialError(actual, expected) <= 1)) failed.push(`activation ${op}: ${[...actual].join(',')}`);
    }
    expect(failed).toEqual([]);
  });

  it('gemm with beta 0 ignores NaN in c; beta 1 keeps it', async () => {
    const rng = new Rng(10);
    const [m, n, k] = [9, 70, 17];
    const a = random(m * k, rng);
    const b = random(k * n, rng);
    const expected = new Float32Array(m * n);
    jsKernels.gemm({ m, n, k, transA: false, transB: false, alpha: 2, beta: 0, a, b, c: expected });
    for (const beta of [0, 1]) {
      const c = new Float32Array(m * n).fill(NaN);
      await onTypedArrays(gpu, (move) =>
        gpu.gemm(move({ m, n, k, transA: false, transB: false, alpha: 2, beta, a, b, c })),
      );
      if (beta === 0) expect(worstError(c, expected, RTOL, 1e-5)).toBeLessThanOrEqual(1);
      else expect(c.every(Number.isNaN)).toBe(true);
    }
  });

  it('splits grids larger than maxComputeWorkgroupsPerDimension', async () => {
    // Past 65535 workgroups of 64 invocations (elementwise), and of one output each (reductions).
    const perDim = gpu.limits.maxComputeWorkgroupsPerDimension;
    const n = perDim * 64 + 1000;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i += 997) x[i] = i;
    const out = new Float32Array(n);
    await onTypedArrays(gpu, (move) => gpu.unary('neg', move(x), move(out)));
    expect(out[n - 1]).toBe(-x[n - 1]!);
    expect(out.every((v, i) => v === -x[i]!)).toBe(true);
    const outer = perDim + 5;
    const rows = new Float32Array(outer * 64);
    for (let r = 0; r < outer; r++) rows[r * 64 + (r % 64)] = r + 1; // one non-zero per row
    const sums = new Float32Array(outer);
    const at = new Int32Array(outer);
    await onTypedArrays(gpu, (move) => {
      gpu.reduce(move({ op: 'sum', x: rows, outer, length: 64, inner: 1, out: sums }));
      gpu.reduce(move({ op: 'argmax', x: rows, outer, length: 64, inner: 1, out: at }));
    });
    expect(sums.every((v, r) => v === r + 1)).toBe(true);
    expect(at.every((v, r) => v === r % 64)).toBe(true);
  });

  it('runs in place where the kernels allow it (x and out one array)', async () => {
    const rng = new Rng(9);
    const x = random(300, rng);
    const expected = new Float32Array(x.length);
    jsKernels.activation('sigmoid', x, expected);
    const inPlace = x.slice();
    await onTypedArrays(gpu, (move) => gpu.activation('sigmoid', move(inPlace), move(inPlace)));
    expect(worstError(inPlace, expected, RTOL, ATOL)).toBeLessThanOrEqual(1);
    const s = random(60, rng, -5, 5);
    const softmaxRef = new Float32Array(60);
    jsKernels.softmax(s, 6, 10, softmaxRef);
    await onTypedArrays(gpu, (move) => gpu.softmax(move(s), 6, 10, move(s)));
    expect(worstError(s, softmaxRef, RTOL, ATOL)).toBeLessThanOrEqual(1);
  });

  it('records thousands of dispatches before one read (uniforms overflow into several submits)', async () => {
    const x = gpu.upload(new Float32Array(5));
    const one = gpu.upload(Float32Array.of(1));
    const before = gpu.stats.submits;
    for (let i = 0; i < 3000; i++) {
      gpu.binary({ op: 'add', a: x, aStrides: [1], b: one, bStrides: [0], out: x, outShape: [5] });
    }
    expect(await gpu.read(x)).toEqual(new Float32Array(5).fill(3000));
    expect(gpu.stats.submits - before).toBeGreaterThan(1);
    gpu.release(x);
    gpu.release(one);
  });

  it('gives bit-identical results for the same inputs, run after run', async () => {
    const rng = new Rng(21);
    const g = windowGeometry([2, 3, 9, 9, 3, 3, 1, 1]);
    const image = g.batch * g.channels * g.height * g.width;
    const S = g.outH * g.outW;
    const K = g.channels * 9;
    const x = random(image, rng);
    for (let i = 0; i < image; i += 3) x[i] = 0; // ties for max pooling
    const w = random(5 * K, rng);
    const dout = random(g.batch * 5 * S, rng);
    const long = random(5000, rng);
    const a = random(70 * 90, rng);
    const b = random(90 * 50, rng);
    const bn = random(40 * 6, rng);
    const pooled = g.batch * g.channels * g.outH * g.outW;
    const argmax = new Int32Array(pooled);
    jsKernels.maxPool(x, g, new Float32Array(pooled), argmax);
    const poolDout = random(pooled, rng);
    const once = async (): Promise<Uint8Array[]> => {
      const out = {
        gemm: new Float32Array(70 * 50),
        sum: new Float32Array(1),
        dw: new Float32Array(5 * K),
        db: new Float32Array(5),
        dx: new Float32Array(image),
        pool: new Float32Array(image),
        bn: new Float32Array(40 * 6),
      };
      await onTypedArrays(gpu, (move) => {
        gpu.gemm(
          move({ m: 70, n: 50, k: 90, transA: false, transB: false, alpha: 1, beta: 0, a, b, c: out.gemm }),
        );
        gpu.reduce(move({ op: 'sum', x: long, outer: 1, length: 5000, inner: 1, out: out.sum }));
        gpu.convBackward(
          move({ g, filters: 5, x, w, dout, dw: out.dw, db: out.db, dx: out.dx, accumulate: false }),
        );
        gpu.maxPoolBackward(move(poolDout), move(argmax), move(out.pool));
        const d = { n: 40, D: 6, S: 1 };
        const z = (k: number) => new Float32Array(k);
        gpu.fused.batchNormForward(
          move({
            view: d,
            train: true,
            momentum: 0.9,
            eps: 1e-6,
            x: bn,
            gamma: z(6).fill(1),
            beta: z(6),
            runningMean: z(6),
            runningVar: z(6),
            xc: z(240),
            xn: z(240),
            std: z(6),
            out: out.bn,
          }),
        );
      });
      return Object.values(out).map((v) => new Uint8Array(v.buffer.slice(0)));
    };
    const first = await once();
    const second = await once();
    expect(second).toEqual(first);
    // Max pooling's backward sums shared maxima in the js kernel's order: equal bit for bit.
    const ref = new Float32Array(image);
    jsKernels.maxPoolBackward(poolDout, argmax, ref);
    expect(new Uint8Array(ref.buffer)).toEqual(first[5]);
  });

  it('reuses released buffers: a steady loop allocates nothing, and alloc zeroes a reused one', async () => {
    const a = gpu.upload(Float32Array.from({ length: 1000 }, (_, i) => i + 1));
    gpu.release(a);
    gpu.flush();
    const before = gpu.stats.buffersCreated;
    const b = gpu.alloc('float32', 1000);
    expect(b.buffer).toBe(a.buffer);
    expect(gpu.stats.buffersCreated).toBe(before);
    expect(await gpu.read(b)).toEqual(new Float32Array(1000));
    gpu.release(b);
    expect(() => gpu.release(b)).toThrow(/^webgpu release: the array was already released$/);
    const rng = new Rng(31);
    const step = async (): Promise<void> => {
      const x = gpu.upload(random(640, rng));
      const w = gpu.upload(random(64 * 32, rng));
      const y = gpu.alloc('float32', 10 * 32);
      gpu.gemm({ m: 10, n: 32, k: 64, transA: false, transB: false, alpha: 1, beta: 0, a: x, b: w, c: y });
      const s = gpu.alloc('float32', 32);
      gpu.reduce({ op: 'sum', x: y, outer: 1, length: 10, inner: 32, out: s });
      await gpu.read(s);
      for (const t of [x, w, y, s]) gpu.release(t);
    };
    await step();
    const created = gpu.stats.buffersCreated;
    for (let i = 0; i < 5; i++) await step();
    expect(gpu.stats.buffersCreated).toBe(created);
  });

  it('rejects float64 and wrong operands with one line, before recording anything', () => {
    expect(() => gpu.upload(new Float64Array(3))).toThrow(
      /^webgpu upload: float64 is not supported on webgpu \(WGSL has no f64\); use float32$/,
    );
    expect(() => gpu.alloc('float64', 3)).toThrow(/float64 is not supported/);
    const small = gpu.alloc('float32', 4);
    const ints = gpu.alloc('int32', 16);
    const args = { m: 4, n: 4, k: 4, transA: false, transB: false, alpha: 1, beta: 0 };
    expect(() => gpu.gemm({ ...args, a: small, b: small, c: ints })).toThrow(
      /^webgpu gemm: a has 4 elements, needs 16$/,
    );
    expect(() => gpu.gemm({ ...args, a: ints, b: ints, c: ints })).toThrow(
      /^webgpu gemm: a is int32; this kernel takes float32$/,
    );
    gpu.release(small);
    gpu.release(ints);
    const limit = gpu.limits.maxStorageBufferBindingSize;
    expect(() => gpu.alloc('float32', limit / 4 + 4)).toThrow(
      /^webgpu: \d+ float32 elements \(\d+ bytes\) exceed this device's storage binding limit of \d+ bytes$/,
    );
  });
});

// Needs no adapter: the loaders are fakes.
describe('webgpu backend creation', () => {
  it('a missing webgpu package or no adapter is one line saying what was tried', async () => {
    const missing = createWebGpuBackend({
      loader: () =>
        Promise.reject(new Error("Cannot find package 'webgpu' imported from /x.js\n    at stack")),
    });
    await expect(missing).rejects.toThrow(
      /^webgpu: no WebGPU: navigator.gpu is absent and the npm package 'webgpu' .* did not load: Cannot find package 'webgpu' imported from \/x.js$/,
    );
    const noAdapter = createWebGpuBackend({
      loader: () =>
        Promise.resolve({
          create: () => ({ requestAdapter: () => Promise.resolve(null) }) as unknown as GPU,
        }),
    });
    await expect(noAdapter).rejects.toThrow(
      /^webgpu: no adapter found; tried npm webgpu \[default backend\] core, npm webgpu \[backend=opengles\] compatibility$/,
    );
    const browser = createWebGpuBackend({
      loader: () => Promise.resolve({ requestAdapter: () => Promise.resolve(null) } as unknown as GPU),
    });
    await expect(browser).rejects.toThrow(/^webgpu: no adapter found; tried the given GPU$/);
  });
});

describe.skipIf(!enabled)('webgpu errors', () => {
  it('a GPU error or a lost device is thrown by the next call, naming the kernel', async () => {
    const gpu = await createWebGpuBackend();
    const x = gpu.upload(new Float32Array(16));
    const out = gpu.alloc('float32', 16);
    await gpu.read(out);
    x.buffer.destroy(); // a validation error at the submit
    gpu.unary('exp', x, out);
    await expect(gpu.read(out)).rejects.toThrow(/^webgpu submit of \[unary exp\]: [^\n]+$/);
    expect(() => gpu.unary('exp', out, out)).toThrow(/^webgpu submit of \[unary exp\]/);
    gpu.destroy();

    const other = await createWebGpuBackend();
    const y = other.alloc('float32', 8);
    other.activation('relu', y, y);
    await other.read(y);
    other.device.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(() => other.activation('relu', y, y)).toThrow(
      /^webgpu: device lost \(destroyed\): [^\n]*\(last kernel: activation relu\)$/,
    );
  });
});

describe.skipIf(!enabled)('webgpu tile option', () => {
  it('a given tile runs GEMM and the convolutions; one the device cannot run throws one line', async () => {
    const gpu = await createWebGpuBackend({ tile: { T: 8, R: 2 } });
    expect(gpu.tile).toEqual({ T: 8, R: 2 });
    const rng = new Rng(3);
    const [m, n, k] = [37, 29, 45];
    const a = Float32Array.from({ length: m * k }, () => rng.random() * 2 - 1);
    const b = Float32Array.from({ length: k * n }, () => rng.random() * 2 - 1);
    const expected = new Float32Array(m * n);
    const args = { m, n, k, transA: false, transB: true, alpha: 1, beta: 0 };
    jsKernels.gemm({ ...args, a, b, c: expected });
    const c = gpu.alloc('float32', m * n);
    gpu.gemm({ ...args, a: gpu.upload(a), b: gpu.upload(b), c });
    const got = await gpu.read(c);
    for (let i = 0; i < got.length; i++) expect(Math.abs(got[i]! - expected[i]!)).toBeLessThan(1e-5);
    gpu.destroy();
    await expect(createWebGpuBackend({ tile: { T: 64, R: 4 } })).rejects.toThrow(
      /^webgpu tile 64x4: 4096 invocations exceed the device's \d+ per workgroup$/,
    );
  });
});
