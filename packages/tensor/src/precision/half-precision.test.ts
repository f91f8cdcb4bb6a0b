import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import {
  bfloat16Bits,
  bfloat16FromFloat32Bits,
  bfloat16ToFloat32Bits,
  bfloat16Value,
  decodeBFloat16,
  encodeBFloat16,
} from './bfloat16.js';
import {
  decodeFloat16,
  encodeFloat16,
  float16Bits,
  float16FromFloat32Bits,
  float16ToFloat32Bits,
  float16Value,
} from './float16.js';
import { decodeHalfExact, encodeHalfExact, type HalfFormat } from './half-format.js';

interface Impl {
  /** Largest positive finite pattern; patterns 0..maxFinite increase with their value. */
  maxFinite: number;
  inf: number;
  quietNaN: number;
  manBits: number;
  fromF32Bits: (u: number) => number;
  toF32Bits: (h: number) => number;
  bits: (x: number) => number;
  value: (h: number) => number;
  encode: (a: Float32Array | Float64Array) => Uint16Array;
  decode: (a: Uint16Array) => Float32Array;
}

const IMPL: Record<HalfFormat, Impl> = {
  float16: {
    maxFinite: 0x7bff,
    inf: 0x7c00,
    quietNaN: 0x7e00,
    manBits: 10,
    fromF32Bits: float16FromFloat32Bits,
    toF32Bits: float16ToFloat32Bits,
    bits: float16Bits,
    value: float16Value,
    encode: (a) => encodeFloat16(a),
    decode: (a) => decodeFloat16(a),
  },
  bfloat16: {
    maxFinite: 0x7f7f,
    inf: 0x7f80,
    quietNaN: 0x7fc0,
    manBits: 7,
    fromF32Bits: bfloat16FromFloat32Bits,
    toF32Bits: bfloat16ToFloat32Bits,
    bits: bfloat16Bits,
    value: bfloat16Value,
    encode: (a) => encodeBFloat16(a),
    decode: (a) => decodeBFloat16(a),
  },
};

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const valueOfBits = (u: number): number => {
  u32[0] = u;
  return f32[0]!;
};
const bitsOfValue = (x: number): number => {
  f32[0] = x;
  return u32[0]!;
};
const ALL = Uint16Array.from({ length: 65536 }, (_, h) => h);

/**
 * The reference: the nearest pattern found by binary search over all finite positive patterns
 * (their values increase with the pattern), ties to the even pattern; at or beyond the midpoint
 * between the largest finite value and the next power of two, Inf. Independent of both converters.
 */
function nearest(x: number, impl: Impl, format: HalfFormat): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  const value = (h: number): number => decodeHalfExact(h, format);
  const max = value(impl.maxFinite);
  const ulp = max - value(impl.maxFinite - 1);
  if (a >= max + ulp / 2) return sign | impl.inf;
  let lo = 0;
  let hi = impl.maxFinite;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (value(mid) <= a) lo = mid;
    else hi = mid - 1;
  }
  if (lo === impl.maxFinite) return sign | lo;
  const below = a - value(lo);
  const above = value(lo + 1) - a;
  const h = below < above ? lo : above < below ? lo + 1 : lo % 2 === 0 ? lo : lo + 1;
  return sign | h;
}

/** float32 bits of every midpoint between neighbouring finite patterns, one float32 ulp either side, both signs. */
function midpoints(impl: Impl): number[] {
  const out: number[] = [];
  for (let h = 0; h < impl.maxFinite; h++) {
    const m = bitsOfValue((impl.value(h) + impl.value(h + 1)) / 2);
    for (const u of [m - 1, m, m + 1]) out.push(u >>> 0, (u | 0x80000000) >>> 0);
  }
  return out;
}

const isNaNPattern = (h: number, impl: Impl): boolean => (h & 0x7fff) > impl.inf;

