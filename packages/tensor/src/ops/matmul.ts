import { isFloatDType, type DType, type FloatArray } from '../dtype.js';
import { allocate, allocateOutput } from '../allocate.js';
import { backendOf, getBackend } from '../backend/index.js';
import { ShapeError, shapeToString, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';

export interface MatmulOptions<D extends DType> {
  /** Read `a` transposed (it is stored k×m). No copy is made. */
  transA?: boolean;
  /** Read `b` transposed (it is stored n×k). No copy is made. */
  transB?: boolean;
  /** Write the result here (shape m×n, same dtype) instead of a new tensor. */
  out?: Tensor<D>;
  /** Add the product to `out`'s current contents instead of overwriting them. */
  accumulate?: boolean;
}

const t = (shape: readonly number[], flag: boolean | undefined): string =>
  shapeToString(shape) + (flag ? 'ᵀ' : '');

/**
 * Matrix product of two 2-D float tensors, `op(a) · op(b)`, on the current backend's GEMM.
 * `transA`/`transB` read an operand transposed without materialising it — what backprop needs for
 * `xᵀ · dout` and `dout · Wᵀ`.
 */
export function matmul<D extends DType>(
  a: Tensor<D>,
  b: Tensor<D>,
  options: MatmulOptions<D> = {},
): Tensor<D> {
  const { transA = false, transB = false, out, accumulate = false } = options;
  if (a.ndim !== 2 || b.ndim !== 2) {
    throw new ShapeError(
      `matmul: expects 2-D tensors, got ${shapeToString(a.shape)} x ${shapeToString(b.shape)} (use dot for 1-D)`,
    );
  }
  if (a.dtype !== b.dtype) throw new TypeError(`matmul: dtypes differ: ${a.dtype} x ${b.dtype}`);
  if (!isFloatDType(a.dtype))
    throw new TypeError(`matmul: dtype ${a.dtype} is not supported; convert with astype('float32')`);
  const [m, ka] = transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
  const [kb, n] = transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
  if (ka !== kb) {
    throw new ShapeError(`matmul: inner dimensions differ: ${t(a.shape, transA)} x ${t(b.shape, transB)}`);
  }
  if (out) {
    if (!shapesEqual(out.shape, [m, n]) || out.dtype !== a.dtype) {
      throw new ShapeError(
        `matmul: out is ${out.dtype} ${shapeToString(out.shape)}, the result is ${a.dtype} [${m},${n}]`,
      );
    }
    if (out.operand === a.operand || out.operand === b.operand)
      throw new Error('matmul: out must not share storage with an operand');
  }
  const tie = backendOf('matmul', a, b, out);
  // Accumulating into a new result starts from zeros; otherwise the GEMM overwrites it whole.
  const make = accumulate ? allocate : allocateOutput;
  const c = out ?? new Tensor(make(a.dtype, m * n, tie, `matmul [${m},${n}]`), [m, n], a.dtype, tie);
  (tie ?? getBackend()).gemm({
    m,
    n,
    k: ka,
    transA,
    transB,
    alpha: 1,
    beta: accumulate ? 1 : 0,
    a: a.operand as FloatArray,
    b: b.operand as FloatArray,
    c: c.operand as FloatArray,
  });
  return c;
}

/**
 * NumPy's `dot` for 1-D and 2-D: vector·vector gives a 0-d tensor, matrix·vector and vector·matrix a
 * vector, matrix·matrix a matrix.
 */
export function dot<D extends DType>(a: Tensor<D>, b: Tensor<D>): Tensor<D> {
  if (a.ndim < 1 || a.ndim > 2 || b.ndim < 1 || b.ndim > 2) {
    throw new ShapeError(
      `dot: expects 1-D or 2-D tensors, got ${shapeToString(a.shape)} and ${shapeToString(b.shape)}`,
    );
  }
  const a2 = a.ndim === 1 ? a.reshape(1, a.size) : a;
  const b2 = b.ndim === 1 ? b.reshape(b.size, 1) : b;
  if (a2.shape[1] !== b2.shape[0]) {
    throw new ShapeError(
      `dot: inner dimensions differ: ${shapeToString(a.shape)} x ${shapeToString(b.shape)}`,
    );
  }
  const c = matmul(a2, b2);
  const shape = [...(a.ndim === 2 ? [a.shape[0]!] : []), ...(b.ndim === 2 ? [b.shape[1]!] : [])];
  return c.reshape(shape);
}
