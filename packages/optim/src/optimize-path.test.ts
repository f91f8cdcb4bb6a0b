import { describe, expect, it } from 'vitest';
import { createOptimizer } from './create-optimizer.js';
import { bookOptimizerCompare, optimizePath } from './optimize-path.js';
import type { OptimizerName } from './optimizer.js';

const { f, grad, start, steps } = bookOptimizerCompare;

// Final positions after 30 updates, from the book's ch06/optimizer_compare_naive.py loop (float64,
// common/optimizer.py); Nesterov and RMSprop are not in the book's figure and use the lrs given here.
const BOOK_FINAL: [OptimizerName, number, [number, number]][] = [
  ['sgd', 0.95, [-0.3503929957523197, 0.0847823165504322]],
  ['momentum', 0.1, [0.896413858493733, 0.08808560171506971]],
  ['nesterov', 0.1, [0.6896149016966209, -0.0006799058361171969]],
  ['adagrad', 1.5, [-0.12016232231416045, 2.486389893984459e-17]],
  ['rmsprop', 0.3, [-5.351327040428192e-6, 1.5085100037516103e-11]],
  ['adam', 0.3, [0.13600685239498186, 0.31824537553721943]],
];

describe("optimizePath on the book's f(x, y) = x²/20 + y² from (-7, 2)", () => {
  it("uses the book's learning rates", () => {
    expect(bookOptimizerCompare.lr).toEqual({ sgd: 0.95, momentum: 0.1, adagrad: 1.5, adam: 0.3 });
    expect(f(start)).toBeCloseTo(49 / 20 + 4, 15);
    expect(grad([-7, 2])).toEqual([-0.7, 4]);
  });

  it.each(BOOK_FINAL)('%s (lr %s) moves toward (0, 0) and ends where the book does', (name, lr, [x, y]) => {
    const path = optimizePath(createOptimizer(name, { lr }), f, grad, start, steps);
    expect(path.points).toHaveLength(steps + 1);
    expect(path.points[0]).toEqual([-7, 2]);
    const last = path.points[steps]!;
    expect(Math.hypot(last[0]!, last[1]!)).toBeLessThan(1);
    expect(path.values[steps]!).toBeLessThan(f(start) / 50);
    expect(last[0]).toBeCloseTo(x, 12);
    expect(last[1]).toBeCloseTo(y, 12);
  });

  it('checks its arguments', () => {
    expect(() => optimizePath(createOptimizer('sgd'), f, grad, start, -1)).toThrow(
      /steps must be an integer >= 0/,
    );
    expect(() => optimizePath(createOptimizer('sgd'), f, () => [1], start, 1)).toThrow(
      /grad returned 1 values for a 2-d point/,
    );
    expect(optimizePath(createOptimizer('sgd'), f, grad, start, 0).points).toEqual([[-7, 2]]);
  });
});
