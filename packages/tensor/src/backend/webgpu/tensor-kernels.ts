import type { AnyTypedArray } from '../../dtype.js';
import { blockOf } from '../../storage.js';
import type { FusedKernels, Kernels, OptimizerUpdate } from '../kernels.js';
import type { GpuArray } from './buffers.js';
import type { GpuFusedName } from './types.js';
import type { WebGpuBackend } from './index.js';
import { GpuBlock, GpuStorage, type GpuCopyCounts, type GpuPrecision } from './storage.js';
import type { GpuOptimizerUpdate } from './fused.js';

/**
 * The webgpu backend as tensors use it: the `Kernels` seam (both tiers) with storage in GPU buffers.
 * A network, optimizer or Trainer given it (`{ backend }`) keeps its parameters, gradients,
 * optimizer slots and activations on the GPU; kernels record into the device's command encoder and
 * return at once; `await t.read()` submits and reads one tensor back.
 */
export interface WebGpuKernels extends Kernels {
  readonly name: 'webgpu';
  /** The kernels on GPU arrays underneath, with the adapter, its limits and statistics. */
  readonly gpu: WebGpuBackend;
  readonly storage: GpuStorage;
  readonly fused: Required<Pick<FusedKernels, GpuFusedName>>;
  /** Host arrays uploaded and tensors read back so far. */
  copies(): Readonly<GpuCopyCounts>;
  /** How a step's float32 tensors are stored (`float16`: reduced precision, book 8.3). */
  readonly precision: GpuPrecision;
  /**
   * The arithmetic, in one line: always f32 in the kernels; with float16 storage, values are read
   * through `unpack2x16float` and written through `pack2x16float` (no `shader-f16` kernels yet: the
   * software adapters tested, Node's llvmpipe and Chromium 156's SwiftShader, do not offer it), and
   * a network's layers read float16 copies of its float32 master weights (`halfCopyOf`, made by
   * `LayerNetwork` before each forward; the optimizer updates the masters in float32).
   */
  readonly compute: string;
}

export interface WebGpuKernelsOptions {
  /** `float16`: a step's float32 tensors live in float16 buffers (default `float32`). */
  precision?: GpuPrecision;
}

/**
 * One kernel call's operands: arrays of this backend's tensors bind their buffers; a host array (a
 * batch, its labels, a Dropout mask) is uploaded for the call and released after it; an output
 * must be a tensor of this backend, since a kernel cannot write a CPU array without a wait.
 */
class Operands {
  private temps: GpuArray[] | undefined;
  private readonly uploaded = new Map<AnyTypedArray, GpuArray>();

  constructor(
    private readonly storage: GpuStorage,
    private readonly kernel: string,
  ) {}

  in(array: AnyTypedArray): GpuArray {
    const block = blockOf(array);
    if (block instanceof GpuBlock) return block.gpu();
    let gpu = this.uploaded.get(array);
    if (gpu === undefined) {
      gpu = this.storage.uploadTemporary(array);
      this.uploaded.set(array, gpu);
      (this.temps ??= []).push(gpu);
    }
    return gpu;
  }

  out(array: AnyTypedArray): GpuArray {
    const block = blockOf(array);
    if (block instanceof GpuBlock) return block.gpu();
    throw new Error(
      `webgpu ${this.kernel}: an output is a CPU array (${array.constructor.name} of ${array.length}); outputs must be tensors on this webgpu backend`,
    );
  }

  done(): void {
    if (this.temps) for (const t of this.temps) this.storage.releaseTemporary(t);
  }
}

