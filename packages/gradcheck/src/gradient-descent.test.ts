import { describe, expect, it } from 'vitest';
import { tensor, type Tensor } from '@dl/tensor';
import { gradientDescent } from './gradient-descent.js';
import { expectClose, f64, loadCases } from './testing/fixtures.js';

// ch04/gradient_method.py's function_2, with the book's scalar operations (x**2 is x*x exactly).
const function2 = (x: Tensor): number => x.data[0]! * x.data[0]! + x.data[1]! * x.data[1]!;

describe('gradientDescent', () => {
  it('converges to (0, 0) from (-3, 4) with lr 0.1 in 100 steps', () => {
    const init = tensor([-3, 4], 'float64');
    const { x, history } = gradientDescent(function2, init, { lr: 0.1, steps: 100 });
    expect(Math.abs(x.data[0]!)).toBeLessThan(1e-8);
    expect(Math.abs(x.data[1]!)).toBeLessThan(1e-8);
    expect(history.shape).toEqual([100, 2]);
    expect([...init.data]).toEqual([-3, 4]); // the book mutates init_x; we do not
  });

  const cases = loadCases('functions.json').filter((c) => c.attrs.kind === 'gradient_descent');
  it.each(cases.map((c) => [c.name, c] as const))('matches the book: %s', (_, c) => {
    const { lr, step_num: steps } = c.attrs as unknown as { lr: number; step_num: number };
    const { x, history } = gradientDescent(function2, f64(c.inputs.init_x), { lr, steps });
    // Same scalar operations in the same order: the diverging lr = 10 run is reproduced bit for bit.
    expect([...x.data]).toEqual(c.outputs.x!.data);
    expect(history.shape).toEqual(c.outputs.x_history!.shape);
    expectClose(history, c.outputs.x_history!, { rtol: 0, atol: 0 });
  });

  it('uses the book defaults (lr 0.01, 100 steps)', () => {
    const { x, history } = gradientDescent(function2, tensor([-3, 4], 'float64'));
    expect(history.shape[0]).toBe(100);
    // (1 - 2 * 0.01)^100 ≈ 0.1326
    expect(x.data[0]).toBeCloseTo(-3 * 0.98 ** 100, 6);
  });
});
