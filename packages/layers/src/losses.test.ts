import { describe, expect, it } from 'vitest';
import { oneHot, tensor } from '@dl/tensor';
import { crossEntropyError, meanSquaredError, sumSquaredError } from './losses.js';
import { expectClose, f64, loadCases, named, toTensor } from './testing/fixtures.js';

describe('loss functions (chapter 4)', () => {
  it.each(named(loadCases('functions.json', 'sum_squared_error')))(
    'mean squared error matches the book: %s',
    (_, c) => {
      expectClose(meanSquaredError(f64(c.inputs.y), f64(c.inputs.t)), c.outputs.loss);
    },
  );

  it.each(named(loadCases('functions.json', 'cross_entropy_error')))(
    'cross-entropy error matches the book: %s',
    (_, c) => {
      // Labels as int32, one-hot targets as float64.
      expectClose(crossEntropyError(f64(c.inputs.y), toTensor(c.inputs.t)), c.outputs.loss);
    },
  );

  const y = tensor([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0], 'float64');
  const t = tensor([0, 0, 1, 0, 0, 0, 0, 0, 0, 0], 'float64');

  it("gives the book's numbers (0.0975, 0.5108)", () => {
    expect(meanSquaredError(y, t)).toBeCloseTo(0.0975, 10);
    expect(sumSquaredError).toBe(meanSquaredError);
    expect(crossEntropyError(y, t)).toBeCloseTo(0.510825457099338, 10);
  });

  it('agrees between one-hot and label targets, averages over the batch, and treats 1-D y as a batch of one', () => {
    const batch = tensor(
      [
        [0.1, 0.7, 0.2],
        [0.3, 0.3, 0.4],
      ],
      'float64',
    );
    const labels = tensor([1, 2], 'int32');
    const loss = crossEntropyError(batch, labels);
    expect(crossEntropyError(batch, oneHot(labels, 3, 'float64'))).toBeCloseTo(loss, 15);
    expect(loss).toBeCloseTo(-(Math.log(0.7 + 1e-7) + Math.log(0.4 + 1e-7)) / 2, 15);
    expect(crossEntropyError(y, tensor([2], 'int32'))).toBeCloseTo(crossEntropyError(y, t), 15);
  });

  it('is finite for a zero probability (1e-7 inside the log)', () => {
    expect(crossEntropyError(tensor([[0, 1]], 'float64'), tensor([0], 'int32'))).toBeCloseTo(
      -Math.log(1e-7),
      10,
    );
  });

  it('names the shapes when targets do not fit', () => {
    expect(() => crossEntropyError(tensor([[0.5, 0.5]], 'float64'), tensor([0, 1, 1], 'int32'))).toThrow(
      /t \[3\] is neither one-hot \(size 2\) nor 1 label\(s\) for y \[1,2\]/,
    );
    expect(() => crossEntropyError(tensor([[0.5, 0.5]], 'float64'), tensor([2], 'int32'))).toThrow(
      /label 2 at row 0/,
    );
    expect(() => meanSquaredError(tensor([1, 2]), tensor([1]))).toThrow(/differ in size/);
  });
});
