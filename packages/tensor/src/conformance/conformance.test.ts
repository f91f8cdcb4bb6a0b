import { describe, expect, it } from 'vitest';
import { jsKernels } from '../backend/js/js.js';
import type { Kernels } from '../backend/kernels.js';
import { runConformance, worstError } from './index.js';

describe('conformance suite', () => {
  it('the js reference passes against itself', () => {
    const results = runConformance(jsKernels);
    expect(results.length).toBeGreaterThan(100);
    expect(results.filter((r) => !r.passed)).toEqual([]);
  });

  it('catches a backend with a wrong kernel', () => {
    const broken: Kernels = {
      ...jsKernels,
      name: 'broken',
      gemm: (args) => {
        jsKernels.gemm(args);
        args.c[0] = args.c[0]! + 1e-2;
      },
    };
    const failed = runConformance(broken).filter((r) => !r.passed);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((r) => r.name.startsWith('gemm'))).toBe(true);
  });

  it('catches a wrong window kernel', () => {
    const broken: Kernels = {
      ...jsKernels,
      name: 'broken',
      // Forgets that overlapping windows sum: the last write wins.
      col2im: (col, g, img, accumulate) => {
        jsKernels.col2im(col, g, img, accumulate);
        img[img.length - 1] = col[col.length - 1]!;
      },
    };
    const failed = runConformance(broken).filter((r) => !r.passed);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((r) => r.name.startsWith('col2im'))).toBe(true);
  });

  it('catches a ReLU backward that lets the gradient through at exactly 0', () => {
    const broken: Kernels = {
      ...jsKernels,
      name: 'broken',
      activationBackward: (op, saved, dout, dx) => {
        jsKernels.activationBackward(op, saved, dout, dx);
        if (op === 'relu') for (let i = 0; i < dx.length; i++) if (saved[i] === 0) dx[i] = dout[i]!;
      },
    };
    const failed = runConformance(broken).filter((r) => !r.passed);
    expect(failed.map((r) => r.name)).toEqual([
      'activationBackward relu float32',
      'activationBackward relu float64',
    ]);
  });

  it('catches a softmax that does not subtract the row maximum', () => {
    const broken: Kernels = {
      ...jsKernels,
      name: 'broken',
      softmax: (x, rows, classes, out) => {
        for (let row = 0; row < rows * classes; row += classes) {
          let sum = 0;
          for (let j = 0; j < classes; j++) sum += Math.exp(x[row + j]!);
          for (let j = 0; j < classes; j++) out[row + j] = Math.exp(x[row + j]!) / sum;
        }
      },
    };
    const failed = runConformance(broken).filter((r) => !r.passed);
    expect(failed.length).toBe(8);
    expect(failed.every((r) => r.name.startsWith('softmax '))).toBe(true);
  });

  it('worstError: NaN matches NaN, NaN alone and a length mismatch fail, bounds widen the tolerance', () => {
    expect(worstError([1, NaN], [1, NaN], 1e-5, 1e-6)).toBe(0);
    expect(worstError([NaN, 1], [1, 1], 1e-5, 1e-6)).toBe(Infinity);
    expect(worstError([1], [1, 2], 1e-5, 1e-6)).toBe(Infinity);
    expect(worstError([1.1], [1], 0, 0.05)).toBeCloseTo(2, 12);
    expect(worstError([1.1], [1], 0, 0.05, [0.05])).toBeCloseTo(1, 12);
  });
});
