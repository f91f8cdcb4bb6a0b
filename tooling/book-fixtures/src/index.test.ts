import { mkdirSync, mkdtempSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CANONICAL_DIR,
  FIXTURES_ENV,
  VARIANTS_DIR,
  expectClose,
  fixtureDirs,
  loadCases,
  numberAttr,
  readFixtureFile,
  scalar,
  type FixtureCase,
} from './index.js';

const tmp = mkdtempSync(join(tmpdir(), 'dl-book-fixtures-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const arr = (data: number[], shape = [data.length]) => ({ shape, dtype: 'float64' as const, data });
function writeFixture(dir: string, file: string, cases: unknown[], gzip = false): void {
  const text = JSON.stringify({ source: 'test', topic: 'test', cases });
  writeFileSync(join(dir, file), gzip ? gzipSync(text) : text);
}

describe('the fixture directories', () => {
  it('default to the canonical set, then the committed variants', () => {
    expect(fixtureDirs({})).toEqual([CANONICAL_DIR, VARIANTS_DIR]);
    expect(fixtureDirs({ [FIXTURES_ENV]: ' ' })).toEqual([CANONICAL_DIR, VARIANTS_DIR]);
  });

  it(`come from ${FIXTURES_ENV}, a PATH-like list; a missing directory is an error`, () => {
    expect(fixtureDirs({ [FIXTURES_ENV]: [tmp, VARIANTS_DIR].join(delimiter) })).toEqual([
      tmp,
      VARIANTS_DIR.replace(/[\\/]$/, ''),
    ]);
    expect(() => fixtureDirs({ [FIXTURES_ENV]: join(tmp, 'nope') })).toThrow(
      /DL_BOOK_FIXTURES names .*nope, which is not a directory/,
    );
  });
});

describe('loadCases', () => {
  const dirA = join(tmp, 'a');
  const dirB = join(tmp, 'b');
  it('reads every directory that has the file, naming cases from later ones by their directory', () => {
    for (const dir of [dirA, dirB]) mkdirSync(dir);
    const one = { name: 'one', inputs: { x: arr([1, 2]) }, params: {}, attrs: { kind: 'k1' }, outputs: {} };
    const two = { ...one, name: 'two', attrs: { kind: 'k2', momentum: 0.5 } };
    writeFixture(dirA, 't.json', [one]);
    writeFixture(dirB, 't.json', [two, one]);
    writeFixture(dirB, 'g.json.gz', [two], true);
    expect(loadCases('t.json', undefined, [dirA, dirB]).map((c) => c.name)).toEqual([
      'one',
      `${dirB.split(/[\\/]/).pop()}/two`,
      `${dirB.split(/[\\/]/).pop()}/one`,
    ]);
    expect(loadCases('t.json', 'k2', [dirA, dirB])).toHaveLength(1);
    expect(loadCases('t.json', /^k/, [dirA, dirB])).toHaveLength(3);
    expect(loadCases('g.json.gz', undefined, [dirA, dirB])[0]!.attrs.momentum).toBe(0.5);
    expect(() => loadCases('none.json', undefined, [dirA, dirB])).toThrow(/none.json is in none of/);
  });

  it('rejects a file that does not follow the format, naming the file, the case and the array', () => {
    const bad = {
      name: 'bad',
      inputs: { x: arr([1, 2, 3], [2, 2]) },
      params: {},
      attrs: { kind: 'k' },
      outputs: {},
    };
    writeFixture(tmp, 'bad.json', [bad]);
    expect(() => readFixtureFile(join(tmp, 'bad.json'))).toThrow(
      /bad.json, case "bad": inputs.x has 3 values for shape \[2,2\]/,
    );
    writeFileSync(join(tmp, 'nocases.json'), '{"source": "x"}');
    expect(() => readFixtureFile(join(tmp, 'nocases.json'))).toThrow(/has no "cases" list/);
  });
});

describe('the committed files', () => {
  const canonical = readdirSync(CANONICAL_DIR).filter((f) => /\.json(\.gz)?$/.test(f));
  const variants = readdirSync(VARIANTS_DIR).filter((f) => f.endsWith('.json'));

  it('have a variant file for every canonical topic but DeepConvNet (its one case is ~3 MB)', () => {
    expect(variants.sort()).toEqual(canonical.filter((f) => f !== 'deep_convnet.json.gz').sort());
  });

  it.each(variants)('%s parses, and its cases differ from the canonical ones', (file) => {
    const theirs = readFixtureFile(join(VARIANTS_DIR, file));
    const ours = readFixtureFile(join(CANONICAL_DIR, file));
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.length).not.toBe(ours.length); // another count of cases
    const names = new Set(ours.map((c) => c.name));
    for (const c of theirs) expect(names.has(c.name), c.name).toBe(false);
  });

  // The values the parity tests used to take from memory: the variants must contradict them.
  it('vary what tests were tempted to hard-code', () => {
    const bn = readFixtureFile(join(VARIANTS_DIR, 'batchnorm.json'));
    const momenta = bn.filter((c) => 'momentum' in c.attrs).map((c) => numberAttr(c, 'momentum'));
    expect(momenta.some((m) => m !== 0.9)).toBe(true);
    expect(bn.some((c) => !('momentum' in c.attrs))).toBe(true); // the README's default applies
    const steps = bn.filter((c) => 'train_steps' in c.attrs).map((c) => numberAttr(c, 'train_steps'));
    expect(steps.some((s) => s !== 3)).toBe(true);
    const opt = readFixtureFile(join(VARIANTS_DIR, 'optimizers.json'));
    expect(opt.some((c) => numberAttr(c, 'steps') !== 3)).toBe(true);
    expect(opt.some((c) => (c.attrs.keys as string[]).join() !== 'W,b')).toBe(true);
    const kinds = (cases: FixtureCase[], kind: string) => cases.filter((c) => c.attrs.kind === kind).length;
    const im = readFixtureFile(join(VARIANTS_DIR, 'im2col.json'));
    expect([kinds(im, 'im2col'), kinds(im, 'col2im')]).not.toEqual([5, 5]);
    const layers = readFixtureFile(join(VARIANTS_DIR, 'layers.json'));
    for (const kind of ['buy_apple', 'MulLayer']) expect(kinds(layers, kind)).toBeGreaterThan(1);
  });
});

describe('helpers', () => {
  it('expectClose applies |a - b| <= rtol·|b| + atol and names the first failure', () => {
    expect(() => expectClose([1, 2 + 1e-12], arr([1, 2]))).not.toThrow();
    expect(() => expectClose([1, 2.001], arr([1, 2]), undefined, 'out')).toThrow(
      /expectClose out: at 1: 2.001/,
    );
    expect(() => expectClose({ data: [1] }, [1, 2])).toThrow(/1 values, expected 2/);
    expect(() => expectClose(3, undefined, undefined, 'loss')).toThrow(/loss: expected values missing/);
  });

  it('scalar and numberAttr explain what is missing', () => {
    const c = { name: 'c', inputs: {}, params: {}, attrs: { kind: 'k', lr: 0.1 }, outputs: {} };
    expect(numberAttr(c, 'lr')).toBe(0.1);
    expect(numberAttr(c, 'momentum', 0.9)).toBe(0.9);
    expect(() => numberAttr(c, 'momentum')).toThrow(/case c: attrs.momentum is not a number/);
    expect(scalar(arr([4], []))).toBe(4);
    expect(() => scalar(arr([1, 2]), 'loss')).toThrow(/loss: expected a scalar, got \[2\]/);
  });
});
