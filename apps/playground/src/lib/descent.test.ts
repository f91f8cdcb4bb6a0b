import { gradientDescent } from '@dl/gradcheck';
import { fromArray, type Tensor } from '@dl/tensor';
import { describe, expect, it } from 'vitest';
import { descentOutcome, gridPoints, LR_SLIDER, lrFromSlider, sliderFromLr } from './descent.js';

const function2 = (x: Tensor<'float64'>): number => x.data[0]! ** 2 + x.data[1]! ** 2;

function outcome(lr: number): ReturnType<typeof descentOutcome> {
  const init = fromArray([-3, 4], [2], 'float64');
  const { x } = gradientDescent(function2, init, { lr, steps: 100 });
  return descentOutcome(function2(init), function2(x));
}

describe('the learning-rate slider', () => {
  it('spans 1e-4 to 10 on a log scale and round-trips', () => {
    expect(lrFromSlider(LR_SLIDER.min)).toBe(0.0001);
    expect(lrFromSlider(LR_SLIDER.max)).toBe(10);
    for (const lr of [0.0001, 0.001, 0.01, 0.1, 1, 10]) expect(lrFromSlider(sliderFromLr(lr))).toBe(lr);
    expect(sliderFromLr(1e-9)).toBe(LR_SLIDER.min);
    expect(sliderFromLr(1e9)).toBe(LR_SLIDER.max);
  });
});

describe("what gradient descent does on the book's x0² + x1²", () => {
  it('converges at lr = 0.1 (the book)', () => expect(outcome(0.1)).toBe('converges'));
  it('diverges at lr = 10 (the book’s "too large")', () => expect(outcome(10)).toBe('diverges'));
  it('stalls at lr = 1e-4 (too small for 100 steps)', () => expect(outcome(1e-4)).toBe('stalls'));
  it('stalls at lr = 1, where every step jumps to the mirror point', () => expect(outcome(1)).toBe('stalls'));
  it('counts an overflow as divergence', () => expect(descentOutcome(25, Infinity)).toBe('diverges'));
});

describe('gridPoints', () => {
  it('gives the cell centres of an n × n grid', () => {
    expect(gridPoints(0, 2, 2)).toEqual([
      [0.5, 0.5],
      [0.5, 1.5],
      [1.5, 0.5],
      [1.5, 1.5],
    ]);
  });
});
