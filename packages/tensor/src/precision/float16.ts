import type { FloatArray } from '../dtype.js';
import { decodeHalfExact, encodeHalfExact } from './half-format.js';

/**
 * float32 ⇄ float16 (IEEE 754 binary16) on bit patterns: the fast paths for arrays. Rounding is to
 * nearest, ties to even; subnormals, ±0 and ±Inf are exact; values from 65520 up overflow to Inf.
 * NaNs keep their sign and the top 10 bits of their payload (a payload that would vanish becomes the
 * quiet bit), so every one of the 65 536 half patterns survives half → float32 → half bit for bit.
 */

/** The float16 pattern for a float32 given by its bits (`u`, unsigned 32-bit). */
export function float16FromFloat32Bits(u: number): number {
  const sign = (u >>> 16) & 0x8000;
  const a = u & 0x7fffffff;
  if (a >= 0x7f800000) {
    if (a === 0x7f800000) return sign | 0x7c00;
    const payload = (a >>> 13) & 0x3ff;
    return sign | 0x7c00 | (payload === 0 ? 0x200 : payload);
  }
  if (a >= 0x477ff000) return sign | 0x7c00; // >= 65520: rounds past 65504
  if (a >= 0x38800000) {
    // Normal in float16: rebias the exponent (127 → 15) and round away the low 13 mantissa bits.
    const h = (a >>> 13) - (112 << 10);
    const rest = a & 0x1fff;
    return sign | (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1) ? h + 1 : h);
  }
  // Subnormal in float16 (below 2^-14): the value in units of 2^-24 is mant · 2^(e - 126).
  const e = a >>> 23;
  const shift = 126 - e; // >= 14
  if (shift > 24) return sign; // below 2^-25: rounds to zero
  const mant = (a & 0x7fffff) | (e === 0 ? 0 : 0x800000);
  const q = mant >>> shift;
  const rest = mant & ((1 << shift) - 1);
  const half = 1 << (shift - 1);
  return sign | (rest > half || (rest === half && (q & 1) === 1) ? q + 1 : q);
}

/** The float32 bits of a float16 pattern (exact: every float16 is a float32). */
export function float16ToFloat32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0x1f) return (sign | 0x7f800000 | (m << 13)) >>> 0;
  if (e !== 0) return (sign | ((e + 112) << 23) | (m << 13)) >>> 0;
  if (m === 0) return sign >>> 0;
  // Subnormal: normalise the mantissa into a float32 normal.
  let shift = 0;
  let mm = m;
  while ((mm & 0x400) === 0) {
    mm <<= 1;
    shift++;
  }
  return (sign | ((113 - shift) << 23) | ((mm & 0x3ff) << 13)) >>> 0;
}

/** The float16 pattern nearest to any number (exact for doubles too: no rounding through float32). */
export function float16Bits(x: number): number {
  return encodeHalfExact(x, 'float16');
}

/** The value of a float16 pattern. */
export function float16Value(bits: number): number {
  return decodeHalfExact(bits, 'float16');
}

let decodeTable: Uint32Array | undefined;

/** All 65 536 float16 patterns as float32 bits (256 KiB, built on first use). */
function table(): Uint32Array {
  if (!decodeTable) {
    decodeTable = new Uint32Array(65536);
    for (let h = 0; h < 65536; h++) decodeTable[h] = float16ToFloat32Bits(h);
  }
  return decodeTable;
}

const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

/**
 * float16 patterns of every value of `src` (into `out` when given). Float32 input takes the bit path;
 * float64 input is rounded exactly from the double (never double-rounded through float32).
 */
export function encodeFloat16(src: FloatArray, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  if (out.length !== src.length)
    throw new RangeError(`encodeFloat16: out has ${out.length} elements, src ${src.length}`);
  if (src instanceof Float32Array) {
    const u = bitsOf(src);
    for (let i = 0; i < u.length; i++) out[i] = float16FromFloat32Bits(u[i]!);
  } else {
    for (let i = 0; i < src.length; i++) out[i] = encodeHalfExact(src[i]!, 'float16');
  }
  return out;
}

/** float32 values of float16 patterns (into `out` when given); NaN payloads are kept bit for bit. */
export function decodeFloat16(
  src: Uint16Array,
  out: Float32Array = new Float32Array(src.length),
): Float32Array {
  if (out.length !== src.length)
    throw new RangeError(`decodeFloat16: out has ${out.length} elements, src ${src.length}`);
  const t = table();
  const u = bitsOf(out);
  for (let i = 0; i < src.length; i++) u[i] = t[src[i]!]!;
  return out;
}
