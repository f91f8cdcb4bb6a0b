import { readFileSync } from 'node:fs';
import { fromArray, type Tensor } from '@dl/tensor';

/**
 * Loads the book-parity fixtures in `test/fixtures/` (see the README of `/work/shared/fixtures/book-parity`):
 * every array is `{ shape, dtype, data }` with flat row-major data. Test helper only (not built).
 */
export interface FixtureArray {
  shape: number[];
  dtype: 'float64' | 'int64' | 'bool';
  data: number[];
}

export interface FixtureCase {
  name: string;
  inputs: Record<string, FixtureArray>;
  params: Record<string, FixtureArray>;
  attrs: Record<string, unknown> & { kind: string };
  outputs: Record<string, FixtureArray>;
}

export function loadCases(file: string): FixtureCase[] {
  const json = JSON.parse(readFileSync(new URL(`../../test/fixtures/${file}`, import.meta.url), 'utf8')) as {
    cases: FixtureCase[];
  };
  return json.cases;
}

/** A float64 tensor of a fixture array (labels and masks too). */
export function f64(a: FixtureArray | undefined): Tensor<'float64'> {
  if (!a) throw new Error('fixture array missing');
  return fromArray(a.data, a.shape, 'float64');
}

/** The single value of a scalar fixture array. */
export function scalar(a: FixtureArray | undefined): number {
  if (!a || a.data.length !== 1) throw new Error('fixture scalar missing');
  return a.data[0]!;
}

/** Checks `|actual - expected| <= rtol * |expected| + atol` elementwise; names the first failing index. */
export function expectClose(
  actual: Tensor | ArrayLike<number>,
  expected: FixtureArray | ArrayLike<number>,
  { rtol = 1e-9, atol = 1e-14 }: { rtol?: number; atol?: number } = {},
): void {
  const a = 'shape' in actual && 'dtype' in actual ? actual.data : actual;
  const e = 'dtype' in expected && 'shape' in expected ? expected.data : expected;
  if (a.length !== e.length) throw new Error(`expectClose: ${a.length} values, expected ${e.length}`);
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (!(Math.abs(x - y) <= rtol * Math.abs(y) + atol)) {
      throw new Error(
        `expectClose: at ${i}: ${x} vs expected ${y} (diff ${Math.abs(x - y)}, rtol ${rtol}, atol ${atol})`,
      );
    }
  }
}
