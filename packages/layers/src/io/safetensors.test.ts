import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromArray, randint, randn, Rng, Tensor } from '@dl/tensor';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { SafetensorsError, isHalfTensor, type HalfTensor, type StoredTensor } from './safetensors-types.js';

function sample(): Map<string, StoredTensor> {
  const rng = new Rng(7);
  const half: HalfTensor = {
    dtype: 'F16',
    shape: [2, 2],
    data: Uint16Array.from([0x3c00, 0xc100, 0x7bff, 1]),
  };
  const brain: HalfTensor = { dtype: 'BF16', shape: [3], data: Uint16Array.from([0x3fc0, 0xc010, 0x0001]) };
  return new Map<string, StoredTensor>([
    ['W1', randn([3, 5], rng)],
    ['b1', randn([5], rng, { dtype: 'float64' })],
    ['labels', randint([7], rng, -1000, 1000)],
    ['pixels', fromArray([0, 1, 127, 128, 255], [5], 'uint8')],
    ['half', half],
    ['brain', brain],
    ['scalar', fromArray([-0.375], [], 'float64')],
    ['empty', new Tensor(new Float32Array(0), [0, 4])],
  ]);
}

function expectSameTensors(actual: Map<string, StoredTensor>, expected: Map<string, StoredTensor>): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [name, e] of expected) {
    const a = actual.get(name)!;
    expect(a.dtype, name).toBe(e.dtype);
    expect(a.shape, name).toEqual(e.shape);
    expect(a.data, name).toEqual(e.data); // same typed-array class and bits
  }
}

/** The header as JSON text, its declared length, and where the data starts. */
function headerOf(bytes: Uint8Array): { text: string; length: number } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { text: new TextDecoder().decode(bytes.subarray(8, 8 + length)), length };
}

describe('writeSafetensors / readSafetensors', () => {
  it('round-trips every supported dtype, scalars and empty tensors, bit for bit', () => {
    const tensors = sample();
    const bytes = writeSafetensors(tensors, { format: 'dl', note: 'ünïcode' });
    const back = readSafetensors(bytes);
    expectSameTensors(back.tensors, tensors);
    expect(back.metadata).toEqual({ format: 'dl', note: 'ünïcode' });
    const half = back.tensors.get('half')!;
    expect(isHalfTensor(half) && half.data instanceof Uint16Array).toBe(true);
  });

  it('lays the file out as the spec says: u64 length, compact header padded with spaces to 8, data in order', () => {
    const bytes = writeSafetensors(sample(), { format: 'dl' });
    const { text, length } = headerOf(bytes);
    expect(length % 8).toBe(0);
    expect(text.startsWith('{"__metadata__":{"format":"dl"},"W1":{"dtype":"F32","shape":[3,5],')).toBe(true);
    expect(text.trimEnd().endsWith('}')).toBe(true);
    expect(text.slice(text.trimEnd().length)).toMatch(/^ {0,7}$/);
    const header = JSON.parse(text) as Record<string, { dtype: string; data_offsets: number[] }>;
    expect(header.W1!.data_offsets).toEqual([0, 60]);
    expect(header.b1).toMatchObject({ dtype: 'F64', data_offsets: [60, 100] });
    expect(header.empty!.data_offsets[0]).toBe(header.empty!.data_offsets[1]);
    expect(bytes.length).toBe(8 + length + header.empty!.data_offsets[1]!);
    // The data is raw little-endian: W1[0] at the first data byte.
    const w = (sample().get('W1') as Tensor).data[0]!;
    expect(new DataView(bytes.buffer).getFloat32(8 + length, true)).toBe(w);
  });

  it('omits __metadata__ when there is none, keeps integer-like names in the order given', () => {
    const a = fromArray([1, 2], [2]);
    const bytes = writeSafetensors(
      new Map([
        ['b', a],
        ['10', a],
        ['2', a],
      ]),
    );
    const { text } = headerOf(bytes);
    expect(text).not.toContain('__metadata__');
    expect(text.indexOf('"b"')).toBeLessThan(text.indexOf('"10"'));
    expect([...readSafetensors(bytes).tensors.keys()]).toEqual(['b', '10', '2']);
  });

  it('writes tensors that are views into a larger buffer, and reads from a misaligned offset', () => {
    const big = randn([10], new Rng(3), { dtype: 'float64' });
    const view = new Tensor(big.data.subarray(3, 7), [2, 2]);
    const bytes = writeSafetensors({ view });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const back = readSafetensors(shifted.subarray(3)).tensors.get('view') as Tensor;
    expect(back.data).toEqual(big.data.slice(3, 7));
    expect(back.data.buffer).not.toBe(shifted.buffer); // a copy, not an alias of the file
  });

  it('rejects what cannot be written', () => {
    const a = fromArray([1], [1]);
    expect(() => writeSafetensors({ __metadata__: a })).toThrow(/reserved/);
    const bad: HalfTensor = { dtype: 'BF16', shape: [3], data: new Uint16Array(2) };
    expect(() => writeSafetensors({ bad })).toThrow(/'bad': shape \[3\] does not match its 2 elements/);
    const meta = { n: 3 } as unknown as Record<string, string>;
    expect(() => writeSafetensors({ a }, meta)).toThrow(SafetensorsError);
    expect(() => writeSafetensors({ a }, meta)).toThrow(/metadata 'n' must be a string/);
  });
});

describe('the Python layout fixture (fixtures/make_python_layout.py: numpy + json + struct)', () => {
  const fixture = new Uint8Array(
    readFileSync(new URL('./fixtures/python-layout.safetensors', import.meta.url)),
  );
  const { tensors, metadata } = readSafetensors(fixture, { file: 'python-layout.safetensors' });

  it('reads every tensor with its dtype, shape and values', () => {
    expect(metadata).toEqual({ format: 'np', note: 'µ-fixture' });
    const t = (name: string): StoredTensor => tensors.get(name)!;
    expect([...tensors.keys()]).toEqual([
      'double',
      'scalar',
      'bias',
      'empty',
      'weight',
      'labels',
      'brain',
      'half',
      'pixels',
    ]);
    expect(t('double').data).toEqual(Float64Array.from([Math.PI, Math.E, -1 / 3, 1e-300]));
    expect(t('scalar')).toMatchObject({ dtype: 'float64', shape: [] });
    expect(t('scalar').data[0]).toBe(42.5);
    expect(t('bias').data).toEqual(Float32Array.from([0.1, -0.2, 0.3]));
    expect(t('empty')).toMatchObject({ dtype: 'float32', shape: [0, 3], size: 0 });
    expect(t('weight')).toMatchObject({ dtype: 'float32', shape: [2, 3] });
    expect([...t('weight').data]).toEqual([0.5, 0.75, -2.0, 3.25, -1.125, 100.0]);
    expect([...t('labels').data]).toEqual([3, -1, 2 ** 31 - 1, -(2 ** 31)]);
    expect(t('brain')).toEqual({ dtype: 'BF16', shape: [2], data: Uint16Array.from([0x3fc0, 0xc010]) });
    expect(t('half')).toEqual({ dtype: 'F16', shape: [3], data: Uint16Array.from([0x3c00, 0xc100, 0x7bff]) });
    expect(t('pixels')).toMatchObject({ dtype: 'uint8', shape: [2, 2] });
    expect([...t('pixels').data]).toEqual([0, 1, 128, 255]);
  });

  it('is reproduced byte for byte by our writer (same order, same metadata)', () => {
    expect(writeSafetensors(tensors, metadata)).toEqual(fixture);
  });
});
