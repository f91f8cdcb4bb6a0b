import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Rng } from '@dl/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { MnistDataError } from './errors.js';
import { writeIdx } from './idx.js';
import { readIdxFile, writeIdxFile } from './idx-file.js';

const dir = mkdtempSync(join(tmpdir(), 'dl-idx-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rng = new Rng(7);
const data = Float64Array.from({ length: 24 }, () => rng.normal());
const array = { dtype: 'float64', shape: [2, 3, 4], data } as const;

function errorOf(f: () => unknown): MnistDataError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MnistDataError);
    return e as MnistDataError;
  }
  throw new Error('expected an error');
}

describe('readIdxFile / writeIdxFile', () => {
  it('round-trips a plain file', () => {
    const path = join(dir, 'a-idx4-double');
    writeIdxFile(path, array);
    const back = readIdxFile(path);
    expect(back.shape).toEqual([2, 3, 4]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it('writes and reads gzip for a .gz path', () => {
    const path = join(dir, 'a-idx4-double.gz');
    writeIdxFile(path, array);
    const back = readIdxFile(path);
    expect(back.dtype).toBe('float64');
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it('decompresses gzip data under a plain name too', () => {
    const path = join(dir, 'gzipped-without-suffix');
    writeFileSync(path, gzipSync(writeIdx(array)));
    expect(Array.from(readIdxFile(path).data)).toEqual(Array.from(data));
  });

  it('missing file: names the path', () => {
    const path = join(dir, 'nope-idx1-ubyte');
    const e = errorOf(() => readIdxFile(path));
    expect(e.code).toBe('missing-file');
    expect(e.file).toBe(path);
    expect(e.message).toContain(path);
    expect(e.message).toContain('ENOENT');
  });

  it('truncated gzip: names the path', () => {
    const path = join(dir, 'truncated.gz');
    const gz = gzipSync(writeIdx(array));
    writeFileSync(path, gz.subarray(0, gz.length - 10));
    const e = errorOf(() => readIdxFile(path));
    expect(e.code).toBe('bad-gzip');
    expect(e.message).toContain(path);
    expect(e.message).toMatch(/corrupt gzip file/);
  });

  it('a .gz file that is not gzip: says what it found', () => {
    const path = join(dir, 'plain-named.gz');
    writeFileSync(path, writeIdx(array));
    const e = errorOf(() => readIdxFile(path));
    expect(e.code).toBe('bad-gzip');
    expect(e.message).toMatch(/expected the gzip magic 1f 8b, found 00 00/);
  });

  it('a damaged IDX file inside a good gzip: the IDX error names the .gz path', () => {
    const path = join(dir, 'short-inside.gz');
    const bytes = writeIdx(array);
    writeFileSync(path, gzipSync(bytes.subarray(0, bytes.length - 8)));
    const e = errorOf(() => readIdxFile(path));
    expect(e.code).toBe('truncated');
    expect(e.file).toBe(path);
  });
});
