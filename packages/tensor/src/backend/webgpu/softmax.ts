import type { GpuArray } from './buffers.js';
import { linearMain, needDType, needFloat32, needLength } from './check.js';
import type { GpuRuntime, KernelSpec } from './runtime.js';

/**
 * Softmax over rows and SoftmaxWithLoss's backward for integer labels. Softmax gives each row to one
 * invocation, in the js kernel's order: the row maximum, then `exp(x - max)` and their sum, then the
 * division (`x` and `out` may be one array: each value is read before it is overwritten).
 */
export function createSoftmax(rt: GpuRuntime): {
  softmax: (x: GpuArray, rows: number, classes: number, out: GpuArray) => void;
  softmaxCrossEntropyBackward: (
    y: GpuArray,
    labels: GpuArray,
    rows: number,
    classes: number,
    dx: GpuArray,
  ) => boolean;
} {
  const forward: KernelSpec = {
    name: 'softmax',
    key: 'softmax',
    bindings: [
      { name: 'x', access: 'read', dtype: 'float32' },
      { name: 'out', access: 'write', dtype: 'float32' },
    ],
    params: [
      ['n', 'u32'],
      ['classes', 'u32'],
    ],
    body: linearMain(`  let row = i * P.classes;
  var m = -inf_f32();
  for (var j = 0u; j < P.classes; j++) {
    let v = x_ld(row + j);
    // Math.max: NaN propagates.
    if (is_nan(v) || is_nan(m)) { m = nan_f32(); } else { m = max(m, v); }
  }
  var sum = 0.0;
  for (var j = 0u; j < P.classes; j++) {
    let e = exp(x_ld(row + j) - m);
    out_st(row + j, e);
    sum += e;
  }
  for (var j = 0u; j < P.classes; j++) { out_st(row + j, out_ld(row + j) / sum); }`),
  };
  // The book's order: dx = y; dx[label] -= 1; dx /= rows.
  const backward: KernelSpec = {
    name: 'softmaxCrossEntropyBackward',
    key: 'softmaxCrossEntropyBackward',
    bindings: [
      { name: 'y', access: 'read', dtype: 'float32' },
      { name: 'labels', access: 'read', dtype: 'int32' },
      { name: 'dx', access: 'write', dtype: 'float32' },
    ],
    params: [
      ['n', 'u32'],
      ['classes', 'u32'],
      ['rows', 'f32'],
    ],
    body: linearMain(`  let row = i / P.classes;
  var v = y_ld(i);
  if (u32(labels_ld(row)) == i % P.classes) { v = v - 1.0; }
  dx_st(i, v / P.rows);`),
  };

  function softmax(x: GpuArray, rows: number, classes: number, out: GpuArray): void {
    needFloat32('softmax', { x: [x, rows * classes], out: [out, rows * classes] });
    if (classes === 0) return;
    rt.dispatch(forward, [x, out], { n: rows, classes }, rt.grid(rows, 64));
  }

  function softmaxCrossEntropyBackward(
    y: GpuArray,
    labels: GpuArray,
    rows: number,
    classes: number,
    dx: GpuArray,
  ): boolean {
    const kernel = 'softmaxCrossEntropyBackward';
    if (y.dtype !== 'float32' || dx.dtype !== 'float32' || labels.dtype !== 'int32') return false;
    needFloat32(kernel, { y: [y, rows * classes], dx: [dx, rows * classes] });
    needDType(kernel, 'labels', labels, 'int32');
    needLength(kernel, 'labels', labels, rows);
    const n = rows * classes;
    rt.dispatch(backward, [y, labels, dx], { n, classes, rows }, rt.grid(n, 64));
    return true;
  }

  return { softmax, softmaxCrossEntropyBackward };
}
