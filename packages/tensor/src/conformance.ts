import { allocate, type AnyTypedArray, type DType, type FloatArray } from './dtype.js';
import type { BinaryOp, GemmArgs, Kernels, ReduceOp, UnaryOp } from './backend/kernels.js';
import { jsKernels } from './backend/js.js';
import { naiveGemm } from './backend/naive-gemm.js';
import { broadcastShapes, broadcastStrides, sizeOf, shapeToString } from './shape.js';
import { Rng } from './rng.js';

/**
 * The conformance suite every backend must pass: each case runs one kernel on random, never all-zero
 * inputs on the backend under test and on the reference (the `js` backend; for GEMM, the plain
 * triple loop in `naive-gemm.ts`), and compares the outputs within a tolerance. It depends on no test framework: `runConformance(kernels)` returns one result per case,
 * and a test asserts they all passed.
 */
export interface ConformanceResult {
  name: string;
  passed: boolean;
  /** Largest |actual - expected| / (atol + rtol·|expected|); <= 1 passes. */
  worst: number;
  message?: string;
}

export interface ConformanceOptions {
  /** Relative tolerance for float32 results (default 1e-5: backends may sum in another order). */
  rtol?: number;
  atol?: number;
  seed?: number;
}

interface CaseResult {
  actual: AnyTypedArray;
  expected: AnyTypedArray;
  /**
   * A per-element rounding bound to allow on top of rtol/atol. GEMM sets it to the classic error bound
   * of a k-term float32 dot product, `k·u·(|alpha|·|op(a)|·|op(b)| + |beta|·|c|)` with u = 2^-24: a
   * backend that sums in float32 (as BLAS does) may differ from the float64 reference by that much.
   */
  bound?: AnyTypedArray;
}

interface Case {
  name: string;
  run(k: Kernels, rng: Rng): CaseResult;
}

const FLOAT32_UNIT_ROUNDOFF = 2 ** -24;

/** The float32 rounding bound of a GEMM, element by element (see `CaseResult.bound`). */
function gemmBound(args: Omit<GemmArgs, 'c'>, c0: FloatArray, dtype: 'float32' | 'float64'): Float64Array {
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

function randomArray(dtype: DType, n: number, rng: Rng, low = -2, high = 2): AnyTypedArray {
  const a = allocate(dtype, n);
  for (let i = 0; i < n; i++) {
    const v = low + (high - low) * rng.random();
    a[i] = dtype === 'int32' || dtype === 'uint8' ? Math.floor(v) : v;
  }
  return a;
}

const gemmShapes: readonly [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [17, 13, 33],
  [64, 48, 40],
  [100, 50, 784],
  [100, 10, 50],
];

function gemmCases(): Case[] {
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

const unaryOps: readonly UnaryOp[] = [
  'neg',
  'abs',
  'exp',
  'log',
  'sqrt',
  'square',
  'tanh',
  'sign',
  'reciprocal',
];
const binaryOps: readonly BinaryOp[] = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'equal',
  'notEqual',
  'greater',
  'greaterEqual',
  'less',
  'lessEqual',
];
const broadcastPairs: readonly [number[], number[]][] = [
  [[7], [7]],
  [
    [4, 5],
    [4, 5],
  ],
  [[4, 5], [5]],
  [
    [4, 5],
    [4, 1],
  ],
  [
    [3, 1, 6],
    [1, 5, 1],
  ],
  [[2, 3, 4, 5], []],
  [[0, 3], [3]],
];

function elementwiseCases(): Case[] {
  const cases: Case[] = [];
  for (const op of unaryOps) {
    for (const dtype of ['float32', 'float64'] as const) {
      cases.push({
        name: `unary ${op} ${dtype}`,
        run(kernels, rng) {
          // log/sqrt/reciprocal want positive inputs; keep them away from 0.
          const x = randomArray(dtype, 257, rng, 0.1, 3);
          if (op !== 'log' && op !== 'sqrt') for (let i = 0; i < x.length; i += 2) x[i] = -x[i]!;
          const actual = allocate(dtype, x.length);
          const expected = allocate(dtype, x.length);
          kernels.unary(op, x, actual);
          jsKernels.unary(op, x, expected);
          return { actual, expected };
        },
      });
    }
  }
  for (const op of binaryOps) {
    for (const [sa, sb] of broadcastPairs) {
      const dtype: DType = op === 'equal' || op === 'notEqual' ? 'int32' : 'float32';
      cases.push({
        name: `binary ${op} ${shapeToString(sa)} ${shapeToString(sb)} ${dtype}`,
        run(kernels, rng) {
          const outShape = broadcastShapes(op, sa, sb);
          const a = randomArray(dtype, sizeOf(sa), rng, op === 'pow' ? 0.5 : -2, 2);
          const b = randomArray(dtype, sizeOf(sb), rng, op === 'div' ? 0.5 : -2, 2);
          const outDtype =
            op.startsWith('less') || op.startsWith('greater') || op.endsWith('qual') ? 'uint8' : dtype;
          const actual = allocate(outDtype, sizeOf(outShape));
          const expected = allocate(outDtype, sizeOf(outShape));
          const args = {
            op,
            a,
            aStrides: broadcastStrides(sa, outShape),
            b,
            bStrides: broadcastStrides(sb, outShape),
            outShape,
          };
          kernels.binary({ ...args, out: actual });
          jsKernels.binary({ ...args, out: expected });
          return { actual, expected };
        },
      });
    }
  }
  return cases;
}

function reduceCases(): Case[] {
  const cases: Case[] = [];
  const geometries: readonly [number, number, number][] = [
    [1, 1000, 1],
    [100, 10, 1],
    [1, 100, 50],
    [3, 7, 5],
  ];
  for (const op of ['sum', 'max', 'min', 'argmax', 'argmin'] as ReduceOp[]) {
    for (const [outer, length, inner] of geometries) {
      cases.push({
        name: `reduce ${op} outer=${outer} length=${length} inner=${inner}`,
        run(kernels, rng) {
          const x = randomArray('float32', outer * length * inner, rng);
          const outDtype = op.startsWith('arg') ? 'int32' : 'float32';
          const actual = allocate(outDtype, outer * inner);
          const expected = allocate(outDtype, outer * inner);
          kernels.reduce({ op, x, outer, length, inner, out: actual });
          jsKernels.reduce({ op, x, outer, length, inner, out: expected });
          return { actual, expected };
        },
      });
    }
  }
  return cases;
}

function compare({ actual, expected, bound }: CaseResult, rtol: number, atol: number): number {
  if (actual.length !== expected.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    const err = Math.abs(a - e) / (atol + rtol * Math.abs(e) + (bound?.[i] ?? 0));
    if (!(err <= worst)) worst = err; // NaN in actual counts as a failure
  }
  return worst;
}

/** Runs every conformance case on `kernels` against the `js` reference. */
export function runConformance(kernels: Kernels, options: ConformanceOptions = {}): ConformanceResult[] {
  const { rtol = 1e-5, atol = 1e-6, seed = 20240101 } = options;
  const rng = new Rng(seed);
  return [...gemmCases(), ...elementwiseCases(), ...reduceCases()].map((c) => {
    try {
      const worst = compare(c.run(kernels, rng), rtol, atol);
      const passed = worst <= 1;
      return passed
        ? { name: c.name, passed, worst }
        : { name: c.name, passed, worst, message: `error ${worst.toExponential(2)}x tolerance` };
    } catch (error) {
      return { name: c.name, passed: false, worst: Infinity, message: String(error) };
    }
  });
}
