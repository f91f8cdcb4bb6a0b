import { describe, expect, it } from 'vitest';
import { findDuplicateKey } from './json-duplicates.js';
import { readSafetensors } from './safetensors.js';
import { SafetensorsError } from './safetensors-types.js';

/** A hand-made file: header text (or a value to JSON-encode), then `data` bytes. */
function file(header: unknown, data: readonly number[] = [], headerLength?: bigint): Uint8Array {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (begin: number, end: number, shape = [(end - begin) / 4]) => ({
  dtype: 'F32',
  shape,
  data_offsets: [begin, end],
});
const u8 = (begin: number, end: number) => ({
  dtype: 'U8',
  shape: [end - begin],
  data_offsets: [begin, end],
});
const DATA8 = [1, 2, 3, 4, 5, 6, 7, 8];

function rejects(bytes: Uint8Array, message: RegExp): void {
  expect(() => readSafetensors(bytes)).toThrow(SafetensorsError);
  expect(() => readSafetensors(bytes)).toThrow(message);
}

describe('readSafetensors rejects malformed files', () => {
  it.each<[string, Uint8Array, RegExp]>([
    ['fewer than 8 bytes', new Uint8Array([1, 0, 0]), /3 bytes, fewer than the 8-byte header length/],
    [
      'a header length past the end',
      file('{}', [], 1000n),
      /header length 1000 runs past the end of the file \(2 bytes/,
    ],
    ['a header length of 2^63', file('{}', [], 2n ** 63n), /runs past the end of the file/],
    ['a header that is not UTF-8', file('', [0x7b, 0xff, 0x7d], 3n), /not valid UTF-8/],
    ['a header that is not JSON', file('{"a":'), /not valid JSON/],
    ['a header that is an array', file('[]'), /must be a JSON object, got an array/],
    ['a header that is null', file('null'), /must be a JSON object, got null/],
    ['an entry that is not an object', file({ a: 3 }), /tensor 'a' must be an object/],
    [
      'an unknown dtype',
      file({ a: { ...f32(0, 8), dtype: 'I64' } }, DATA8),
      /'a': unknown dtype 'I64' \(supported: F32,/,
    ],
    [
      'a dtype that is not a string',
      file({ a: { ...f32(0, 4), dtype: 4 } }, DATA8),
      /dtype must be a string/,
    ],
    [
      'a negative length',
      file({ a: f32(0, 4, [-1]) }, DATA8),
      /'a': shape must be an array of integers >= 0/,
    ],
    ['a fractional length', file({ a: f32(0, 4, [1.5]) }, DATA8), /shape must be an array of integers/],
    ['a missing shape', file({ a: { dtype: 'F32', data_offsets: [0, 4] } }, DATA8), /shape must be an array/],
    [
      'one offset',
      file({ a: { ...f32(0, 4), data_offsets: [0] } }, DATA8),
      /data_offsets must be \[begin, end\]/,
    ],
    [
      'offsets that end before they begin',
      file({ a: { ...f32(0, 4), data_offsets: [4, 0] } }, DATA8),
      /\[4, 0\] end before/,
    ],
    [
      'a shape that does not match the offsets',
      file({ a: f32(0, 8, [3]) }, DATA8),
      /shape \[3\] of F32 needs 12 bytes, data_offsets \[0, 8\] hold 8/,
    ],
    ['a huge shape', file({ a: f32(0, 8, [2 ** 40, 2 ** 40]) }, DATA8), /needs more than 2\^53 bytes/],
    [
      'offsets past the data',
      file({ a: f32(0, 12) }, DATA8),
      /'a': data_offsets \[0, 12\] run past the data section \(8 bytes\)/,
    ],
    ['overlapping tensors', file({ a: f32(0, 4), b: u8(2, 8) }, DATA8), /tensors 'a' and 'b' overlap/],
    [
      'a hole between tensors',
      file({ a: f32(0, 4), b: u8(6, 8) }, DATA8),
      /bytes 4\.\.6 of the data section belong to no tensor/,
    ],
    ['a hole at the start', file({ b: u8(2, 8) }, DATA8), /bytes 0\.\.2 of the data section/],
    [
      'bytes after the last tensor',
      file({ a: f32(0, 4) }, DATA8),
      /bytes 4\.\.8 at the end of the data section/,
    ],
    [
      'metadata that is not an object',
      file({ __metadata__: 'x' }),
      /__metadata__ must be an object of strings, got string/,
    ],
    [
      'a metadata value that is not a string',
      file({ __metadata__: { n: 3 } }),
      /__metadata__\['n'\] must be a string, got number \(JSON-encode/,
    ],
    [
      'a duplicate tensor name',
      file(`{"a":${JSON.stringify(f32(0, 4))},"a":${JSON.stringify(f32(4, 8))}}`, DATA8),
      /names 'a' twice/,
    ],
    ['a duplicate metadata key', file('{"__metadata__":{"k":"1","k":"2"}}'), /names 'k' twice/],
  ])('%s', (_, bytes, message) => rejects(bytes, message));

  it('names the file, and keeps it on the error', () => {
    const err = (() => {
      try {
        readSafetensors(file('[]'), { file: 'runs/last.safetensors' });
      } catch (e) {
        return e as SafetensorsError;
      }
      throw new Error('no error');
    })();
    expect(err.name).toBe('SafetensorsError');
    expect(err.file).toBe('runs/last.safetensors');
    expect(err.message).toMatch(/^safetensors \(runs\/last\.safetensors\): the header must be a JSON object/);
  });

  it('accepts what the reference reader accepts: null metadata, an unpadded header, no tensors', () => {
    expect(readSafetensors(file({ __metadata__: null }))).toEqual({ tensors: new Map(), metadata: {} });
    const unpadded = file({ a: u8(0, 3) }, [9, 8, 7]);
    expect((8 + JSON.stringify({ a: u8(0, 3) }).length) % 8).not.toBe(0);
    expect([...readSafetensors(unpadded).tensors.get('a')!.data]).toEqual([9, 8, 7]);
  });
});

describe('findDuplicateKey', () => {
  it.each<[string, string | undefined]>([
    ['{"a":1,"b":{"a":2}}', undefined],
    ['{"a":{"x":1},"b":{"x":2}}', undefined],
    ['{"a":[{"k":1},{"k":2}]}', undefined],
    ['{"a":"{\\"a\\":1,","b":1}', undefined],
    ['{"a":1,"b":{"c":1,"c":2}}', 'c'],
    ['{"q\\"x":1,"q\\u0022x":2}', 'q"x'],
    ['{"x":[1,{"y":1,"y":1}]}', 'y'],
  ])('%s -> %s', (json, duplicate) => {
    JSON.parse(json); // valid JSON, as the reader guarantees first
    expect(findDuplicateKey(json)).toBe(duplicate);
  });
});
