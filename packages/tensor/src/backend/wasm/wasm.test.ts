import { beforeAll, describe, expect, it } from 'vitest';
import { runConformance } from '../../conformance/index.js';
import { Rng } from '../../rng.js';
import { broadcastShapes, broadcastStrides, sizeOf } from '../../shape.js';
import { jsKernels } from '../js/js.js';
import { BINARY_OPS, REDUCE_OPS, UNARY_OPS, type BinaryOp, type GemmArgs } from '../kernels.js';
import { naiveGemm } from '../js/naive-gemm.js';
import { createWasmBackend, type WasmKernels } from './wasm.js';
import { hasWasmRelaxedSimd } from './features.js';
import { loadWasmBytes } from './load.js';
import { instantiateKernels } from './module.js';

// The relaxed build runs only where the engine has relaxed SIMD (Node 20: --experimental-wasm-relaxed-simd).
const variants = hasWasmRelaxedSimd() ? (['plain', 'relaxed'] as const) : (['plain'] as const);

function randomFloat32(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.random() * 4 - 2;
  return out;
}

/**
 * Worst |actual - expected| over the float32 error bound of a k-term dot product of values in
 * [-2, 2] (|alpha| = 1.5): float32 sums round at every step, the oracle sums in float64.
 */
function worstError(actual: Float32Array, expected: Float64Array, k: number): number {
  const bound = 1e-6 * (1 + 1.5 * 4 * Math.sqrt(Math.max(k, 1)) * 4);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i]! - expected[i]!) / (bound + 1e-6 * Math.abs(expected[i]!));
    if (!(err <= worst)) worst = err; // NaN counts as a failure
  }
  return worst;
}

/** Random values in [-3, 3] with the awkward ones mixed in: ±0, ±Infinity, NaN, exp's limits. */
function awkwardFloat32(n: number, rng: Rng): Float32Array {
  const special = [0, -0, Infinity, -Infinity, NaN, 88.7, 89, -86.5, -87, -104, 1e-30, -1e-30];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++)
    out[i] = i % 7 === 3 ? special[(i >> 3) % special.length]! : rng.random() * 6 - 3;
  return out;
}

/** Same value (NaN matches NaN, -0 matches +0) or within rtol relative / atol absolute. */
function close(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number): string[] {
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) bad.push(`[${i}] ${a} vs ${e}`);
  }
  return bad.slice(0, 5);
}

const comparisons = new Set<BinaryOp>(['equal', 'notEqual', 'greater', 'greaterEqual', 'less', 'lessEqual']);

