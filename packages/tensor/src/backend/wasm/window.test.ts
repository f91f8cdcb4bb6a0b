import { beforeAll, describe, expect, it } from 'vitest';
import { runConformance } from '../../conformance/index.js';
import { convGeometry } from '../../ops/im2col.js';
import { Rng } from '../../rng.js';
import { jsKernels } from '../js/js.js';
import { createWasmBackend, type WasmKernels } from './wasm.js';

const WINDOW_OPS = /^(im2col|col2im|maxPool|avgPool)/;

function randomFloat32(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.random() * 4 - 2;
  return out;
}

describe('wasm window kernels', () => {
  let kernels: WasmKernels;
  beforeAll(async () => {
    kernels = await createWasmBackend({ simd: 'plain' });
  });

  it('equal the js kernels bit for bit on every conformance geometry', () => {
    // Same operations in the same order: no tolerance at all (atol is the smallest positive double).
    const results = runConformance(kernels, { rtol: 0, atol: Number.MIN_VALUE }).filter((r) =>
      WINDOW_OPS.test(r.name),
    );
    expect(results.length).toBeGreaterThan(80);
    expect(results.filter((r) => !r.passed)).toEqual([]);
  });

  it('max pooling: NaN wins and the first maximum wins a tie, as the js kernel', () => {
    const g = convGeometry('test', [1, 2, 6, 6], 2, 2, { stride: 2 });
    const x = randomFloat32(72, new Rng(3));
    x[7] = NaN;
    x[40] = x[41] = x[46] = 5; // one window with a three-way tie
    const run = (k: typeof jsKernels): [Float32Array, Int32Array] => {
      const out = new Float32Array(18);
      const argmax = new Int32Array(18);
      k.maxPool(x, g, out, argmax);
      return [out, argmax];
    };
    const [out, argmax] = run(kernels);
    const [outRef, argmaxRef] = run(jsKernels);
    expect(argmax).toEqual(argmaxRef);
    expect(out).toEqual(outRef);
    expect(Number.isNaN(out[0])).toBe(true);
    expect(argmax[11]).toBe(40);
  });

  it('max pooling four windows at once (stride 2) keeps the tie and NaN rules', () => {
    const g = convGeometry('test', [2, 3, 9, 21], 2, 2, { stride: 2, pad: 1 });
    const x = randomFloat32(2 * 3 * 9 * 21, new Rng(8));
    for (let i = 0; i < x.length; i += 3) x[i] = 0; // ties
    for (let i = 5; i < x.length; i += 37) x[i] = NaN;
    const n = 2 * 3 * g.outH * g.outW;
    const [out, argmax] = [new Float32Array(n), new Int32Array(n)];
    const [outRef, argmaxRef] = [new Float32Array(n), new Int32Array(n)];
    kernels.maxPool(x, g, out, argmax);
    jsKernels.maxPool(x, g, outRef, argmaxRef);
    expect(argmax).toEqual(argmaxRef);
    expect(out).toEqual(outRef);
  });

  it('max pooling of whole 2x2 windows (no padding) keeps the tie and NaN rules', () => {
    // Rows of 8 windows; 10 and 7 (the last 4 again); 3 and 2 (fewer than 4 stored, reading past).
    for (const [h, w] of [
      [10, 17],
      [9, 21],
      [14, 14],
      [7, 7],
      [5, 4],
    ] as const) {
      const g = convGeometry('test', [2, 3, h, w], 2, 2, { stride: 2 });
      const x = randomFloat32(2 * 3 * h * w, new Rng(9));
      for (let i = 0; i < x.length; i += 3) x[i] = 0; // ties
      for (let i = 1; i < x.length; i += 4) x[i] = 0;
      for (let i = 5; i < x.length; i += 37) x[i] = NaN;
      for (let i = 40; i < x.length; i += 41) x[i] = NaN;
      const n = 2 * 3 * g.outH * g.outW;
      const [out, argmax] = [new Float32Array(n), new Int32Array(n)];
      const [outRef, argmaxRef] = [new Float32Array(n), new Int32Array(n)];
      kernels.maxPool(x, g, out, argmax);
      jsKernels.maxPool(x, g, outRef, argmaxRef);
      expect(argmax).toEqual(argmaxRef);
      expect(out).toEqual(outRef);
    }
  });

  it('reads inputs from views into bigger arrays (a layer passes chunks of its batch)', () => {
    const g = convGeometry('test', [2, 3, 7, 7], 3, 3, { pad: 1 });
    const whole = randomFloat32(3 * 147, new Rng(4));
    const x = whole.subarray(147, 147 + 2 * 147);
    const col = new Float32Array(2 * 49 * 27);
    const expected = new Float32Array(col.length);
    kernels.im2col(x, g, col);
    jsKernels.im2col(x, g, expected);
    expect(col).toEqual(expected);
    const img = new Float32Array(3 * 147);
    kernels.col2im(col, g, img.subarray(147, 441), false);
    const imgRef = new Float32Array(3 * 147);
    jsKernels.col2im(col, g, imgRef.subarray(147, 441), false);
    expect(img).toEqual(imgRef);
  });

  it('names the op, the operand and the geometry when an array is too short', () => {
    const g = convGeometry('test', [2, 1, 5, 5], 3, 3);
    expect(() => kernels.im2col(new Float32Array(49), g, new Float32Array(162))).toThrow(
      /im2col \(wasm\): x has 49 elements, the geometry \[2,1,5,5\] window 3x3 stride 1 pad 0 needs 50/,
    );
    const argmax = Int32Array.of(0, 99);
    expect(() => kernels.maxPoolBackward(new Float32Array(2), argmax, new Float32Array(50))).toThrow(
      /argmax\[1\] = 99 is outside dx \(50 elements\)/,
    );
  });
});
