import { type FloatArray } from '../dtype.js';
import { allocate } from '../allocate.js';
import { jsKernels } from '../backend/js/js.js';
import type { Rng } from '../rng.js';
import { randomArray, type Case } from './case.js';

/** [rows, classes]: whole vectors and a tail, a row shorter than a vector, a wide row. */
const softmaxShapes: readonly [number, number][] = [
  [7, 10],
  [3, 13],
  [5, 3],
  [2, 100],
];

/** Softmax over rows, with a first row that would overflow `exp` without the row maximum. */
export function softmaxCases(): Case[] {
  const cases: Case[] = [];
  for (const dtype of ['float32', 'float64'] as const) {
    const random = (n: number, rng: Rng, low = -2, high = 2): FloatArray =>
      randomArray(dtype, n, rng, low, high) as FloatArray;
    for (const [rows, classes] of softmaxShapes) {
      cases.push({
        name: `softmax ${dtype} rows=${rows} classes=${classes}`,
        run(kernels, rng) {
          const x = random(rows * classes, rng, -12, 12);
          for (let j = 0; j < classes; j++) x[j] = x[j]! + 1000; // would overflow exp without the max
          const actual = allocate(dtype, x.length).fill(NaN);
          const expected = allocate(dtype, x.length);
          kernels.softmax(x, rows, classes, actual);
          jsKernels.softmax(x, rows, classes, expected);
          return { actual, expected };
        },
      });
    }
  }
  return cases;
}
