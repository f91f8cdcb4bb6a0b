import { describe, expect, it } from 'vitest';
import { truthTable } from './truth-table.js';

describe('perceptron truth tables shown by the playground', () => {
  it('computes XOR with the two-layer perceptron', () => {
    expect(truthTable('XOR').map((r) => r.y)).toEqual([0, 1, 1, 0]);
  });

  it('computes AND, NAND and OR', () => {
    expect(truthTable('AND').map((r) => r.y)).toEqual([0, 0, 0, 1]);
    expect(truthTable('NAND').map((r) => r.y)).toEqual([1, 1, 1, 0]);
    expect(truthTable('OR').map((r) => r.y)).toEqual([0, 1, 1, 1]);
  });
});
