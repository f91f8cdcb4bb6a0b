import { readFileSync } from 'node:fs';
import { argmax, fromArray, type Tensor } from '@dl/tensor';
import type { LayerNetwork } from '../networks/layer-network.js';

/**
 * Loads the book-parity fixtures copied into `test/fixtures/` (format: the README of
 * `/work/shared/fixtures/book-parity`): every array is `{ shape, dtype, data }`, flat row-major.
 * Test helper only (excluded from the build).
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

export function loadCases(file: string, kind?: string | RegExp): FixtureCase[] {
  const json = JSON.parse(readFileSync(new URL(`../../test/fixtures/${file}`, import.meta.url), 'utf8')) as {
    cases: FixtureCase[];
  };
  if (kind === undefined) return json.cases;
  return json.cases.filter((c) =>
    typeof kind === 'string' ? c.attrs.kind === kind : kind.test(c.attrs.kind),
  );
}

/** `[name, case]` pairs for `it.each`. */
export function named(cases: FixtureCase[]): [string, FixtureCase][] {
  return cases.map((c) => [c.name, c]);
}

function must(a: FixtureArray | undefined, what: string): FixtureArray {
  if (!a) throw new Error(`fixture: ${what} missing`);
  return a;
}

/** A float64 tensor (labels and masks become float64 too). */
export function f64(a: FixtureArray | undefined): Tensor<'float64'> {
  const v = must(a, 'float array');
  return fromArray(v.data, v.shape, 'float64');
}

/** The tensor in its own kind: float64, int64 labels as int32, bool masks as uint8. */
export function toTensor(a: FixtureArray | undefined): Tensor {
  const v = must(a, 'array');
  if (v.dtype === 'int64') return fromArray(v.data, v.shape, 'int32');
  if (v.dtype === 'bool') return fromArray(v.data, v.shape, 'uint8');
  return fromArray(v.data, v.shape, 'float64');
}

export function scalar(a: FixtureArray | undefined): number {
  const v = must(a, 'scalar');
  if (v.data.length !== 1) throw new Error(`fixture: expected a scalar, got shape [${v.shape.join(',')}]`);
  return v.data[0]!;
}

/** The README's tolerance for ordinary outputs. */
export const OUTPUT_TOL = { rtol: 1e-9, atol: 1e-14 };
/** The README's tolerance for numerical gradients (`numgrad.*`): an absolute term of about 1e-10. */
export const NUMGRAD_TOL = { rtol: 1e-9, atol: 1e-10 };

/** Checks `|actual - expected| <= rtol·|expected| + atol` elementwise, naming the first failing index. */
export function expectClose(
  actual: Tensor | number | ArrayLike<number>,
  expected: FixtureArray | ArrayLike<number> | undefined,
  { rtol, atol }: { rtol: number; atol: number } = OUTPUT_TOL,
  what = '',
): void {
  const a =
    typeof actual === 'number' ? [actual] : 'dtype' in actual && 'shape' in actual ? actual.data : actual;
  const exp = must(expected as FixtureArray | undefined, `expected values ${what}`);
  const e = 'dtype' in exp && 'shape' in exp ? exp.data : (exp as ArrayLike<number>);
  if (a.length !== e.length) throw new Error(`expectClose ${what}: ${a.length} values, expected ${e.length}`);
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (!(Math.abs(x - y) <= rtol * Math.abs(y) + atol)) {
      throw new Error(
        `expectClose ${what}: at ${i}: ${x} vs expected ${y} (diff ${Math.abs(x - y)}, rtol ${rtol}, atol ${atol})`,
      );
    }
  }
}

/** Sets a network's parameters from a fixture's `params` (by book name; shapes must agree). */
export function setParams(net: LayerNetwork, params: Record<string, FixtureArray>): void {
  const names = net.params().map((p) => p.name);
  if (names.length !== Object.keys(params).length) {
    throw new Error(
      `setParams: network has [${names.join(', ')}], fixture [${Object.keys(params).join(', ')}]`,
    );
  }
  for (const [name, a] of Object.entries(params)) {
    const p = net.param(name);
    if (p.value.shape.join(',') !== a.shape.join(',')) {
      throw new Error(`setParams: ${name} is [${p.value.shape.join(',')}], fixture [${a.shape.join(',')}]`);
    }
    p.value.data.set(a.data);
  }
}

/**
 * Labels that the network already rates at least 1/classes likely: its own predictions. The loss's
 * `1e-7` inside the log makes backprop (which ignores it) differ from the numerical gradient by a
 * relative `1e-7 / p_target`, so gradient checks keep target probabilities well above 1e-7.
 */
export function confidentLabels(net: LayerNetwork, x: Tensor<'float64'>): Tensor<'int32'> {
  return argmax(net.predict(x, { train: false }), { axis: 1 });
}

/** Root mean square of the values (the empirical std of zero-mean weights). */
export function rms(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]! * values[i]!;
  return Math.sqrt(s / values.length);
}
