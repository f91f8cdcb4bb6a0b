import type { FloatArray } from '../dtype.js';
import { decodeHalfExact, encodeHalfExact } from './half-format.js';

/**
 * float32 ⇄ bfloat16 on bit patterns: bfloat16 is the top half of a float32, so decoding is a shift
 * and encoding rounds away the low 16 bits, to nearest, ties to even (a carry into the exponent is the
 * next binade, up to Inf). Subnormals follow float32's. NaNs keep their sign and top payload bits (a
 * payload that would vanish becomes the quiet bit), so all 65 536 patterns round-trip bit for bit.
 */

/** The bfloat16 pattern for a float32 given by its bits (`u`, unsigned 32-bit). */
export function bfloat16FromFloat32Bits(bits: number): number {
  const u = bits >>> 0;
  if ((u & 0x7fffffff) > 0x7f800000) {
    const h = u >>> 16;
    return (h & 0x7f) === 0 ? h | 0x40 : h;
  }
  // u + 0x7fff + lsb stays below 2^32 for every non-NaN pattern (the largest is -Inf, 0xff800000).
  return (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
}

/** The float32 bits of a bfloat16 pattern. */
export function bfloat16ToFloat32Bits(h: number): number {
  return (h << 16) >>> 0;
}

/** The bfloat16 pattern nearest to any number (exact for doubles too: no rounding through float32). */
export function bfloat16Bits(x: number): number {
  return encodeHalfExact(x, 'bfloat16');
}

/** The value of a bfloat16 pattern. */
export function bfloat16Value(bits: number): number {
  return decodeHalfExact(bits, 'bfloat16');
}

const bitsOf = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

/**
 * bfloat16 patterns of every value of `src` (into `out` when given). Float32 input takes the bit path;
 * float64 input is rounded exactly from the double.
 */
export function encodeBFloat16(src: FloatArray, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  if (out.length !== src.length)
    throw new RangeError(`encodeBFloat16: out has ${out.length} elements, src ${src.length}`);
  if (src instanceof Float32Array) {
    const u = bitsOf(src);
    for (let i = 0; i < u.length; i++) out[i] = bfloat16FromFloat32Bits(u[i]!);
  } else {
    for (let i = 0; i < src.length; i++) out[i] = encodeHalfExact(src[i]!, 'bfloat16');
  }
  return out;
}

/** float32 values of bfloat16 patterns (into `out` when given); NaN payloads are kept bit for bit. */
export function decodeBFloat16(
  src: Uint16Array,
  out: Float32Array = new Float32Array(src.length),
): Float32Array {
  if (out.length !== src.length)
    throw new RangeError(`decodeBFloat16: out has ${out.length} elements, src ${src.length}`);
  const u = bitsOf(out);
  for (let i = 0; i < src.length; i++) u[i] = src[i]! << 16;
  return out;
}
