import type { ModelSpec } from './model-spec.js';

/** The book's MNIST input, the conv networks' default `inputDim`. */
const MNIST_IMAGE = [1, 28, 28] as const;

/**
 * The per-sample input shape of the network a spec builds: `[inputSize]` for the fully connected
 * book kinds, `inputDim` (default `[1, 28, 28]`) for the conv kinds, `input` for `sequential`.
 */
export function specInputShape(spec: ModelSpec): readonly number[] {
  switch (spec.kind) {
    case 'two-layer-net':
    case 'multi-layer-net':
    case 'multi-layer-net-extend':
      return [spec.inputSize];
    case 'simple-conv-net':
    case 'deep-conv-net':
    case 'lenet':
      return spec.inputDim ?? MNIST_IMAGE;
    case 'sequential':
      return spec.input;
  }
}

/**
 * The number of classes the network a spec builds scores: `outputSize` (default 10 for the conv
 * kinds); for `sequential`, the units of its last affine (the layers after it keep the shape in
 * every spec that builds), or the input size when it has no affine.
 */
export function specOutputSize(spec: ModelSpec): number {
  switch (spec.kind) {
    case 'two-layer-net':
    case 'multi-layer-net':
    case 'multi-layer-net-extend':
      return spec.outputSize;
    case 'simple-conv-net':
    case 'deep-conv-net':
    case 'lenet':
      return spec.outputSize ?? 10;
    case 'sequential': {
      for (let i = spec.layers.length - 1; i >= 0; i--) {
        const layer = spec.layers[i]!;
        if (layer.type === 'affine') return layer.units;
      }
      return spec.input.reduce((n, d) => n * d, 1);
    }
  }
}
