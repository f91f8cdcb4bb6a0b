import { buildModel } from '@dl/layers';
import { Rng } from '@dl/tensor';
import { describe, expect, it } from 'vitest';
import { weightRounding } from './weight-rounding.js';

describe('weightRounding', () => {
  const network = buildModel(
    { kind: 'two-layer-net', inputSize: 4, hiddenSize: 3, outputSize: 2, weightInitStd: 1 },
    { rng: new Rng(0) },
  );
  const params = 4 * 3 + 3 + 3 * 2 + 2;

  it('counts 4 bytes a weight in float32, 2 in the 16-bit formats', () => {
    expect(weightRounding(network, 'float32')).toEqual({ maxError: 0, bytes: 4 * params });
    expect(weightRounding(network, 'float16').bytes).toBe(2 * params);
    expect(weightRounding(network, 'bfloat16').bytes).toBe(2 * params);
  });

  it('rounds within half a unit in the last place: 2^-11 relative for float16, 2^-8 for bfloat16', () => {
    const largest = Math.max(...network.params().flatMap((p) => Array.from(p.value.data, Math.abs)));
    const f16 = weightRounding(network, 'float16').maxError;
    const bf16 = weightRounding(network, 'bfloat16').maxError;
    expect(f16).toBeGreaterThan(0);
    expect(f16).toBeLessThanOrEqual(largest * 2 ** -11);
    expect(bf16).toBeGreaterThan(f16);
    expect(bf16).toBeLessThanOrEqual(largest * 2 ** -8);
    // The network keeps its float32 weights.
    expect(weightRounding(network, 'float16').maxError).toBe(f16);
  });
});
