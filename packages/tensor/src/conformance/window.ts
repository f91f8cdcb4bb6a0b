import { type FloatArray } from '../dtype.js';
import { allocate } from '../allocate.js';
import type { ConvGeometry } from '../backend/kernels.js';
import { jsKernels } from '../backend/js/js.js';
import type { Rng } from '../rng.js';
import { concat, randomArray, type Case } from './case.js';

// [N, C, H, W, FH, FW, stride, pad]: stride 1 and 2, pad 0/1/2, non-square images and windows,
// one and several channels; SimpleConvNet's and DeepConvNet's layers; stride-2 pooling rows wide
// enough for the kernels' four-windows-at-once path.
export type WindowDims = readonly [number, number, number, number, number, number, number, number];
export const windowGeometries: readonly WindowDims[] = [
  [2, 1, 5, 5, 3, 3, 1, 0],
  [2, 3, 6, 5, 3, 3, 2, 1],
  [1, 3, 5, 7, 2, 3, 1, 2],
  [3, 2, 7, 6, 3, 2, 2, 0],
  [2, 4, 4, 4, 3, 3, 1, 1],
  [1, 2, 9, 8, 4, 5, 3, 2],
  [2, 5, 3, 3, 1, 1, 1, 0],
  [2, 6, 8, 10, 2, 2, 2, 1],
  [3, 1, 28, 28, 5, 5, 1, 0],
  [2, 16, 14, 14, 3, 3, 1, 1],
  [2, 3, 24, 24, 2, 2, 2, 0],
  [1, 2, 13, 19, 3, 3, 2, 1],
  [2, 3, 7, 9, 3, 2, 1, 1],
  [2, 32, 7, 7, 3, 3, 1, 1],
  [2, 8, 6, 9, 3, 3, 1, 0],
  [1, 9, 5, 4, 3, 3, 1, 2],
  [8, 8, 6, 14, 3, 3, 1, 1],
];

export function windowGeometry([
  batch,
  channels,
  height,
  width,
  filterH,
  filterW,
  stride,
  pad,
]: readonly number[]): ConvGeometry {
  const outH = Math.floor((height! + 2 * pad! - filterH!) / stride!) + 1;
  const outW = Math.floor((width! + 2 * pad! - filterW!) / stride!) + 1;
  return {
    batch: batch!,
    channels: channels!,
    height: height!,
    width: width!,
    filterH: filterH!,
    filterW: filterW!,
    stride: stride!,
    pad: pad!,
    outH,
    outW,
  };
}

export const geometryLabel = (g: ConvGeometry): string =>
  `[${g.batch},${g.channels},${g.height},${g.width}] ${g.filterH}x${g.filterW} stride ${g.stride} pad ${g.pad}`;

/** Random values with about a third clamped to 0, as after a ReLU: max pooling meets ties. */
export function reluLike(dtype: 'float32' | 'float64', n: number, rng: Rng): FloatArray {
  const a = randomArray(dtype, n, rng) as FloatArray;
  for (let i = 0; i < n; i++) if (a[i]! < -0.7) a[i] = 0;
  return a;
}

export function windowCases(): Case[] {
  const cases: Case[] = [];
  for (const dims of windowGeometries) {
    const g = windowGeometry(dims);
    const image = g.batch * g.channels * g.height * g.width;
    const pooled = g.batch * g.channels * g.outH * g.outW;
    const col = g.batch * g.outH * g.outW * g.channels * g.filterH * g.filterW;
    // Pooling needs every window to hold a real pixel.
    const poolable = g.pad < g.filterH && g.pad < g.filterW;
    for (const dtype of ['float32', 'float64'] as const) {
      const name = (op: string): string => `${op} ${dtype} ${geometryLabel(g)}`;
      cases.push({
        name: name('im2col'),
        run(kernels, rng) {
          const x = randomArray(dtype, image, rng) as FloatArray;
          const actual = allocate(dtype, col).fill(NaN);
          const expected = allocate(dtype, col);
          kernels.im2col(x, g, actual);
          jsKernels.im2col(x, g, expected);
          return { actual, expected };
        },
      });
      for (const accumulate of [false, true]) {
        cases.push({
          name: name(`col2im accumulate=${accumulate}`),
          run(kernels, rng) {
            const c = randomArray(dtype, col, rng) as FloatArray;
            const img0 = randomArray(dtype, image, rng) as FloatArray;
            const actual = img0.slice();
            const expected = img0.slice();
            kernels.col2im(c, g, actual, accumulate);
            jsKernels.col2im(c, g, expected, accumulate);
            return { actual, expected };
          },
        });
      }
      if (!poolable) continue;
      cases.push({
        name: name('maxPool'),
        run(kernels, rng) {
          const x = reluLike(dtype, image, rng);
          const [out, argmax] = [allocate(dtype, pooled), new Int32Array(pooled)];
          const [outRef, argmaxRef] = [allocate(dtype, pooled), new Int32Array(pooled)];
          kernels.maxPool(x, g, out, argmax);
          jsKernels.maxPool(x, g, outRef, argmaxRef);
          return { actual: concat(out, argmax), expected: concat(outRef, argmaxRef) };
        },
      });
      cases.push({
        name: name('maxPoolBackward'),
        run(kernels, rng) {
          const x = reluLike(dtype, image, rng);
          const argmax = new Int32Array(pooled);
          jsKernels.maxPool(x, g, allocate(dtype, pooled), argmax);
          const dout = randomArray(dtype, pooled, rng) as FloatArray;
          const actual = allocate(dtype, image).fill(NaN);
          const expected = allocate(dtype, image);
          kernels.maxPoolBackward(dout, argmax, actual);
          jsKernels.maxPoolBackward(dout, argmax, expected);
          return { actual, expected };
        },
      });
      cases.push({
        name: name('avgPool'),
        run(kernels, rng) {
          const x = randomArray(dtype, image, rng) as FloatArray;
          const actual = allocate(dtype, pooled);
          const expected = allocate(dtype, pooled);
          kernels.avgPool(x, g, actual);
          jsKernels.avgPool(x, g, expected);
          return { actual, expected };
        },
      });
      cases.push({
        name: name('avgPoolBackward'),
        run(kernels, rng) {
          const dout = randomArray(dtype, pooled, rng) as FloatArray;
          const actual = allocate(dtype, image).fill(NaN);
          const expected = allocate(dtype, image);
          kernels.avgPoolBackward(dout, g, actual);
          jsKernels.avgPoolBackward(dout, g, expected);
          return { actual, expected };
        },
      });
    }
  }
  return cases;
}
