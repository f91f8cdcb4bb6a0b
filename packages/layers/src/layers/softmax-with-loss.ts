import {
  allocateOutput,
  div,
  getBackend,
  isDeviceResident,
  ShapeError,
  sub,
  Tensor,
  type FloatArray,
} from '@dl/tensor';
import { softmax } from '../activations.js';
import type { FloatTensor, LossLayer } from '../layer.js';
import { batchShape, crossEntropyError, crossEntropyErrorTensor, isOneHot, labelAt } from '../losses.js';

/**
 * Softmax followed by the cross-entropy error (`common/layers.py:SoftmaxWithLoss`), for scores of
 * shape `[N, classes]` and targets as one-hot rows or `N` labels. `backward` returns `(y - t) / N`
 * (for labels, `softmaxWithLossBackward` below, or the backend's fused kernel where it offers one);
 * like the book, it takes no `dout` (the loss is where backprop starts, with `dout = 1`). The loss
 * value stays in JS: one log per row.
 */
export class SoftmaxWithLoss implements LossLayer {
  readonly kind = 'SoftmaxWithLoss';
  private y: FloatTensor | undefined;
  private t: Tensor | undefined;

  /** The softmax output of the last forward (the book's `self.y`). */
  get output(): FloatTensor | undefined {
    return this.y;
  }

  forward(x: FloatTensor, t: Tensor): number {
    if (x.ndim !== 2) {
      throw new ShapeError(
        `SoftmaxWithLoss: scores must be [N, classes], got [${x.shape.join(',')}]; reshape a single sample to [1, C]`,
      );
    }
    this.y = softmax(x);
    this.t = t;
    return crossEntropyError(this.y, t);
  }

  /** `forward` with the loss left on the backend as a one-element tensor (`crossEntropyErrorTensor`). */
  forwardTensor(x: FloatTensor, t: Tensor): FloatTensor {
    if (x.ndim !== 2) {
      throw new ShapeError(
        `SoftmaxWithLoss: scores must be [N, classes], got [${x.shape.join(',')}]; reshape a single sample to [1, C]`,
      );
    }
    this.y = softmax(x);
    this.t = t;
    return crossEntropyErrorTensor(this.y, t);
  }

  backward(): FloatTensor {
    const { y, t } = this;
    if (!y || !t) throw new Error('SoftmaxWithLoss.backward: call forward first');
    const [rows, classes] = batchShape('SoftmaxWithLoss', y);
    const oneHot = isOneHot('SoftmaxWithLoss', y, t, rows);
    // One-hot targets on a GPU: the same (y - t) / N by ops (the targets come up as an operand).
    if (oneHot && isDeviceResident(y.backend)) return div(sub(y, t as FloatTensor), rows);
    const dx = allocateOutput(y.dtype, y.size);
    const p = y.operand;
    if (oneHot) {
      for (let i = 0; i < dx.length; i++) dx[i] = (p[i]! - t.data[i]!) / rows;
    } else {
      const labels = new Int32Array(rows);
      for (let i = 0; i < rows; i++) labels[i] = labelAt('SoftmaxWithLoss', t, i, classes);
      const fused = getBackend().fused?.softmaxCrossEntropyBackward;
      if (!fused?.(p, labels, rows, classes, dx)) softmaxWithLossBackward(p, labels, rows, classes, dx);
    }
    return new Tensor(dx, y.shape, y.dtype);
  }
}

/**
 * The book's backward for labels, in its order: `dx = y.copy()`, `dx[arange(N), t] -= 1`, `dx /= N`
 * (`y` the softmax output, `labels` valid class indices). The reference every backend's fused
 * `softmaxCrossEntropyBackward` is compared with.
 */
export function softmaxWithLossBackward(
  y: FloatArray,
  labels: Int32Array,
  rows: number,
  classes: number,
  dx: FloatArray,
): void {
  const n = rows * classes;
  dx.set(y.length === n ? y : y.subarray(0, n));
  for (let i = 0; i < rows; i++) dx[i * classes + labels[i]!]! -= 1;
  for (let i = 0; i < n; i++) dx[i] = dx[i]! / rows;
}
