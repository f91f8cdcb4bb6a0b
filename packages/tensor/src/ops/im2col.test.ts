import { describe, expect, it } from 'vitest';
import { expectClose, loadCases, must, named, numberAttr, type FixtureArray } from '@dl/book-fixtures';
import { fromArray, ones, zeros } from '../create.js';
import { randn } from '../random.js';
import { Rng } from '../rng.js';
import { matmul } from './matmul.js';
import { col2im, convGeometry, convOutputSize, im2col } from './im2col.js';
import type { Tensor } from '../tensor.js';

const f64 = (a: FixtureArray | undefined): Tensor<'float64'> => {
  const v = must(a);
  return fromArray(v.data, v.shape, 'float64');
};

/** Convolution of x [N,C,H,W] with W [FN,C,FH,FW] by the definition: four nested loops per output. */
function directConv(x: Tensor<'float64'>, w: Tensor<'float64'>, stride: number, pad: number): number[] {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [FN, , FH, FW] = w.shape as [number, number, number, number];
  const OH = convOutputSize(H, FH, stride, pad);
  const OW = convOutputSize(W, FW, stride, pad);
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let f = 0; f < FN; f++)
      for (let oy = 0; oy < OH; oy++)
        for (let ox = 0; ox < OW; ox++) {
          let s = 0;
          for (let c = 0; c < C; c++)
            for (let fy = 0; fy < FH; fy++)
              for (let fx = 0; fx < FW; fx++) {
                const iy = oy * stride - pad + fy;
                const ix = ox * stride - pad + fx;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W) s += x.get(n, c, iy, ix) * w.get(f, c, fy, fx);
              }
          out.push(s);
        }
  return out;
}

const dotOf = (a: Tensor, b: Tensor): number => {
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i]! * b.data[i]!;
  return s;
};

// [N, C, H, W, FH, FW, stride, pad]: stride 1 and 2, pad 0/1/2, non-square images and filters.
const GEOMETRIES: [number, number, number, number, number, number, number, number][] = [
  [2, 1, 5, 5, 3, 3, 1, 0],
  [2, 3, 6, 5, 3, 3, 2, 1],
  [1, 3, 5, 7, 2, 3, 1, 2],
  [3, 2, 7, 6, 3, 2, 2, 0],
  [2, 2, 4, 4, 3, 3, 1, 1],
  [1, 1, 9, 8, 4, 5, 3, 2],
  [2, 2, 3, 3, 1, 1, 1, 0],
];

describe('im2col and col2im', () => {
  it.each(named(loadCases('im2col.json', /^(im2col|col2im)$/)))('match the book: %s', (_, c) => {
    const [fh, fw] = [numberAttr(c, 'filter_h'), numberAttr(c, 'filter_w')];
    const options = { stride: numberAttr(c, 'stride'), pad: numberAttr(c, 'pad') };
    if (c.attrs.kind === 'im2col') {
      const col = im2col(f64(c.inputs.x), fh, fw, options);
      expect(col.shape).toEqual(must(c.outputs.col).shape);
      expectClose(col, c.outputs.col, undefined, 'col');
    } else {
      const inputShape = c.attrs.input_shape as number[];
      const img = col2im(f64(c.inputs.col), inputShape, fh, fw, options);
      expect(img.shape).toEqual(must(c.outputs.img).shape);
      expectClose(img, c.outputs.img, undefined, 'img');
    }
  });

  it.each(GEOMETRIES)(
    'im2col · Wᵀ equals a direct convolution: N%i C%i %ix%i, filter %ix%i, stride %i, pad %i',
    (N, C, H, W, FH, FW, stride, pad) => {
      const rng = new Rng(N * 1000 + H * 10 + W);
      const x = randn([N, C, H, W], rng, { dtype: 'float64' });
      const w = randn([4, C, FH, FW], rng, { dtype: 'float64' });
      const col = im2col(x, FH, FW, { stride, pad });
      const g = convGeometry('test', x.shape, FH, FW, { stride, pad });
      const out = matmul(col, w.reshape(4, -1), { transB: true }); // [(n, oy, ox), f]
      const expected = directConv(x, w, stride, pad);
      const S = g.outH * g.outW;
      for (let n = 0; n < N; n++)
        for (let f = 0; f < 4; f++)
          for (let s = 0; s < S; s++) {
            const e = expected[(n * 4 + f) * S + s]!;
            expect(Math.abs(out.get(n * S + s, f) - e)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(e)));
          }
    },
  );

  it.each(GEOMETRIES)(
    'col2im is the adjoint of im2col: ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩ for N%i C%i %ix%i, %ix%i, s%i, p%i',
    (N, C, H, W, FH, FW, stride, pad) => {
      const rng = new Rng(7 + N + C * 3 + H * 11 + FW);
      const x = randn([N, C, H, W], rng, { dtype: 'float64' });
      const col = im2col(x, FH, FW, { stride, pad });
      const y = randn(col.shape, rng, { dtype: 'float64' });
      const lhs = dotOf(col, y);
      const rhs = dotOf(x, col2im(y, x.shape, FH, FW, { stride, pad }));
      expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(lhs)));
    },
  );

  it('col2im of all ones counts the windows covering each pixel (overlaps sum, padding is dropped)', () => {
    const g = { stride: 1, pad: 1 };
    const col = ones<'float64'>([9, 9], 'float64'); // 1x1x3x3 image, 3x3 window, pad 1 -> 3x3 outputs
    const img = col2im(col, [1, 1, 3, 3], 3, 3, g);
    expect(img.toArray()).toEqual([
      [
        [
          [4, 6, 4],
          [6, 9, 6],
          [4, 6, 4],
        ],
      ],
    ]);
  });

  it('works in float32, writes into out and accumulates on request', () => {
    const rng = new Rng(3);
    const x = randn([2, 2, 5, 4], rng);
    const out = zeros([2 * 3 * 2, 2 * 3 * 3]);
    expect(im2col(x, 3, 3, { out })).toBe(out);
    const img = zeros([2, 2, 5, 4]).fill(1);
    col2im(out, x.shape, 3, 3, { out: img, accumulate: true });
    const fresh = col2im(out, x.shape, 3, 3);
    img.data.forEach((v, i) => expect(v).toBeCloseTo(fresh.data[i]! + 1, 5));
  });

  it('explains bad shapes and windows', () => {
    const x = zeros([1, 1, 4, 4], 'float64');
    expect(() => im2col(zeros([1, 4, 4], 'float64'), 3, 3)).toThrow(
      /im2col: input must be \[N, C, H, W\], got \[1,4,4\]; add a batch axis/,
    );
    expect(() => im2col(x, 5, 3)).toThrow(/a 5x3 window with pad 0 does not fit input \[1,1,4,4\]/);
    expect(() => im2col(x, 3, 3, { stride: 0 })).toThrow(/stride must be an integer >= 1, got 0/);
    expect(() => col2im(zeros([4, 8], 'float64'), [1, 1, 4, 4], 3, 3)).toThrow(
      /col2im: col is \[4,8\], but input \[1,1,4,4\] with a 3x3 window \(stride 1, pad 0\) needs \[4,9\]/,
    );
    expect(() => im2col(x, 3, 3, { out: zeros([4, 9]) })).toThrow(
      /out is float32 \[4,9\], the result is float64/,
    );
  });
});
