import { describe, expect, it } from 'vitest';
import { Rng, oneHot, randint, randn, tensor, zeros } from '@dl/tensor';
import { gradientCheck } from '@dl/gradcheck';
import { Affine } from '../layers/affine.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { Convolution } from '../layers/convolution.js';
import { Pooling } from '../layers/pooling.js';
import { Relu } from '../layers/relu.js';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.js';
import type { FloatTensor, Layer, Param } from '../layer.js';
import { LayerNetwork } from './layer-network.js';
import { NetworkBuilder } from './network-builder.js';
import { confidentLabels } from '../testing/fixtures.js';

/** A layer that changes shape: `[N, C, H, W]` → `[N, C, H/2, W]` by keeping every other row. */
class HalveRows implements Layer {
  readonly kind = 'HalveRows';
  private shape: readonly number[] = [];
  forward(x: FloatTensor): FloatTensor {
    this.shape = x.shape;
    const [n, c, h, w] = x.shape as [number, number, number, number];
    const out = zeros([n, c, h / 2, w], x.dtype);
    for (let i = 0; i < out.size; i++) {
      const col = i % w;
      const row = Math.floor(i / w);
      out.data[i] = x.data[2 * row * w + col]!;
    }
    return out;
  }
  backward(dout: FloatTensor): FloatTensor {
    const dx = zeros(this.shape, dout.dtype);
    const w = this.shape[3]!;
    for (let i = 0; i < dout.size; i++) dx.data[2 * Math.floor(i / w) * w + (i % w)] = dout.data[i]!;
    return dx;
  }
  params(): Param[] {
    return [];
  }
  outputShape(s: readonly number[]): number[] {
    return [s[0]!, s[1]!, s[2]! / 2, s[3]!];
  }
}

describe('NetworkBuilder', () => {
  it('infers fan-in from the shapes flowing through, including after shape-changing layers', () => {
    const builder = new NetworkBuilder([2, 4, 3], { rng: new Rng(1), dtype: 'float64' });
    builder.add('Halve', new HalveRows());
    expect(builder.outputShape).toEqual([2, 2, 3]);
    expect(builder.features).toBe(12);
    builder.affine(1, 5, 'he').batchNorm(1).add('Relu1', new Relu()).affine(2, 3, 0.01);
    const net = builder.build(new SoftmaxWithLoss());
    expect(net.params().map((p) => [p.name, p.value.shape])).toEqual([
      ['W1', [12, 5]],
      ['b1', [5]],
      ['gamma1', [5]],
      ['beta1', [5]],
      ['W2', [5, 3]],
      ['b2', [3]],
    ]);
    // And the network runs on 4-D input and passes the gradient check.
    const rng = new Rng(2);
    const x = randn([3, 2, 4, 3], rng, { dtype: 'float64' });
    for (const p of net.params())
      if (!p.decay) p.value.assign(randn(p.value.shape, rng, { dtype: 'float64', std: 0.3, mean: 0.5 }));
    const report = gradientCheck(net, x, confidentLabels(net, x));
    for (const p of report.params) if (p.scale > 1e-9) expect(p.maxRelError, p.name).toBeLessThan(1e-6);
  });

  it('per-channel BatchNorm gets one gamma per channel', () => {
    const builder = new NetworkBuilder([3, 2, 2], { rng: new Rng(1), dtype: 'float32' }).batchNorm(1, {
      mode: 'per-channel',
    });
    expect(
      builder
        .layers()[0]![1]
        .params()
        .map((p) => p.value.shape),
    ).toEqual([[3], [3]]);
  });

  it('rejects duplicate layer keys and mismatched shapes', () => {
    const builder = new NetworkBuilder([4], { rng: new Rng(1), dtype: 'float64' }).affine(1, 3, 0.01);
    expect(() => builder.affine(1, 2, 0.01)).toThrow("NetworkBuilder: a layer is already named 'Affine1'");
    expect(() => builder.add('A', new Affine(zeros([4, 2], 'float64'), zeros([2], 'float64')))).toThrow(
      /input \[1,3\] must be/,
    );
  });
});

