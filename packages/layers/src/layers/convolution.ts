import {
  allocateOutput,
  convGeometry,
  getBackend,
  isDeviceResident,
  ShapeError,
  Tensor,
  zerosLike,
  type ConvGeometry,
  type FloatArray,
  type Shape,
} from '@dl/tensor';
import type { FloatTensor, ForwardContext, Layer, Param } from '../layer.js';

export interface ConvolutionOptions {
  /** Default 1. */
  stride?: number;
  /** Zero padding on every side (default 0). */
  pad?: number;
  /** The names the network gives the parameters (default `W` and `b`). */
  names?: { W: string; b: string };
  /**
   * Bounds one backend call to this many im2col elements' worth of samples (default 2^23). Larger
   * batches are processed in chunks of samples, so evaluating 10 000 images does not copy gigabytes
   * into the wasm backend's memory at once.
   */
  maxColElements?: number;
}

/**
 * The convolution layer (`common/layers.py:Convolution`): filters `W` `[FN, C, FH, FW]`, bias `b`
 * `[FN]`, input `[N, C, H, W]`, output `[N, FN, OH, OW]`. The math is the book's (im2col, then a GEMM
 * with `W` viewed as `[FN, C·FH·FW]`; backward `dW = dout · col`, `db = Σ dout`,
 * `dx = col2im(doutᵀ · W)`), done by the backend's fused `convForward`/`convBackward` kernels one
 * sample at a time, so the im2col matrix never leaves the kernel (nor WebAssembly on the wasm
 * backend) and the output comes out in NCHW order without a transpose.
 */
export class Convolution implements Layer {
  readonly kind = 'Convolution';
  readonly W: Param;
  readonly b: Param;
  readonly stride: number;
  readonly pad: number;
  private readonly maxColElements: number;
  private x: FloatTensor | undefined;
  private geometry: ConvGeometry | undefined;

  constructor(W: FloatTensor, b: FloatTensor, options: ConvolutionOptions = {}) {
    if (W.ndim !== 4 || b.ndim !== 1 || b.shape[0] !== W.shape[0] || W.dtype !== b.dtype) {
      throw new ShapeError(
        `Convolution: W must be [FN, C, FH, FW] and b [FN] of one dtype, got W ${W.dtype} [${W.shape.join(',')}], b ${b.dtype} [${b.shape.join(',')}]`,
      );
    }
    const { stride = 1, pad = 0, names = { W: 'W', b: 'b' }, maxColElements = 2 ** 23 } = options;
    this.W = { name: names.W, value: W, grad: zerosLike(W), decay: true };
    this.b = { name: names.b, value: b, grad: zerosLike(b) };
    this.stride = stride;
    this.pad = pad;
    this.maxColElements = maxColElements;
  }

  /** `[FN, C, FH, FW]`. */
  get filterShape(): [number, number, number, number] {
    return this.W.value.shape as [number, number, number, number];
  }

  forward(x: FloatTensor, _ctx?: ForwardContext): FloatTensor {
    const g = this.checkInput(x.shape);
    if (x.dtype !== this.W.value.dtype) {
      throw new TypeError(
        `Convolution (${this.W.name}): input is ${x.dtype} but W is ${this.W.value.dtype}; convert with astype()`,
      );
    }
    const [FN] = this.filterShape;
    const outPlane = FN * g.outH * g.outW;
    const shape = [g.batch, FN, g.outH, g.outW];
    const label = `Convolution (${this.W.name}) output [${shape.join(',')}]`;
    const out = new Tensor(allocateOutput(x.dtype, g.batch * outPlane, undefined, label), shape, x.dtype);
    const kernels = getBackend();
    const plane = g.channels * g.height * g.width;
    // `.operand` is read for each chunk: a kernel may grow the backend's memory, which makes new views.
    this.forEachChunk(g, (n0, count, chunk) => {
      kernels.convForward({
        g: chunk,
        filters: FN,
        x: samples(x.operand, plane, n0, count, g.batch),
        w: this.W.value.operand,
        b: this.b.value.operand,
        out: samples(out.operand, outPlane, n0, count, g.batch),
      });
    });
    this.x = x;
    this.geometry = g;
    return out;
  }

  backward(dout: FloatTensor): FloatTensor {
    return this.backpropagate(dout, true)!;
  }

  /** `backward` without dx: only W.grad and b.grad (a network's first layer; a third less work). */
  backwardParams(dout: FloatTensor): void {
    this.backpropagate(dout, false);
  }

  private backpropagate(dout: FloatTensor, withDx: boolean): FloatTensor | undefined {
    const { x, geometry: g } = this;
    if (!x || !g) throw new Error(`Convolution.backward (${this.W.name}): call forward first`);
    const [FN] = this.filterShape;
    const outPlane = FN * g.outH * g.outW;
    if (dout.size !== g.batch * outPlane || dout.dtype !== x.dtype) {
      throw new ShapeError(
        `Convolution.backward (${this.W.name}): dout ${dout.dtype} [${dout.shape.join(',')}] does not match the forward output ${x.dtype} [${g.batch},${FN},${g.outH},${g.outW}]`,
      );
    }
    const dx = withDx ? new Tensor(allocateOutput(x.dtype, x.size), x.shape, x.dtype) : undefined;
    const kernels = getBackend();
    const plane = g.channels * g.height * g.width;
    this.forEachChunk(g, (n0, count, chunk) => {
      kernels.convBackward({
        g: chunk,
        filters: FN,
        x: samples(x.operand, plane, n0, count, g.batch),
        w: this.W.value.operand,
        dout: samples(dout.operand, outPlane, n0, count, g.batch),
        dw: this.W.grad.operand,
        db: this.b.grad.operand,
        dx: dx && samples(dx.operand, plane, n0, count, g.batch),
        accumulate: n0 > 0,
      });
    });
    return dx;
  }

  params(): Param[] {
    return [this.W, this.b];
  }

  outputShape(inputShape: Shape): number[] {
    const g = this.checkInput(inputShape);
    return [g.batch, this.filterShape[0], g.outH, g.outW];
  }

  private checkInput(shape: Shape): ConvGeometry {
    const [FN, C, FH, FW] = this.filterShape;
    const op = `Convolution (${this.W.name} [${FN},${C},${FH},${FW}])`;
    const g = convGeometry(op, shape, FH, FW, { stride: this.stride, pad: this.pad });
    if (g.channels !== C) {
      throw new ShapeError(`${op}: input [${shape.join(',')}] has ${g.channels} channels, the filters ${C}`);
    }
    return g;
  }

  /** Calls `fn` for each chunk of samples `[n0, n0 + count)`, with the chunk's geometry. */
  private forEachChunk(g: ConvGeometry, fn: (n0: number, count: number, chunk: ConvGeometry) => void): void {
    const perSample = g.outH * g.outW * g.channels * g.filterH * g.filterW;
    // On a GPU (`webgpu`) arrays cannot be split into views: its kernels take the whole batch.
    const size = isDeviceResident()
      ? g.batch
      : Math.max(1, Math.min(g.batch, Math.floor(this.maxColElements / perSample)));
    for (let n0 = 0; n0 < g.batch; n0 += size) {
      const count = Math.min(size, g.batch - n0);
      fn(n0, count, count === g.batch ? g : { ...g, batch: count });
    }
  }
}

/** Samples `[n0, n0 + count)` of `batch` samples of `plane` elements each (a view, no copy). */
function samples(data: FloatArray, plane: number, n0: number, count: number, batch: number): FloatArray {
  return count === batch ? data : data.subarray(n0 * plane, (n0 + count) * plane);
}
