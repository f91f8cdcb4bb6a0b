import { describe, expect, it } from 'vitest';
import { Rng } from '@dl/tensor';
import type { Convolution } from '../layers/convolution.js';
import type { Pooling } from '../layers/pooling.js';
import { NetworkBuilder } from './network-builder.js';
import { rms } from '../testing/fixtures.js';

describe('NetworkBuilder with convolution and pooling', () => {
  it('infers channels, fan-ins and the flattened size, with custom layer keys', () => {
    const builder = new NetworkBuilder([3, 10, 9], { rng: new Rng(1), dtype: 'float32' })
      .convolution(1, { filterNum: 20, filterSize: [3, 2], pad: 1, stride: 2 }, 'he')
      .pooling(1, 2, { stride: 2, mode: 'average' })
      .convolution(2, { filterNum: 6, filterSize: 1 }, 0.5, 'Mix')
      .affine(3, 4, 'he', 'Head');
    expect(builder.layers().map(([k]) => k)).toEqual(['Conv1', 'Pool1', 'Mix', 'Head']);
    const [conv1, pool, mix] = builder.layers().map(([, l]) => l) as [Convolution, Pooling, Convolution];
    expect(conv1.W.value.shape).toEqual([20, 3, 3, 2]); // out (10+2-3)/2+1 = 5, (9+2-2)/2+1 = 5
    expect(rms(conv1.W.value.data)).toBeCloseTo(Math.sqrt(2 / 18), 1);
    expect([pool.mode, pool.stride]).toEqual(['average', 2]); // 5x5 -> 2x2
    expect(mix.params().map((p) => p.name)).toEqual(['W2', 'b2']);
    expect(builder.outputShape).toEqual([4]);
    expect(builder.layers()[3]![1].params()[0]!.value.shape).toEqual([6 * 2 * 2, 4]);
  });

  it('explains a convolution on flat input', () => {
    const builder = new NetworkBuilder([784], { rng: new Rng(2), dtype: 'float32' });
    expect(() => builder.convolution(1, { filterNum: 4, filterSize: 3 }, 'he')).toThrow(
      /Conv1 needs \[C, H, W\] input per sample, got \[784\]/,
    );
  });
});
