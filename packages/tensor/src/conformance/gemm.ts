import type { FloatArray } from '../dtype.js';
import type { GemmArgs } from '../backend/kernels.js';
import { naiveGemm } from '../backend/js/naive-gemm.js';
import { FLOAT32_UNIT_ROUNDOFF, randomArray, type Case } from './case.js';

// GEMM against the plain triple loop, every transpose combination, overwrite and accumulate, on
// shapes from 1×1×1 through primes to the TwoLayerNet's.

/** The float32 rounding bound of a GEMM, element by element (see `CaseResult.bound`). */
export function gemmBound(
  args: Omit<GemmArgs, 'c'>,
  c0: FloatArray,
  dtype: 'float32' | 'float64',
): Float64Array {
  const abs = (x: FloatArray): Float64Array => Float64Array.from(x, Math.abs);
  const bound = Float64Array.from(c0, Math.abs);
  naiveGemm({
    ...args,
    alpha: Math.abs(args.alpha),
    beta: Math.abs(args.beta),
    a: abs(args.a),
    b: abs(args.b),
    c: bound,
  });
  const u = dtype === 'float32' ? FLOAT32_UNIT_ROUNDOFF : 2 ** -53;
  for (let i = 0; i < bound.length; i++) bound[i] = bound[i]! * args.k * u;
  return bound;
}

const gemmShapes: readonly [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [17, 13, 33],
  [64, 48, 40],
  [100, 50, 784],
  [100, 10, 50],
];

export function gemmCases(): Case[] {
  const cases: Case[] = [];
  for (const [m, n, k] of gemmShapes) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        for (const beta of [0, 1]) {
          for (const dtype of ['float32', 'float64'] as const) {
            cases.push({
              name: `gemm ${dtype} m=${m} n=${n} k=${k} transA=${transA} transB=${transB} beta=${beta}`,
              run(kernels, rng) {
                const a = randomArray(dtype, m * k, rng) as Float32Array;
                const b = randomArray(dtype, k * n, rng) as Float32Array;
                const c0 = randomArray(dtype, m * n, rng) as Float32Array;
                const actual = c0.slice();
                const expected = c0.slice();
                const args = { m, n, k, transA, transB, alpha: 1.5, beta, a, b };
                kernels.gemm({ ...args, c: actual });
                naiveGemm({ ...args, c: expected });
                return { actual, expected, bound: gemmBound(args, c0, dtype) };
              },
            });
          }
        }
      }
    }
  }
  return cases;
}
