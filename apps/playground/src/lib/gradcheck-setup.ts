import {
  gradientCheck,
  type GradientCheckable,
  type GradientCheckReport,
  type ParamGradientCheck,
} from '@dl/gradcheck';
import { buildModel, specInputShape, type FloatTensor, type ModelSpec } from '@dl/layers';
import { randint, randn, Rng, type FloatDType, type Tensor } from '@dl/tensor';

export interface CheckSetup {
  spec: ModelSpec;
  dtype: FloatDType;
  batchSize: number;
  seed: number;
  /** Multiplies the backprop gradient of this parameter by 2: a deliberate bug the check must catch. */
  breakParam?: string | undefined;
}

/**
 * The relative error under which a parameter passes. Even in float64 backprop and the numerical
 * gradient differ by ~1e-6 relative: the loss adds 1e-7 inside its log (the book's
 * `cross_entropy_error`), which the numerical gradient sees and backprop's `y - t` does not. In
 * float32 the difference quotient itself loses most of its digits.
 */
export function tolerance(dtype: FloatDType): number {
  return dtype === 'float64' ? 1e-4 : 1e-2;
}

/**
 * Below this absolute error a parameter passes whatever its relative error: a gradient that is zero
 * (the bias before a BatchNorm, which the normalisation cancels) has only rounding noise on both
 * sides, and noise divided by noise is meaningless.
 */
export function absoluteTolerance(dtype: FloatDType): number {
  return dtype === 'float64' ? 1e-7 : 5e-3;
}

/** Whether backprop and the numerical gradient agree for one parameter. */
export function passes(p: ParamGradientCheck, dtype: FloatDType): boolean {
  return p.maxRelError < tolerance(dtype) || p.maxAbsError < absoluteTolerance(dtype);
}

/** The number of classes a spec's network scores. */
function outputSizeOf(spec: ModelSpec): number {
  if (spec.kind === 'sequential') {
    const last = [...spec.layers].reverse().find((l) => l.type === 'affine');
    if (!last || last.type !== 'affine')
      throw new Error('gradient check: a sequential spec must end with an affine layer');
    return last.units;
  }
  return spec.outputSize ?? 10;
}

export interface CheckRun {
  report: GradientCheckReport;
  shapes: Map<string, readonly number[]>;
  seconds: number;
}

/**
 * Builds the network, draws a random batch (standard-normal inputs, random labels) and runs the
 * book's gradient check in train mode, with one Dropout mask held fixed across all passes.
 */
export function runGradientCheck(setup: CheckSetup): CheckRun {
  const rng = new Rng(setup.seed);
  const net = buildModel(setup.spec, { rng, dtype: setup.dtype });
  const x: FloatTensor = randn([setup.batchSize, ...specInputShape(setup.spec)], rng, { dtype: setup.dtype });
  const t: Tensor = randint([setup.batchSize], rng, 0, outputSizeOf(setup.spec));
  const model: GradientCheckable<FloatTensor, Tensor> = {
    params: () => net.params(),
    loss: (xb, tb, ctx) => net.loss(xb, tb, ctx),
    gradient: (xb, tb, ctx) => {
      const loss = net.gradient(xb, tb, ctx);
      if (setup.breakParam !== undefined) {
        const g = net.param(setup.breakParam).grad.data;
        for (let i = 0; i < g.length; i++) g[i] = 2 * g[i]!;
      }
      return loss;
    },
    buffers: () => net.buffers(),
  };
  const started = performance.now();
  const report = gradientCheck(model, x, t, { ctx: { train: true, rng: new Rng(setup.seed + 1) } });
  return {
    report,
    shapes: new Map(net.params().map((p) => [p.name, p.value.shape])),
    seconds: (performance.now() - started) / 1000,
  };
}
