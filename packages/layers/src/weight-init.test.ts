import { describe, expect, it } from 'vitest';
import { Rng } from '@dl/tensor';
import { weightInitScale } from './weight-init.js';
import { MultiLayerNet } from './networks/multi-layer-net.js';
import { rms } from './testing/fixtures.js';

describe('weight initialisation (chapter 6.2)', () => {
  it('fixed, Xavier and He scales from the fan-in', () => {
    expect(weightInitScale(0.01, 784)).toBe(0.01);
    expect(weightInitScale('xavier', 100)).toBeCloseTo(0.1, 15);
    expect(weightInitScale('sigmoid', 100)).toBe(weightInitScale('xavier', 100));
    expect(weightInitScale('he', 50)).toBeCloseTo(0.2, 15);
    expect(weightInitScale('relu', 50)).toBe(weightInitScale('he', 50));
    expect(() => weightInitScale('he', 0)).toThrow(/fan-in must be a positive integer/);
    expect(() => weightInitScale('lecun' as 'he', 3)).toThrow(/unknown weight init 'lecun'/);
  });

  it.each([
    ['he', (n: number) => Math.sqrt(2 / n)],
    ['xavier', (n: number) => Math.sqrt(1 / n)],
    [0.05, () => 0.05],
  ] as const)('MultiLayerNet draws each W with the %s scale of its own fan-in', (weightInitStd, expected) => {
    const net = new MultiLayerNet({
      inputSize: 400,
      hiddenSizeList: [200, 100],
      outputSize: 10,
      weightInitStd,
      rng: new Rng(8),
    });
    for (const [name, fanIn] of [
      ['W1', 400],
      ['W2', 200],
      ['W3', 100],
    ] as const) {
      const std = rms(net.param(name).value.data);
      expect(std / expected(fanIn), name).toBeGreaterThan(0.95);
      expect(std / expected(fanIn), name).toBeLessThan(1.05);
    }
  });
});
