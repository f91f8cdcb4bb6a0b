/** Chart arithmetic, kept free of the DOM so it can be unit-tested: scales, ticks and path data. */

export interface LinearScale {
  (value: number): number;
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  /** The value at a pixel position (the inverse mapping). */
  invert(pixel: number): number;
}

/** Maps `domain` linearly onto `range`; a zero-width domain maps everything to the middle of the range. */
export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  const scale = ((v: number): number =>
    span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0)) as LinearScale;
  Object.defineProperties(scale, {
    domain: { value: [d0, d1] },
    range: { value: [r0, r1] },
    invert: {
      value: (p: number): number => (r1 === r0 ? d0 : d0 + ((p - r0) / (r1 - r0)) * span),
    },
  });
  return scale;
}

/**
 * Round tick values covering `[min, max]`: steps of 1, 2 or 5 times a power of ten, about `count`
 * of them (the usual "nice numbers" of chart libraries).
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  if (min > max) [min, max] = [max, min];
  const raw = (max - min) / Math.max(count, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  // The step nearest the raw one on a log scale (d3's thresholds: √50, √10, √2).
  const step =
    (fraction >= Math.sqrt(50) ? 10 : fraction >= Math.sqrt(10) ? 5 : fraction >= Math.SQRT2 ? 2 : 1) * power;
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  const ticks: number[] = [];
  // Multiplying the index (not accumulating the step) keeps 0.1 + 0.2 style drift out of the labels.
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toPrecision(12)));
  return ticks;
}

/**
 * The domain widened to the nearest ticks outside it, so a chart's axis stays put while the data
 * moves a little (a training loss drifting down).
 */
export function niceDomain(domain: readonly [number, number], count = 5): [number, number] {
  const [lo, hi] = domain;
  if (!(Number.isFinite(lo) && Number.isFinite(hi)) || lo === hi) return [lo, hi];
  const ticks = niceTicks(lo, hi, count);
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : Math.abs(hi - lo);
  const first = ticks[0] ?? lo;
  const last = ticks.at(-1) ?? hi;
  return [
    first > lo ? Number((first - step).toPrecision(12)) : first,
    last < hi ? Number((last + step).toPrecision(12)) : last,
  ];
}

/** `[min, max]` of the finite values, padded so a flat series still gets a visible range. */
export function extent(values: Iterable<number>, pad = 0): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo === Infinity) return [0, 1];
  if (lo === hi) return [lo - 1, hi + 1];
  const p = (hi - lo) * pad;
  return [lo - p, hi + p];
}

/**
 * SVG path data through the points; a non-finite value (a diverged loss) breaks the line rather
 * than drawing to infinity. Coordinates are rounded to 0.01 px to keep the DOM small.
 */
export function linePath(
  xs: readonly number[],
  ys: readonly number[],
  x: (v: number) => number,
  y: (v: number) => number,
): string {
  let d = '';
  let pen = false;
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    const px = x(xs[i]!);
    const py = y(ys[i]!);
    if (!Number.isFinite(px) || !Number.isFinite(py)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${round2(px)},${round2(py)}`;
    pen = true;
  }
  return d;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/**
 * Reduces a long series to at most `max` points by averaging consecutive buckets, so a chart of
 * 10 000 training losses stays cheap to redraw every frame. Returns the bucket centres as x.
 */
export function downsample(ys: readonly number[], max: number): { xs: number[]; ys: number[] } {
  const n = ys.length;
  if (n <= max) return { xs: ys.map((_, i) => i), ys: [...ys] };
  const outX: number[] = [];
  const outY: number[] = [];
  const size = n / max;
  for (let b = 0; b < max; b++) {
    const start = Math.floor(b * size);
    const end = Math.floor((b + 1) * size);
    let sum = 0;
    let count = 0;
    for (let i = start; i < end; i++) {
      const v = ys[i]!;
      if (Number.isFinite(v)) {
        sum += v;
        count++;
      }
    }
    outX.push((start + end - 1) / 2);
    outY.push(count > 0 ? sum / count : Number.NaN);
  }
  return { xs: outX, ys: outY };
}
