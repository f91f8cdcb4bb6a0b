import type { AnyTypedArray, FloatArray } from '../dtype.js';
import type { BackendStorage } from '../storage.js';

/**
 * The seam between ops and math. Ops (in `../ops`) validate arguments, work out shapes and allocate
 * outputs; kernels only compute, on flat row-major typed arrays. Kernels come in two tiers: the
 * required ones (`Kernels`: GEMM, elementwise, reductions, im2col/col2im, convolution, pooling,
 * activations, softmax), which every backend implements, so a missing one is a compile error, not a
 * runtime surprise; and the optional fused ones (`FusedKernels`), which a backend may offer. The `js`
 * backend is the readable reference of the required tier and the oracle the conformance suite
 * (`@dl/tensor/conformance`) compares other backends against.
 */
// Each op set is one list, defined once: the types, the conformance suite and the wasm backend's op
// codes (`wasm/op-codes.ts`) all read these.

/** Every unary op of the `unary` kernel. */
export const UNARY_OPS = [
  'neg',
  'abs',
  'exp',
  'log',
  'sqrt',
  'square',
  'tanh',
  'sign',
  'reciprocal',
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

/** Every binary op of the `binary` kernel (comparisons write `uint8` masks). */
export const BINARY_OPS = [
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
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

/** Every reduction of the `reduce` kernel. */
export const REDUCE_OPS = ['sum', 'max', 'min', 'argmax', 'argmin'] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

/** The activation layers' functions: `relu` (max(0, x), NaN kept) and `sigmoid` (1 / (1 + e^-x)). */
export const ACTIVATION_OPS = ['relu', 'sigmoid'] as const;
export type ActivationOp = (typeof ACTIVATION_OPS)[number];

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

/**
 * The geometry of a sliding 2-D window over `[N, C, H, W]` input: what im2col, col2im and pooling
 * share. Output sizes use the book's formula `out = floor((size + 2·pad - filter) / stride) + 1`
 * (`convGeometry` in `ops/im2col.ts` validates and builds one).
 */
export interface ConvGeometry {
  readonly batch: number;
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly filterH: number;
  readonly filterW: number;
  readonly stride: number;
  readonly pad: number;
  readonly outH: number;
  readonly outW: number;
}

/**
 * A convolution's forward: `out[n, f] = w[f] ⋆ x[n] + b[f]` for `filters` filters of `C×FH×FW`
 * (the book's `Convolution.forward`: im2col, then a GEMM with the filters viewed as a matrix).
 */
export interface ConvForwardArgs {
  /** The input and window geometry (`g.channels` = C, `g.filterH`×`g.filterW`, stride, pad). */
  g: ConvGeometry;
  /** FN, the number of filters. */
  filters: number;
  /** `[N, C, H, W]`. */
  x: FloatArray;
  /** `[FN, C·FH·FW]` (a `[FN, C, FH, FW]` tensor's data). */
  w: FloatArray;
  /** `[FN]`. */
  b: FloatArray;
  /** `[N, FN, outH, outW]`, overwritten. */
  out: FloatArray;
}

/**
 * A convolution's backward for `dout` `[N, FN, outH, outW]`: `dw = Σn dout[n] · im2col(x[n])`,
 * `db = Σ dout` over samples and positions, `dx = col2im(doutᵀ · w)`.
 */
export interface ConvBackwardArgs {
  g: ConvGeometry;
  filters: number;
  /** The forward's input `[N, C, H, W]`. */
  x: FloatArray;
  /** `[FN, C·FH·FW]`. */
  w: FloatArray;
  /** `[N, FN, outH, outW]`. */
  dout: FloatArray;
  /** `[FN, C·FH·FW]`: overwritten, or added to when `accumulate`. */
  dw: FloatArray;
  /** `[FN]`: overwritten, or added to when `accumulate`. */
  db: FloatArray;
  /**
   * `[N, C, H, W]`, overwritten; omitted when nobody needs the input gradient (a network's first
   * layer), which saves a third of the work.
   */
  dx?: FloatArray | undefined;
  /** Add to `dw` and `db` (a batch processed in chunks of samples). */
  accumulate: boolean;
}

export interface Kernels {
  /** A short name shown to users (`js`, `wasm`). */
  readonly name: string;
  // Function-valued properties, not methods: kernels never use `this`, so they can be passed around.
  readonly gemm: (args: GemmArgs) => void;
  readonly unary: (op: UnaryOp, x: AnyTypedArray, out: AnyTypedArray) => void;
  readonly binary: (args: BinaryArgs) => void;
  readonly reduce: (args: ReduceArgs) => void;
  /** `out = f(x)` for an activation layer's forward (`x` and `out` may be one array). */
  readonly activation: (op: ActivationOp, x: FloatArray, out: FloatArray) => void;
  /**
   * An activation layer's backward, `dx = dout · f'`: for `relu`, `saved` is the forward's input and
   * the gradient is 0 where it is `<= 0` (the book's mask); for `sigmoid`, `saved` is the forward's
   * output y and `dx = dout · (1 - y) · y`.
   */
  readonly activationBackward: (
    op: ActivationOp,
    saved: FloatArray,
    dout: FloatArray,
    dx: FloatArray,
  ) => void;
  // Sliding-window kernels of the convolution and pooling layers; `x` and `dx`/`img` are
  // `[N, C, H, W]`, pooled arrays `[N, C, outH, outW]` (see `js/window.ts` for the exact semantics).
  /** Writes `col` `[N·outH·outW, C·FH·FW]`, rows `(n, oy, ox)`, columns `(c, fy, fx)`; padding reads 0. */
  readonly im2col: (x: FloatArray, g: ConvGeometry, col: FloatArray) => void;
  /** im2col's adjoint: sums every `col` entry into the pixel it came from (overwrites `img` unless `accumulate`). */
  readonly col2im: (col: FloatArray, g: ConvGeometry, img: FloatArray, accumulate: boolean) => void;
  /** Max pooling; `argmax` gets the flat index into `x` of each maximum (the first wins a tie; NaN wins). */
  readonly maxPool: (x: FloatArray, g: ConvGeometry, out: FloatArray, argmax: Int32Array) => void;
  /** Overwrites `dx` (the input's size) with each `dout` entry added at its `argmax`. */
  readonly maxPoolBackward: (dout: FloatArray, argmax: Int32Array, dx: FloatArray) => void;
  /** Average pooling: each window's sum over `FH·FW` (padding counts as zeros). */
  readonly avgPool: (x: FloatArray, g: ConvGeometry, out: FloatArray) => void;
  /** Overwrites `dx` with each `dout` entry spread evenly over its window. */
  readonly avgPoolBackward: (dout: FloatArray, g: ConvGeometry, dx: FloatArray) => void;
  /** A whole convolution forward (im2col and GEMM fused: no im2col matrix leaves the kernel). */
  readonly convForward: (args: ConvForwardArgs) => void;
  /** A whole convolution backward: `dw`, `db` and `dx` in one call. */
  readonly convBackward: (args: ConvBackwardArgs) => void;
  /** Softmax of each of `rows` rows of `classes` values, the row maximum subtracted before `exp`. */
  readonly softmax: (x: FloatArray, rows: number, classes: number, out: FloatArray) => void;
  /** The optional tier: whole steps of a layer or an optimizer in one call (see `FusedKernels`). */
  readonly fused?: FusedKernels;
  /**
   * Where the backend keeps tensors tied to it (`wasm`: its linear memory). Absent (`js`): tensors
   * are plain typed arrays.
   */
  readonly storage?: BackendStorage;
}

/**
 * The optional tier: fused kernels, each a whole step of a layer or an optimizer in one call, which a
 * backend may offer to save passes over memory (and, later, copies to where its storage lives). Each
 * has a readable reference in the file named after the book's concept: SoftmaxWithLoss's backward in
 * `@dl/layers`' `softmax-with-loss.ts`, BatchNormalization's in `batch-normalization.ts`, Dropout's in
 * `dropout.ts`, every optimizer's update in its file of `@dl/optim` (`adam.ts`, ...). The `js` backend
 * offers none, so on it the book's code runs; a layer or an optimizer calls the fused kernel when its
 * backend has one, and the reference otherwise. Conformance tests in `@dl/layers` and `@dl/optim`
 * compare every fused kernel with its reference on random inputs.
 *
 * Each returns `true` when it did the work, and `false`, having written nothing, when it does not take
 * these arrays (the `wasm` backend runs float32 only): the caller then runs the reference.
 */
export interface FusedKernels {
  /**
   * SoftmaxWithLoss's backward for integer labels: `dx = (y - onehot(labels)) / rows`, with `y` the
   * softmax output; `labels` are valid class indices (the layer checks them).
   */
  readonly softmaxCrossEntropyBackward?: (
    y: FloatArray,
    labels: Int32Array,
    rows: number,
    classes: number,
    dx: FloatArray,
  ) => boolean;
  /** BatchNormalization's forward (train: batch statistics, running statistics updated). */
  readonly batchNormForward?: (args: BatchNormForwardArgs) => boolean;
  /** BatchNormalization's backward: `dgamma`, `dbeta` and `dx`. */
  readonly batchNormBackward?: (args: BatchNormBackwardArgs) => boolean;
  /**
   * Dropout's forward or backward: `out = x · mask · scale` (`x · 0` where the mask is 0, so NaN
   * stays NaN as in the book's `x * mask`); without a mask, `out = x · scale` (test mode).
   */
  readonly dropout?: (x: FloatArray, mask: Uint8Array | undefined, scale: number, out: FloatArray) => boolean;
  /** One optimizer step of a parameter `w` with gradient `g`, in place (`w` and the slots). */
  readonly optimizerUpdate?: (update: OptimizerUpdate, w: FloatArray, g: FloatArray) => boolean;
  /**
   * Images kept as bytes turned into float32: `out[i] = bytes[i] / scale`, the correctly rounded
   * quotient (what `loadMnist` stores). Reference: `@dl/optim`'s `byte-images.ts`.
   */
  readonly scaleBytes?: (bytes: Uint8Array, scale: number, out: Float32Array) => boolean;
}

/**
 * BatchNormalization's input viewed as `[n, D, S]`: statistics for each feature `d` over its `n·S`
 * values (S = 1 per activation, S = H·W per channel).
 */
export interface BatchNormView {
  n: number;
  D: number;
  S: number;
}

export interface BatchNormForwardArgs {
  view: BatchNormView;
  /** Batch statistics (and running-statistics update) when true; the running statistics when false. */
  train: boolean;
  momentum: number;
  eps: number;
  x: FloatArray;
  gamma: FloatArray;
  beta: FloatArray;
  /** Updated in place in train mode; used in test mode. */
  runningMean: FloatArray;
  runningVar: FloatArray;
  /** Outputs: `x - mean`, `xc / std`, `std` per feature, and `gamma·xn + beta`. */
  xc: FloatArray;
  xn: FloatArray;
  std: FloatArray;
  out: FloatArray;
}

export interface BatchNormBackwardArgs {
  view: BatchNormView;
  /** Whether the forward used batch statistics (train) or constants (test). */
  train: boolean;
  dout: FloatArray;
  gamma: FloatArray;
  /** Saved by the forward. */
  xc: FloatArray;
  xn: FloatArray;
  std: FloatArray;
  /** Outputs (overwritten). */
  dgamma: FloatArray;
  dbeta: FloatArray;
  dx: FloatArray;
}

/**
 * One optimizer step for one parameter (book 6.1), with its hyper-parameters and slots (updated in
 * place): `v` velocity, `h` sum or average of squared gradients, `m`/`v` Adam's moments; `t` is
 * Adam's 1-based update count.
 */
export type OptimizerUpdate =
  | { kind: 'sgd'; lr: number }
  | { kind: 'momentum' | 'nesterov'; lr: number; momentum: number; v: FloatArray }
  | { kind: 'adagrad'; lr: number; eps: number; h: FloatArray }
  | { kind: 'rmsprop'; lr: number; decayRate: number; eps: number; h: FloatArray }
  | {
      kind: 'adam';
      variant: 'book' | 'standard';
      lr: number;
      beta1: number;
      beta2: number;
      eps: number;
      t: number;
      m: FloatArray;
      v: FloatArray;
    };
