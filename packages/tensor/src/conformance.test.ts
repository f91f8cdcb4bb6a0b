import { describe, expect, it } from 'vitest';
import { runConformance } from './conformance.js';
import { jsKernels } from './backend/js.js';
import type { Kernels } from './backend/kernels.js';

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
});
