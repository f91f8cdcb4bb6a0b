/**
 * The two 16-bit float formats, and exact conversions from and to any JavaScript number by plain
 * arithmetic (no bit tricks). float16 (IEEE 754 binary16): 1 sign, 5 exponent, 10 mantissa bits,
 * max 65504. bfloat16: 1 sign, 8 exponent, 7 mantissa bits, float32's range with 8 bits of precision.
 * Values are held as their 16-bit patterns in plain numbers (and `Uint16Array`s).
 */
export type HalfFormat = 'float16' | 'bfloat16';

interface FormatSpec {
  /** Stored mantissa bits. */
  readonly manBits: number;
  readonly bias: number;
  /** The all-ones exponent field (Inf and NaN). */
  readonly expAll: number;
  /** The canonical quiet NaN this module produces from a NaN number. */
  readonly nan: number;
}

const SPECS: Readonly<Record<HalfFormat, FormatSpec>> = {
  float16: { manBits: 10, bias: 15, expAll: 31, nan: 0x7e00 },
  bfloat16: { manBits: 7, bias: 127, expAll: 255, nan: 0x7fc0 },
};

// Powers of two from 2^-200 to 2^200, built by exact doublings (Math.pow is not required to be exact).
const POW2_MIN = -200;
const POW2 = (() => {
  const t = new Float64Array(401);
  t[-POW2_MIN] = 1;
  for (let i = 1; i <= 200; i++) {
    t[-POW2_MIN + i] = t[-POW2_MIN + i - 1]! * 2;
    t[-POW2_MIN - i] = t[-POW2_MIN - i + 1]! / 2;
  }
  return t;
})();
const pow2 = (n: number): number => POW2[n - POW2_MIN]!;

/** Rounds `y >= 0` to an integer, ties to even. `y - floor(y)` is exact for doubles. */
function roundHalfEven(y: number): number {
  const f = Math.floor(y);
  const d = y - f;
  return d > 0.5 || (d === 0.5 && f % 2 === 1) ? f + 1 : f;
}

/**
 * The 16-bit pattern nearest to `x` (round to nearest, ties to even), for any double: no double
 * rounding through float32. Overflow gives ±Inf, tiny values subnormals or ±0 (the sign is kept),
 * NaN the canonical quiet NaN.
 */
export function encodeHalfExact(x: number, format: HalfFormat): number {
  const { manBits, bias, expAll, nan } = SPECS[format];
  if (x !== x) return nan;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  const maxExp = expAll - 1 - bias;
  // Halfway between the largest finite value and 2^(maxExp+1): the tie goes to the even pattern, Inf.
  if (a >= pow2(maxExp + 1) - pow2(maxExp - manBits - 1)) return sign | (expAll << manBits);
  const minExp = 1 - bias;
  // Subnormal; rounding up to 1 << manBits gives the smallest normal's pattern, as it should.
  if (a < pow2(minExp)) return sign | roundHalfEven(a * pow2(manBits - minExp));
  let e = Math.floor(Math.log2(a));
  if (pow2(e) > a) e--;
  else if (pow2(e + 1) <= a) e++;
  // q is in [2^manBits, 2^(manBits+1)]; a carry into the exponent field is the correct next binade.
  const q = roundHalfEven(a * pow2(manBits - e));
  return sign | (((e + bias) << manBits) + q - (1 << manBits));
}

/** The exact value of a 16-bit pattern (NaN patterns give NaN). */
export function decodeHalfExact(bits: number, format: HalfFormat): number {
  const { manBits, bias, expAll } = SPECS[format];
  const e = (bits >>> manBits) & expAll;
  const m = bits & ((1 << manBits) - 1);
  let v: number;
  if (e === expAll) v = m === 0 ? Infinity : NaN;
  else if (e === 0) v = m * pow2(1 - bias - manBits);
  else v = ((1 << manBits) + m) * pow2(e - bias - manBits);
  return bits & 0x8000 ? -v : v;
}
