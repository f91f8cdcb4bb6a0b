import { Rng, Tensor } from '@dl/tensor';
import { describe, expect, it } from 'vitest';
import { IdxFormatError, MnistDataError } from './errors.js';
import { IDX_TYPES, readIdx, writeIdx, type IdxArrayOf, type IdxDType } from './idx.js';

const rng = new Rng(20240611);

/** Seeded values spanning each type's range, signs and (for floats) fractions. */
function randomArray<D extends IdxDType>(dtype: D, size: number): IdxArrayOf<D> {
  const pick = (): number => {
    switch (dtype) {
      case 'uint8':
        return rng.int(256);
      case 'int8':
        return rng.int(256) - 128;
      case 'int16':
        return rng.int(65536) - 32768;
      case 'int32':
        return rng.nextUint32() | 0;
      default:
        return rng.normal() * 1e3;
    }
  };
  const out = {
    uint8: new Uint8Array(size),
    int8: new Int8Array(size),
    int16: new Int16Array(size),
    int32: new Int32Array(size),
    float32: new Float32Array(size),
    float64: new Float64Array(size),
  }[dtype] as IdxArrayOf<D>;
  for (let i = 0; i < size; i++) out[i] = pick();
  return out;
}

describe('readIdx / writeIdx', () => {
  it('writes the documented header: zero bytes, type code, rank, big-endian lengths, big-endian data', () => {
    const bytes = writeIdx({
      dtype: 'int16',
      shape: [2, 3],
      data: new Int16Array([1, -2, 300, 4, 5, -32768]),
    });
    expect(Array.from(bytes.subarray(0, 12))).toEqual([0, 0, 0x0b, 2, 0, 0, 0, 2, 0, 0, 0, 3]);
    expect(Array.from(bytes.subarray(12, 18))).toEqual([0x00, 0x01, 0xff, 0xfe, 0x01, 0x2c]);
    expect(bytes.length).toBe(12 + 6 * 2);
  });

  it.each(Object.keys(IDX_TYPES) as IdxDType[])('round-trips %s data bit for bit', (dtype) => {
    const shape = [3, 4, 5];
    const data = randomArray(dtype, 60);
    const back = readIdx(writeIdx({ dtype, shape, data }), 'round-trip');
    expect(back.dtype).toBe(dtype);
    expect(back.shape).toEqual(shape);
    expect(back.data.constructor).toBe(data.constructor);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it('reads the magic numbers of MNIST: 0x00000803 images, 0x00000801 labels', () => {
    const images = writeIdx({ dtype: 'uint8', shape: [2, 28, 28], data: randomArray('uint8', 2 * 784) });
    expect(new DataView(images.buffer).getUint32(0)).toBe(0x803);
    const labels = writeIdx({ dtype: 'uint8', shape: [2], data: new Uint8Array([5, 0]) });
    expect(new DataView(labels.buffer).getUint32(0)).toBe(0x801);
    const parsed = readIdx(labels);
    expect(parsed.dtype).toBe('uint8');
    expect(Array.from(parsed.data)).toEqual([5, 0]);
  });

  it('returns 1-byte data as a view over the input (no copy), other types as copies', () => {
    const bytes = writeIdx({ dtype: 'uint8', shape: [4], data: new Uint8Array([9, 8, 7, 6]) });
    const view = readIdx(bytes);
    bytes[8] = 42;
    expect(view.data[0]).toBe(42);
    expect(view.data).not.toBeInstanceOf(Buffer);
    const ints = writeIdx({ dtype: 'int32', shape: [1], data: new Int32Array([7]) });
    const copy = readIdx(ints);
    ints[11] = 1;
    expect(copy.data[0]).toBe(7);
  });

  it('reads at any byte offset (a Buffer sliced out of a larger one)', () => {
    const inner = writeIdx({ dtype: 'float32', shape: [3], data: new Float32Array([1.5, -2.25, 3]) });
    const outer = new Uint8Array(inner.length + 3);
    outer.set(inner, 3);
    const parsed = readIdx(outer.subarray(3));
    expect(Array.from(parsed.data)).toEqual([1.5, -2.25, 3]);
  });

  it('accepts a @dl/tensor tensor and an empty array', () => {
    const t = new Tensor(randomArray('float32', 6), [2, 3]);
    const parsed = readIdx(writeIdx(t));
    expect(parsed.shape).toEqual([2, 3]);
    expect(Array.from(parsed.data)).toEqual(Array.from(t.data));
    expect(readIdx(writeIdx({ dtype: 'uint8', shape: [0, 28, 28], data: new Uint8Array(0) })).shape).toEqual([
      0, 28, 28,
    ]);
  });

  describe('errors name the file and say what was expected and found', () => {
    const good = writeIdx({ dtype: 'uint8', shape: [2, 3], data: new Uint8Array([1, 2, 3, 4, 5, 6]) });
    const fail = (bytes: Uint8Array): IdxFormatError => {
      try {
        readIdx(bytes, 'data/x.idx');
      } catch (e) {
        expect(e).toBeInstanceOf(IdxFormatError);
        expect(e).toBeInstanceOf(MnistDataError);
        expect((e as IdxFormatError).file).toBe('data/x.idx');
        expect((e as Error).message).toContain('data/x.idx');
        return e as IdxFormatError;
      }
      throw new Error('expected readIdx to throw');
    };

    it('wrong magic number', () => {
      const bytes = good.slice();
      bytes[0] = 0x12;
      const e = fail(bytes);
      expect(e.code).toBe('bad-magic');
      expect(e.message).toMatch(/magic number 0x12000802, expected 0x0000TTNN/);
    });

    it('gzip bytes given as IDX: says so', () => {
      const e = fail(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]));
      expect(e.code).toBe('bad-magic');
      expect(e.message).toMatch(/gzip/);
    });

    it('unknown type code', () => {
      const bytes = good.slice();
      bytes[2] = 0x0a;
      const e = fail(bytes);
      expect(e.code).toBe('bad-type');
      expect(e.message).toMatch(/unknown IDX type code 0x0a/);
    });

    it('shorter than a magic number', () => {
      expect(fail(new Uint8Array([0, 0])).code).toBe('truncated');
    });

    it('truncated header', () => {
      const e = fail(good.subarray(0, 9));
      expect(e.code).toBe('truncated');
      expect(e.message).toMatch(/rank 2 needs 12 header bytes, file has 9/);
    });

    it('truncated data', () => {
      const e = fail(good.subarray(0, good.length - 1));
      expect(e.code).toBe('truncated');
      expect(e.message).toMatch(/header says uint8 \[2,3\], expected 18 bytes, file has 17/);
    });

    it('trailing bytes', () => {
      const longer = new Uint8Array(good.length + 5);
      longer.set(good);
      const e = fail(longer);
      expect(e.code).toBe('trailing-bytes');
      expect(e.message).toMatch(/expected 18 bytes, file has 23/);
    });
  });

  it('writeIdx rejects data that does not fit its shape or dtype', () => {
    expect(() => writeIdx({ dtype: 'uint8', shape: [2, 2], data: new Uint8Array(3) })).toThrow(
      /needs 4 elements, data has 3/,
    );
    expect(() =>
      writeIdx({ dtype: 'int16', shape: [2], data: new Int32Array(2) as unknown as Int16Array }),
    ).toThrow(/needs its data in a Int16Array, got Int32Array/);
    expect(() => writeIdx({ dtype: 'uint8', shape: [-1], data: new Uint8Array(0) })).toThrow(
      /not an integer/,
    );
  });
});
