import { describe, expect, it } from 'vitest';
import { fromArray, roundToFloat16, Rng, randn } from '@dl/tensor';
import { TwoLayerNet } from '../networks/two-layer-net.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { withWeightPrecision } from './reduced-precision.js';

describe('withWeightPrecision', () => {
  it('rounds every weight for the call and restores the exact values afterwards (also on throw)', () => {
    const net = new TwoLayerNet(6, 5, 3, { rng: new Rng(1), weightInitStd: 0.3 });
    const before = net.params().map((p) => Float32Array.from(p.value.data));
    const seen = withWeightPrecision(net, 'float16', () =>
      net.params().map((p) => Float32Array.from(p.value.data)),
    );
    net.params().forEach((p, i) => {
      expect(seen[i]).toEqual(roundToFloat16(fromArray(before[i]!, p.value.shape)).data);
      expect(p.value.data).toEqual(before[i]);
    });
    expect(() =>
      withWeightPrecision(net, 'bfloat16', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    net.params().forEach((p, i) => expect(p.value.data).toEqual(before[i]));
  });

  it('changes predictions by about the rounding error, and rounds float64 weights to float32 too', () => {
    const rng = new Rng(2);
    const net = new TwoLayerNet(6, 5, 3, { rng, weightInitStd: 0.5, dtype: 'float64' });
    const x = randn([4, 6], rng, { dtype: 'float64' });
    const exact = net.predict(x);
    for (const [precision, tol] of [
      ['float32', 1e-6],
      ['float16', 1e-2],
      ['bfloat16', 5e-2],
    ] as const) {
      const y = withWeightPrecision(net, precision, () => net.predict(x));
      const diff = Math.max(...y.data.map((v, i) => Math.abs(v - exact.data[i]!)));
      expect(diff, precision).toBeGreaterThan(0);
      expect(diff, precision).toBeLessThan(tol);
    }
  });

  it('rounds buffers (BatchNorm running statistics) as well', () => {
    const bn = new BatchNormalization(fromArray([1, 1], [2]), fromArray([0, 0], [2]));
    bn.forward(fromArray([0.1, 0.2, 0.3, 0.7], [2, 2]), { train: true });
    const model = { params: () => bn.params(), buffers: () => bn.buffers() };
    const mean = bn.buffers()[0]!.value;
    const exact = Float32Array.from(mean.data);
    const inside = withWeightPrecision(model, 'float16', () => Float32Array.from(mean.data));
    expect(inside).toEqual(roundToFloat16(fromArray(exact, [2])).data);
    expect(inside).not.toEqual(exact);
    expect(mean.data).toEqual(exact);
  });
});
