import { type FloatArray } from '../dtype.js';
import { allocate } from '../allocate.js';
import type { Kernels } from '../backend/kernels.js';
import { jsKernels } from '../backend/js/js.js';
import type { Rng } from '../rng.js';
import { absolute, concat, FLOAT32_UNIT_ROUNDOFF, randomArray, type Case } from './case.js';
import { geometryLabel, windowGeometries, windowGeometry, type WindowDims } from './window.js';

/**
 * The convolution kernels on the same random inputs; `filters` 4 and 7 (a whole and a partial
 * tile of the wasm kernels' four filters), and 10 for 3×3 stride-1 layers (≥ 8 filters: the wasm
 * backend's dx then runs Winograd's algorithm too), with and without dx. The allowed rounding error is the
 * GEMM's (see `gemmBound`), taken from the js kernel run on |inputs|: float32 backends may sum each
 * output's K + 1 terms (forward), N·S terms (dw) or FN·FH·FW terms (dx) in float32.
 */
export function convCases(): Case[] {
  const cases: Case[] = [];
  const filterCounts = (d: WindowDims): number[] =>
    d[4] === 3 && d[5] === 3 && d[6] === 1 ? [4, 7, 10] : [4, 7];
  for (const [dims, filters] of windowGeometries.flatMap((d) =>
    filterCounts(d).map((f) => [d, f] as const),
  )) {
    const g = windowGeometry(dims);
    const image = g.batch * g.channels * g.height * g.width;
    const S = g.outH * g.outW;
    const K = g.channels * g.filterH * g.filterW;
    for (const dtype of ['float32', 'float64'] as const) {
      const u = dtype === 'float32' ? FLOAT32_UNIT_ROUNDOFF : 2 ** -53;
      const random = (n: number, rng: Rng): FloatArray => randomArray(dtype, n, rng) as FloatArray;
      cases.push({
        name: `convForward ${dtype} ${geometryLabel(g)} filters ${filters}`,
        run(kernels, rng) {
          const [x, w, b] = [random(image, rng), random(filters * K, rng), random(filters, rng)];
          const actual = allocate(dtype, g.batch * filters * S).fill(NaN);
          const expected = allocate(dtype, g.batch * filters * S);
          kernels.convForward({ g, filters, x, w, b, out: actual });
          jsKernels.convForward({ g, filters, x, w, b, out: expected });
          const bound = allocate(dtype, expected.length);
          jsKernels.convForward({ g, filters, x: absolute(x), w: absolute(w), b: absolute(b), out: bound });
          return { actual, expected, bound: bound.map((v) => v * (K + 1) * u) };
        },
      });
      for (const [accumulate, withDx] of [
        [false, true],
        [true, true],
        [false, false],
      ] as const) {
        cases.push({
          name: `convBackward ${dtype} ${geometryLabel(g)} filters ${filters} accumulate=${accumulate}${withDx ? '' : ' no dx'}`,
          run(kernels, rng) {
            const [x, w] = [random(image, rng), random(filters * K, rng)];
            const dout = random(g.batch * filters * S, rng);
            const [dw0, db0] = [random(filters * K, rng), random(filters, rng)];
            const backward = (
              k: Kernels,
              args: Record<'x' | 'w' | 'dout' | 'dw' | 'db', FloatArray>,
            ): Float64Array => {
              if (!withDx) {
                k.convBackward({ g, filters, accumulate, ...args });
                return concat(args.dw, args.db);
              }
              const dx = allocate(dtype, image).fill(NaN);
              k.convBackward({ g, filters, accumulate, ...args, dx });
              return concat(args.dw, args.db, dx);
            };
            const actual = backward(kernels, { x, w, dout, dw: dw0.slice(), db: db0.slice() });
            const expected = backward(jsKernels, { x, w, dout, dw: dw0.slice(), db: db0.slice() });
            const bound = backward(jsKernels, {
              x: absolute(x),
              w: absolute(w),
              dout: absolute(dout),
              dw: absolute(dw0),
              db: absolute(db0),
            });
            const terms = [g.batch * S, g.batch * S, filters * g.filterH * g.filterW];
            const ends = [filters * K, filters * K + filters];
            for (let i = 0; i < bound.length; i++) {
              bound[i] = bound[i]! * terms[i < ends[0]! ? 0 : i < ends[1]! ? 1 : 2]! * u;
            }
            return { actual, expected, bound };
          },
        });
      }
    }
  }
  return cases;
}
