import { allocate } from '../allocate.js';
import { REDUCE_OPS } from '../backend/kernels.js';
import { jsKernels } from '../backend/js/js.js';
import { randomArray, type Case } from './case.js';

/** Every reduction over the middle axis of `[outer, length, inner]`: one long row, many rows, columns. */
export function reduceCases(): Case[] {
  const cases: Case[] = [];
  const geometries: readonly [number, number, number][] = [
    [1, 1000, 1],
    [100, 10, 1],
    [1, 100, 50],
    [3, 7, 5],
  ];
  for (const op of REDUCE_OPS) {
    for (const [outer, length, inner] of geometries) {
      cases.push({
        name: `reduce ${op} outer=${outer} length=${length} inner=${inner}`,
        run(kernels, rng) {
          const x = randomArray('float32', outer * length * inner, rng);
          const outDtype = op.startsWith('arg') ? 'int32' : 'float32';
          const actual = allocate(outDtype, outer * inner);
          const expected = allocate(outDtype, outer * inner);
          kernels.reduce({ op, x, outer, length, inner, out: actual });
          jsKernels.reduce({ op, x, outer, length, inner, out: expected });
          return { actual, expected };
        },
      });
    }
  }
  return cases;
}
