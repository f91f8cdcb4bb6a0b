import { describe, expect, it } from 'vitest';
import { Rng, matmul, randn, uniform, zeros, type Tensor } from '@dl/tensor';
import {
  checkGradients,
  compareGradient,
  formatGradientCheck,
  gradientCheck,
  type CheckContext,
  type CheckParam,
  type GradientCheckable,
} from './gradient-check.js';

/**
 * A tiny model written against the structural interface only: scores = x·W, loss = 0.5·Σ(scores - t)²,
 * with an optional random input mask drawn from ctx.rng (a stand-in for Dropout) and a running-mean
 * buffer that train passes update (a stand-in for BatchNorm).
 */
class LinearModel implements GradientCheckable<Tensor<'float64'>, Tensor<'float64'>> {
  readonly W: CheckParam;
  readonly runningMean = zeros([1], 'float64');
  constructor(
    rng: Rng,
    private readonly masked = false,
  ) {
    const W = randn([3, 2], rng, { dtype: 'float64' });
    this.W = { name: 'W', value: W, grad: zeros([3, 2], 'float64') };
  }
  params(): CheckParam[] {
    return [this.W];
  }
  buffers(): { name: string; value: Tensor }[] {
    return [{ name: 'running_mean', value: this.runningMean }];
  }
  private input(x: Tensor<'float64'>, ctx: CheckContext): Tensor<'float64'> {
    if (!this.masked || !ctx.rng) return x;
    const u = uniform(x.shape, ctx.rng, { dtype: 'float64' });
    return x.mul(u);
  }
  private forward(
    x: Tensor<'float64'>,
    t: Tensor<'float64'>,
    ctx: CheckContext,
  ): [number, Tensor<'float64'>, Tensor<'float64'>] {
    const xi = this.input(x, ctx);
    const diff = matmul(xi, this.W.value as Tensor<'float64'>).sub(t);
    if (ctx.train) this.runningMean.data[0]! += 1;
    let loss = 0;
    for (const d of diff.data) loss += 0.5 * d * d;
    return [loss, xi, diff];
  }
  loss(x: Tensor<'float64'>, t: Tensor<'float64'>, ctx: CheckContext): number {
    return this.forward(x, t, ctx)[0];
  }
  gradient(x: Tensor<'float64'>, t: Tensor<'float64'>, ctx: CheckContext): number {
    const [loss, xi, diff] = this.forward(x, t, ctx);
    matmul(xi, diff, { transA: true, out: this.W.grad as Tensor<'float64'> });
    return loss;
  }
}

describe('gradientCheck', () => {
  const rng = new Rng(5);
  const x = randn([4, 3], rng, { dtype: 'float64' });
  const t = randn([4, 2], rng, { dtype: 'float64' });

  it('finds backprop and numerical gradients equal for a correct model', () => {
    const model = new LinearModel(new Rng(1));
    const report = gradientCheck(model, x, t);
    expect(report.params.map((p) => p.name)).toEqual(['W']);
    expect(report.maxRelError).toBeLessThan(1e-8);
    expect(report.params[0]!.size).toBe(6);
    expect(report.params[0]!.meanAbsError).toBeLessThanOrEqual(report.params[0]!.maxAbsError);
  });

  it('holds random draws fixed by cloning ctx.rng for every pass', () => {
    const model = new LinearModel(new Rng(1), true);
    const ctxRng = new Rng(3);
    const state = ctxRng.getState();
    const report = gradientCheck(model, x, t, { ctx: { train: true, rng: ctxRng } });
    expect(report.maxRelError).toBeLessThan(1e-8);
    expect(ctxRng.getState()).toEqual(state); // the caller's generator is not advanced
  });

  it('restores parameter values and buffers', () => {
    const model = new LinearModel(new Rng(1));
    const W = model.W.value.clone();
    gradientCheck(model, x, t);
    expect([...model.W.value.data]).toEqual([...W.data]);
    expect(model.runningMean.data[0]).toBe(0);
  });

  it('detects a wrong gradient', () => {
    const model = new LinearModel(new Rng(1));
    const wrong: GradientCheckable<Tensor<'float64'>, Tensor<'float64'>> = {
      params: () => model.params(),
      loss: (a, b, c) => model.loss(a, b, c),
      gradient: (a, b, c) => {
        const l = model.gradient(a, b, c);
        model.W.grad.data[2]! *= 1.01;
        return l;
      },
    };
    const report = gradientCheck(wrong, x, t);
    expect(report.maxRelError).toBeGreaterThan(1e-4);
    expect(formatGradientCheck(report)).toMatch(/^W: mean abs .*max rel/);
  });

  it('checks any closure and parameter list (checkGradients)', () => {
    const v = randn([5], new Rng(2), { dtype: 'float64' });
    // f = Σ v³, df/dv = 3v²
    const grad = v.mul(v).mul(3);
    const report = checkGradients(
      () => v.data.reduce((s, a) => s + a ** 3, 0),
      [{ name: 'v', value: v, grad }],
    );
    expect(report.maxRelError).toBeLessThan(1e-7);
  });

  it('reports NaN as a failure and a zero gradient as zero error', () => {
    const a = zeros([2], 'float64');
    expect(compareGradient('z', a, a.clone()).maxRelError).toBe(0);
    const nan = zeros([2], 'float64').fill(Number.NaN);
    expect(compareGradient('n', nan, a).maxRelError).toBeNaN();
  });
});