describe.each(['float16', 'bfloat16'] as const)('%s', (format) => {
  const impl = IMPL[format];

  it('round-trips all 65 536 patterns half → float32 → half bit for bit (NaN payloads too)', () => {
    for (let h = 0; h < 65536; h++) {
      const back = impl.fromF32Bits(impl.toF32Bits(h));
      if (back !== h) throw new Error(`0x${h.toString(16)} came back as 0x${back.toString(16)}`);
    }
    expect([...impl.encode(impl.decode(ALL))]).toEqual([...ALL]);
  });

  it('decodes every pattern to its exact value (bit path = arithmetic path)', () => {
    const values = impl.decode(ALL);
    for (let h = 0; h < 65536; h++) {
      const ok = isNaNPattern(h, impl) ? Number.isNaN(values[h]) : Object.is(values[h], impl.value(h));
      if (!ok) throw new Error(`0x${h.toString(16)}: ${values[h]} vs ${impl.value(h)}`);
    }
  });

  it('encodes every exact value back to its pattern by arithmetic; NaN becomes the quiet NaN', () => {
    const wrong: number[] = [];
    for (let h = 0; h < 65536; h++) {
      if (impl.bits(impl.value(h)) !== (isNaNPattern(h, impl) ? impl.quietNaN : h)) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it('rounds float32 to nearest-even like an exhaustive search, at every midpoint and its neighbours', () => {
    const inputs = midpoints(impl);
    expect(inputs.length).toBe(6 * impl.maxFinite);
    for (const u of inputs) {
      const x = valueOfBits(u);
      const expected = nearest(x, impl, format);
      const fast = impl.fromF32Bits(u);
      const exact = encodeHalfExact(x, format);
      if (fast !== expected || exact !== expected) {
        throw new Error(
          `0x${u.toString(16)} (${x}): bits 0x${fast.toString(16)}, arithmetic 0x${exact.toString(16)}, search 0x${expected.toString(16)}`,
        );
      }
    }
  });

  it('rounds random and extreme float32 values like the search (both paths)', () => {
    const rng = new Rng(format === 'float16' ? 16 : 17);
    const inputs = [0, 1, 0x7f7fffff, 0x7f800000, 0x00800000, 0x007fffff, 0x38800000, 0x33000000, 0x33000001];
    for (let i = 0; i < 100_000; i++) inputs.push(rng.nextUint32());
    for (let u = 12345; u < 2 ** 32; u += 32771) inputs.push(u); // a sweep over every exponent
    // Values spread over the half's range and just beyond, at random exponents.
    for (let i = 0; i < 100_000; i++) {
      const e = format === 'float16' ? rng.int(46) - 28 : rng.int(280) - 150;
      inputs.push(bitsOfValue((1 + rng.random()) * 2 ** e * (rng.random() < 0.5 ? -1 : 1)));
    }
    const wrong: string[] = [];
    for (const u of inputs) {
      const x = valueOfBits(u);
      if (Number.isNaN(x)) {
        if (!isNaNPattern(impl.fromF32Bits(u), impl)) wrong.push(`NaN 0x${u.toString(16)}`);
        continue;
      }
      const expected = nearest(x, impl, format);
      if (impl.fromF32Bits(u) !== expected || encodeHalfExact(x, format) !== expected) wrong.push(String(x));
    }
    expect(wrong).toEqual([]);
  });

  it('rounds float64 input once, not through float32 (double rounding would break ties)', () => {
    // 1 + 2^-(manBits+1) is a midpoint; a hair above it must round up, but in float32 the hair is lost.
    const x = 1 + 2 ** -(impl.manBits + 1) + 2 ** -40;
    expect(Math.fround(x)).toBe(1 + 2 ** -(impl.manBits + 1));
    expect(impl.encode(new Float64Array([x]))[0]).toBe(impl.bits(1) + 1);
    expect(impl.encode(new Float32Array([x]))[0]).toBe(impl.bits(1));
    const rng = new Rng(18);
    const ys = Float64Array.from({ length: 20_000 }, () => {
      const h = rng.int(impl.maxFinite);
      const m = (impl.value(h) + impl.value(h + 1)) / 2;
      return m + (rng.random() - 0.5) * m * 2 ** -30;
    });
    const encoded = impl.encode(ys);
    expect(ys.filter((y, i) => encoded[i] !== nearest(y, impl, format))).toEqual(new Float64Array(0));
  });
});

describe('landmarks', () => {
  it.each([
    [1, 0x3c00, 0x3f80],
    [-2, 0xc000, 0xc000],
    [65504, 0x7bff, 0x4780], // bfloat16 keeps 8 bits: 65504 rounds to 65536
    [65520, 0x7c00, 0x4780],
    [Infinity, 0x7c00, 0x7f80],
    [-Infinity, 0xfc00, 0xff80],
    [-0, 0x8000, 0x8000],
    [2 ** -24, 0x0001, 0x3380],
    [2 ** -25, 0x0000, 0x3300], // float16: a tie between 0 and the smallest subnormal, to even
    [3 * 2 ** -25, 0x0002, 0x33c0], // float16: a tie between 1 and 2 ulps, to even
    [0.1, 0x2e66, 0x3dcd],
    [Math.PI, 0x4248, 0x4049],
    [3.4028234663852886e38, 0x7c00, 0x7f80], // float32's max rounds up to Inf in bfloat16 too
    [2 ** -133, 0x0000, 0x0001], // bfloat16's smallest subnormal
    [NaN, 0x7e00, 0x7fc0],
  ])('rounds %d to its float16 and bfloat16 patterns', (x, h, b) => {
    expect(float16Bits(x)).toBe(h);
    expect(bfloat16Bits(x)).toBe(b);
    expect(float16FromFloat32Bits(bitsOfValue(x))).toBe(h);
    expect(bfloat16FromFloat32Bits(bitsOfValue(x))).toBe(b);
  });

  it('checks array lengths', () => {
    expect(() => encodeFloat16(new Float32Array(3), new Uint16Array(2))).toThrow(/out has 2 elements, src 3/);
    expect(() => decodeBFloat16(new Uint16Array(3), new Float32Array(4))).toThrow(/out has 4 elements/);
  });
});
