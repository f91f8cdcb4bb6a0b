import { fromArray } from '@dl/tensor';
import type { Param } from './model.js';
import type { Optimizer } from './optimizer.js';

/** A function of a point and its gradient, as plain numbers (the book's `f(x, y)` and `df(x, y)`). */
export type PointFunction = (p: readonly number[]) => number;
export type PointGradient = (p: readonly number[]) => readonly number[];

export interface OptimizePathResult {
  /** `steps + 1` points: the start, then the position after each update. */
  points: number[][];
  /** `f` at each point. */
  values: number[];
}

/**
 * Runs `optimizer` on `f` from `start` for `steps` updates and returns the path, as the book's
 * `ch06/optimizer_compare_naive.py` does to draw figure 6-8. The position is one float64 param
 * named `p`. (The book's `x_history` holds the first `steps` of these points, without the last.)
 */
export function optimizePath(
  optimizer: Optimizer,
  f: PointFunction,
  grad: PointGradient,
  start: readonly number[],
  steps: number,
): OptimizePathResult {
  if (!Number.isInteger(steps) || steps < 0)
    throw new RangeError(`optimizePath: steps must be an integer >= 0, got ${steps}`);
  const n = start.length;
  const value = fromArray(start, [n], 'float64');
  const param: Param = { name: 'p', value, grad: fromArray(start, [n], 'float64') };
  const points = [[...start]];
  const values = [f(start)];
  for (let s = 0; s < steps; s++) {
    const g = grad(Array.from(value.data));
    if (g.length !== n)
      throw new RangeError(`optimizePath: grad returned ${g.length} values for a ${n}-d point`);
    param.grad.data.set(g);
    optimizer.update([param]);
    const p = Array.from(value.data);
    points.push(p);
    values.push(f(p));
  }
  return { points, values };
}

/**
 * The book's test function for figure 6-8 (`ch06/optimizer_compare_naive.py`): `f(x, y) = x²/20 + y²`,
 * an elongated bowl whose gradient mostly points across the valley, started at (-7, 2), with the
 * learning rates the book picks for each optimizer.
 */
export const bookOptimizerCompare = {
  f: (p: readonly number[]): number => p[0]! ** 2 / 20 + p[1]! ** 2,
  grad: (p: readonly number[]): number[] => [p[0]! / 10, 2 * p[1]!],
  start: [-7, 2] as readonly number[],
  steps: 30,
  lr: { sgd: 0.95, momentum: 0.1, adagrad: 1.5, adam: 0.3 },
} as const;
