import { describe, expect, it } from 'vitest';
import { arange, eye, fromArray, full, linspace, ones, tensor, zeros } from './create.js';
import { ShapeError } from './shape.js';
import { Tensor } from './tensor.js';

describe('creation', () => {
  it('zeros/ones/full default to float32 and honour dtype', () => {
    const z = zeros([2, 3]);
    expect(z.dtype).toBe('float32');
    expect(z.data).toBeInstanceOf(Float32Array);
    expect(z.shape).toEqual([2, 3]);
    expect(Array.from(ones([3], 'int32').data)).toEqual([1, 1, 1]);
    expect(full([2], 2.5, 'float64').toArray()).toEqual([2.5, 2.5]);
    expect(zeros([0, 4]).size).toBe(0);
    expect(() => zeros([2, -1])).toThrow(ShapeError);
  });

  it('arange and linspace follow NumPy', () => {
    expect(arange(5, undefined, 1, 'int32').toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(arange(1, 2, 0.25, 'float64').toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(5, 1, -2, 'int32').toArray()).toEqual([5, 3]);
    expect(arange(-5, 5, 0.1).size).toBe(100);
    expect(arange(3, 3).size).toBe(0);
    expect(linspace(0, 1, 5, 'float64').toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(() => arange(0, 1, 0)).toThrow(/step/);
  });

  it('tensor() infers shapes from nested arrays and rejects ragged ones', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.get(1, 2)).toBe(6);
    expect(t.get(-1, -1)).toBe(6);
    expect(tensor(3.5, 'float64').shape).toEqual([]);
    expect(tensor(3.5, 'float64').item()).toBe(3.5);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor(new Int32Array([1, 2])).dtype).toBe('int32');
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged nested array: values\[1\]/);
  });

  it('fromArray checks the size, Tensor checks the data type and size', () => {
    expect(fromArray([1, 2, 3, 4], [2, 2], 'float64').toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(() => fromArray([1, 2, 3], [2, 2])).toThrow('fromArray: 3 values do not fill shape [2,2]');
    expect(() => new Tensor(new Float32Array(3), [2, 2])).toThrow('shape [2,2] needs 4 elements, data has 3');
    expect(() => new Tensor(new Float32Array(4), [2, 2], 'float64' as 'float32')).toThrow(/does not match/);
  });

  it('eye, reshape views, item, get/set, astype, clone', () => {
    const i3 = eye(3, 'float64');
    expect(i3.toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    const a = arange(6, undefined, 1, 'float64');
    const v = a.reshape(2, -1);
    expect(v.shape).toEqual([2, 3]);
    v.set(42, 1, 0);
    expect(a.get(3)).toBe(42); // a view shares storage
    expect(a.reshape([3, 2]).shape).toEqual([3, 2]);
    expect(() => a.reshape(4, -1)).toThrow('reshape: cannot reshape [6] (size 6) into [4,-1]');
    expect(() => a.reshape(-1, -1)).toThrow(/only one -1/);
    expect(() => a.item()).toThrow(/6 elements, not 1/);
    expect(() => a.get(6)).toThrow(/out of bounds/);
    const f = tensor([1.7, -1.7]).astype('int32');
    expect(Array.from(f.data)).toEqual([1, -1]);
    const c = a.clone();
    c.set(0, 0);
    expect(a.get(0)).toBe(0);
    c.set(9, 1);
    expect(a.get(1)).toBe(1);
    expect(zeros([0, 3]).reshape(-1, 3).shape).toEqual([0, 3]);
  });
});
