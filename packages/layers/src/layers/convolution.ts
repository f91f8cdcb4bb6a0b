import {
  allocate,
  col2imInto,
  convGeometry,
  im2colInto,
  matmul,
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
   * The most im2col elements held at once (default 2^23). Larger batches are processed in chunks of
   * samples, so evaluating 10 000 images does not need a gigabyte-sized im2col matrix.
   */
  maxColElements?: number;
}

/**
 * The convolution layer (`common/layers.py:Convolution`): filters `W` `[FN, C, FH, FW]`, bias `b`
 * `[FN]`, input `[N, C, H, W]`, output `[N, FN, OH, OW]`. Forward is im2col and one GEMM per chunk of
 * samples, `col · Wmatᵀ` as the book's `np.dot(col, col_W)` (`Wmat` is `W` viewed as
 * `[FN, C·FH·FW]`), copied into NCHW with the bias. Backward regroups `dout` as `[FN, rows]`
 * (contiguous block copies) and writes `dW = dout · col`, `db = Σ dout`, `dx = col2im(doutᵀ · Wmat)`.
 * Transposes are GEMM flags, the layouts the ones the js GEMM runs fastest. The im2col matrix of the
 * last forward is reused by backward when it held the whole batch, otherwise recomputed per chunk.
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
  private col: FloatArray = new Float32Array(0);
  /** GEMM scratch: the `[rows, FN]` result in forward, dout regrouped as `[FN, rows]` in backward. */
  private scratch: FloatArray = new Float32Array(0);
  /** True while `col` holds the whole last forward's im2col. */
  private colValid = false;

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
    const S = g.outH * g.outW;
    const out = allocate(x.dtype, g.batch * FN * S);
    const bias = this.b.value.data;
    const chunk = this.samplesPerChunk(g);
    for (let n0 = 0; n0 < g.batch; n0 += chunk) {
      const count = Math.min(chunk, g.batch - n0);
      const col = this.im2colChunk(x, g, n0, count);
      const y = this.scratchTensor(x.dtype, count * S, FN);
      matmul(col, this.wMat(), { transB: true, out: y }); // [rows, FN], rows = (n, oy, ox)
      // [count, S, FN] → [count, FN, S], adding the bias on the way.
      const yd = y.data;
      for (let n = 0; n < count; n++) {
        for (let f = 0; f < FN; f++) {
          const bf = bias[f]!;
          const to = ((n0 + n) * FN + f) * S;
          for (let s = 0, from = n * S * FN + f; s < S; s++, from += FN) out[to + s] = yd[from]! + bf;
        }
      }
    }
    this.x = x;
    this.geometry = g;
    this.colValid = chunk >= g.batch;
    return new Tensor(out, [g.batch, FN, g.outH, g.outW], x.dtype);
  }

  backward(dout: FloatTensor): FloatTensor {
    const { x, geometry: g } = this;
    if (!x || !g) throw new Error(`Convolution.backward (${this.W.name}): call forward first`);
    const [FN, C, FH, FW] = this.filterShape;
    const S = g.outH * g.outW;
    if (dout.size !== g.batch * FN * S) {
      throw new ShapeError(
        `Convolution.backward (${this.W.name}): dout [${dout.shape.join(',')}] does not match the forward output [${g.batch},${FN},${g.outH},${g.outW}]`,
      );
    }
    const d = dout.data;
    const db = this.b.grad.data;
    for (let f = 0; f < FN; f++) {
      let s = 0;
      for (let n = 0; n < g.batch; n++) for (let i = (n * FN + f) * S, e = i + S; i < e; i++) s += d[i]!;
      db[f] = s;
    }
    const dx = allocate(x.dtype, x.size);
    const dW = this.W.grad.reshape(FN, C * FH * FW);
    const chunk = this.samplesPerChunk(g);
    for (let n0 = 0; n0 < g.batch; n0 += chunk) {
      const count = Math.min(chunk, g.batch - n0);
      const col = this.colValid
        ? this.colTensor(x.dtype, count * S, C * FH * FW)
        : this.im2colChunk(x, g, n0, count);
      // dout [count, FN, S] → [FN, count·S] by block copies: dW = dy · col, dcol = dyᵀ · Wmat.
      const dy = this.scratchTensor(x.dtype, FN, count * S);
      for (let f = 0; f < FN; f++)
        for (let n = 0; n < count; n++) {
          const from = ((n0 + n) * FN + f) * S;
          dy.data.set(d.subarray(from, from + S), (f * count + n) * S);
        }
      matmul(dy, col, { out: dW, accumulate: n0 > 0 });
      matmul(dy, this.wMat(), { transA: true, out: col }); // dcol [rows, C·FH·FW], over col
      const chunkGeometry = { ...g, batch: count };
      const plane = C * g.height * g.width;
      col2imInto(col.data, chunkGeometry, dx.subarray(n0 * plane, (n0 + count) * plane));
    }
    this.colValid = false; // col now holds dcol
    return new Tensor(dx, x.shape, x.dtype);
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

  private wMat(): FloatTensor {
    const [FN, C, FH, FW] = this.filterShape;
    return this.W.value.reshape(FN, C * FH * FW);
  }

  private samplesPerChunk(g: ConvGeometry): number {
    const perSample = g.outH * g.outW * g.channels * g.filterH * g.filterW;
    return Math.max(1, Math.min(g.batch, Math.floor(this.maxColElements / perSample)));
  }

  /** im2col of samples `[n0, n0 + count)` into the reused col buffer. */
  private im2colChunk(x: FloatTensor, g: ConvGeometry, n0: number, count: number): FloatTensor {
    const plane = g.channels * g.height * g.width;
    const col = this.colTensor(x.dtype, count * g.outH * g.outW, g.channels * g.filterH * g.filterW);
    im2colInto(x.data.subarray(n0 * plane, (n0 + count) * plane), { ...g, batch: count }, col.data);
    return col;
  }

  private colTensor(dtype: FloatTensor['dtype'], rows: number, cols: number): FloatTensor {
    this.col = grow(this.col, dtype, rows * cols);
    return new Tensor(this.col.subarray(0, rows * cols), [rows, cols], dtype);
  }

  private scratchTensor(dtype: FloatTensor['dtype'], rows: number, cols: number): FloatTensor {
    this.scratch = grow(this.scratch, dtype, rows * cols);
    return new Tensor(this.scratch.subarray(0, rows * cols), [rows, cols], dtype);
  }
}

/** `buffer` if it has the dtype and room for `length` elements, else a new one. */
function grow(buffer: FloatArray, dtype: FloatTensor['dtype'], length: number): FloatArray {
  const fits = buffer.length >= length && (dtype === 'float32') === buffer instanceof Float32Array;
  return fits ? buffer : allocate(dtype, length);
}
