import { describe, expect, it } from 'vitest';
import { fromArray, tensor, zeros } from '../create.js';
import { randn } from '../random.js';
import { Rng } from '../rng.js';
import { float16Bits, float16Value } from './float16.js';
import {
  fromBFloat16,
  fromFloat16,
  roundToBFloat16,
  roundToFloat16,
  roundToHalf,
  toBFloat16,
  toFloat16,
} from './half-tensor.js';

describe('16-bit float tensors', () => {
  it('stores a float32 tensor as float16 and bfloat16 patterns and reads it back as float32', () => {
    const t = tensor([
      [1, -2, 0.1],
      [65504, 1e6, 2 ** -24],
    ]);
    const h = toFloat16(t);
    expect([...h]).toEqual([0x3c00, 0xc000, 0x2e66, 0x7bff, 0x7c00, 0x0001]);
    const back = fromFloat16(h, [2, 3]);
    expect(back.dtype).toBe('float32');
    expect(back.toArray()).toEqual([
      [1, -2, Math.fround(0.0999755859375)],
      [65504, Infinity, 2 ** -24],
    ]);
    const b = toBFloat16(t);
    expect([...b]).toEqual([0x3f80, 0xc000, 0x3dcd, 0x4780, 0x4974, 0x3380]);
    expect(fromBFloat16(b, [2, 3]).toArray()).toEqual([
      [1, -2, 0.10009765625],
      [65536, 999424, 2 ** -24],
    ]);
  });

  it('rounds a tensor to the nearest 16-bit value in its own dtype (float32 and float64)', () => {
    const rng = new Rng(5);
    for (const dtype of ['float32', 'float64'] as const) {
      const t = randn([40, 30], rng, { dtype, std: 3 });
      const r = roundToFloat16(t);
      expect(r.dtype).toBe(dtype);
      r.data.forEach((v, i) => expect(v).toBe(float16Value(float16Bits(t.data[i]!))));
      const rb = roundToBFloat16(t);
      rb.data.forEach((v, i) => {
        // bfloat16 keeps 8 significant bits: relative error at most half an ulp, 2^-8.
        expect(Math.abs(v - t.data[i]!)).toBeLessThanOrEqual(2 ** -8 * Math.abs(t.data[i]!));
      });
      expect(roundToFloat16(r).data).toEqual(r.data); // idempotent
    }
  });

  it('rounds in place when out is the input', () => {
    const t = fromArray([0.1, 0.2, 1 / 3], [3]);
    const same = roundToHalf(t, 'float16', { out: t });
    expect(same).toBe(t);
    expect([...t.data]).toEqual([0.0999755859375, 0.199951171875, 0.333251953125]);
  });

  it('explains wrong dtypes, sizes and outputs', () => {
    expect(() => toFloat16(zeros([2], 'int32') as never)).toThrow(
      /toFloat16: dtype int32 is not a float dtype/,
    );
    expect(() => fromBFloat16(new Uint16Array(5), [2, 3])).toThrow(
      /fromBFloat16: 5 values do not fill shape \[2,3\]/,
    );
    expect(() => roundToFloat16(zeros([2]), { out: zeros([3]) })).toThrow(
      /out is float32 \[3\], t is float32 \[2\]/,
    );
  });
});
