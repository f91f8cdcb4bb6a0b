import type { ActivationOp, BinaryOp, OptimizerUpdate, ReduceOp, UnaryOp } from '../kernels.js';

/**
 * The op and kind codes the WebAssembly kernels switch on, defined once for TypeScript. AssemblyScript
 * cannot import this module, so each `assembly/` file named in `ASSEMBLY_FILES` declares the same
 * numbers as `export const NAME = code` (the key in UPPER_SNAKE case); `op-codes.test.ts` reads those
 * sources and fails when the two disagree. An op missing from a table runs on the js kernel.
 */

/** `assembly/elementwise.ts`. log, tanh and pow are not here: not hot in the book's networks. */
export const UNARY_CODES: Partial<Record<UnaryOp, number>> = {
  neg: 0,
  abs: 1,
  sqrt: 2,
  square: 3,
  reciprocal: 4,
  sign: 5,
  exp: 6,
};

/** `assembly/elementwise.ts`, `binaryF32` (float32 results). */
export const ARITHMETIC_CODES: Partial<Record<BinaryOp, number>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
};

/** `assembly/elementwise.ts`, `compareF32` (uint8 results). */
export const COMPARISON_CODES: Partial<Record<BinaryOp, number>> = {
  equal: 0,
  notEqual: 1,
  greater: 2,
  greaterEqual: 3,
  less: 4,
  lessEqual: 5,
};

/** `assembly/reduce.ts`. */
export const REDUCE_CODES: Record<ReduceOp, number> = { sum: 0, max: 1, min: 2, argmax: 3, argmin: 4 };

/** `assembly/activation.ts`. */
export const ACTIVATION_CODES: Record<ActivationOp, number> = { relu: 0, sigmoid: 1 };

/** An optimizer update's kind, with Adam's variant: what `optimizerUpdateF32` switches on. */
export type OptimizerCodeName = Exclude<OptimizerUpdate['kind'], 'adam'> | 'adam-book' | 'adam-standard';

/** `assembly/optimizer.ts`. */
export const OPTIMIZER_CODES: Record<OptimizerCodeName, number> = {
  sgd: 0,
  momentum: 1,
  nesterov: 2,
  adagrad: 3,
  rmsprop: 4,
  'adam-book': 5,
  'adam-standard': 6,
};

/** Which assembly source declares each table's constants (paths from the package root). */
export const ASSEMBLY_FILES: Readonly<Record<string, readonly Readonly<Record<string, number>>[]>> = {
  'assembly/elementwise.ts': [UNARY_CODES, ARITHMETIC_CODES, COMPARISON_CODES],
  'assembly/reduce.ts': [REDUCE_CODES],
  'assembly/activation.ts': [ACTIVATION_CODES],
  'assembly/optimizer.ts': [OPTIMIZER_CODES],
};
