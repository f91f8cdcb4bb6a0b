import { describe, expect, it } from 'vitest';
import { fromArray, Rng, randn, sum, tensor, zeros, type Tensor } from '@dl/tensor';
import { expectClose, loadCases, must, named, numberAttr, NUMGRAD_TOL, scalar } from '@dl/book-fixtures';
import { H, numericalDiff, numericalGradient } from './numerical.js';

// The functions the fixtures name in attrs.f (the book's ch04 names and `sum(x**2)`).
const function1 = (x: number): number => 0.01 * x ** 2 + 0.1 * x;
const ONE_VARIABLE: Record<string, (x: number) => number> = { function_1: function1 };
const MANY_VARIABLES: Record<string, (x: Tensor) => number> = {
  'sum(x**2)': (v) => sum(v.mul(v)).item(),
};
function namedFunction<F>(table: Record<string, F>, name: unknown): F {
  const f = table[String(name)];
  if (!f)
    throw new Error(`no function for attrs.f = ${String(name)} (known: ${Object.keys(table).join(', ')})`);
  return f;
}
const sumOfSquares = (x: Tensor): number => {
  let s = 0;
  for (let i = 0; i < x.size; i++) s += x.data[i]! * x.data[i]!;
  return s;
};

describe('numericalDiff', () => {
  it('approximates the derivative of 0.01x² + 0.1x (book: 0.2 at 5, 0.3 at 10)', () => {
    expect(numericalDiff(function1, 5)).toBeCloseTo(0.2, 9);
    expect(numericalDiff(function1, 10)).toBeCloseTo(0.3, 9);
  });

  it.each(named(loadCases('functions.json', 'numerical_diff')))('matches the book: %s', (_, c) => {
    const f = namedFunction(ONE_VARIABLE, c.attrs.f);
    const d = numericalDiff(f, scalar(c.inputs.x), numberAttr(c, 'h', H));
    expectClose(d, c.outputs.d, NUMGRAD_TOL, 'd');
  });

  it('uses h = 1e-4 by default', () => {
    expect(H).toBe(1e-4);
    expect(numericalDiff((x) => x * x * x, 1)).toBeCloseTo(3 + 1e-8, 10);
  });
});

describe('numericalGradient', () => {
  it('gives (6, 8) for x0² + x1² at (3, 4)', () => {
    const g = numericalGradient(sumOfSquares, tensor([3, 4], 'float64'));
    expect(g.data[0]).toBeCloseTo(6, 8);
    expect(g.data[1]).toBeCloseTo(8, 8);
  });

  it.each(named(loadCases('functions.json', 'numerical_gradient')))('matches the book: %s', (_, c) => {
    const x = must(c.inputs.x, 'x');
    const f = namedFunction(MANY_VARIABLES, c.attrs.f);
    const g = numericalGradient(f, fromArray(x.data, x.shape, 'float64'), { h: numberAttr(c, 'h', H) });
    expect(g.shape).toEqual(must(c.outputs.grad).shape);
    expectClose(g, c.outputs.grad, NUMGRAD_TOL, 'grad');
  });

  it('perturbs one element at a time in row-major order and restores each value', () => {
    const x = randn([2, 3], new Rng(1), { dtype: 'float64' });
    const before = x.clone();
    const seen: number[] = [];
    numericalGradient((v) => {
      // Exactly one element differs from the original, by ±h.
      const changed = [...v.data].map((d, i) => (d !== before.data[i] ? i : -1)).filter((i) => i >= 0);
      expect(changed).toHaveLength(1);
      seen.push(changed[0]!);
      return 0;
    }, x);
    expect(seen).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect([...x.data]).toEqual([...before.data]);
  });

  it('restores x when f throws', () => {
    const x = tensor([1.5, 2.5], 'float64');
    expect(() =>
      numericalGradient(() => {
        throw new Error('boom');
      }, x),
    ).toThrow('boom');
    expect([...x.data]).toEqual([1.5, 2.5]);
  });

  it('writes into out and keeps the dtype', () => {
    const x = tensor([[1, -2]], 'float32');
    const out = zeros([1, 2], 'float32');
    const g = numericalGradient(sumOfSquares, x, { out, h: 1e-2 });
    expect(g).toBe(out);
    expect(g.dtype).toBe('float32');
    expect(g.data[0]).toBeCloseTo(2, 3);
    expect(g.data[1]).toBeCloseTo(-4, 3);
  });
});
