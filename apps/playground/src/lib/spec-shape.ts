import type { ModelSpec } from '@dl/layers';

/** The MNIST image, the conv networks' default input. */
const MNIST_IMAGE = [1, 28, 28] as const;

/**
 * The per-sample input shape a spec's network takes: `[784]` for the fully connected kinds,
 * `[1, 28, 28]` for the convolutional ones. (TODO: @dl/layers' `specInputShape` once it is exported.)
 */
export function inputShapeOf(spec: ModelSpec): readonly number[] {
  if ('inputSize' in spec) return [spec.inputSize];
  return spec.kind === 'sequential' ? spec.input : (spec.inputDim ?? MNIST_IMAGE);
}
