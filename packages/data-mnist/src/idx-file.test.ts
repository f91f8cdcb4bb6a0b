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

  it('stops inflating a .gz file as soon as it passes the size its IDX header declares', () => {
    // The header declares uint8 [10, 10]: 12 + 100 bytes. The stream holds 100 000 elements; the
    // limit is what matters, not the size (a real bomb inflates to gigabytes the same way).
    const declared = writeIdx({ dtype: 'uint8', shape: [10, 10], data: new Uint8Array(100) });
    const inflated = new Uint8Array(12 + 100_000);
    inflated.set(declared.subarray(0, 12));
    const path = join(dir, 'bomb-idx2-ubyte.gz');
    writeFileSync(path, gzipSync(inflated));
    const e = errorOf(() => readIdxFile(path));
    expect(e.code).toBe('trailing-bytes');
    expect(e.file).toBe(path);
    expect(e.message).toBe(
      `${path}: IDX file longer than its header says: the header declares 112 bytes, the gzip stream inflates to more (stopped there)`,
    );
    // Stopped by the limit while inflating, not measured after.
    expect((e.cause as { code?: string }).code).toBe('ERR_BUFFER_TOO_LARGE');
    // Exactly the declared size still reads; one byte short is truncated, as for a plain file.
    writeFileSync(path, gzipSync(inflated.subarray(0, 112)));
    expect(readIdxFile(path).shape).toEqual([10, 10]);
    writeFileSync(path, gzipSync(inflated.subarray(0, 111)));
    expect(errorOf(() => readIdxFile(path)).code).toBe('truncated');
  });

  it('reads the header of a .gz file whose first bytes inflate to less than the header (stored blocks)', () => {
    // Rank 30: a 124-byte header, more than the first inflated prefix of a stored (level 0) stream gives.
    const shape = [...new Array<number>(29).fill(1), 300];
    const rng = new Rng(3);
    const pixels = Uint8Array.from({ length: 300 }, () => rng.int(256));
    const path = join(dir, 'deep-idx30-ubyte.gz');
    writeFileSync(path, gzipSync(writeIdx({ dtype: 'uint8', shape, data: pixels }), { level: 0 }));
    const back = readIdxFile(path);
    expect(back.shape).toEqual(shape);
    expect(Array.from(back.data)).toEqual(Array.from(pixels));
  });

  it('refuses a .gz IDX header declaring more bytes than a buffer holds, before inflating', () => {
    const header = new Uint8Array(12);
    const view = new DataView(header.buffer);
    view.setUint32(0, 0x0000_0d02); // float32, rank 2
    view.setUint32(4, 0xffff_ffff);
    view.setUint32(8, 0xffff_ffff);
    const path = join(dir, 'huge-idx2-float.gz');
    writeFileSync(path, gzipSync(header));
    const e = errorOf(() => readIdxFile(path));
    expect(e.code).toBe('bad-shape');
    expect(e.message).toMatch(
      /huge-idx2-float\.gz: the IDX header declares \d+ bytes, more than one buffer can hold/,
    );
  });
});
