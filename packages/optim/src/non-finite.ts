import type { Tensor } from '@dl/tensor';
import type { Param } from './model.js';

/** Where a non-finite number was found first: a weight, the batch input, a gradient, or only the loss. */
export type NonFiniteSource =
  | {
      readonly where: 'value' | 'grad';
      readonly param: string;
      readonly index: number;
      readonly value: number;
    }
  | { readonly where: 'input'; readonly index: number; readonly value: number }
  | { readonly where: 'loss' };

function firstNonFinite(t: Tensor): number {
  return firstIn(t.data);
}

function firstIn(d: ArrayLike<number>): number {
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i]!)) return i;
  return -1;
}

/**
 * Looks for the origin of a NaN/Inf loss, in the order values flow: the weights (a previous update
 * diverged), then the input batch (bad data), then the gradients this step produced. Params are
 * searched in the model's order; the first hit is reported.
 */
export function findNonFinite(params: readonly Param[], input: Tensor): NonFiniteSource {
  for (const p of params) {
    const i = firstNonFinite(p.value);
    if (i >= 0) return { where: 'value', param: p.name, index: i, value: p.value.data[i]! };
  }
  const j = firstNonFinite(input);
  if (j >= 0) return { where: 'input', index: j, value: input.data[j]! };
  for (const p of params) {
    const i = firstNonFinite(p.grad);
    if (i >= 0) return { where: 'grad', param: p.name, index: i, value: p.grad.data[i]! };
  }
  return { where: 'loss' };
}

/**
 * `findNonFinite` for tensors read back asynchronously (`webgpu`): the same search, each tensor
 * read with `await t.read()`.
 */
export async function findNonFiniteAsync(params: readonly Param[], input: Tensor): Promise<NonFiniteSource> {
  const search = async (t: Tensor): Promise<{ index: number; value: number }> => {
    const d = await t.read();
    const index = firstIn(d);
    return { index, value: index >= 0 ? d[index]! : 0 };
  };
  for (const p of params) {
    const { index, value } = await search(p.value);
    if (index >= 0) return { where: 'value', param: p.name, index, value };
  }
  const found = await search(input);
  if (found.index >= 0) return { where: 'input', ...found };
  for (const p of params) {
    const { index, value } = await search(p.grad);
    if (index >= 0) return { where: 'grad', param: p.name, index, value };
  }
  return { where: 'loss' };
}

function describe(source: NonFiniteSource): string {
  switch (source.where) {
    case 'value':
      return `weight ${source.param}[${source.index}] is ${source.value} (a previous update diverged)`;
    case 'grad':
      return `gradient of ${source.param}[${source.index}] is ${source.value}`;
    case 'input':
      return `the input batch holds ${source.value} at flat index ${source.index} (check the data)`;
    case 'loss':
      return 'every weight, gradient and input is finite: the loss itself overflowed';
  }
}

/** Thrown by the training loop when the loss becomes NaN or ±Infinity; names the step and the first culprit. */
export class NonFiniteError extends Error {
  override readonly name = 'NonFiniteError';

  constructor(
    /** 1-based number of the step whose loss was not finite. */
    readonly step: number,
    /** The epoch that step belongs to (1-based). */
    readonly epoch: number,
    readonly loss: number,
    readonly source: NonFiniteSource,
    lr?: number,
  ) {
    super(
      `train: the loss became ${loss} at step ${step} (epoch ${epoch}); first non-finite: ${describe(source)}. ` +
        `Lower the learning rate${lr === undefined ? '' : ` (lr ${lr})`}, or check the data and the weight initialisation.`,
    );
  }
}