describe('LayerNetwork', () => {
  const rng = new Rng(71);
  const net = new NetworkBuilder([4], { rng, dtype: 'float64' })
    .affine(1, 6, 'he')
    .add('Relu1', new Relu())
    .affine(2, 3, 'he')
    .build(new SoftmaxWithLoss());

  it('computes accuracy in batches, with labels or one-hot targets', () => {
    const x = randn([25, 4], rng, { dtype: 'float64' });
    const predicted = confidentLabels(net, x);
    const t = predicted.clone();
    for (let i = 0; i < 10; i++) t.data[i] = (t.data[i]! + 1) % 3; // 10 of 25 wrong
    expect(net.accuracy(x, t)).toBe(15 / 25);
    expect(net.accuracy(x, t, { batchSize: 7 })).toBe(15 / 25);
    expect(net.accuracy(x, oneHot(t, 3, 'float64'), { batchSize: 4 })).toBe(15 / 25);
    expect(() => net.accuracy(x, t.reshape(5, 5))).toThrow(/5 targets for 25 samples/);
  });

  it('gradient returns the loss and fills every grad; loss defaults to test mode', () => {
    const x = randn([5, 4], rng, { dtype: 'float64' });
    const t = randint([5], rng, 0, 3);
    const loss = net.gradient(x, t);
    expect(loss).toBeCloseTo(net.loss(x, t), 14);
    expect(net.params().every((p) => p.grad.data.some((g) => g !== 0))).toBe(true);
  });

  it('gradient skips the input gradient below the first layer with parameters', () => {
    const calls: string[] = [];
    const spy = (name: string, layer: Layer): Layer => {
      const wrapped: Layer = {
        kind: layer.kind,
        forward: (x, ctx) => layer.forward(x, ctx),
        backward: (dout) => (calls.push(`${name}.backward`), layer.backward(dout)),
        params: () => layer.params(),
        outputShape: (shape) => layer.outputShape(shape),
      };
      if (layer.backwardParams) {
        wrapped.backwardParams = (dout) => (
          calls.push(`${name}.backwardParams`),
          layer.backwardParams!(dout)
        );
      }
      return wrapped;
    };
    const r = new Rng(5);
    const f64 = { dtype: 'float64' } as const;
    const spied = new LayerNetwork(
      [
        ['Relu0', spy('Relu0', new Relu())],
        [
          'Affine1',
          spy('Affine1', new Affine(randn([4, 6], r, f64), randn([6], r, f64), { W: 'W1', b: 'b1' })),
        ],
        ['Relu1', spy('Relu1', new Relu())],
        [
          'Affine2',
          spy('Affine2', new Affine(randn([6, 3], r, f64), randn([3], r, f64), { W: 'W2', b: 'b2' })),
        ],
      ],
      new SoftmaxWithLoss(),
    );
    const x = randn([5, 4], r, f64);
    const t = randint([5], r, 0, 3);
    const report = gradientCheck(spied, x, t);
    expect(calls.slice(0, 3)).toEqual(['Affine2.backward', 'Relu1.backward', 'Affine1.backwardParams']);
    // And the gradients are still right (central differences, h = 1e-4, in float64).
    for (const p of report.params) expect(p.maxRelError, p.name).toBeLessThan(1e-5);
  });

  it('runs ReLU after a max pooling that follows it: the same loss and gradients as the book order', () => {
    const r = new Rng(9);
    const f64 = { dtype: 'float64' } as const;
    const make = (): { net: LayerNetwork; layers: Layer[] } => {
      const rng = new Rng(4);
      const layers: Layer[] = [
        new Convolution(randn([3, 2, 3, 3], rng, f64), randn([3], rng, f64), { names: { W: 'W1', b: 'b1' } }),
        new Relu(),
        new Pooling(2, 2, { stride: 2 }),
        new Affine(randn([3 * 3 * 3, 4], rng, f64), randn([4], rng, f64), { W: 'W2', b: 'b2' }),
      ];
      const keys = ['Conv1', 'Relu1', 'Pool1', 'Affine1'];
      return {
        net: new LayerNetwork(
          layers.map((l, i) => [keys[i]!, l] as const),
          new SoftmaxWithLoss(),
        ),
        layers,
      };
    };
    const x = randn([5, 2, 8, 8], r, f64);
    const t = randint([5], r, 0, 4);
    // The book's order by hand: every layer forward in turn, then backward in reverse.
    const book = make();
    const last = new SoftmaxWithLoss();
    let y: FloatTensor = x;
    for (const layer of book.layers) y = layer.forward(y, { train: true });
    const bookLoss = last.forward(y, t);
    let dout = last.backward();
    for (const layer of [...book.layers].reverse()) dout = layer.backward(dout);
    const { net, layers } = make();
    const ran: string[] = [];
    for (const layer of layers) {
      const forward = layer.forward.bind(layer);
      layer.forward = (input, ctx) => (ran.push(layer.kind), forward(input, ctx));
    }
    expect(net.gradient(x, t)).toBe(bookLoss);
    expect(ran).toEqual(['Convolution', 'Pooling', 'Relu', 'Affine']);
    for (const p of net.params()) {
      const q = book.layers.flatMap((l) => l.params()).find((b) => b.name === p.name)!;
      expect(Array.from(p.grad.data), p.name).toEqual(Array.from(q.grad.data));
    }
  });

  it('numericalGradient returns a tensor per parameter name', () => {
    const grads = net.numericalGradient(randn([2, 4], rng, { dtype: 'float64' }), tensor([0, 2], 'int32'));
    expect([...grads.keys()]).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect(grads.get('W1')!.shape).toEqual([4, 6]);
  });

  it('rejects two parameters with one name and unknown names', () => {
    const a = new Affine(zeros([2, 2], 'float64'), zeros([2], 'float64'));
    const b = new Affine(zeros([2, 2], 'float64'), zeros([2], 'float64'));
    expect(
      () =>
        new LayerNetwork(
          [
            ['A', a],
            ['B', b],
          ],
          new SoftmaxWithLoss(),
        ),
    ).toThrow("two parameters are named 'W'");
    expect(() => net.param('W9')).toThrow(/no parameter 'W9' \(have W1, b1, W2, b2\)/);
  });

  it('prefixes buffers with the layer key', () => {
    const bn = new BatchNormalization(zeros([2], 'float64'), zeros([2], 'float64'));
    const n = new LayerNetwork([['BatchNorm7', bn]], new SoftmaxWithLoss());
    expect(n.buffers().map((b) => b.name)).toEqual(['BatchNorm7.running_mean', 'BatchNorm7.running_var']);
    expect(n.buffers()[0]!.value).toBe(bn.runningMean);
  });
});
