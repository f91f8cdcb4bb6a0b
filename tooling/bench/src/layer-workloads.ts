/**
 * The convolution and pooling layers of the book's networks for a batch of 100, as the backends'
 * layer kernels run them (`convForward`/`convBackward`, `maxPool`/`maxPoolBackward`); NumPy runs the
 * book's own `Convolution` and `Pooling` (`python/layers.py`) on the same shapes.
 */
export interface LayerWorkload {
  /** Network and layer. */
  name: string;
  kind: 'conv' | 'pool';
  /** Input `[N, C, H, W]`. */
  input: readonly [number, number, number, number];
  /** Filters (conv only; pooling keeps the channels). */
  filters: number;
  /** Window height = width. */
  size: number;
  stride: number;
  pad: number;
  /** Part of the `--quick` run. */
  quick: boolean;
}

function conv(
  name: string,
  input: LayerWorkload['input'],
  filters: number,
  size: number,
  pad: number,
  quick: boolean,
): LayerWorkload {
  return { name, kind: 'conv', input, filters, size, stride: 1, pad, quick };
}

function pool(name: string, input: LayerWorkload['input'], quick: boolean): LayerWorkload {
  return { name, kind: 'pool', input, filters: input[1], size: 2, stride: 2, pad: 0, quick };
}

export const LAYER_WORKLOADS: readonly LayerWorkload[] = [
  conv('SimpleConvNet Conv1', [100, 1, 28, 28], 30, 5, 0, true),
  pool('SimpleConvNet Pool1', [100, 30, 24, 24], true),
  conv('DeepConvNet Conv1', [100, 1, 28, 28], 16, 3, 1, false),
  conv('DeepConvNet Conv2', [100, 16, 28, 28], 16, 3, 1, true),
  pool('DeepConvNet Pool1', [100, 16, 28, 28], false),
  conv('DeepConvNet Conv4', [100, 32, 14, 14], 32, 3, 2, false),
  conv('DeepConvNet Conv6', [100, 64, 8, 8], 64, 3, 1, false),
];

/** `[N,C,H,W] 30@5×5 p0` or `[N,C,H,W] max 2×2 s2`. */
export function layerLabel(w: LayerWorkload): string {
  const input = `[${w.input.join(',')}]`;
  return w.kind === 'conv'
    ? `${input} ${w.filters}@${w.size}×${w.size} p${w.pad}`
    : `${input} max ${w.size}×${w.size} s${w.stride}`;
}

/** Multiply-adds ×2 of a convolution's forward (its backward does twice that); 0 for pooling. */
export function layerFlops(w: LayerWorkload): number {
  if (w.kind !== 'conv') return 0;
  const [n, c, h, wd] = w.input;
  const oh = Math.floor((h + 2 * w.pad - w.size) / w.stride) + 1;
  const ow = Math.floor((wd + 2 * w.pad - w.size) / w.stride) + 1;
  return 2 * n * oh * ow * w.filters * c * w.size * w.size;
}
