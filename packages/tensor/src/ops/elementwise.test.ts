import { describe, expect, it } from 'vitest';
import { arange, tensor, zeros } from '../create.js';
import { randn } from '../random.js';
import { Rng } from '../rng.js';
import {
  add,
  clip,
  div,
  equal,
  exp,
  greater,
  log,
  maximum,
  minimum,
  mul,
  pow,
  sqrt,
  sub,
  tanh,
  where,
} from './elementwise.js';
import { ShapeError } from '../shape.js';

describe('elementwise ops with broadcasting', () => {
  const rng = new Rng(1);

  it('adds same-shape tensors and scalars', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(add(a, a).toArray()).toEqual([
      [2, 4],
      [6, 8],
    ]);
    expect(add(a, 1).toArray()).toEqual([
      [2, 3],
      [4, 5],
    ]);
    expect(sub(10, a).toArray()).toEqual([
      [9, 8],
      [7, 6],
    ]);
    expect(a.mul(2).div(4).toArray()).toEqual([
      [0.5, 1],
      [1.5, 2],
    ]);
  });

  it('broadcasts rows, columns and both at once like NumPy', () => {
    const x = arange(6, undefined, 1, 'float64').reshape(2, 3);
    expect(add(x, tensor([10, 20, 30], 'float64')).toArray()).toEqual([
      [10, 21, 32],
      [13, 24, 35],
    ]);
    expect(add(x, tensor([[100], [200]], 'float64')).toArray()).toEqual([
      [100, 101, 102],
      [203, 204, 205],
    ]);
    const outer = mul(tensor([[1], [2], [3]], 'float64'), tensor([1, 10], 'float64'));
    expect(outer.toArray()).toEqual([
      [1, 10],
      [2, 20],
      [3, 30],
    ]);
    const c = add(zeros([3, 1, 4]), zeros([2, 1]));
    expect(c.shape).toEqual([3, 2, 4]);
  });

  it('agrees with a naive loop on random 4-D broadcasts', () => {
    const a = randn([2, 1, 3, 5], rng, { dtype: 'float64' });
    const b = randn([4, 1, 5], rng, { dtype: 'float64' });
    const c = sub(a, b);
    expect(c.shape).toEqual([2, 4, 3, 5]);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 4; j++)
        for (let k = 0; k < 3; k++)
          for (let l = 0; l < 5; l++) expect(c.get(i, j, k, l)).toBe(a.get(i, 0, k, l) - b.get(j, 0, l));
  });

  it('handles empty dimensions', () => {
    const e = add(zeros([0, 3]), tensor([1, 2, 3]));
    expect(e.shape).toEqual([0, 3]);
    expect(e.size).toBe(0);
    expect(add(zeros([2, 0]), zeros([1, 0])).shape).toEqual([2, 0]);
  });

  it('names the op and both shapes when shapes do not broadcast', () => {
    expect(() => add(zeros([2, 3]), zeros([4]))).toThrow(ShapeError);
    expect(() => add(zeros([2, 3]), zeros([4]))).toThrow(
      'add: shapes [2,3] and [4] cannot be broadcast together',
    );
    expect(() => mul(zeros([2, 3]), zeros([3], 'float64') as never)).toThrow(
      /dtypes differ: float32 \[2,3\] and float64 \[3\]/,
    );
  });

  it('writes into out, also in place', () => {
    const a = tensor([1, 2, 3], 'float64');
    add(a, 1, a);
    expect(a.toArray()).toEqual([2, 3, 4]);
    const out = zeros([3], 'float64');
    expect(mul(a, a, out)).toBe(out);
    expect(out.toArray()).toEqual([4, 9, 16]);
    expect(() => add(a, a, zeros([4], 'float64'))).toThrow(
      'add: out has shape [4], the result has shape [3]',
    );
  });

  it('computes unary math, maximum, minimum, pow and clip', () => {
    const x = tensor([0.5, 1, 4], 'float64');
    expect(sqrt(x).toArray()).toEqual([Math.sqrt(0.5), 1, 2]);
    expect(log(exp(x)).toArray()).toEqual([0.5, 1, 4].map((v) => Math.log(Math.exp(v))));
    expect(tanh(x).get(1)).toBeCloseTo(Math.tanh(1), 15);
    expect(maximum(tensor([-1, 0, 2]), 0).toArray()).toEqual([0, 0, 2]);
    expect(minimum(tensor([-1, 0, 2]), 0).toArray()).toEqual([-1, 0, 0]);
    expect(pow(x, 2).toArray()).toEqual([0.25, 1, 16]);
    expect(clip(tensor([-2, 0.5, 3]), 0, 1).toArray()).toEqual([0, 0.5, 1]);
    expect(maximum(tensor([Number.NaN, 1]), 0).get(0)).toBeNaN();
    expect(div(tensor([1, -1, 0]), 0).toArray()).toEqual([Infinity, -Infinity, Number.NaN]);
  });

  it('compares into uint8 masks and selects with where', () => {
    const x = tensor([-1, 0, 2, 3]);
    const m = greater(x, 0);
    expect(m.dtype).toBe('uint8');
    expect(Array.from(m.data)).toEqual([0, 0, 1, 1]);
    expect(Array.from(equal(tensor([1, 2], 'int32'), tensor([1, 3], 'int32')).data)).toEqual([1, 0]);
    expect(where(m, x, 0).toArray()).toEqual([0, 0, 2, 3]);
    expect(where(tensor([[1], [0]], 'uint8'), tensor([1, 2]), tensor([9, 8])).toArray()).toEqual([
      [1, 2],
      [9, 8],
    ]);
  });
});
