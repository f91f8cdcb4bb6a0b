import { describe, expect, it } from 'vitest';
import { randn, Rng, type FloatDType } from '@dl/tensor';
import { loadModel, saveModel } from '../io/save-load.js';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.js';
import { buildModel, specOf } from '../model-spec/build-model.js';
import { specInputShape } from '../model-spec/spec-shapes.js';
import { DeepConvNet } from './deep-conv-net.js';
import type { LayerNetwork } from './layer-network.js';
import { LeNet } from './lenet.js';
import { MultiLayerNetExtend } from './multi-layer-net-extend.js';
import { MultiLayerNet } from './multi-layer-net.js';
import { NetworkBuilder } from './network-builder.js';
import { SimpleConvNet } from './simple-conv-net.js';
import { TwoLayerNet } from './two-layer-net.js';

// Every book network, made by its constructor as the README shows (not by buildModel), knows its spec.
const NETWORKS: [string, (dtype: FloatDType) => LayerNetwork][] = [
  ['TwoLayerNet', (dtype) => new TwoLayerNet(12, 7, 4, { rng: new Rng(1), dtype })],
  [
    'MultiLayerNet',
    (dtype) =>
      new MultiLayerNet({
        inputSize: 12,
        hiddenSizeList: [8, 6],
        outputSize: 4,
        activation: 'sigmoid',
        weightDecayLambda: 0.1,
        rng: new Rng(2),
        dtype,
      }),
  ],
  [
    'MultiLayerNetExtend',
    (dtype) =>
      new MultiLayerNetExtend({
        inputSize: 12,
        hiddenSizeList: [8],
        outputSize: 4,
        useBatchnorm: true,
        useDropout: true,
        dropoutRatio: 0.3,
        rng: new Rng(3),
        dtype,
      }),
  ],
  [
    'SimpleConvNet',
    (dtype) =>
      new SimpleConvNet({
        inputDim: [1, 10, 10],
        convParam: { filterNum: 3, filterSize: 3, pad: 1, stride: 1 },
        hiddenSize: 9,
        outputSize: 4,
        rng: new Rng(4),
        dtype,
      }),
  ],
  [
    'DeepConvNet',
    (dtype) => new DeepConvNet({ inputDim: [1, 16, 16], hiddenSize: 8, rng: new Rng(5), dtype }),
  ],
  [
    'LeNet',
    (dtype) => new LeNet({ activation: 'relu', pooling: 'max', outputSize: 5, rng: new Rng(6), dtype }),
  ],
];

describe.each(NETWORKS)('%s made by its constructor', (_, make) => {
  it.each(['float32', 'float64'] as const)(
    'saves with its own spec and loads back to the same predictions (%s)',
    (dtype) => {
      const net = make(dtype);
      const spec = specOf(net);
      expect(spec).toBeDefined();
      // The spec rebuilds the same network: buildModel with the same seed draws the same weights.
      const x = randn([3, ...specInputShape(spec!)], new Rng(9), { dtype });
      const loaded = loadModel(saveModel(net, spec!));
      expect(loaded.spec).toEqual(spec);
      expect(specOf(loaded.network)).toEqual(spec);
      expect(Array.from(loaded.network.predict(x).data)).toEqual(Array.from(net.predict(x).data));
      expect(loaded.network.params()[0]!.value.dtype).toBe(dtype);
    },
  );
});

describe('specOf', () => {
  it('copies the options: changing them afterwards does not change the spec', () => {
    const hiddenSizeList = [5, 5];
    const net = new MultiLayerNet({ inputSize: 6, hiddenSizeList, outputSize: 3 });
    hiddenSizeList.push(5);
    expect(specOf(net)).toEqual({
      kind: 'multi-layer-net',
      inputSize: 6,
      hiddenSizeList: [5, 5],
      outputSize: 3,
    });
    expect(Object.isFrozen(specOf(net))).toBe(true);
  });

  it('is the validated spec for buildModel, and undefined for a network put together by hand', () => {
    const spec = { kind: 'two-layer-net', inputSize: 4, hiddenSize: 3, outputSize: 2 } as const;
    const built = buildModel(spec);
    expect(specOf(built)).toEqual(spec);
    const byHand = new NetworkBuilder([4], { rng: new Rng(7), dtype: 'float32' })
      .affine(1, 2, 0.01)
      .build(new SoftmaxWithLoss());
    expect(specOf(byHand)).toBeUndefined();
  });
});
