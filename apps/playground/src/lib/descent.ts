/** Pure helpers of the gradient-descent page: the slider's learning-rate scale and what a run did. */

/** The slider runs over integers; the learning rate is logarithmic: 10^(-4) at 0 up to 10^(1) at the end. */
export const LR_SLIDER = { min: 0, max: 120, perDecade: 24, lowestExponent: -4 } as const;

/** The learning rate at a slider position, rounded to 2 significant digits so labels and runs agree. */
export function lrFromSlider(position: number): number {
  const exponent = LR_SLIDER.lowestExponent + position / LR_SLIDER.perDecade;
  return Number((10 ** exponent).toPrecision(2));
}

/** The slider position closest to a learning rate. */
export function sliderFromLr(lr: number): number {
  const p = Math.round((Math.log10(lr) - LR_SLIDER.lowestExponent) * LR_SLIDER.perDecade);
  return Math.min(LR_SLIDER.max, Math.max(LR_SLIDER.min, p));
}

export type DescentOutcome = 'converges' | 'diverges' | 'stalls';

/**
 * What a run of gradient descent did, judged by the objective at the start and at the end:
 * it diverges when `f` grew (or overflowed), converges when `f` fell to within `tolerance` of the
 * minimum `fMin`, and otherwise stalls (too small a step to get there in the steps given, or an
 * oscillation that neither grows nor shrinks).
 */
export function descentOutcome(fStart: number, fEnd: number, fMin = 0, tolerance = 1e-6): DescentOutcome {
  const start = fStart - fMin;
  const end = fEnd - fMin;
  if (!Number.isFinite(end) || end > start * (1 + 1e-9) + 1e-12) return 'diverges';
  if (end <= tolerance) return 'converges';
  return 'stalls';
}

/** Points of a grid for a quiver plot: `n × n` cell centres covering `[lo, hi]²`. */
export function gridPoints(lo: number, hi: number, n: number): [number, number][] {
  const points: [number, number][] = [];
  const step = (hi - lo) / n;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) points.push([lo + (i + 0.5) * step, lo + (j + 0.5) * step]);
  return points;
}
