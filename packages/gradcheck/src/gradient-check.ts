import type { FloatDType, Rng, Tensor } from '@dl/tensor';
import { H, numericalGradient } from './numerical.js';

/**
 * A parameter as `@dl/layers` defines it (`Param`): a name, a value and the gradient backprop wrote.
 * Typed structurally so this package does not depend on `@dl/layers`.
 */
export interface CheckParam {
  readonly name: string;
  value: Tensor<FloatDType>;
  grad: Tensor<FloatDType>;
}

/** The forward context of `@dl/layers` (`ForwardContext`): train/test mode and the random source. */
export interface CheckContext {
  train: boolean;
  rng?: Rng | undefined;
}

/** What `gradientCheck` needs from a network; `@dl/layers`' networks (`Model`) satisfy it. */
export interface GradientCheckable<X, T> {
  params(): readonly CheckParam[];
  loss(x: X, t: T, ctx: CheckContext): number;
  /** Forward and backward: fills every `grad`. */
  gradient(x: X, t: T, ctx: CheckContext): number;
  /** State that forward passes change (BatchNorm's running statistics): restored after the check. */
  buffers?(): readonly { readonly name: string; readonly value: Tensor }[];
}

/** How far backprop is from the numerical gradient for one parameter. */
export interface ParamGradientCheck {
  name: string;
  size: number;
  /** `max |backprop - numerical|`. */
  maxAbsError: number;
  /**
   * `maxAbsError / scale`: the worst error relative to the size of this gradient. Elementwise ratios
   * are not used because entries whose true gradient is 0 are rounding noise on both sides.
   * 0 when `scale` is 0.
   */
  maxRelError: number;
  /** The book's figure: `mean |backprop - numerical|` (`ch05/gradient_check.py`). */
  meanAbsError: number;
  /** `max(max |backprop|, max |numerical|)`; near 0 (≲ 1e-9) means a zero gradient, where only `maxAbsError` is meaningful. */
  scale: number;
}

export interface GradientCheckReport {
  params: ParamGradientCheck[];
  maxAbsError: number;
  maxRelError: number;
}

export interface CheckGradientsOptions {
  /** Difference step (default `1e-4`). */
  h?: number;
}

/** Compares one backprop gradient with its numerical counterpart. */
export function compareGradient(name: string, backprop: Tensor, numerical: Tensor): ParamGradientCheck {
  if (backprop.size !== numerical.size) {
    throw new RangeError(
      `compareGradient: ${name}: backprop has ${backprop.size} elements, numerical ${numerical.size}`,
    );
  }
  let maxAbsError = 0;
  let sumAbsError = 0;
  let scale = 0;
  for (let i = 0; i < backprop.size; i++) {
    const b = backprop.data[i]!;
    const n = numerical.data[i]!;
    const err = Math.abs(b - n);
    // NaN must fail the check, and Math.max propagates it.
    maxAbsError = Math.max(maxAbsError, err);
    sumAbsError += err;
    scale = Math.max(scale, Math.abs(b), Math.abs(n));
  }
  const size = backprop.size;
  return {
    name,
    size,
    maxAbsError,
    maxRelError: scale > 0 ? maxAbsError / scale : maxAbsError,
    meanAbsError: size > 0 ? sumAbsError / size : 0,
    scale,
  };
}

/**
 * Checks gradients that are already computed: for each parameter, the numerical gradient of `loss`
 * with respect to `value` (perturbed in place) against `grad`. `loss` must be a deterministic function
 * of the parameters (hold Dropout masks fixed). Works for anything: layers, whole networks, inputs
 * (pass `{ name: 'x', value: x, grad: dx }`).
 */
export function checkGradients(
  loss: () => number,
  params: readonly CheckParam[],
  options: CheckGradientsOptions = {},
): GradientCheckReport {
  const { h = H } = options;
  const report = params.map((p) =>
    compareGradient(
      p.name,
      p.grad,
      numericalGradient(() => loss(), p.value, { h }),
    ),
  );
  return summarise(report);
}

function summarise(params: ParamGradientCheck[]): GradientCheckReport {
  return {
    params,
    maxAbsError: params.reduce((m, p) => Math.max(m, p.maxAbsError), 0),
    maxRelError: params.reduce((m, p) => Math.max(m, p.maxRelError), 0),
  };
}

export interface GradientCheckOptions extends CheckGradientsOptions {
  /**
   * Mode and random source of every forward pass (default `{ train: true }`, as the book checks).
   * Each pass gets its own clone of `ctx.rng`, so Dropout draws the same masks in every pass and the
   * loss is a function of the parameters alone.
   */
  ctx?: CheckContext;
}

/**
 * The book's gradient check (`ch05/gradient_check.py`): backprop gradients from `model.gradient`,
 * numerical ones from `model.loss`, compared per parameter. Parameter values are restored exactly;
 * buffers (BatchNorm running statistics), which train-mode passes update, are restored afterwards.
 */
export function gradientCheck<X, T>(
  model: GradientCheckable<X, T>,
  x: X,
  t: T,
  options: GradientCheckOptions = {},
): GradientCheckReport {
  const { h = H, ctx = { train: true } } = options;
  const pass = (): CheckContext => ({ train: ctx.train, rng: ctx.rng?.clone() });
  const saved = model.buffers?.().map((b) => ({ value: b.value, copy: b.value.clone() })) ?? [];
  try {
    model.gradient(x, t, pass());
    const params = model.params();
    // Copy the backprop gradients first: a model may reuse its grad tensors.
    const backprop = params.map((p) => p.grad.clone());
    const report = params.map((p, i) =>
      compareGradient(
        p.name,
        backprop[i]!,
        numericalGradient(() => model.loss(x, t, pass()), p.value, { h }),
      ),
    );
    return summarise(report);
  } finally {
    for (const { value, copy } of saved) value.assign(copy);
  }
}

/** One line per parameter, like the book's `W1:3.7e-10` printout, with the relative error. */
export function formatGradientCheck(report: GradientCheckReport): string {
  return report.params
    .map(
      (p) =>
        `${p.name}: mean abs ${p.meanAbsError.toExponential(2)}, max abs ${p.maxAbsError.toExponential(2)}, ` +
        `max rel ${p.maxRelError.toExponential(2)}`,
    )
    .join('\n');
}
