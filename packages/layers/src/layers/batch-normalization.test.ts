import { beforeAll, describe, expect, it } from 'vitest';
import { createWasmBackend, jsKernels, Rng, ones, randn, withBackend, zeros, type Kernels } from '@dl/tensor';
import { BatchNormalization } from './batch-normalization.js';
import { checkLayer } from '../testing/check-layer.js';
import { expectClose, f64, loadCases, named, numberAttr } from '../testing/fixtures.js';

const TRAIN = { train: true };
const TEST = { train: false };

describe('BatchNormalization (book form: per activation)', () => {
  it.each(named(loadCases('batchnorm.json', 'BatchNormalization.train')))('matches the book: %s', (_, c) => {
    const { inputs: i, outputs: o } = c;
    // The README: momentum 0.9 unless attrs says otherwise.
    const layer = new BatchNormalization(f64(c.params.gamma), f64(c.params.beta), {
      momentum: numberAttr(c, 'momentum', 0.9),
      ...(i.running_mean && { runningMean: f64(i.running_mean), runningVar: f64(i.running_var) }),
    });
    const x = f64(i.x);
    const out = layer.forward(x, TRAIN);
    expect(out.shape).toEqual(x.shape);
    expectClose(out, o.out, undefined, 'out');
    expectClose(layer.runningMean, o.running_mean, undefined, 'running_mean');
    expectClose(layer.runningVar, o.running_var, undefined, 'running_var');
    expect(layer.xn!.shape).toEqual(o.xn!.shape);
    expectClose(layer.xn!, o.xn, undefined, 'xn');
    expectClose(layer.std!, o.std, undefined, 'std');
    const dx = layer.backward(f64(i.dout));
    expect(dx.shape).toEqual(x.shape);
    expectClose(dx, o.dx, undefined, 'dx');
    expectClose(layer.gamma.grad, o.dgamma, undefined, 'dgamma');
    expectClose(layer.beta.grad, o.dbeta, undefined, 'dbeta');
  });

  it.each(named(loadCases('batchnorm.json', 'BatchNormalization.train_then_test')))(
    'matches the book: %s',
    (_, c) => {
      const layer = new BatchNormalization(f64(c.params.gamma), f64(c.params.beta), {
        momentum: numberAttr(c, 'momentum', 0.9),
      });
      const steps = numberAttr(c, 'train_steps');
      expect(steps).toBeGreaterThan(0);
      for (let k = 1; k <= steps; k++) {
        const step = `step${k}`;
        expectClose(
          layer.forward(f64(c.inputs[`${step}.x`]), TRAIN),
          c.outputs[`${step}.out`],
          undefined,
          step,
        );
        expectClose(layer.runningMean, c.outputs[`${step}.running_mean`], undefined, `${step}.running_mean`);
        expectClose(layer.runningVar, c.outputs[`${step}.running_var`], undefined, `${step}.running_var`);
      }
      expectClose(layer.forward(f64(c.inputs['test.x']), TEST), c.outputs['test.out'], undefined, 'test');
    },
  );

  it('passes the gradient check in train and test mode, on 2-D and 4-D input (float64)', () => {
    const rng = new Rng(21);
    for (const [shape, features] of [
      [[5, 4], 4],
      [[3, 2, 2, 3], 12],
    ] as const) {
      for (const ctx of [TRAIN, TEST]) {
        const layer = new BatchNormalization(
          randn([features], rng, { dtype: 'float64' }),
          randn([features], rng, { dtype: 'float64' }),
          {
            runningMean: randn([features], rng, { dtype: 'float64' }),
            runningVar: randn([features], rng, { dtype: 'float64' }).abs(),
            names: { gamma: 'gamma1', beta: 'beta1' },
          },
        );
        const report = checkLayer(layer, randn(shape, rng, { dtype: 'float64' }), rng, () => ctx);
        expect(report.params.map((p) => p.name)).toEqual(['gamma1', 'beta1', 'x']);
        expect(report.maxRelError).toBeLessThan(1e-6);
      }
    }
  });

  it('exposes the running statistics as buffers, zeros before the first forward', () => {
    const layer = new BatchNormalization(ones([3], 'float64'), zeros([3], 'float64'));
    const buffers = layer.buffers();
    expect(buffers.map((b) => b.name)).toEqual(['running_mean', 'running_var']);
    expect([...buffers[0]!.value.data]).toEqual([0, 0, 0]);
    layer.forward(randn([4, 3], new Rng(1), { dtype: 'float64' }), TRAIN);
    expect(layer.buffers()[0]!.value).toBe(layer.runningMean); // updated in place
    expect(layer.runningMean.data[0]).not.toBe(0);
    expect(layer.params().map((p) => p.name)).toEqual(['gamma', 'beta']);
  });

  it('names the shapes when gamma does not fit the input', () => {
    const layer = new BatchNormalization(ones([3], 'float64'), zeros([3], 'float64'), {
      names: { gamma: 'gamma2', beta: 'beta2' },
    });
    expect(() => layer.forward(zeros([2, 4], 'float64'), TRAIN)).toThrow(
      /BatchNormalization \(gamma2, per-activation\): input \[2,4\] has 4 features, gamma has 3/,
    );
    expect(() => layer.outputShape([2, 3])).not.toThrow();
  });
});

