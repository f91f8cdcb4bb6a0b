import type { ModelSpec } from '@dl/layers';

/** The per-sample input shape a spec's network takes: `[784]`, or `[1, 28, 28]` for images. */
export function specInputShape(spec: ModelSpec): number[] {
  switch (spec.kind) {
    case 'two-layer-net':
    case 'multi-layer-net':
    case 'multi-layer-net-extend':
      return [spec.inputSize];
    case 'simple-conv-net':
    case 'deep-conv-net':
    case 'lenet':
      return [...(spec.inputDim ?? [1, 28, 28])];
    case 'sequential':
      return [...spec.input];
  }
}
