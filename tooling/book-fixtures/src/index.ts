import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/**
 * The one loader of the book-parity fixtures (`data/README.md` is their contract): every package's
 * parity tests read their cases through it. Test code only: no published package depends on it.
 *
 * Where the files come from: `DL_BOOK_FIXTURES`, a list of directories separated like `PATH`
 * (`:`; `;` on Windows), relative ones resolved from the working directory. Unset, it is the
 * canonical set (`data/`) followed by the committed variants (`variants/`), so every parity test also
 * runs on cases with other `attrs`, counts and shapes than the canonical ones.
 */
export const FIXTURES_ENV = 'DL_BOOK_FIXTURES';

/** The canonical files, computed by the book's own code (see `data/README.md`). */
export const CANONICAL_DIR = fileURLToPath(new URL('../data/', import.meta.url));
/** Files of the same format with other `attrs`, made by `scripts/make_variants.py` from the book's code. */
export const VARIANTS_DIR = fileURLToPath(new URL('../variants/', import.meta.url));

/** One array: `data` is the flat row-major list; a scalar has `shape: []` and one value. */
export interface FixtureArray {
  shape: number[];
  dtype: 'float64' | 'int64' | 'bool';
  data: number[];
}

/** One case: build it from `inputs`, `params` and `attrs`, run it, compare with `outputs`. */
export interface FixtureCase {
  /** The case's name; cases from a directory other than the first are prefixed `<dir name>/`. */
  name: string;
  inputs: Record<string, FixtureArray>;
  params: Record<string, FixtureArray>;
  /** `kind` names what to run; the rest are the hyper-parameters passed to the book's code. */
  attrs: Record<string, unknown> & { kind: string };
  outputs: Record<string, FixtureArray>;
}

/** The directories `loadCases` reads, in order (see {@link FIXTURES_ENV}). */
export function fixtureDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const value = env[FIXTURES_ENV];
  if (value === undefined || value.trim() === '') return [CANONICAL_DIR, VARIANTS_DIR];
  const dirs = value
    .split(delimiter)
    .filter((d) => d.trim() !== '')
    .map((d) => resolve(d));
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new Error(`book fixtures: ${FIXTURES_ENV} names ${dir}, which is not a directory`);
    }
  }
  return dirs;
}

/**
 * Every case of `file` (e.g. `'batchnorm.json'`; a `.gz` file is gunzipped) in each fixture
 * directory that has it, optionally only those whose `attrs.kind` is `kind` (or matches it).
 * Throws when no directory has the file, or when a file does not follow the format.
 */
export function loadCases(file: string, kind?: string | RegExp, dirs = fixtureDirs()): FixtureCase[] {
  const found = dirs.filter((dir) => existsSync(join(dir, file)));
  if (found.length === 0) {
    throw new Error(`book fixtures: ${file} is in none of ${dirs.join(', ')} (${FIXTURES_ENV})`);
  }
  const cases = found.flatMap((dir) => {
    const prefix = dir === dirs[0] ? '' : `${dirName(dir)}/`;
    return readFixtureFile(join(dir, file)).map((c) => ({ ...c, name: prefix + c.name }));
  });
  if (kind === undefined) return cases;
  return cases.filter((c) => (typeof kind === 'string' ? c.attrs.kind === kind : kind.test(c.attrs.kind)));
}

function dirName(dir: string): string {
  return (
    dir
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop() ?? dir
  );
}

/** The cases of one fixture file, checked against the format of `data/README.md`. */
export function readFixtureFile(path: string): FixtureCase[] {
  const bytes = readFileSync(path);
  const text = path.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`book fixtures: ${path} is not JSON (${(e as Error).message})`);
  }
  const cases = (json as { cases?: unknown }).cases;
  if (!Array.isArray(cases)) throw new Error(`book fixtures: ${path} has no "cases" list`);
  for (const c of cases as FixtureCase[]) checkCase(c, path);
  return cases as FixtureCase[];
}

function checkCase(c: FixtureCase, path: string): void {
  const where = `book fixtures: ${path}, case ${JSON.stringify(c.name)}`;
  if (typeof c.name !== 'string' || typeof c.attrs?.kind !== 'string') {
    throw new Error(`${where}: needs a name and attrs.kind`);
  }
  for (const group of ['inputs', 'params', 'outputs'] as const) {
    if (typeof c[group] !== 'object' || c[group] === null) throw new Error(`${where}: no ${group}`);
    for (const [key, a] of Object.entries(c[group])) {
      const size = Array.isArray(a.shape) ? a.shape.reduce((n, d) => n * d, 1) : NaN;
      if (!Array.isArray(a.data) || a.data.length !== size) {
        throw new Error(
          `${where}: ${group}.${key} has ${a.data?.length} values for shape [${a.shape?.join(',')}]`,
        );
      }
    }
  }
}

/** `[name, case]` pairs for `it.each(...)('... %s', (_, c) => ...)`. */
export function named(cases: FixtureCase[]): [string, FixtureCase][] {
  return cases.map((c) => [c.name, c]);
}

/** The array, or a clear error naming what is missing. */
export function must(a: FixtureArray | undefined, what = 'array'): FixtureArray {
  if (!a) throw new Error(`book fixtures: ${what} missing`);
  return a;
}

/** The single value of a scalar array. */
export function scalar(a: FixtureArray | undefined, what = 'scalar'): number {
  const v = must(a, what);
  if (v.data.length !== 1)
    throw new Error(`book fixtures: ${what}: expected a scalar, got [${v.shape.join(',')}]`);
  return v.data[0]!;
}

/**
 * A numeric `attrs` field; `fallback` where the README gives a default for a missing field (BatchNorm's
 * momentum 0.9), otherwise a clear error naming the case and the field.
 */
export function numberAttr(c: FixtureCase, key: string, fallback?: number): number {
  const v = c.attrs[key] ?? fallback;
  if (typeof v !== 'number') throw new Error(`book fixtures: case ${c.name}: attrs.${key} is not a number`);
  return v;
}

/** `|actual - expected| <= rtol·|expected| + atol`, element by element. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/** The README's tolerance for ordinary outputs (forward values, losses, backprop gradients, steps). */
export const OUTPUT_TOL: Tolerance = { rtol: 1e-9, atol: 1e-14 };
/** The README's tolerance for numerical gradients (`numgrad.*`): an absolute term of about 1e-10. */
export const NUMGRAD_TOL: Tolerance = { rtol: 1e-9, atol: 1e-10 };
/** The README's tolerance for `gradient_check` `diff.*` (averages of near-cancelling differences). */
export const DIFF_TOL: Tolerance = { rtol: 1e-3, atol: 0 };

type Values = ArrayLike<number> | { readonly data: ArrayLike<number> } | number;

function valuesOf(v: Values): ArrayLike<number> {
  if (typeof v === 'number') return [v];
  return 'data' in v && typeof v.data === 'object' ? v.data : (v as ArrayLike<number>);
}

/**
 * Checks `|actual - expected| <= rtol·|expected| + atol` element by element (a tensor, a fixture
 * array, a list or a number on either side) and throws naming `what` and the first failing index.
 */
export function expectClose(
  actual: Values,
  expected: FixtureArray | Values | undefined,
  { rtol, atol }: Tolerance = OUTPUT_TOL,
  what = '',
): void {
  if (expected === undefined) throw new Error(`expectClose ${what}: expected values missing`);
  const a = valuesOf(actual);
  const e = valuesOf(expected);
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
