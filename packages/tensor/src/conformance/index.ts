/**
 * @dl/tensor/conformance — the suite every backend must pass on the required kernels (`Kernels`):
 * each case runs one kernel on random, never all-zero inputs on the backend under test and on the
 * reference (the `js` backend; for GEMM, the plain triple loop in `backend/js/naive-gemm.ts`), and
 * compares the outputs within a tolerance. It depends on no test framework: `runConformance(kernels)`
 * returns one result per case, and a test asserts they all passed. The fused kernels
 * (`Kernels.fused`) are compared with their book-named references where those live, in the tests of
 * `@dl/layers` and `@dl/optim`, with `worstError`'s tolerance rule.
 */
import type { Kernels } from '../backend/kernels.js';
import { Rng } from '../rng.js';
import { worstError, type Case } from './case.js';
import { convCases } from './conv.js';
import { elementwiseCases } from './elementwise.js';
import { gemmCases } from './gemm.js';
import { reduceCases } from './reduce.js';
import { softmaxCases } from './softmax.js';
import { windowCases } from './window.js';

export { worstError } from './case.js';

export interface ConformanceResult {
  name: string;
  passed: boolean;
  /** Largest |actual - expected| / (atol + rtol·|expected|); <= 1 passes. */
  worst: number;
  message?: string;
}

export interface ConformanceOptions {
  /** Relative tolerance for float32 results (default 1e-5: backends may sum in another order). */
  rtol?: number;
  atol?: number;
  seed?: number;
}

/** Every case, family by family. */
function allCases(): Case[] {
  return [
    ...gemmCases(),
    ...elementwiseCases(),
    ...reduceCases(),
    ...windowCases(),
    ...convCases(),
    ...softmaxCases(),
  ];
}

/** Runs every conformance case on `kernels` against the `js` reference. */
export function runConformance(kernels: Kernels, options: ConformanceOptions = {}): ConformanceResult[] {
  const { rtol = 1e-5, atol = 1e-6, seed = 20240101 } = options;
  const rng = new Rng(seed);
  return allCases().map((c) => {
    try {
      const { actual, expected, bound } = c.run(kernels, rng);
      const worst = worstError(actual, expected, rtol, atol, bound);
      const passed = worst <= 1;
      return passed
        ? { name: c.name, passed, worst }
        : { name: c.name, passed, worst, message: `error ${worst.toExponential(2)}x tolerance` };
    } catch (error) {
      return { name: c.name, passed: false, worst: Infinity, message: String(error) };
    }
  });
}
