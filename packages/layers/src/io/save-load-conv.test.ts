import { describe, expect, it } from 'vitest';
import { randint, randn, Rng, type FloatDType, type Tensor } from '@dl/tensor';
import { DeepConvNet } from '../networks/deep-conv-net.js';
import type { LayerNetwork } from '../networks/layer-network.js';
import { LeNet } from '../networks/lenet.js';
import { SimpleConvNet } from '../networks/simple-conv-net.js';
import { buildModel, specOf } from '../model-spec/build-model.js';
import type { ModelSpec } from '../model-spec/model-spec.js';
import { specInputShape } from '../model-spec/spec-shapes.js';
import { loadModel, saveModel } from './save-load.js';
import { readSafetensors } from './safetensors.js';

const SPECS: [string, ModelSpec, (new () => LayerNetwork) | undefined][] = [
  [
    'SimpleConvNet',
    {
      kind: 'simple-conv-net',
      inputDim: [1, 12, 12],
      convParam: { filterNum: 4, filterSize: 3, pad: 1 },
      hiddenSize: 8,
      outputSize: 4,
      weightInitStd: 0.3,
    },
    SimpleConvNet,
  ],
  ['LeNet', { kind: 'lenet', outputSize: 4 }, LeNet],
  // The book's full DeepConvNet (123 552 parameters), with dropout so the train step differs from test.
  ['DeepConvNet', { kind: 'deep-conv-net', outputSize: 4, invertedDropout: true }, DeepConvNet],
  [
    'sequential with convolutions, pooling and per-channel BatchNorm',
    {
      kind: 'sequential',
      input: [2, 9, 8],
      layers: [
        { type: 'convolution', filters: 3, size: [3, 2], pad: 1 },
        { type: 'batchnorm', mode: 'per-channel' },
        { type: 'relu' },
        { type: 'pooling', size: 2, mode: 'average' },
        { type: 'convolution', filters: 5, size: 2, stride: 2 },
        { type: 'sigmoid' },
        { type: 'affine', units: 4 },
      ],
    },
    undefined,
  ],
];

const bits = (t: Tensor): Uint8Array => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
/** Bit-for-bit equality, fast on large tensors (deep equality of big arrays is slow in expect). */
const sameBits = (a: Tensor, b: Tensor): boolean => Buffer.from(bits(a)).equals(Buffer.from(bits(b)));

function images(
  spec: ModelSpec,
  dtype: FloatDType,
  seed: number,
  n = 2,
): { x: Tensor<FloatDType>; t: Tensor } {
  const rng = new Rng(seed);
  return { x: randn([n, ...specInputShape(spec)], rng, { dtype }), t: randint([n], rng, 0, 4) };
}

/** Two SGD steps in train mode: weights leave their initial values, BatchNorm statistics fill. */
function trained(spec: ModelSpec, dtype: FloatDType): LayerNetwork {
  const net = buildModel(spec, { rng: new Rng(5), dtype });
  const rng = new Rng(99);
  for (let step = 0; step < 2; step++) {
    const { x, t } = images(spec, dtype, step);
    net.gradient(x, t, { train: true, rng });
    for (const p of net.params())
      for (let i = 0; i < p.value.size; i++) p.value.data[i] = p.value.data[i]! - 0.1 * p.grad.data[i]!;
  }
  return net;
}

describe('saveModel / loadModel: convolutional networks', () => {
  describe.each(['float32', 'float64'] as const)('%s', (dtype) => {
    it.each(SPECS)('%s predicts bit for bit the same after loading', (_, spec, cls) => {
      const net = trained(spec, dtype);
      const bytes = saveModel(net, spec);
      const loaded = loadModel(bytes);
      expect(loaded.spec).toEqual(spec);
      expect(specOf(loaded.network)).toEqual(spec);
      expect(loaded.precision).toBe(dtype);
      if (cls) expect(loaded.network).toBeInstanceOf(cls);
      expect(loaded.network.params()[0]!.value.dtype).toBe(dtype);
      const { x, t } = images(spec, dtype, 50);
      expect(bits(loaded.network.predict(x))).toEqual(bits(net.predict(x)));
      loaded.network
        .params()
        .forEach((p, i) => expect(sameBits(p.value, net.params()[i]!.value), p.name).toBe(true));
      // ...and trains on the same way: the same loss and gradients from the same batch and dropout draws.
      const a = net.gradient(x, t, { train: true, rng: new Rng(3) });
      const b = loaded.network.gradient(x, t, { train: true, rng: new Rng(3) });
      expect(b).toBe(a);
      loaded.network
        .params()
        .forEach((p, i) => expect(sameBits(p.grad, net.params()[i]!.grad), p.name).toBe(true));
    });
  });

  it('stores the filters by their book names, W<k> counting convolutions and affines together', () => {
    const spec: ModelSpec = { kind: 'simple-conv-net', inputDim: [1, 8, 8], hiddenSize: 5 };
    const { tensors } = readSafetensors(saveModel(buildModel(spec), spec));
    expect([...tensors].map(([name, t]) => [name, t.shape])).toEqual([
      ['W1', [30, 1, 5, 5]],
      ['b1', [30]],
      ['W2', [120, 5]],
      ['b2', [5]],
      ['W3', [5, 10]],
      ['b3', [10]],
    ]);
  });
});
