/** Histograms as NumPy's `np.histogram(values, bins, range=(lo, hi))` counts them. */

export interface Histogram {
  /** `bins + 1` edges from `lo` to `hi`. */
  edges: number[];
  counts: number[];
  /** Values outside `[lo, hi]` (and NaN), which NumPy leaves out. */
  outside: number;
}

/**
 * Counts values into `bins` equal bins over `[lo, hi]`; every bin is half-open `[a, b)` except the
 * last, which also takes `hi` (NumPy's rule).
 */
export function histogram(
  values: ArrayLike<number>,
  bins: number,
  range: readonly [number, number],
): Histogram {
  const [lo, hi] = range;
  if (!(Number.isInteger(bins) && bins > 0))
    throw new RangeError(`histogram: bins must be a positive integer, got ${bins}`);
  if (!(hi > lo)) throw new RangeError(`histogram: range must have hi > lo, got [${lo}, ${hi}]`);
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  let outside = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!(v >= lo && v <= hi)) {
      outside++;
      continue;
    }
    const k = v === hi ? bins - 1 : Math.min(bins - 1, Math.floor((v - lo) / width));
    counts[k]!++;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  return { edges, counts, outside };
}

/** Mean and standard deviation (population) of the values. */
export function meanStd(values: ArrayLike<number>): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(sq / n) };
}