describe.each(variants)('wasm backend, %s SIMD', (simd) => {
  let kernels: WasmKernels;
  beforeAll(async () => {
    kernels = await createWasmBackend({ simd });
  });

  it('reports what it runs', () => {
    expect(kernels.name).toBe('wasm');
    expect(kernels.features.variant).toBe(simd === 'plain' ? 'wasm-simd' : 'wasm-relaxed-simd');
    expect(kernels.features.threads).toBe(1);
  });

  it('passes the conformance suite at its default tolerances', () => {
    // The suite allows GEMM the float32 rounding bound k·u·|a|·|b| per element: this GEMM sums in
    // float32 like every BLAS sgemm, the reference in float64.
    expect(runConformance(kernels).filter((r) => !r.passed)).toEqual([]);
  });

  const shapes: readonly [number, number, number][] = [
    [1, 1, 1],
    [5, 7, 3],
    [17, 13, 33],
    [100, 50, 784],
    [3, 9, 300], // k spans two KC slices
    [130, 4, 2], // m spans two MC blocks
    [9, 30, 25], // partial column panels of 6 and rows of 1
    [2, 4100, 3], // n spans two NC blocks
    [3, 520, 4100], // packed op(B) over RESIDENT_B_BYTES: K-slice-first order
    [3, 5, 0], // empty sum: c = beta · c
  ];
  for (const [m, n, k] of shapes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const beta of [0, 1]) {
          it(`gemm ${m}×${k}·${k}×${n} transA=${transA} transB=${transB} beta=${beta} matches naiveGemm`, () => {
            const rng = new Rng(m * 1000003 + n * 1009 + k);
            const a = randomFloat32(m * k, rng);
            const b = randomFloat32(k * n, rng);
            const c = randomFloat32(m * n, rng);
            // beta = 0 must ignore whatever c held, NaN included.
            if (beta === 0) c[0] = Number.NaN;
            const expected = Float64Array.from(c);
            const args: Omit<GemmArgs, 'c'> = { m, n, k, transA, transB, alpha: 1.5, beta, a, b };
            kernels.gemm({ ...args, c });
            naiveGemm({ ...args, c: expected });
            expect(worstError(c, expected, k)).toBeLessThanOrEqual(1);
          });
        }
      }
    }
  }

  it('computes float64 products on the js kernel, to float64 accuracy', () => {
    const rng = new Rng(7);
    const [m, n, k] = [9, 11, 13];
    const a = Float64Array.from(randomFloat32(m * k, rng));
    const b = Float64Array.from(randomFloat32(k * n, rng));
    const c = new Float64Array(m * n);
    const expected = new Float64Array(m * n);
    const args = { m, n, k, transA: true, transB: false, alpha: 1, beta: 0, a, b };
    kernels.gemm({ ...args, c });
    naiveGemm({ ...args, c: expected });
    for (let i = 0; i < c.length; i++) expect(c[i]).toBeCloseTo(expected[i]!, 12);
  });

  it('reuses its arena: repeated calls of one size do not grow memory', async () => {
    const fresh = await createWasmBackend({ simd });
    const rng = new Rng(11);
    const [m, n, k] = [300, 200, 500];
    const a = randomFloat32(m * k, rng);
    const b = randomFloat32(k * n, rng);
    const c = new Float32Array(m * n);
    const args = { m, n, k, transA: false, transB: true, alpha: 1, beta: 0, a, b, c };
    fresh.gemm(args);
    const bytes = fresh.memoryBytes();
    for (let i = 0; i < 5; i++) fresh.gemm(args);
    expect(fresh.memoryBytes()).toBe(bytes);
    // A bigger call (8 MB of a) grows it; going back to the small size keeps it (never shrinks).
    const big = { ...args, m: 4000, a: randomFloat32(4000 * k, rng), c: new Float32Array(4000 * n) };
    fresh.gemm(big);
    const grown = fresh.memoryBytes();
    expect(grown).toBeGreaterThan(bytes);
    fresh.gemm(args);
    fresh.gemm(big);
    expect(fresh.memoryBytes()).toBe(grown);
  });

  for (const op of UNARY_OPS) {
    it(`unary ${op} float32 matches the js kernel, special values included`, () => {
      const x = awkwardFloat32(1003, new Rng(3));
      const actual = new Float32Array(x.length);
      const expected = new Float32Array(x.length);
      kernels.unary(op, x, actual);
      jsKernels.unary(op, x, expected);
      // exp: 2 ulp, and results under 2e-38 may flush to 0; the others are exact.
      expect(close(actual, expected, op === 'exp' ? 3e-7 : 0, op === 'exp' ? 2e-38 : 0)).toEqual([]);
    });
  }

  it('unary works in place (x and out the same array)', () => {
    const x = awkwardFloat32(101, new Rng(4));
    const expected = new Float32Array(x.length);
    jsKernels.unary('square', x, expected);
    kernels.unary('square', x, x);
    expect(close(x, expected, 0, 0)).toEqual([]);
  });

  const broadcasts: readonly [number[], number[]][] = [
    [[100, 50], [50]],
    [
      [100, 50],
      [100, 1],
    ],
    [
      [1, 50],
      [100, 50],
    ],
    [[1003], [1003]],
    [[1003], []],
    [[], [7]],
    [
      [2, 3, 4, 5],
      [3, 1, 5],
    ],
    [
      [5, 1, 7],
      [1, 6, 1],
    ],
    [
      [3, 1, 2, 1, 5],
      [1, 4, 1, 3, 1],
    ],
  ];
  for (const op of BINARY_OPS) {
    it(`binary ${op} float32 matches the js kernel exactly on every broadcast`, () => {
      const rng = new Rng(5);
      for (const [sa, sb] of broadcasts) {
        const outShape = broadcastShapes(op, sa, sb);
        const a = awkwardFloat32(sizeOf(sa), rng);
        const b = awkwardFloat32(sizeOf(sb), rng);
        const make = (): Float32Array | Uint8Array =>
          comparisons.has(op) ? new Uint8Array(sizeOf(outShape)) : new Float32Array(sizeOf(outShape));
        const actual = make();
        const expected = make();
        const args = {
          op,
          a,
          b,
          outShape,
          aStrides: broadcastStrides(sa, outShape),
          bStrides: broadcastStrides(sb, outShape),
        };
        kernels.binary({ ...args, out: actual });
        jsKernels.binary({ ...args, out: expected });
        expect(close(actual, expected, 0, 0), `${JSON.stringify(sa)} ${JSON.stringify(sb)}`).toEqual([]);
      }
    });
  }

  const reduceOps = REDUCE_OPS;
  const geometries: readonly [number, number, number][] = [
    [1, 1003, 1],
    [100, 10, 1],
    [1, 100, 50],
    [3, 7, 5],
    [2, 9, 3],
    [4, 1, 6],
  ];
  for (const op of reduceOps) {
    it(`reduce ${op} float32 matches the js kernel, NaN and ties included`, () => {
      const rng = new Rng(6);
      for (const [outer, length, inner] of geometries) {
        const x = randomFloat32(outer * length * inner, rng);
        // A NaN in one slab only, and repeated values so ties (first index wins) happen.
        if (outer > 1) x[length * inner + 1] = NaN;
        for (let i = 0; i + 2 < x.length; i += 5) x[i + 2] = x[i]!;
        const isArg = op.startsWith('arg');
        const actual = isArg ? new Int32Array(outer * inner) : new Float32Array(outer * inner);
        const expected = isArg ? new Int32Array(outer * inner) : new Float32Array(outer * inner);
        kernels.reduce({ op, x, outer, length, inner, out: actual });
        jsKernels.reduce({ op, x, outer, length, inner, out: expected });
        expect(close(actual, expected, op === 'sum' ? 1e-6 : 0, 0), `${outer}×${length}×${inner}`).toEqual(
          [],
        );
      }
    });
  }

  it('a convolution with an empty output (3×3 over 2×2) has zero gradients, as on js', () => {
    // Winograd's weight gradient once divided by the tile count here (0): a trap.
    const g = {
      batch: 2,
      channels: 8,
      height: 2,
      width: 2,
      filterH: 3,
      filterW: 3,
      stride: 1,
      pad: 0,
      outH: 0,
      outW: 0,
    };
    const x = new Float32Array(2 * 8 * 4).fill(1);
    const w = new Float32Array(8 * 8 * 9).fill(1);
    const run = (k: typeof kernels | typeof jsKernels): Float32Array[] => {
      const [dw, db, dx] = [
        new Float32Array(w.length).fill(5),
        new Float32Array(8).fill(5),
        new Float32Array(x.length).fill(7),
      ];
      k.convBackward({ g, filters: 8, x, w, dout: new Float32Array(0), dw, db, dx, accumulate: false });
      return [dw, db, dx];
    };
    expect(run(kernels)).toEqual(run(jsKernels));
    expect(run(kernels).every((a) => a.every((v) => v === 0))).toBe(true);
  });

  it('names the operand when an array is too short', () => {
    const a = new Float32Array(5);
    const args = { m: 2, n: 2, k: 3, transA: false, transB: false, alpha: 1, beta: 0 };
    expect(() => kernels.gemm({ ...args, a, b: new Float32Array(6), c: new Float32Array(4) })).toThrow(
      /gemm \(wasm\): a has 5 elements/,
    );
  });
});

