import { Tensor, argmax, matmul, randn, zeros, type FloatDType, type Rng } from '@dl/tensor';
import type { FloatTensor, ForwardContext, Model, Param } from '../src/model.js';

/** Labels as numbers, whether `t` holds label indices or one-hot rows. */
function labelsOf(t: Tensor, classes: number): Int32Array {
  if (t.ndim === 1) return Int32Array.from(t.data);
  const out = new Int32Array(t.shape[0]!);
  for (let i = 0; i < out.length; i++) {
    for (let k = 0; k < classes; k++) if (t.data[i * classes + k] === 1) out[i] = k;
  }
  return out;
}

/**
 * Multinomial logistic regression (one Affine + SoftmaxWithLoss), written against `Model` for the
 * training-loop tests: `scores = x W + b`, the book's cross-entropy with 1e-7 inside the log.
 */
export class LogisticModel implements Model {
  readonly W: Param;
  readonly b: Param;
  forwardCalls = 0;

  constructor(
    readonly inputSize: number,
    readonly classes: number,
    rng: Rng,
    readonly dtype: FloatDType = 'float64',
  ) {
    const W = randn([inputSize, classes], rng, { std: 0.01, dtype });
    this.W = { name: 'W', value: W, grad: zeros([inputSize, classes], dtype) };
    this.b = { name: 'b', value: zeros([classes], dtype), grad: zeros([classes], dtype) };
  }

  params(): Param[] {
    return [this.W, this.b];
  }

  predict(x: FloatTensor, _ctx: ForwardContext): FloatTensor {
    this.forwardCalls++;
    return matmul(x, this.W.value).add(this.b.value);
  }

  /** Softmax probabilities and the mean cross-entropy of a batch. */
  private forward(
    x: FloatTensor,
    t: Tensor,
    ctx: ForwardContext,
  ): { y: Float64Array; labels: Int32Array; loss: number } {
    const scores = this.predict(x, ctx);
    const n = x.shape[0]!;
    const c = this.classes;
    const labels = labelsOf(t, c);
    const y = new Float64Array(n * c);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let max = -Infinity;
      for (let k = 0; k < c; k++) max = Math.max(max, scores.data[i * c + k]!);
      let sum = 0;
      for (let k = 0; k < c; k++) sum += y[i * c + k] = Math.exp(scores.data[i * c + k]! - max);
      for (let k = 0; k < c; k++) y[i * c + k]! /= sum;
      loss -= Math.log(y[i * c + labels[i]!]! + 1e-7);
    }
    return { y, labels, loss: loss / n };
  }

  loss(x: FloatTensor, t: Tensor, ctx: ForwardContext): number {
    return this.forward(x, t, ctx).loss;
  }

  gradient(x: FloatTensor, t: Tensor, ctx: ForwardContext): number {
    const { y, labels, loss } = this.forward(x, t, ctx);
    const n = x.shape[0]!;
    const c = this.classes;
    for (let i = 0; i < n; i++) y[i * c + labels[i]!]! -= 1;
    for (let i = 0; i < y.length; i++) y[i]! /= n;
    const dout = new Tensor(this.dtype === 'float64' ? y : Float32Array.from(y), [n, c]);
    matmul(x, dout, { transA: true, out: this.W.grad });
    this.b.grad.fill(0);
    for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) this.b.grad.data[k]! += dout.data[i * c + k]!;
    return loss;
  }

  accuracy(x: FloatTensor, t: Tensor): number {
    const n = x.shape[0]!;
    if (n === 0) return Number.NaN;
    const pred = argmax(this.predict(x, { train: false }), { axis: 1 });
    const labels = labelsOf(t, this.classes);
    let correct = 0;
    for (let i = 0; i < n; i++) if (pred.data[i] === labels[i]) correct++;
    return correct / n;
  }
}

/** `n` points in `classes` well separated Gaussian clusters in `dim` dimensions; labels int32. */
export function blobs(
  n: number,
  classes: number,
  dim: number,
  rng: Rng,
  dtype: FloatDType = 'float64',
): { x: FloatTensor; t: Tensor<'int32'> } {
  const centres = randn([classes, dim], rng, { std: 3, dtype: 'float64' });
  const x = randn([n, dim], rng, { std: 0.5, dtype });
  const t = zeros([n], 'int32');
  for (let i = 0; i < n; i++) {
    const k = i % classes;
    t.data[i] = k;
    for (let d = 0; d < dim; d++) x.data[i * dim + d]! += centres.data[k * dim + d]!;
  }
  return { x, t };
}
