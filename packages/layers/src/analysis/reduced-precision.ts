import { roundToHalf, type HalfFormat, type Tensor } from '@dl/tensor';
import type { FloatTensor, Model, NamedTensor } from '../layer.js';

/** The precision weights are stored in: float32 (as trained) or a 16-bit format. */
export type WeightPrecision = 'float32' | HalfFormat;

/** A model whose tensors can be rounded: its params, and its buffers (BatchNorm statistics) if any. */
export type RoundableModel = Pick<Model, 'params'> & { buffers?(): NamedTensor[] };

function roundToFloat32(t: FloatTensor): void {
  if (t.dtype === 'float32') return; // already exact
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = Math.fround(d[i]!);
}

/**
 * Runs `fn` with every weight of `model` (params and buffers) rounded to `precision`, as if the model
 * had been saved in that format and loaded back, then restores the exact original values (also when
 * `fn` throws). Computation itself stays in the model's dtype.
 */
export function withWeightPrecision<T>(model: RoundableModel, precision: WeightPrecision, fn: () => T): T {
  const tensors: FloatTensor[] = [
    ...model.params().map((p) => p.value),
    ...(model.buffers?.() ?? []).map((b) => b.value),
  ];
  const saved = tensors.map((t) => t.clone());
  try {
    for (const t of tensors) {
      if (precision === 'float32') roundToFloat32(t);
      else roundToHalf(t, precision, { out: t });
    }
    return fn();
  } finally {
    tensors.forEach((t, i) => t.assign(saved[i]!));
  }
}

/** Test accuracy with the weights rounded to each precision (default: float32, float16, bfloat16). */
export function accuracyByPrecision(
  model: Model & RoundableModel,
  x: FloatTensor,
  t: Tensor,
  options: { precisions?: readonly WeightPrecision[]; batchSize?: number } = {},
): Record<WeightPrecision, number | undefined> {
  const { precisions = ['float32', 'float16', 'bfloat16'], batchSize } = options;
  const result: Record<WeightPrecision, number | undefined> = {
    float32: undefined,
    float16: undefined,
    bfloat16: undefined,
  };
  for (const p of precisions) {
    result[p] = withWeightPrecision(model, p, () =>
      model.accuracy(x, t, batchSize === undefined ? {} : { batchSize }),
    );
  }
  return result;
}