describe('wasm gemm kernel on blocks of bigger matrices (leading dimensions)', () => {
  // How threads will split one product: each computes a block of C from blocks of A and B in place.
  it.each([
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ])('transA=%s transB=%s', async (transA, transB) => {
    const module = await instantiateKernels(await loadWasmBytes('wasm-simd'));
    const rng = new Rng(13);
    // Whole matrices: op(A) 40×30, op(B) 30×50, C 40×50; the block: rows 5..22, columns 9..42, k 3..28.
    const [M, N, K] = [40, 50, 30];
    const [i0, m, j0, n, p0, k] = [5, 17, 9, 33, 3, 25];
    const A = randomFloat32(M * K, rng);
    const B = randomFloat32(K * N, rng);
    const C = randomFloat32(M * N, rng);
    const lda = transA ? M : K;
    const ldb = transB ? K : N;
    const opA = (i: number, p: number): number => (transA ? A[p * M + i]! : A[i * K + p]!);
    const opB = (p: number, j: number): number => (transB ? B[j * K + p]! : B[p * N + j]!);
    const page = 65536;
    const base = Math.ceil(module.heapBase() / 64) * 64;
    const [aAt, bAt, cAt] = [base, base + M * K * 4, base + (M * K + K * N) * 4];
    const scratchAt = cAt + M * N * 4 + 64;
    const end = scratchAt + module.gemmScratchBytes(m, n, k);
    module.memory.grow(Math.ceil(end / page));
    const f32 = new Float32Array(module.memory.buffer);
    f32.set(A, aAt / 4);
    f32.set(B, bAt / 4);
    f32.set(C, cAt / 4);
    const at = (base: number, ld: number, row: number, col: number): number => base + (row * ld + col) * 4;
    module.gemm(
      m,
      n,
      k,
      transA ? 1 : 0,
      transB ? 1 : 0,
      1,
      1,
      transA ? at(aAt, lda, p0, i0) : at(aAt, lda, i0, p0),
      lda,
      transB ? at(bAt, ldb, j0, p0) : at(bAt, ldb, p0, j0),
      ldb,
      at(cAt, N, i0, j0),
      N,
      scratchAt,
    );
    const out = f32.subarray(cAt / 4, cAt / 4 + M * N);
    let worst = 0;
    let touchedOutside = 0;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        const inside = i >= i0 && i < i0 + m && j >= j0 && j < j0 + n;
        if (!inside) {
          if (out[i * N + j] !== C[i * N + j]) touchedOutside++;
          continue;
        }
        let expected = C[i * N + j]!;
        for (let p = p0; p < p0 + k; p++) expected += opA(i, p) * opB(p, j);
        worst = Math.max(worst, Math.abs(out[i * N + j]! - expected));
      }
    }
    expect(touchedOutside).toBe(0);
    // float32 sums of 25 terms in [-4, 4].
    expect(worst).toBeLessThan(1e-4);
  });
});

describe('createWasmBackend', () => {
  it('auto picks relaxed SIMD exactly when the engine has it', async () => {
    const kernels = await createWasmBackend();
    expect(kernels.features.relaxedSimd).toBe(hasWasmRelaxedSimd());
    expect(kernels.features.variant).toBe(hasWasmRelaxedSimd() ? 'wasm-relaxed-simd' : 'wasm-simd');
  });
});
