import { readFileSync } from 'node:fs';
import { fromArray, type Tensor } from '@dl/tensor';
import { expect } from 'vitest';

/** One array of a book-parity fixture (see /work/shared/fixtures/book-parity/README.md). */
export interface FixtureArray {
  shape: number[];
  dtype: 'float64' | 'int64' | 'bool';
  data: number[];
}

export interface FixtureCase {
  name: string;
  inputs: Record<string, FixtureArray>;
  params: Record<string, FixtureArray>;
  attrs: { kind: string; optimizer: string; hyper: Record<string, number>; steps: number; keys: string[] };
  outputs: Record<string, FixtureArray>;
}

export function loadFixture(file: string): FixtureCase[] {
  const text = readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8');
  return (JSON.parse(text) as { cases: FixtureCase[] }).cases;
}

export function toTensor(a: FixtureArray): Tensor<'float64'> {
  return fromArray(a.data, a.shape, 'float64');
}

/** The README's tolerance for ordinary outputs: |a - b| <= rel |b| + abs, element by element. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rel = 1e-9,
  abs = 1e-14,
): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (!(Math.abs(a - b) <= rel * Math.abs(b) + abs)) {
      expect.fail(`element ${i}: ${a} differs from ${b} by ${Math.abs(a - b)} (rel ${rel}, abs ${abs})`);
    }
  }
}
