import { describe, expect, it } from 'vitest';
import { arange, tensor, zeros } from '../create.js';
import { randn } from '../random.js';
import { Rng } from '../rng.js';
import { dot, matmul } from './matmul.js';
import { transpose } from './manipulate.js';
import type { Tensor } from '../tensor.js';

function naive(a: Tensor<'float64'>, b: Tensor<'float64'>): number[][] {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  return Array.from({ length: m }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let p = 0; p < k; p++) s += a.get(i, p) * b.get(p, j);
      return s;
    }),
  );
}

function expectClose(actual: Tensor, expected: number[][], digits = 12): void {
  expected.forEach((row, i) => row.forEach((v, j) => expect(actual.get(i, j)).toBeCloseTo(v, digits)));
}

describe('matmul and dot', () => {
  const rng = new Rng(9);

  it('computes the book example', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = tensor([
      [5, 6],
      [7, 8],
    ]);
    expect(matmul(a, b).toArray()).toEqual([
      [19, 22],
      [43, 50],
    ]);
  });

  it('agrees with a naive product in all four transpose combinations', () => {
    const a = randn([7, 5], rng, { dtype: 'float64' });
    const b = randn([5, 3], rng, { dtype: 'float64' });
    const expected = naive(a, b);
    const aT = transpose(a);
    const bT = transpose(b);
    expectClose(matmul(a, b), expected);
    expectClose(matmul(aT, b, { transA: true }), expected);
    expectClose(matmul(a, bT, { transB: true }), expected);
    expectClose(matmul(aT, bT, { transA: true, transB: true }), expected);
  });

  it('accumulates into out when asked', () => {
    const a = randn([4, 6], rng, { dtype: 'float64' });
    const b = randn([6, 2], rng, { dtype: 'float64' });
    const out = zeros([4, 2], 'float64').fill(1);
    matmul(a, b, { out, accumulate: true });
    expectClose(
      out,
      naive(a, b).map((r) => r.map((v) => v + 1)),
    );
    matmul(a, b, { out });
    expectClose(out, naive(a, b));
  });

  it('names both shapes when inner dimensions differ', () => {
    expect(() => matmul(zeros([100, 784]), zeros([50, 10]))).toThrow(
      'matmul: inner dimensions differ: [100,784] x [50,10]',
    );
    expect(() => matmul(zeros([3, 4]), zeros([3, 4]), { transB: true, transA: true })).toThrow(
      /\[3,4\]ᵀ x \[3,4\]ᵀ/,
    );
    expect(() => matmul(zeros([3]), zeros([3, 1]))).toThrow(/2-D/);
    expect(() => matmul(zeros([2, 2], 'int32'), zeros([2, 2], 'int32'))).toThrow(/int32 is not supported/);
  });

  it('dot follows NumPy for 1-D and 2-D operands', () => {
    const v = arange(3, undefined, 1, 'float64');
    const m = arange(6, undefined, 1, 'float64').reshape(3, 2);
    expect(dot(v, v).shape).toEqual([]);
    expect(dot(v, v).item()).toBe(5);
    expect(dot(v, m).toArray()).toEqual([10, 13]);
    expect(dot(m.T, v).toArray()).toEqual([10, 13]);
    expect(dot(m, m.T).shape).toEqual([3, 3]);
    expect(() => dot(v, arange(4, undefined, 1, 'float64'))).toThrow(
      'dot: inner dimensions differ: [3] x [4]',
    );
  });

  it('handles empty inner dimensions as a zero product', () => {
    expect(matmul(zeros([2, 0]), zeros([0, 3])).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });
});