describe('BatchNormalization per channel', () => {
  it('normalises each channel over N, H, W', () => {
    const rng = new Rng(22);
    const x = randn([4, 3, 2, 5], rng, { dtype: 'float64', mean: 2, std: 3 });
    const layer = new BatchNormalization(ones([3], 'float64'), zeros([3], 'float64'), {
      mode: 'per-channel',
    });
    const out = layer.forward(x, TRAIN);
    for (let c = 0; c < 3; c++) {
      const values: number[] = [];
      for (let n = 0; n < 4; n++) for (let s = 0; s < 10; s++) values.push(out.data[(n * 3 + c) * 10 + s]!);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
      expect(mean).toBeCloseTo(0, 12);
      expect(variance).toBeCloseTo(1, 5);
    }
    expect(layer.runningMean.size).toBe(3);
    expect(layer.outputShape([4, 3, 2, 5])).toEqual([4, 3, 2, 5]);
  });

  it('passes the gradient check in train and test mode (float64)', () => {
    const rng = new Rng(23);
    for (const ctx of [TRAIN, TEST]) {
      const layer = new BatchNormalization(
        randn([2], rng, { dtype: 'float64' }),
        randn([2], rng, { dtype: 'float64' }),
        {
          mode: 'per-channel',
          runningMean: randn([2], rng, { dtype: 'float64' }),
          runningVar: randn([2], rng, { dtype: 'float64' }).abs(),
        },
      );
      const report = checkLayer(layer, randn([3, 2, 2, 3], rng, { dtype: 'float64' }), rng, () => ctx);
      expect(report.maxRelError).toBeLessThan(1e-6);
    }
  });
});

describe('BatchNormalization on the wasm backend', () => {
  let wasm: Kernels;
  beforeAll(async () => {
    wasm = await createWasmBackend({ simd: 'plain' });
  });

  it.each([
    ['per-activation', [20, 13]],
    ['per-channel', [6, 5, 7, 9]],
  ] as const)('matches the js backend in float32 (%s %j), train then test', (mode, shape) => {
    const features = shape[1];
    const rng = new Rng(31);
    const x = randn([...shape], rng, { mean: 2, std: 3 });
    const dout = randn([...shape], rng);
    const [gamma, beta] = [randn([features], rng), randn([features], rng)];
    const run = (kernels: Kernels): number[][] =>
      withBackend(kernels, () => {
        const layer = new BatchNormalization(gamma.clone(), beta.clone(), { mode });
        const out = layer.forward(x, TRAIN);
        const dx = layer.backward(dout);
        const grads = [layer.gamma.grad.clone(), layer.beta.grad.clone()];
        const test = layer.forward(x, TEST);
        const dxTest = layer.backward(dout);
        return [out, dx, ...grads, layer.runningMean, layer.runningVar, test, dxTest].map((t) => [...t.data]);
      });
    const expected = run(jsKernels);
    const actual = run(wasm);
    const names = ['out', 'dx', 'dgamma', 'dbeta', 'running_mean', 'running_var', 'out (test)', 'dx (test)'];
    names.forEach((what, i) => expectClose(actual[i]!, expected[i], { rtol: 1e-5, atol: 1e-5 }, what));
  });
});
