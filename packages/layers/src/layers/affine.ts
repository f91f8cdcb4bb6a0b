import { add, matmul, ShapeError, sum, zerosLike, type Shape } from '@dl/tensor';
import type { FloatTensor, ForwardContext, Layer, Param } from '../layer.js';

/** The names the network gives an Affine layer's parameters (`W1`/`b1`, ...). */
export interface AffineNames {
  W: string;
  b: string;
}

/**
 * The fully connected layer (`common/layers.py:Affine`): `out = x · W + b` with `W` of shape
 * `[in, out]` and `b` of `[out]`. Input of any rank `[N, ...]` is read as `[N, in]` (row-major, a view,
 * no copy) and `dx` gets the input's shape back. `backward` writes `dW = xᵀ · dout` and
 * `db = Σ_rows dout` into the params' `grad` tensors in place, and returns `dx = dout · Wᵀ`; transposes
 * are transpose flags of the GEMM, never materialised.
 */
export class Affine implements Layer {
  readonly kind = 'Affine';
  readonly W: Param;
  readonly b: Param;
  /** The input of the last forward, as `[N, in]`. */
  private x: FloatTensor | undefined;
  private inputShape: readonly number[] = [];

  constructor(W: FloatTensor, b: FloatTensor, names: AffineNames = { W: 'W', b: 'b' }) {
    if (W.ndim !== 2 || b.ndim !== 1 || b.shape[0] !== W.shape[1] || W.dtype !== b.dtype) {
      throw new ShapeError(
        `Affine: W must be [in, out] and b [out] of one dtype, got W ${W.dtype} [${W.shape.join(',')}], b ${b.dtype} [${b.shape.join(',')}]`,
      );
    }
    this.W = { name: names.W, value: W, grad: zerosLike(W), decay: true };
    this.b = { name: names.b, value: b, grad: zerosLike(b) };
  }

  /** Features per sample (`W`'s rows). */
  get inputSize(): number {
    return this.W.value.shape[0]!;
  }

  /** Output units (`W`'s columns). */
  get outputSize(): number {
    return this.W.value.shape[1]!;
  }

  forward(x: FloatTensor, _ctx?: ForwardContext): FloatTensor {
    this.checkInput(x.shape);
    if (x.dtype !== this.W.value.dtype) {
      throw new TypeError(
        `Affine (${this.W.name}): input is ${x.dtype} but W is ${this.W.value.dtype}; convert with astype()`,
      );
    }
    this.inputShape = x.shape;
    this.x = x.reshape(x.shape[0]!, this.inputSize);
    const out = matmul(this.x, this.W.value);
    return add(out, this.b.value, out);
  }

  backward(dout: FloatTensor): FloatTensor {
    this.backwardParams(dout);
    return matmul(dout, this.W.value, { transB: true }).reshape(this.inputShape);
  }

  /** `backward` without dx: only W.grad and b.grad (a network's first layer; a third less work). */
  backwardParams(dout: FloatTensor): void {
    const x = this.x;
    if (!x) throw new Error(`Affine.backward (${this.W.name}): call forward first`);
    matmul(x, dout, { transA: true, out: this.W.grad });
    this.b.grad.assign(sum(dout, { axis: 0 }));
  }

  params(): Param[] {
    return [this.W, this.b];
  }

  outputShape(inputShape: Shape): number[] {
    this.checkInput(inputShape);
    return [inputShape[0]!, this.outputSize];
  }

  private checkInput(shape: Shape): void {
    const rows = shape[0];
    const features = shape.slice(1).reduce((n, d) => n * d, 1);
    if (shape.length < 2 || rows === undefined || features !== this.inputSize) {
      throw new ShapeError(
        `Affine (${this.W.name} [${this.W.value.shape.join(',')}]): input [${shape.join(',')}] must be [N, ...] with ${this.inputSize} features per sample` +
          (shape.length < 2 ? '; add a batch axis (reshape to [1, ...])' : ''),
      );
    }
  }
}