/** The `Kernels` (both tiers) of `gpu`, on tensors in its storage. */
export function webgpuKernels(gpu: WebGpuBackend, options: WebGpuKernelsOptions = {}): WebGpuKernels {
  const precision = options.precision ?? 'float32';
  if (precision !== 'float32' && precision !== 'float16')
    throw new Error(`webgpu: precision must be 'float32' or 'float16', got '${String(precision)}'`);
  const storage = new GpuStorage(gpu, precision);
  const run = <R>(kernel: string, call: (o: Operands) => R): R => {
    const o = new Operands(storage, kernel);
    try {
      return call(o);
    } finally {
      o.done();
    }
  };
  // A fused kernel that declines leaves the caller to run the CPU reference on stand-in arrays,
  // which would throw in a less helpful place: say here what was not taken.
  const fused = (kernel: string, took: boolean): true => {
    if (!took) throw new Error(`webgpu ${kernel}: these operands are not supported (float32 only)`);
    return true;
  };
  const slotsOf = (u: OptimizerUpdate, o: Operands): GpuOptimizerUpdate => {
    switch (u.kind) {
      case 'sgd':
        return u;
      case 'momentum':
      case 'nesterov':
        return { ...u, v: o.out(u.v) };
      case 'adagrad':
      case 'rmsprop':
        return { ...u, h: o.out(u.h) };
      case 'adam':
        return { ...u, m: o.out(u.m), v: o.out(u.v) };
    }
  };
  return {
    name: 'webgpu',
    gpu,
    storage,
    precision,
    compute:
      precision === 'float16'
        ? 'f32 arithmetic on float16 storage (unpack2x16float/pack2x16float); weights: float16 copies of float32 masters, updated in float32'
        : 'f32 arithmetic on float32 storage',
    copies: () => ({ ...storage.copies }),
    gemm: (a) => run('gemm', (o) => gpu.gemm({ ...a, a: o.in(a.a), b: o.in(a.b), c: o.out(a.c) })),
    unary: (op, x, out) => run(op, (o) => gpu.unary(op, o.in(x), o.out(out))),
    binary: (a) => run(a.op, (o) => gpu.binary({ ...a, a: o.in(a.a), b: o.in(a.b), out: o.out(a.out) })),
    reduce: (a) => run(a.op, (o) => gpu.reduce({ ...a, x: o.in(a.x), out: o.out(a.out) })),
    activation: (op, x, out) => run(op, (o) => gpu.activation(op, o.in(x), o.out(out))),
    activationBackward: (op, saved, dout, dx) =>
      run(`${op} backward`, (o) => gpu.activationBackward(op, o.in(saved), o.in(dout), o.out(dx))),
    im2col: (x, g, col) => run('im2col', (o) => gpu.im2col(o.in(x), g, o.out(col))),
    col2im: (col, g, img, acc) => run('col2im', (o) => gpu.col2im(o.in(col), g, o.out(img), acc)),
    maxPool: (x, g, out, argmax) => run('maxPool', (o) => gpu.maxPool(o.in(x), g, o.out(out), o.out(argmax))),
    maxPoolBackward: (dout, argmax, dx) =>
      run('maxPoolBackward', (o) => gpu.maxPoolBackward(o.in(dout), o.in(argmax), o.out(dx))),
    avgPool: (x, g, out) => run('avgPool', (o) => gpu.avgPool(o.in(x), g, o.out(out))),
    avgPoolBackward: (dout, g, dx) =>
      run('avgPoolBackward', (o) => gpu.avgPoolBackward(o.in(dout), g, o.out(dx))),
    convForward: (a) =>
      run('convForward', (o) =>
        gpu.convForward({ ...a, x: o.in(a.x), w: o.in(a.w), b: o.in(a.b), out: o.out(a.out) }),
      ),
    convBackward: (a) =>
      run('convBackward', (o) =>
        gpu.convBackward({
          ...a,
          x: o.in(a.x),
          w: o.in(a.w),
          dout: o.in(a.dout),
          dw: o.out(a.dw),
          db: o.out(a.db),
          dx: a.dx && o.out(a.dx),
        }),
      ),
    softmax: (x, rows, classes, out) =>
      run('softmax', (o) => gpu.softmax(o.in(x), rows, classes, o.out(out))),
    fused: {
      softmaxCrossEntropyBackward: (y, labels, rows, classes, dx) =>
        run('softmaxCrossEntropyBackward', (o) =>
          fused(
            'softmaxCrossEntropyBackward',
            gpu.fused.softmaxCrossEntropyBackward(o.in(y), o.in(labels), rows, classes, o.out(dx)),
          ),
        ),
      batchNormForward: (a) =>
        run('batchNormForward', (o) =>
          fused(
            'batchNormForward',
            gpu.fused.batchNormForward({
              ...a,
              x: o.in(a.x),
              gamma: o.in(a.gamma),
              beta: o.in(a.beta),
              runningMean: o.out(a.runningMean),
              runningVar: o.out(a.runningVar),
              xc: o.out(a.xc),
              xn: o.out(a.xn),
              std: o.out(a.std),
              out: o.out(a.out),
            }),
          ),
        ),
      batchNormBackward: (a) =>
        run('batchNormBackward', (o) =>
          fused(
            'batchNormBackward',
            gpu.fused.batchNormBackward({
              ...a,
              dout: o.in(a.dout),
              gamma: o.in(a.gamma),
              xc: o.in(a.xc),
              xn: o.in(a.xn),
              std: o.in(a.std),
              dgamma: o.out(a.dgamma),
              dbeta: o.out(a.dbeta),
              dx: o.out(a.dx),
            }),
          ),
        ),
      dropout: (x, mask, scale, out) =>
        run('dropout', (o) =>
          fused('dropout', gpu.fused.dropout(o.in(x), mask && o.in(mask), scale, o.out(out))),
        ),
      optimizerUpdate: (u, w, g) =>
        run(`${u.kind} update`, (o) =>
          fused(`${u.kind} update`, gpu.fused.optimizerUpdate(slotsOf(u, o), o.out(w), o.in(g))),
        ),
    },
  };
}
