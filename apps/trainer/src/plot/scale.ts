import type { Axis } from './figure.js';
import { logTicks, niceTicks } from './ticks.js';

/** Data value to pixel along one axis, with the ticks to draw and the range shown. */
export interface Scale {
  (v: number): number;
  ticks: number[];
  min: number;
  max: number;
}

/**
 * The scale mapping `values` (or the axis's fixed `min`/`max`) onto pixels `from`..`to`, linear or
 * log10. Bars start at zero, so their scale includes it; an empty or one-value range is widened.
 */
export function makeScale(values: number[], axis: Axis, from: number, to: number, isBars = false): Scale {
  const log = axis.log ?? false;
  const usable = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  let min = axis.min ?? (usable.length ? Math.min(...usable) : 0);
  let max = axis.max ?? (usable.length ? Math.max(...usable) : 1);
  if (isBars && !log && axis.min === undefined) min = Math.min(min, 0);
  if (!(max > min)) {
    const pad = log ? min : Math.abs(min) * 0.1 || 1;
    min = log ? min / 10 : min - pad;
    max = log ? max * 10 : max + pad;
  }
  const tf = log ? Math.log10 : (v: number): number => v;
  const a = tf(min);
  const b = tf(max);
  const scale = ((v: number) => from + ((tf(v) - a) / (b - a)) * (to - from)) as Scale;
  scale.ticks = log ? logTicks(min, max) : niceTicks(min, max);
  scale.min = min;
  scale.max = max;
  return scale;
}
