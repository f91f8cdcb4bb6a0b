import { describe, expect, it } from 'vitest';
import { fromArray, tensor, zeros } from '../create.js';
import { randn } from '../random.js';
import { Rng } from '../rng.js';
import { convOutputSize } from './im2col.js';
import { pool2d, pool2dBackward, type PoolMode } from './pooling.js';
import type { Tensor } from '../tensor.js';

/** Pooling by the definition: each window's cells listed row-major, padding excluded (max) or 0 (average). */
function reference(
  x: Tensor<'float64'>,
  ph: number,
  pw: number,
  stride: number,
  pad: number,
  mode: PoolMode,
): { out: number[]; argmax: number[] } {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const out: number[] = [];
  const argmax: number[] = [];
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let oy = 0; oy < convOutputSize(H, ph, stride, pad); oy++)
        for (let ox = 0; ox < convOutputSize(W, pw, stride, pad); ox++) {
          const cells: [number, number][] = [];
          for (let fy = 0; fy < ph; fy++)
            for (let fx = 0; fx < pw; fx++) {
              const iy = oy * stride - pad + fy;
              const ix = ox * stride - pad + fx;
              if (iy >= 0 && iy < H && ix >= 0 && ix < W)
                cells.push([x.get(n, c, iy, ix), ((n * C + c) * H + iy) * W + ix]);
            }
          if (mode === 'average') {
            out.push(cells.reduce((s, [v]) => s + v, 0) / (ph * pw));
          } else {
            const best = cells.reduce((b, cell) => (cell[0] > b[0] ? cell : b));
            out.push(best[0]);
            argmax.push(best[1]);
          }
        }
  return { out, argmax };
}

// [N, C, H, W, ph, pw, stride, pad]
const GEOMETRIES: [number, number, number, number, number, number, number, number][] = [
  [2, 3, 4, 4, 2, 2, 2, 0],
  [1, 2, 5, 7, 3, 3, 2, 0],
  [2, 1, 5, 6, 2, 2, 1, 0],
  [1, 3, 6, 5, 2, 3, 2, 0],
  [2, 2, 5, 5, 3, 3, 2, 1],
  [1, 2, 6, 7, 3, 2, 1, 1],
  [1, 1, 7, 7, 3, 3, 3, 2],
];

describe('pool2d', () => {
  it.each(GEOMETRIES)(
    'max and average match the definition: N%i C%i %ix%i, window %ix%i, stride %i, pad %i',
    (N, C, H, W, ph, pw, stride, pad) => {
      const rng = new Rng(H * 7 + W + pad);
      const x = randn([N, C, H, W], rng, { dtype: 'float64' });
      for (const mode of ['max', 'average'] as const) {
        const { out, argmax } = pool2d(x, ph, pw, { stride, pad, mode });
        const ref = reference(x, ph, pw, stride, pad, mode);
        expect(out.shape).toEqual([
          N,
          C,
          convOutputSize(H, ph, stride, pad),
          convOutputSize(W, pw, stride, pad),
        ]);
        out.data.forEach((v, i) => expect(v).toBeCloseTo(ref.out[i]!, 14));
        if (mode === 'max') expect([...argmax!.data]).toEqual(ref.argmax);
        else expect(argmax).toBeUndefined();
      }
    },
  );

  it.each(GEOMETRIES)(
    'backward is the adjoint of forward (average) and routes to the argmax (max): N%i C%i %ix%i %ix%i s%i p%i',
    (N, C, H, W, ph, pw, stride, pad) => {
      const rng = new Rng(H + W * 13 + stride);
      const x = randn([N, C, H, W], rng, { dtype: 'float64' });
      const avg = pool2d(x, ph, pw, { stride, pad, mode: 'average' }).out;
      const dout = randn(avg.shape, rng, { dtype: 'float64' });
      const dx = pool2dBackward(dout, x.shape, ph, pw, { stride, pad, mode: 'average' });
      const lhs = avg.data.reduce((s, v, i) => s + v * dout.data[i]!, 0);
      const rhs = x.data.reduce((s, v, i) => s + v * dx.data[i]!, 0);
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12 * (1 + Math.abs(lhs)));

      const { argmax } = pool2d(x, ph, pw, { stride, pad });
      const dmax = pool2dBackward(dout, x.shape, ph, pw, { stride, pad, argmax });
      const expected = new Float64Array(x.size);
      argmax!.data.forEach((at, i) => (expected[at] = expected[at]! + dout.data[i]!));
      expect([...dmax.data]).toEqual([...expected]);
    },
  );

  it('gives a tie to the first maximum in row-major order, and a NaN wins', () => {
    const x = tensor(
      [
        [
          [
            [0, 0, 1, 2],
            [0, 0, 2, 1],
          ],
        ],
      ],
      'float64',
    );
    const { out, argmax } = pool2d(x, 2, 2, { stride: 2 });
    expect(out.toArray()).toEqual([[[[0, 2]]]]);
    expect([...argmax!.data]).toEqual([0, 3]);
    const nan = pool2d(
      tensor(
        [
          [
            [
              [1, NaN],
              [5, NaN],
            ],
          ],
        ],
        'float64',
      ),
      2,
      2,
    ).out;
    expect(Number.isNaN(nan.item())).toBe(true);
  });

  it('pads max pooling with cells that never win, even among negative values', () => {
    const x = fromArray([-3, -1, -2, -4], [1, 1, 2, 2], 'float64');
    const { out } = pool2d(x, 2, 2, { stride: 2, pad: 1 });
    expect(out.toArray()).toEqual([
      [
        [
          [-3, -1],
          [-2, -4],
        ],
      ],
    ]);
    const avg = pool2d(x, 2, 2, { stride: 2, pad: 1, mode: 'average' }).out;
    expect(avg.toArray()).toEqual([
      [
        [
          [-0.75, -0.25],
          [-0.5, -1],
        ],
      ],
    ]);
  });

  it('explains bad windows and a missing argmax', () => {
    const x = zeros([1, 1, 4, 4], 'float64');
    expect(() => pool2d(x, 2, 2, { pad: 2 })).toThrow(/pad 2 must be smaller than the 2x2 window/);
    expect(() => pool2d(x, 5, 5)).toThrow(/does not fit input/);
    expect(() => pool2dBackward(zeros([1, 1, 3, 3], 'float64'), x.shape, 2, 2)).toThrow(/needs the argmax/);
    expect(() => pool2dBackward(zeros([1, 1, 2, 2], 'float64'), x.shape, 2, 2)).toThrow(
      /dout is \[1,1,2,2\], the pooled shape is \[1,1,3,3\]/,
    );
  });
});
