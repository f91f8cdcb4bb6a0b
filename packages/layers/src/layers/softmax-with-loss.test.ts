import { beforeAll, describe, expect, it } from 'vitest';
import {
  createWasmBackend,
  jsKernels,
  Rng,
  oneHot,
  randint,
  randn,
  tensor,
  withBackend,
  type Kernels,
} from '@dl/tensor';
import { checkGradients } from '@dl/gradcheck';
import { SoftmaxWithLoss, softmaxWithLossBackward } from './softmax-with-loss.js';
import { expectClose, f64, loadCases, named, toTensor } from '../testing/fixtures.js';

describe('SoftmaxWithLoss', () => {
  it.each(named(loadCases('layers.json', 'SoftmaxWithLoss')))('matches the book: %s', (_, c) => {
    const layer = new SoftmaxWithLoss();
    expectClose(layer.forward(f64(c.inputs.x), toTensor(c.inputs.t)), c.outputs.loss);
    expectClose(layer.output!, c.outputs.y);
    expectClose(layer.backward(), c.outputs.dx);
  });

  it.each([['labels'], ['one-hot']])('passes the gradient check with %s (float64)', (form) => {
    const rng = new Rng(15);
    const x = randn([4, 5], rng, { dtype: 'float64' });
    const labels = randint([4], rng, 0, 5);
    const t = form === 'labels' ? labels : oneHot(labels, 5, 'float64');
    const layer = new SoftmaxWithLoss();
    layer.forward(x, t);
    const dx = layer.backward();
    const report = checkGradients(() => layer.forward(x, t), [{ name: 'x', value: x, grad: dx }]);
    expect(report.maxRelError).toBeLessThan(1e-6);
  });

  it('needs 2-D scores', () => {
    expect(() => new SoftmaxWithLoss().forward(tensor([1, 2], 'float64'), tensor([0], 'int32'))).toThrow(
      /reshape a single sample to \[1, C\]/,
    );
    expect(() => new SoftmaxWithLoss().backward()).toThrow(/call forward first/);
  });
});

describe('SoftmaxWithLoss on the wasm backend', () => {
  let wasm: Kernels;
  beforeAll(async () => {
    wasm = await createWasmBackend({ simd: 'plain' });
  });

  it('matches the js backend in float32 (labels: the backward bit for bit)', () => {
    const rng = new Rng(21);
    const x = randn([13, 10], rng, { std: 4 });
    const t = randint([13], rng, 0, 10);
    const run = (kernels: Kernels): { loss: number; y: number[]; dx: number[] } =>
      withBackend(kernels, () => {
        const layer = new SoftmaxWithLoss();
        const loss = layer.forward(x, t);
        return { loss, y: [...layer.output!.data], dx: [...layer.backward().data] };
      });
    const expected = run(jsKernels);
    const actual = run(wasm);
    expect(Math.abs(actual.loss - expected.loss)).toBeLessThan(1e-6);
    expectClose(actual.y, expected.y, { rtol: 1e-6, atol: 1e-7 });
    // From the same softmax output the wasm kernel's (y - 1) / N rounds as the js one's.
    const layer = new SoftmaxWithLoss();
    const { y, dx } = withBackend(wasm, () => {
      layer.forward(x, t);
      return { y: layer.output!.data, dx: layer.backward().data };
    });
    const reference = new Float32Array(y.length);
    softmaxWithLossBackward(y, Int32Array.from(t.data), 13, 10, reference);
    expect([...dx]).toEqual([...reference]);
  });
});
