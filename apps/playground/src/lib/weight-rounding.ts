import type { LayerNetwork, WeightPrecision } from '@dl/layers';
import { roundToHalf } from '@dl/tensor';

/**
 * What storing a network's weights (params and buffers) in `precision` costs: their bytes, and the
 * largest |rounded - float32| over them (0 for float32). The network is left as it is.
 */
export function weightRounding(
  network: Pick<LayerNetwork, 'params' | 'buffers'>,
  precision: WeightPrecision,
): { maxError: number; bytes: number } {
  let maxError = 0;
  let count = 0;
  for (const { value } of [...network.params(), ...network.buffers()]) {
    count += value.size;
    if (precision === 'float32') continue;
    const rounded = roundToHalf(value, precision).data;
    const exact = value.data;
    for (let i = 0; i < exact.length; i++) maxError = Math.max(maxError, Math.abs(rounded[i]! - exact[i]!));
  }
  return { maxError, bytes: count * (precision === 'float32' ? 4 : 2) };
}
