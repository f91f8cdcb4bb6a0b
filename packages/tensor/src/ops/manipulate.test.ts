import { describe, expect, it } from 'vitest';
import { arange, tensor, zeros } from '../create.js';
import {
  arrayEqual,
  broadcastTo,
  concat,
  expandDims,
  flatten,
  oneHot,
  pad,
  slice,
  squeeze,
  take,
  transpose,
} from './manipulate.js';

const x = arange(24, undefined, 1, 'float64').reshape(2, 3, 4);

describe('shape manipulation', () => {
  it('transposes with and without an axis order', () => {
    const t = transpose(x, [2, 0, 1]);
    expect(t.shape).toEqual([4, 2, 3]);
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 3; j++) for (let k = 0; k < 4; k++) expect(t.get(k, i, j)).toBe(x.get(i, j, k));
    expect(x.T.shape).toEqual([4, 3, 2]);
    expect(x.T.get(3, 2, 1)).toBe(x.get(1, 2, 3));
    expect(() => transpose(x, [0, 0, 1])).toThrow(/not a permutation/);
  });

  it('flattens, expands and squeezes', () => {
    expect(flatten(x).shape).toEqual([24]);
    expect(expandDims(tensor([1, 2]), 0).shape).toEqual([1, 2]);
    expect(expandDims(tensor([1, 2]), -1).shape).toEqual([2, 1]);
    expect(squeeze(zeros([1, 3, 1])).shape).toEqual([3]);
    expect(() => squeeze(zeros([2, 3]), 0)).toThrow(/not 1/);
  });

  it('takes mini-batch rows and entries along other axes', () => {
    const batch = take(x.reshape(2, 12), [1, 1, 0]);
    expect(batch.shape).toEqual([3, 12]);
    expect(batch.get(0, 0)).toBe(12);
    expect(batch.get(2, 0)).toBe(0);
    expect(take(x, new Int32Array([3, 0]), 2).toArray()).toEqual([
      [
        [3, 0],
        [7, 4],
        [11, 8],
      ],
      [
        [15, 12],
        [19, 16],
        [23, 20],
      ],
    ]);
    expect(take(x, [-1]).get(0, 0, 0)).toBe(12);
    expect(() => take(x, [2])).toThrow('take: index 2 is out of bounds for axis 0 of [2,3,4]');
  });

  it('concatenates along any axis', () => {
    const a = tensor([[1, 2]]);
    const b = tensor([
      [3, 4],
      [5, 6],
    ]);
    expect(concat([a, b]).toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(concat([b, b], 1).toArray()).toEqual([
      [3, 4, 3, 4],
      [5, 6, 5, 6],
    ]);
    expect(() => concat([a, tensor([[1, 2, 3]])])).toThrow(/does not fit/);
  });

  it('slices like Python', () => {
    expect(slice(x, [[0, 1]]).shape).toEqual([1, 3, 4]);
    expect(slice(x, [null, 1]).toArray()).toEqual([
      [4, 5, 6, 7],
      [16, 17, 18, 19],
    ]);
    expect(slice(x, [0, 0, [1, null, 2]]).toArray()).toEqual([1, 3]);
    expect(slice(x, [0, 0, [null, null, -1]]).toArray()).toEqual([3, 2, 1, 0]);
    expect(slice(x, [0, [-2]]).shape).toEqual([2, 4]);
    expect(slice(x, [[5, 9]]).shape).toEqual([0, 3, 4]);
    expect(() => slice(x, [2])).toThrow(/out of bounds/);
  });

  it('pads with a constant', () => {
    const p = pad(
      tensor([
        [1, 2],
        [3, 4],
      ]),
      [
        [1, 0],
        [0, 2],
      ],
      9,
    );
    expect(p.toArray()).toEqual([
      [9, 9, 9, 9],
      [1, 2, 9, 9],
      [3, 4, 9, 9],
    ]);
    const p4 = pad(zeros([1, 1, 2, 2]).fill(1), [
      [0, 0],
      [0, 0],
      [1, 1],
      [1, 1],
    ]);
    expect(p4.shape).toEqual([1, 1, 4, 4]);
    expect(p4.data.reduce((s, v) => s + v, 0)).toBe(4);
    expect(p4.get(0, 0, 1, 1)).toBe(1);
    expect(p4.get(0, 0, 0, 0)).toBe(0);
  });

  it('broadcasts to a shape and one-hot encodes labels', () => {
    expect(broadcastTo(tensor([1, 2]), [2, 2]).toArray()).toEqual([
      [1, 2],
      [1, 2],
    ]);
    expect(() => broadcastTo(tensor([1, 2]), [3])).toThrow(/cannot broadcast \[2\] to \[3\]/);
    const oh = oneHot([2, 0], 3);
    expect(oh.toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    expect(oh.dtype).toBe('float32');
    expect(() => oneHot([3], 3)).toThrow(/label 3 at position 0/);
    expect(arrayEqual(oh, oneHot(tensor([2, 0], 'int32'), 3))).toBe(true);
  });
});
