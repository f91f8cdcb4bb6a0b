import { describe, expect, it } from 'vitest';
import { fromArray, tensor, type Tensor } from '@dl/tensor';
import { expectClose, loadCases, must, named, numberAttr, NUMGRAD_TOL } from '@dl/book-fixtures';
import { gradientDescent } from './gradient-descent.js';

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

  it.each(named(loadCases('functions.json', 'gradient_descent')))('matches the book: %s', (_, c) => {
    if (c.attrs.f !== 'function_2') throw new Error(`no function for attrs.f = ${String(c.attrs.f)}`);
    const init = must(c.inputs.init_x, 'init_x');
    const lr = numberAttr(c, 'lr');
    const steps = numberAttr(c, 'step_num');
    const { x, history } = gradientDescent(function2, fromArray(init.data, init.shape, 'float64'), {
      lr,
      steps,
    });
    // The steps are numerical gradients, so the README's numgrad tolerance applies. Same scalar
    // operations in the same order, so even the diverging lr = 10 run (values made by rounding) agrees.
    expectClose(x, c.outputs.x, NUMGRAD_TOL, 'x');
    expect(history.shape).toEqual(must(c.outputs.x_history).shape);
    expectClose(history, c.outputs.x_history, NUMGRAD_TOL, 'x_history');
  });

  it('uses the book defaults (lr 0.01, 100 steps)', () => {
    const { x, history } = gradientDescent(function2, tensor([-3, 4], 'float64'));
    expect(history.shape[0]).toBe(100);
    // (1 - 2 * 0.01)^100 ≈ 0.1326
    expect(x.data[0]).toBeCloseTo(-3 * 0.98 ** 100, 6);
  });
});
