import { describe, expect, it } from 'vitest';
import { AND, NAND, OR, Perceptron, XOR } from './perceptron.js';

const inputs = [
  [0, 0],
  [1, 0],
  [0, 1],
  [1, 1],
] as const;

describe('perceptron gates (chapter 2)', () => {
  it.each([
    ['AND', AND, [0, 0, 0, 1]],
    ['NAND', NAND, [1, 1, 1, 0]],
    ['OR', OR, [0, 1, 1, 1]],
    ['XOR', XOR, [0, 1, 1, 0]],
  ] as const)('%s has the truth table of the book', (_, gate, table) => {
    expect(inputs.map(([a, b]) => gate(a, b))).toEqual(table);
  });

  it('is one perceptron with the book weights and biases', () => {
    const and = new Perceptron([0.5, 0.5], -0.7);
    expect(inputs.map((x) => and.output(x))).toEqual([0, 0, 0, 1]);
    // Same perceptron, new parameters: OR, then NAND.
    and.bias = -0.2;
    expect(inputs.map((x) => and.output(x))).toEqual([0, 1, 1, 1]);
    and.weights = [-0.5, -0.5];
    and.bias = 0.7;
    expect(inputs.map((x) => and.output(x))).toEqual([1, 1, 1, 0]);
  });

  it('outputs 0 when w·x + b is exactly 0', () => {
    expect(new Perceptron([1, 1], -1).output([1, 0])).toBe(0);
  });

  it('rejects inputs of the wrong length', () => {
    expect(() => new Perceptron([1, 1], 0).output([1])).toThrow('Perceptron: 1 inputs for 2 weights');
  });
});
