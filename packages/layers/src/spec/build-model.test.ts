import { describe, expect, it } from 'vitest';
import { randn, Rng } from '@dl/tensor';
import type { LayerNetwork } from '../networks/layer-network.js';
import { MultiLayerNetExtend } from '../networks/multi-layer-net-extend.js';
import { MultiLayerNet } from '../networks/multi-layer-net.js';
import { TwoLayerNet } from '../networks/two-layer-net.js';
import { buildModel, specOf } from './build-model.js';
import type { ModelSpec } from './model-spec.js';
import { ModelSpecError } from './validate-spec.js';

/** Parameter and buffer names, shapes and values, for comparing two networks exactly. */
function stateOf(net: LayerNetwork): [string, readonly number[], number[]][] {
  return [...net.params().map((p) => ({ name: p.name, value: p.value })), ...net.buffers()].map((t) => [
    t.name,
    t.value.shape,
    [...t.value.data],
  ]);
}

describe('buildModel', () => {
  it('builds the book networks exactly as their constructors do (same seed, same weights)', () => {
    const two = buildModel(
      { kind: 'two-layer-net', inputSize: 6, hiddenSize: 5, outputSize: 3 },
      { rng: new Rng(1) },
    );
    expect(two).toBeInstanceOf(TwoLayerNet);
    expect(stateOf(two)).toEqual(stateOf(new TwoLayerNet(6, 5, 3, { rng: new Rng(1) })));

    const options = { inputSize: 6, hiddenSizeList: [5, 4], outputSize: 3, activation: 'sigmoid' as const };
    const mlp = buildModel(
      { kind: 'multi-layer-net', ...options, weightDecayLambda: 0.1 },
      { rng: new Rng(2), dtype: 'float64' },
    );
    expect(mlp).toBeInstanceOf(MultiLayerNet);
    expect(mlp.weightDecayLambda).toBe(0.1);
    expect(mlp.params()[0]!.value.dtype).toBe('float64');
    expect(stateOf(mlp)).toEqual(
      stateOf(new MultiLayerNet({ ...options, rng: new Rng(2), dtype: 'float64' })),
    );

    const ext = buildModel(
      { kind: 'multi-layer-net-extend', ...options, useBatchnorm: true, useDropout: true },
      { rng: new Rng(3) },
    );
    expect(ext).toBeInstanceOf(MultiLayerNetExtend);
    expect([...ext.layers.keys()]).toContain('Dropout2');
    expect(stateOf(ext)).toEqual(
      stateOf(new MultiLayerNetExtend({ ...options, useBatchnorm: true, useDropout: true, rng: new Rng(3) })),
    );
  });

  it('sequential: the book names and weights of TwoLayerNet', () => {
    const spec: ModelSpec = {
      kind: 'sequential',
      input: [6],
      layers: [
        { type: 'affine', units: 5, init: 0.01 },
        { type: 'relu' },
        { type: 'affine', units: 3, init: 0.01 },
      ],
    };
    const net = buildModel(spec, { rng: new Rng(4) });
    expect([...net.layers.keys()]).toEqual(['Affine1', 'Relu1', 'Affine2']);
    expect(stateOf(net)).toEqual(stateOf(new TwoLayerNet(6, 5, 3, { rng: new Rng(4) })));
  });

  it('sequential: the names, buffers and weights of MultiLayerNetExtend with BatchNorm', () => {
    const hidden = [
      { type: 'affine', units: 4 },
      { type: 'batchnorm' },
      { type: 'relu' },
      { type: 'dropout', ratio: 0.3 },
    ] as const;
    const net = buildModel(
      { kind: 'sequential', input: [6], layers: [...hidden, ...hidden, { type: 'affine', units: 3 }] },
      { rng: new Rng(5) },
    );
    const book = new MultiLayerNetExtend({
      inputSize: 6,
      hiddenSizeList: [4, 4],
      outputSize: 3,
      useBatchnorm: true,
      useDropout: true,
      dropoutRatio: 0.3,
      rng: new Rng(5),
    });
    expect(stateOf(net)).toEqual(stateOf(book));
    expect(net.buffers().map((b) => b.name)).toEqual([
      'BatchNorm1.running_mean',
      'BatchNorm1.running_var',
      'BatchNorm2.running_mean',
      'BatchNorm2.running_var',
    ]);
    const x = randn([8, 6], new Rng(6));
    expect(net.predict(x).data).toEqual(book.predict(x).data);
  });

  it('sequential: infers the fan-in of N-d input and per-channel batchnorm sizes', () => {
    const net = buildModel({
      kind: 'sequential',
      input: [2, 3, 4],
      layers: [
        { type: 'batchnorm', mode: 'per-channel' },
        { type: 'affine', units: 5 },
        { type: 'sigmoid' },
        { type: 'affine', units: 2 },
      ],
    });
    expect(net.params().map((p) => [p.name, p.value.shape])).toEqual([
      ['gamma1', [2]],
      ['beta1', [2]],
      ['W1', [24, 5]],
      ['b1', [5]],
      ['W2', [5, 2]],
      ['b2', [2]],
    ]);
    expect(net.predict(randn([3, 2, 3, 4], new Rng(7))).shape).toEqual([3, 2]);
  });

  it('rejects a sequential whose output is not a vector, and invalid specs', () => {
    expect(() => buildModel({ kind: 'sequential', input: [2, 3], layers: [{ type: 'relu' }] })).toThrow(
      /output per sample is \[2,3\], but SoftmaxWithLoss needs a vector; end with an affine/,
    );
    const bad = { kind: 'two-layer-net', inputSize: 0, hiddenSize: 5, outputSize: 3 } as const;
    expect(() => buildModel(bad)).toThrow(ModelSpecError);
  });

  it('remembers the spec: a frozen copy, unaffected by later changes to the caller’s object', () => {
    const spec = { kind: 'multi-layer-net' as const, inputSize: 4, hiddenSizeList: [3], outputSize: 2 };
    const net = buildModel(spec);
    spec.hiddenSizeList.push(7);
    expect(specOf(net)).toEqual({
      kind: 'multi-layer-net',
      inputSize: 4,
      hiddenSizeList: [3],
      outputSize: 2,
    });
    expect(Object.isFrozen(specOf(net))).toBe(true);
    expect(specOf(new TwoLayerNet(4, 3, 2))).toBeUndefined();
  });
});
