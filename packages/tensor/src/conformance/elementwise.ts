import { type DType, type FloatArray } from '../dtype.js';
import { allocate } from '../allocate.js';
import { ACTIVATION_OPS, BINARY_OPS, UNARY_OPS } from '../backend/kernels.js';
import { jsKernels } from '../backend/js/js.js';
import { broadcastShapes, broadcastStrides, shapeToString, sizeOf } from '../shape.js';
import { randomArray, type Case } from './case.js';

// Every unary and binary op (binary ops on every kind of broadcast) and the activations, forward
// and backward, against the js kernels.

const broadcastPairs: readonly [number[], number[]][] = [
  [[7], [7]],
  [
    [4, 5],
    [4, 5],
  ],
  [[4, 5], [5]],
  [
    [4, 5],
    [4, 1],
  ],
  [
    [3, 1, 6],
    [1, 5, 1],
  ],
  [[2, 3, 4, 5], []],
  [[0, 3], [3]],
];

export function elementwiseCases(): Case[] {
  const cases: Case[] = [];
  for (const op of UNARY_OPS) {
    for (const dtype of ['float32', 'float64'] as const) {
      cases.push({
        name: `unary ${op} ${dtype}`,
        run(kernels, rng) {
          // log/sqrt/reciprocal want positive inputs; keep them away from 0.
          const x = randomArray(dtype, 257, rng, 0.1, 3);
          if (op !== 'log' && op !== 'sqrt') for (let i = 0; i < x.length; i += 2) x[i] = -x[i]!;
          const actual = allocate(dtype, x.length);
          const expected = allocate(dtype, x.length);
          kernels.unary(op, x, actual);
          jsKernels.unary(op, x, expected);
          return { actual, expected };
        },
      });
    }
  }
  for (const op of BINARY_OPS) {
    for (const [sa, sb] of broadcastPairs) {
      const dtype: DType = op === 'equal' || op === 'notEqual' ? 'int32' : 'float32';
      cases.push({
        name: `binary ${op} ${shapeToString(sa)} ${shapeToString(sb)} ${dtype}`,
        run(kernels, rng) {
          const outShape = broadcastShapes(op, sa, sb);
          const a = randomArray(dtype, sizeOf(sa), rng, op === 'pow' ? 0.5 : -2, 2);
          const b = randomArray(dtype, sizeOf(sb), rng, op === 'div' ? 0.5 : -2, 2);
          const outDtype =
            op.startsWith('less') || op.startsWith('greater') || op.endsWith('qual') ? 'uint8' : dtype;
          const actual = allocate(outDtype, sizeOf(outShape));
          const expected = allocate(outDtype, sizeOf(outShape));
          const args = {
            op,
            a,
            aStrides: broadcastStrides(sa, outShape),
            b,
            bStrides: broadcastStrides(sb, outShape),
            outShape,
          };
          kernels.binary({ ...args, out: actual });
          jsKernels.binary({ ...args, out: expected });
          return { actual, expected };
        },
      });
    }
  }
  for (const op of ACTIVATION_OPS) {
    for (const dtype of ['float32', 'float64'] as const) {
      // 1 027 elements: the vector loop and a scalar tail; wide enough for sigmoid's two branches.
      cases.push({
        name: `activation ${op} ${dtype}`,
        run(kernels, rng) {
          const x = randomArray(dtype, 1027, rng, -12, 12) as FloatArray;
          x[7] = 0; // ReLU's boundary: the gradient at exactly 0 is 0
          const actual = allocate(dtype, x.length);
          const expected = allocate(dtype, x.length);
          kernels.activation(op, x, actual);
          jsKernels.activation(op, x, expected);
          return { actual, expected };
        },
      });
      cases.push({
        name: `activationBackward ${op} ${dtype}`,
        run(kernels, rng) {
          const saved = (
            op === 'relu' ? randomArray(dtype, 1027, rng) : randomArray(dtype, 1027, rng, 0, 1)
          ) as FloatArray;
          saved[7] = 0;
          const dout = randomArray(dtype, saved.length, rng) as FloatArray;
          const actual = allocate(dtype, saved.length);
          const expected = allocate(dtype, saved.length);
          kernels.activationBackward(op, saved, dout, actual);
          jsKernels.activationBackward(op, saved, dout, expected);
          return { actual, expected };
        },
      });
    }
  }
  return cases;
}
