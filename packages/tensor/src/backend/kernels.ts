import type { AnyTypedArray, FloatArray } from '../dtype.js';

/**
 * The seam between ops and math. Ops (in `../ops`) validate arguments, work out shapes and allocate
 * outputs; kernels only compute, on flat row-major typed arrays. Every backend implements this whole
 * interface, so a missing kernel is a compile error, not a runtime surprise. The `js` backend is the
 * readable reference and the oracle the conformance suite compares other backends against.
 */
export type UnaryOp = 'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'square' | 'tanh' | 'sign' | 'reciprocal';

export type BinaryOp =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'maximum'
  | 'minimum'
  | 'equal'
  | 'notEqual'
  | 'greater'
  | 'greaterEqual'
  | 'less'
  | 'lessEqual';

export type ReduceOp = 'sum' | 'max' | 'min' | 'argmax' | 'argmin';

/** `c = alpha * op(a) · op(b) + beta * c`, all row-major; `op(x)` is `x` or its transpose. */
export interface GemmArgs {
  /** Rows of op(a) and of c. */
  m: number;
  /** Columns of op(b) and of c. */
  n: number;
  /** Columns of op(a) = rows of op(b). */
  k: number;
  /** `a` is stored k×m and read transposed. */
  transA: boolean;
  /** `b` is stored n×k and read transposed. */
  transB: boolean;
  alpha: number;
  /** 0 overwrites `c` (its old contents, even NaN, are ignored); 1 accumulates into it. */
  beta: number;
  a: FloatArray;
  b: FloatArray;
  c: FloatArray;
}

/**
 * A binary op over broadcast operands. `outShape` is the result shape; `aStrides`/`bStrides` have the
 * same rank, with 0 on axes where that operand is broadcast.
 */
export interface BinaryArgs {
  op: BinaryOp;
  a: AnyTypedArray;
  aStrides: readonly number[];
  b: AnyTypedArray;
  bStrides: readonly number[];
  out: AnyTypedArray;
  outShape: readonly number[];
}

/**
 * Reduces the middle axis of `x` viewed as `[outer, length, inner]` into `out` of `[outer, inner]`.
 * `argmax`/`argmin` write indices along that axis (the first one wins a tie, as NumPy's).
 */
export interface ReduceArgs {
  op: ReduceOp;
  x: AnyTypedArray;
  outer: number;
  length: number;
  inner: number;
  out: AnyTypedArray;
}

export interface Kernels {
  /** A short name shown to users (`js`, `wasm`). */
  readonly name: string;
  // Function-valued properties, not methods: kernels never use `this`, so they can be passed around.
  readonly gemm: (args: GemmArgs) => void;
  readonly unary: (op: UnaryOp, x: AnyTypedArray, out: AnyTypedArray) => void;
  readonly binary: (args: BinaryArgs) => void;
  readonly reduce: (args: ReduceArgs) => void;
}
