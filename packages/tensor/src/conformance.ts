import { allocate, type AnyTypedArray, type DType, type FloatArray } from './dtype.js';
import type {
  BatchNormView,
  BinaryOp,
  ConvGeometry,
  GemmArgs,
  Kernels,
  OptimizerUpdate,
  ReduceOp,
  UnaryOp,
} from './backend/kernels.js';
import { jsKernels } from './backend/js/js.js';
import { naiveGemm } from './backend/js/naive-gemm.js';
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
  for (const op of ['relu', 'sigmoid'] as const) {
    for (const dtype of ['float32', 'float64'] as const) {
      // 1 027 elements: the vector loop and a scalar tail; wide enough for sigmoid's two branches.
      cases.push({
        name: `activation ${op} ${dtype}`,
        run(kernels, rng) {
          const x = randomArray(dtype, 1027, rng, -12, 12) as FloatArray;
          x[7] = 0; // ReLU's boundary: the gradient at exactly 0 is 0
          const actual = allocate(dtype, x.length);
          const expected = allocate(dtype, x.length);
          kernels.activation(op, x, actual);
          jsKernels.activation(op, x, expected);
          return { actual, expected };
        },
      });
      cases.push({
        name: `activationBackward ${op} ${dtype}`,
        run(kernels, rng) {
          const saved = (
            op === 'relu' ? randomArray(dtype, 1027, rng) : randomArray(dtype, 1027, rng, 0, 1)
          ) as FloatArray;
          saved[7] = 0;
          const dout = randomArray(dtype, saved.length, rng) as FloatArray;
          const actual = allocate(dtype, saved.length);
          const expected = allocate(dtype, saved.length);
          kernels.activationBackward(op, saved, dout, actual);
          jsKernels.activationBackward(op, saved, dout, expected);
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

// [N, C, H, W, FH, FW, stride, pad]: stride 1 and 2, pad 0/1/2, non-square images and windows,
// one and several channels; SimpleConvNet's and DeepConvNet's layers; stride-2 pooling rows wide
// enough for the kernels' four-windows-at-once path.
type WindowDims = readonly [number, number, number, number, number, number, number, number];
const windowGeometries: readonly WindowDims[] = [
  [2, 1, 5, 5, 3, 3, 1, 0],
  [2, 3, 6, 5, 3, 3, 2, 1],
  [1, 3, 5, 7, 2, 3, 1, 2],
  [3, 2, 7, 6, 3, 2, 2, 0],
  [2, 4, 4, 4, 3, 3, 1, 1],
  [1, 2, 9, 8, 4, 5, 3, 2],
  [2, 5, 3, 3, 1, 1, 1, 0],
  [2, 6, 8, 10, 2, 2, 2, 1],
  [3, 1, 28, 28, 5, 5, 1, 0],
  [2, 16, 14, 14, 3, 3, 1, 1],
  [2, 3, 24, 24, 2, 2, 2, 0],
  [1, 2, 13, 19, 3, 3, 2, 1],
  [2, 3, 7, 9, 3, 2, 1, 1],
  [2, 32, 7, 7, 3, 3, 1, 1],
  [2, 8, 6, 9, 3, 3, 1, 0],
  [1, 9, 5, 4, 3, 3, 1, 2],
  [8, 8, 6, 14, 3, 3, 1, 1],
];

function windowGeometry([
  batch,
  channels,
  height,
  width,
  filterH,
  filterW,
  stride,
  pad,
]: readonly number[]): ConvGeometry {
  const outH = Math.floor((height! + 2 * pad! - filterH!) / stride!) + 1;
  const outW = Math.floor((width! + 2 * pad! - filterW!) / stride!) + 1;
  return {
    batch: batch!,
    channels: channels!,
    height: height!,
    width: width!,
    filterH: filterH!,
    filterW: filterW!,
    stride: stride!,
    pad: pad!,
    outH,
    outW,
  };
}

const geometryLabel = (g: ConvGeometry): string =>
  `[${g.batch},${g.channels},${g.height},${g.width}] ${g.filterH}x${g.filterW} stride ${g.stride} pad ${g.pad}`;

/** Random values with about a third clamped to 0, as after a ReLU: max pooling meets ties. */
function reluLike(dtype: 'float32' | 'float64', n: number, rng: Rng): FloatArray {
  const a = randomArray(dtype, n, rng) as FloatArray;
  for (let i = 0; i < n; i++) if (a[i]! < -0.7) a[i] = 0;
  return a;
}

function concat(...arrays: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

function windowCases(): Case[] {
  const cases: Case[] = [];
  for (const dims of windowGeometries) {
    const g = windowGeometry(dims);
    const image = g.batch * g.channels * g.height * g.width;
    const pooled = g.batch * g.channels * g.outH * g.outW;
    const col = g.batch * g.outH * g.outW * g.channels * g.filterH * g.filterW;
    // Pooling needs every window to hold a real pixel.
    const poolable = g.pad < g.filterH && g.pad < g.filterW;
    for (const dtype of ['float32', 'float64'] as const) {
      const name = (op: string): string => `${op} ${dtype} ${geometryLabel(g)}`;
      cases.push({
        name: name('im2col'),
        run(kernels, rng) {
          const x = randomArray(dtype, image, rng) as FloatArray;
          const actual = allocate(dtype, col).fill(NaN);
          const expected = allocate(dtype, col);
          kernels.im2col(x, g, actual);
          jsKernels.im2col(x, g, expected);
          return { actual, expected };
        },
      });
      for (const accumulate of [false, true]) {
        cases.push({
          name: name(`col2im accumulate=${accumulate}`),
          run(kernels, rng) {
            const c = randomArray(dtype, col, rng) as FloatArray;
            const img0 = randomArray(dtype, image, rng) as FloatArray;
            const actual = img0.slice();
            const expected = img0.slice();
            kernels.col2im(c, g, actual, accumulate);
            jsKernels.col2im(c, g, expected, accumulate);
            return { actual, expected };
          },
        });
      }
      if (!poolable) continue;
      cases.push({
        name: name('maxPool'),
        run(kernels, rng) {
          const x = reluLike(dtype, image, rng);
          const [out, argmax] = [allocate(dtype, pooled), new Int32Array(pooled)];
          const [outRef, argmaxRef] = [allocate(dtype, pooled), new Int32Array(pooled)];
          kernels.maxPool(x, g, out, argmax);
          jsKernels.maxPool(x, g, outRef, argmaxRef);
          return { actual: concat(out, argmax), expected: concat(outRef, argmaxRef) };
        },
      });
      cases.push({
        name: name('maxPoolBackward'),
        run(kernels, rng) {
          const x = reluLike(dtype, image, rng);
          const argmax = new Int32Array(pooled);
          jsKernels.maxPool(x, g, allocate(dtype, pooled), argmax);
          const dout = randomArray(dtype, pooled, rng) as FloatArray;
          const actual = allocate(dtype, image).fill(NaN);
          const expected = allocate(dtype, image);
          kernels.maxPoolBackward(dout, argmax, actual);
          jsKernels.maxPoolBackward(dout, argmax, expected);
          return { actual, expected };
        },
      });
      cases.push({
        name: name('avgPool'),
        run(kernels, rng) {
          const x = randomArray(dtype, image, rng) as FloatArray;
          const actual = allocate(dtype, pooled);
          const expected = allocate(dtype, pooled);
          kernels.avgPool(x, g, actual);
          jsKernels.avgPool(x, g, expected);
          return { actual, expected };
        },
      });
      cases.push({
        name: name('avgPoolBackward'),
        run(kernels, rng) {
          const dout = randomArray(dtype, pooled, rng) as FloatArray;
          const actual = allocate(dtype, image).fill(NaN);
          const expected = allocate(dtype, image);
          kernels.avgPoolBackward(dout, g, actual);
          jsKernels.avgPoolBackward(dout, g, expected);
          return { actual, expected };
        },
      });
    }
  }
  return cases;
}

function absolute(a: FloatArray): FloatArray {
  return a.map(Math.abs);
}

/**
 * The convolution kernels on the same random inputs; `filters` 4 and 7 (a whole and a partial
 * tile of the wasm kernels' four filters), and 10 for 3×3 stride-1 layers (≥ 8 filters: the wasm
 * backend's dx then runs Winograd's algorithm too), with and without dx. The allowed rounding error is the
 * GEMM's (see `gemmBound`), taken from the js kernel run on |inputs|: float32 backends may sum each
 * output's K + 1 terms (forward), N·S terms (dw) or FN·FH·FW terms (dx) in float32.
 */
function convCases(): Case[] {
  const cases: Case[] = [];
  const filterCounts = (d: WindowDims): number[] =>
    d[4] === 3 && d[5] === 3 && d[6] === 1 ? [4, 7, 10] : [4, 7];
  for (const [dims, filters] of windowGeometries.flatMap((d) =>
    filterCounts(d).map((f) => [d, f] as const),
  )) {
    const g = windowGeometry(dims);
    const image = g.batch * g.channels * g.height * g.width;
    const S = g.outH * g.outW;
    const K = g.channels * g.filterH * g.filterW;
    for (const dtype of ['float32', 'float64'] as const) {
      const u = dtype === 'float32' ? FLOAT32_UNIT_ROUNDOFF : 2 ** -53;
      const random = (n: number, rng: Rng): FloatArray => randomArray(dtype, n, rng) as FloatArray;
      cases.push({
        name: `convForward ${dtype} ${geometryLabel(g)} filters ${filters}`,
        run(kernels, rng) {
          const [x, w, b] = [random(image, rng), random(filters * K, rng), random(filters, rng)];
          const actual = allocate(dtype, g.batch * filters * S).fill(NaN);
          const expected = allocate(dtype, g.batch * filters * S);
          kernels.convForward({ g, filters, x, w, b, out: actual });
          jsKernels.convForward({ g, filters, x, w, b, out: expected });
          const bound = allocate(dtype, expected.length);
          jsKernels.convForward({ g, filters, x: absolute(x), w: absolute(w), b: absolute(b), out: bound });
          return { actual, expected, bound: bound.map((v) => v * (K + 1) * u) };
        },
      });
      for (const [accumulate, withDx] of [
        [false, true],
        [true, true],
        [false, false],
      ] as const) {
        cases.push({
          name: `convBackward ${dtype} ${geometryLabel(g)} filters ${filters} accumulate=${accumulate}${withDx ? '' : ' no dx'}`,
          run(kernels, rng) {
            const [x, w] = [random(image, rng), random(filters * K, rng)];
            const dout = random(g.batch * filters * S, rng);
            const [dw0, db0] = [random(filters * K, rng), random(filters, rng)];
            const backward = (
              k: Kernels,
              args: Record<'x' | 'w' | 'dout' | 'dw' | 'db', FloatArray>,
            ): Float64Array => {
              if (!withDx) {
                k.convBackward({ g, filters, accumulate, ...args });
                return concat(args.dw, args.db);
              }
              const dx = allocate(dtype, image).fill(NaN);
              k.convBackward({ g, filters, accumulate, ...args, dx });
              return concat(args.dw, args.db, dx);
            };
            const actual = backward(kernels, { x, w, dout, dw: dw0.slice(), db: db0.slice() });
            const expected = backward(jsKernels, { x, w, dout, dw: dw0.slice(), db: db0.slice() });
            const bound = backward(jsKernels, {
              x: absolute(x),
              w: absolute(w),
              dout: absolute(dout),
              dw: absolute(dw0),
              db: absolute(db0),
            });
            const terms = [g.batch * S, g.batch * S, filters * g.filterH * g.filterW];
            const ends = [filters * K, filters * K + filters];
            for (let i = 0; i < bound.length; i++) {
              bound[i] = bound[i]! * terms[i < ends[0]! ? 0 : i < ends[1]! ? 1 : 2]! * u;
            }
            return { actual, expected, bound };
          },
        });
      }
    }
  }
  return cases;
}

/** [rows, classes]: whole vectors and a tail, a row shorter than a vector, a wide row. */
const softmaxShapes: readonly [number, number][] = [
  [7, 10],
  [3, 13],
  [5, 3],
  [2, 100],
];

/** `[n, D, S]`: per activation (S = 1; D a multiple of 4 and not), per channel (S with and without a tail). */
const batchNormViews: readonly BatchNormView[] = [
  { n: 7, D: 13, S: 1 },
  { n: 5, D: 8, S: 1 },
  { n: 3, D: 5, S: 42 },
  { n: 4, D: 3, S: 6 },
];

const viewLabel = ({ n, D, S }: BatchNormView): string => `[${n},${D},${S}]`;

const TINY = 8;

/** Every optimizer of book 6.1 and both Adam variants, with the book's hyper-parameters. */
function optimizerUpdates(dtype: 'float32' | 'float64', n: number, rng: Rng): OptimizerUpdate[] {
  // Squared-gradient slots are non-negative.
  const slot = (positive = false): FloatArray =>
    randomArray(dtype, n, rng, positive ? 0 : -1, 1) as FloatArray;
  // The first weights' gradients and second moments are tiny (as a dead unit's): there eps decides the step.
  const tiny = (a: FloatArray, scale: number): FloatArray => {
    for (let i = 0; i < TINY; i++) a[i] = a[i]! * scale;
    return a;
  };
  return [
    { kind: 'sgd', lr: 0.01 },
    { kind: 'momentum', lr: 0.01, momentum: 0.9, v: slot() },
    { kind: 'nesterov', lr: 0.01, momentum: 0.9, v: slot() },
    { kind: 'adagrad', lr: 0.01, eps: 1e-7, h: slot(true) },
    { kind: 'rmsprop', lr: 0.01, decayRate: 0.99, eps: 1e-7, h: slot(true) },
    ...(['book', 'standard'] as const).map((variant): OptimizerUpdate => ({
      kind: 'adam',
      variant,
      lr: 0.001,
      beta1: 0.9,
      beta2: 0.999,
      eps: variant === 'book' ? 1e-7 : 1e-8,
      t: 3,
      m: slot(),
      v: tiny(slot(true), 1e-14),
    })),
  ];
}

/** The slots of an update, in a fixed order. */
function updateSlots(u: OptimizerUpdate): FloatArray[] {
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

/** A copy of an update with its own slot arrays (each backend updates them in place). */
function cloneUpdate(u: OptimizerUpdate): OptimizerUpdate {
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

/** Softmax (+ cross-entropy backward), BatchNormalization, Dropout and the optimizer updates. */
function layerCases(): Case[] {
  const cases: Case[] = [];
  for (const dtype of ['float32', 'float64'] as const) {
    const random = (n: number, rng: Rng, low = -2, high = 2): FloatArray =>
      randomArray(dtype, n, rng, low, high) as FloatArray;
    for (const [rows, classes] of softmaxShapes) {
      cases.push({
        name: `softmax ${dtype} rows=${rows} classes=${classes}`,
        run(kernels, rng) {
          const x = random(rows * classes, rng, -12, 12);
          for (let j = 0; j < classes; j++) x[j] = x[j]! + 1000; // would overflow exp without the max
          const actual = allocate(dtype, x.length).fill(NaN);
          const expected = allocate(dtype, x.length);
          kernels.softmax(x, rows, classes, actual);
          jsKernels.softmax(x, rows, classes, expected);
          return { actual, expected };
        },
      });
      cases.push({
        name: `softmaxCrossEntropyBackward ${dtype} rows=${rows} classes=${classes}`,
        run(kernels, rng) {
          const y = random(rows * classes, rng, 0, 1);
          const labels = Int32Array.from({ length: rows }, () => Math.floor(rng.random() * classes));
          const actual = allocate(dtype, y.length).fill(NaN);
          const expected = allocate(dtype, y.length);
          kernels.softmaxCrossEntropyBackward(y, labels, rows, classes, actual);
          jsKernels.softmaxCrossEntropyBackward(y, labels, rows, classes, expected);
          return { actual, expected };
        },
      });
    }
    for (const view of batchNormViews) {
      const size = view.n * view.D * view.S;
      for (const train of [true, false]) {
        cases.push({
          name: `batchNormForward ${dtype} ${viewLabel(view)} train=${train}`,
          run(kernels, rng) {
            // Features with a mean far from 0, as after an affine layer.
            const x = random(size, rng, 1, 4);
            const [gamma, beta] = [random(view.D, rng), random(view.D, rng)];
            const runningMean = random(view.D, rng);
            const runningVar = random(view.D, rng, 0.5, 2);
            const forward = (k: Kernels): Float64Array => {
              const [rm, rv] = [runningMean.slice(), runningVar.slice()];
              const [xc, xn, out] = [allocate(dtype, size), allocate(dtype, size), allocate(dtype, size)];
              const std = allocate(dtype, view.D);
              const args = { view, train, momentum: 0.9, eps: 1e-6, x, gamma, beta };
              k.batchNormForward({ ...args, runningMean: rm, runningVar: rv, xc, xn, std, out });
              return concat(xc, xn, std, out, rm, rv);
            };
            return { actual: forward(kernels), expected: forward(jsKernels) };
          },
        });
        cases.push({
          name: `batchNormBackward ${dtype} ${viewLabel(view)} train=${train}`,
          run(kernels, rng) {
            // What a forward saves, from the js kernel.
            const [xc, xn, std] = [allocate(dtype, size), allocate(dtype, size), allocate(dtype, view.D)];
            const gamma = random(view.D, rng);
            jsKernels.batchNormForward({
              view,
              train,
              momentum: 0.9,
              eps: 1e-6,
              x: random(size, rng),
              gamma,
              beta: random(view.D, rng),
              runningMean: random(view.D, rng),
              runningVar: random(view.D, rng, 0.5, 2),
              xc,
              xn,
              std,
              out: allocate(dtype, size),
            });
            const dout = random(size, rng);
            const backward = (k: Kernels): Float64Array => {
              const [dgamma, dbeta] = [allocate(dtype, view.D).fill(NaN), allocate(dtype, view.D).fill(NaN)];
              const dx = allocate(dtype, size).fill(NaN);
              k.batchNormBackward({ view, train, dout, gamma, xc, xn, std, dgamma, dbeta, dx });
              return concat(dgamma, dbeta, dx);
            };
            return { actual: backward(kernels), expected: backward(jsKernels) };
          },
        });
      }
    }
    for (const masked of [true, false]) {
      cases.push({
        name: `dropout ${dtype} mask=${masked}`,
        run(kernels, rng) {
          const x = random(1027, rng);
          const mask = masked ? Uint8Array.from(x, () => (rng.random() > 0.3 ? 1 : 0)) : undefined;
          const scale = masked ? 1 / (1 - 0.3) : 1 - 0.3;
          const actual = allocate(dtype, x.length).fill(NaN);
          const expected = allocate(dtype, x.length);
          kernels.dropout(x, mask, scale, actual);
          jsKernels.dropout(x, mask, scale, expected);
          return { actual, expected };
        },
      });
    }
    // 1 027 weights: whole vectors and a tail.
    for (const update of optimizerUpdates(dtype, 1027, new Rng(7))) {
      const variant = update.kind === 'adam' ? ` ${update.variant}` : '';
      cases.push({
        name: `optimizerUpdate ${update.kind}${variant} ${dtype}`,
        run(kernels, rng) {
          const w = random(1027, rng);
          const g = random(1027, rng);
          for (let i = 0; i < TINY; i++) g[i] = g[i]! * 1e-7;
          const step = (k: Kernels): Float64Array => {
            const [u, w1] = [cloneUpdate(update), w.slice()];
            k.optimizerUpdate(u, w1, g);
            return concat(w1, ...updateSlots(u));
          };
          return { actual: step(kernels), expected: step(jsKernels) };
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
    // NaN in actual counts as a failure (Infinity, so a later finite error cannot replace it).
    if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : err;
  }
  return worst;
}

/** Runs every conformance case on `kernels` against the `js` reference. */
export function runConformance(kernels: Kernels, options: ConformanceOptions = {}): ConformanceResult[] {
  const { rtol = 1e-5, atol = 1e-6, seed = 20240101 } = options;
  const rng = new Rng(seed);
  return [
    ...gemmCases(),
    ...elementwiseCases(),
    ...reduceCases(),
    ...windowCases(),
    ...convCases(),
    ...layerCases(),
  ].map((c) => {
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
