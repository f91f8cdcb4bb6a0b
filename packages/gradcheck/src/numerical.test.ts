import { describe, expect, it } from 'vitest';
import { Rng, randn, sum, tensor, zeros, type Tensor } from '@dl/tensor';
import { H, numericalDiff, numericalGradient } from './numerical.js';
import { expectClose, f64, loadCases, scalar } from './testing/fixtures.js';

const cases = loadCases('functions.json');
const sumOfSquares = (x: Tensor): number => {
  let s = 0;
  for (let i = 0; i < x.size; i++) s += x.data[i]! * x.data[i]!;
  return s;
};

describe('numericalDiff', () => {
  const function1 = (x: number): number => 0.01 * x ** 2 + 0.1 * x;

  it('approximates the derivative of 0.01x² + 0.1x (book: 0.2 at 5, 0.3 at 10)', () => {
    expect(numericalDiff(function1, 5)).toBeCloseTo(0.2, 9);
    expect(numericalDiff(function1, 10)).toBeCloseTo(0.3, 9);
  });

  it.each(cases.filter((c) => c.attrs.kind === 'numerical_diff').map((c) => [c.name, c] as const))(
    'matches the book: %s',
    (_, c) => {
      expectClose([numericalDiff(function1, scalar(c.inputs.x))], c.outputs.d!, { rtol: 1e-9, atol: 1e-10 });
    },
  );

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

  it.each(cases.filter((c) => c.attrs.kind === 'numerical_gradient').map((c) => [c.name, c] as const))(
    'matches the book: %s',
    (_, c) => {
      const x = f64(c.inputs.x);
      const g = numericalGradient((v) => sum(v.mul(v)).item(), x);
      expect(g.shape).toEqual(c.outputs.grad!.shape);
      expectClose(g, c.outputs.grad!, { rtol: 1e-9, atol: 1e-10 });
    },
  );

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
