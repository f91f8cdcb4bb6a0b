import { describe, expect, expectTypeOf, it } from 'vitest';
import { randn, Rng } from '@dl/tensor';
import type { Pooling } from '../layers/pooling.js';
import { DeepConvNet, type DeepConvNetOptions } from '../networks/deep-conv-net.js';
import type { LayerNetwork } from '../networks/layer-network.js';
import { LeNet, type LeNetOptions } from '../networks/lenet.js';
import { MultiLayerNetExtend, type MultiLayerNetExtendOptions } from '../networks/multi-layer-net-extend.js';
import { MultiLayerNet, type MultiLayerNetOptions } from '../networks/multi-layer-net.js';
import { SimpleConvNet, type SimpleConvNetOptions } from '../networks/simple-conv-net.js';
import { TwoLayerNet } from '../networks/two-layer-net.js';
import { buildModel, specOf } from './build-model.js';
import type {
  ConvParamSpec,
  DeepConvNetSpec,
  LayerSpec,
  LeNetSpec,
  ModelSpec,
  MultiLayerNetExtendSpec,
  MultiLayerNetSpec,
  SimpleConvNetSpec,
} from './model-spec.js';
import type { ConvParam } from '../networks/network-builder.js';
import { specInputShape, specOutputSize } from './spec-shapes.js';
import { ModelSpecError } from './validate-spec.js';

/** Parameter and buffer names, shapes and values, for comparing two networks exactly. */
function stateOf(net: LayerNetwork): [string, readonly number[], number[]][] {
  return [...net.params().map((p) => ({ name: p.name, value: p.value })), ...net.buffers()].map((t) => [
    t.name,
    t.value.shape,
    [...t.value.data],
  ]);
}

/** The options a constructor takes that a spec lacks (only where the weights come from and where it runs). */
type Unmirrored<Options, Spec> = Exclude<keyof Options, keyof Spec>;

describe('buildModel', () => {
  it('book kinds mirror every constructor option but rng, dtype and backend (checked by tsc)', () => {
    expectTypeOf<Unmirrored<MultiLayerNetOptions, MultiLayerNetSpec>>().toEqualTypeOf<
      'rng' | 'dtype' | 'backend'
    >();
    expectTypeOf<Unmirrored<MultiLayerNetExtendOptions, MultiLayerNetExtendSpec>>().toEqualTypeOf<
      'rng' | 'dtype' | 'backend'
    >();
    expectTypeOf<Unmirrored<SimpleConvNetOptions, SimpleConvNetSpec>>().toEqualTypeOf<
      'rng' | 'dtype' | 'backend'
    >();
    expectTypeOf<Unmirrored<DeepConvNetOptions, DeepConvNetSpec>>().toEqualTypeOf<
      'rng' | 'dtype' | 'backend'
    >();
    expectTypeOf<Unmirrored<LeNetOptions, LeNetSpec>>().toEqualTypeOf<'rng' | 'dtype' | 'backend'>();
    expectTypeOf<keyof ConvParam>().toEqualTypeOf<keyof ConvParamSpec>();
    // ...and a spec's options are the constructor's (the other direction is checked by buildModel itself).
    expectTypeOf<Omit<SimpleConvNetSpec, 'kind'>>().toMatchTypeOf<SimpleConvNetOptions>();
  });

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

  it('builds the conv networks as their classes, with the same weights for the same seed', () => {
    const simple = buildModel({ kind: 'simple-conv-net' }, { rng: new Rng(1) });
    expect(simple).toBeInstanceOf(SimpleConvNet);
    expect(stateOf(simple)).toEqual(stateOf(new SimpleConvNet({ rng: new Rng(1) })));

    const options = {
      inputDim: [2, 10, 9] as const,
      convParam: { filterNum: 4, filterSize: [3, 2] as const, pad: 1, stride: 2 },
      hiddenSize: 7,
      outputSize: 3,
      weightInitStd: 'he' as const,
    };
    const small = buildModel({ kind: 'simple-conv-net', ...options }, { rng: new Rng(2), dtype: 'float64' });
    expect(small.params()[0]!.value.dtype).toBe('float64');
    expect(stateOf(small)).toEqual(
      stateOf(new SimpleConvNet({ ...options, rng: new Rng(2), dtype: 'float64' })),
    );

    const deep = buildModel({ kind: 'deep-conv-net' }, { rng: new Rng(3) });
    expect(deep).toBeInstanceOf(DeepConvNet);
    expect(deep.params().reduce((n, p) => n + p.value.size, 0)).toBe(123_552);
    expect(stateOf(deep)).toEqual(stateOf(new DeepConvNet({ rng: new Rng(3) })));
    const deepOptions = { hiddenSize: 6, outputSize: 4, dropoutRatio: 0.3, invertedDropout: true };
    const deepSmall = buildModel({ kind: 'deep-conv-net', ...deepOptions }, { rng: new Rng(3) });
    expect(stateOf(deepSmall)).toEqual(stateOf(new DeepConvNet({ ...deepOptions, rng: new Rng(3) })));
    expect(deepSmall.layers.get('Dropout1')).toMatchObject({ ratio: 0.3 });

    const lenet = buildModel({ kind: 'lenet' }, { rng: new Rng(4) });
    expect(lenet).toBeInstanceOf(LeNet);
    expect(stateOf(lenet)).toEqual(stateOf(new LeNet({ rng: new Rng(4) })));
    const modern = { activation: 'relu', pooling: 'max', firstPad: 0, inputDim: [1, 32, 32] } as const;
    const lenetRelu = buildModel({ kind: 'lenet', ...modern, outputSize: 5 }, { rng: new Rng(5) });
    expect([...lenetRelu.layers.keys()]).toContain('Relu4');
    expect(stateOf(lenetRelu)).toEqual(stateOf(new LeNet({ ...modern, outputSize: 5, rng: new Rng(5) })));
  });

  it('rejects conv geometry that does not fit as a ModelSpecError naming the kind', () => {
    const big = { kind: 'simple-conv-net', convParam: { filterNum: 3, filterSize: 29 } } as const;
    expect(() => buildModel(big)).toThrow(ModelSpecError);
    expect(() => buildModel(big)).toThrow(/^ModelSpec: spec \(simple-conv-net\): .*29/);
    expect(() => buildModel({ kind: 'lenet', firstPad: 0, inputDim: [1, 28, 28] })).toThrow(
      /spec \(lenet\): /,
    );
    expect(() =>
      buildModel({
        kind: 'sequential',
        input: [784],
        layers: [{ type: 'convolution', filters: 2, size: 3 }],
      }),
    ).toThrow(
      /spec\.layers\[0\] \(convolution\): NetworkBuilder: Conv1 needs \[C, H, W\] input per sample, got \[784\]/,
    );
    expect(() =>
      buildModel({
        kind: 'sequential',
        input: [1, 4, 4],
        layers: [
          { type: 'pooling', size: 2, pad: 2 },
          { type: 'affine', units: 2 },
        ],
      }),
    ).toThrow(/spec\.layers\[0\] \(pooling\): /);
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

  it('sequential: LeNet’s layer list names and draws everything as new LeNet() does', () => {
    const conv = (filters: number, pad = 0): LayerSpec => ({
      type: 'convolution',
      filters,
      size: 5,
      pad,
      init: 'xavier',
    });
    const pool: LayerSpec = { type: 'pooling', size: 2, stride: 2, mode: 'average' };
    const sigmoid: LayerSpec = { type: 'sigmoid' };
    const affine = (units: number): LayerSpec => ({ type: 'affine', units, init: 'xavier' });
    const spec: ModelSpec = {
      kind: 'sequential',
      input: [1, 28, 28],
      layers: [
        conv(6, 2),
        sigmoid,
        pool,
        conv(16),
        sigmoid,
        pool,
        conv(120),
        sigmoid,
        affine(84),
        sigmoid,
        affine(10),
      ],
    };
    const net = buildModel(spec, { rng: new Rng(8) });
    const book = new LeNet({ rng: new Rng(8) });
    expect([...net.layers.keys()]).toEqual([...book.layers.keys()]);
    expect([...net.layers.keys()]).toEqual([
      'Conv1',
      'Sigmoid1',
      'Pool1',
      'Conv2',
      'Sigmoid2',
      'Pool2',
      'Conv3',
      'Sigmoid3',
      'Affine1',
      'Sigmoid4',
      'Affine2',
    ]);
    expect(net.params().map((p) => p.name)).toEqual([
      'W1',
      'b1',
      'W2',
      'b2',
      'W3',
      'b3',
      'W4',
      'b4',
      'W5',
      'b5',
    ]);
    expect(stateOf(net)).toEqual(stateOf(book));
    const x = randn([2, 1, 28, 28], new Rng(9));
    expect(net.predict(x).data).toEqual(book.predict(x).data);
  });

  it('sequential: SimpleConvNet and DeepConvNet as layer lists (pooling stride defaults to the window)', () => {
    const simple = buildModel(
      {
        kind: 'sequential',
        input: [1, 28, 28],
        layers: [
          { type: 'convolution', filters: 30, size: 5, init: 0.01 },
          { type: 'relu' },
          { type: 'pooling', size: 2 },
          { type: 'affine', units: 100, init: 0.01 },
          { type: 'relu' },
          { type: 'affine', units: 10, init: 0.01 },
        ],
      },
      { rng: new Rng(10) },
    );
    const book = new SimpleConvNet({ rng: new Rng(10) });
    expect([...simple.layers.keys()]).toEqual(['Conv1', 'Relu1', 'Pool1', 'Affine1', 'Relu2', 'Affine2']);
    expect(simple.layers.get('Pool1')).toMatchObject({ poolH: 2, poolW: 2, stride: 2, pad: 0, mode: 'max' });
    expect(stateOf(simple)).toEqual(stateOf(book));

    const layers: LayerSpec[] = [];
    for (const [i, { filterNum, pad }] of [16, 16, 32, 32, 64, 64].map(
      (f, i) => [i, { filterNum: f, pad: i === 3 ? 2 : 1 }] as const,
    )) {
      layers.push({ type: 'convolution', filters: filterNum, size: 3, pad }, { type: 'relu' });
      if (i % 2 === 1) layers.push({ type: 'pooling', size: 2 });
    }
    layers.push(
      { type: 'affine', units: 50 },
      { type: 'relu' },
      { type: 'dropout', ratio: 0.5 },
      { type: 'affine', units: 10 },
      { type: 'dropout', ratio: 0.5 },
    );
    const deep = buildModel({ kind: 'sequential', input: [1, 28, 28], layers }, { rng: new Rng(11) });
    const deepBook = new DeepConvNet({ rng: new Rng(11) });
    expect([...deep.layers.keys()]).toEqual([...deepBook.layers.keys()]);
    expect(stateOf(deep)).toEqual(stateOf(deepBook));
  });

  it('sequential: conv names share the W counter with affines; other keys count per type', () => {
    const net = buildModel({
      kind: 'sequential',
      input: [2, 6, 5],
      layers: [
        { type: 'convolution', filters: 3, size: [3, 2], pad: 1 },
        { type: 'batchnorm', mode: 'per-channel' },
        { type: 'relu' },
        { type: 'pooling', size: [2, 3], stride: 1, mode: 'average' },
        { type: 'convolution', filters: 4, size: 1, stride: 2 },
        { type: 'pooling', size: 2, pad: 1 },
        { type: 'relu' },
        { type: 'affine', units: 5 },
        { type: 'batchnorm' },
        { type: 'affine', units: 2 },
      ],
    });
    expect([...net.layers.keys()]).toEqual([
      'Conv1',
      'BatchNorm1',
      'Relu1',
      'Pool1',
      'Conv2',
      'Pool2',
      'Relu2',
      'Affine1',
      'BatchNorm2',
      'Affine2',
    ]);
    expect(net.params().map((p) => [p.name, p.value.shape])).toEqual([
      ['W1', [3, 2, 3, 2]],
      ['b1', [3]],
      ['gamma1', [3]],
      ['beta1', [3]],
      ['W2', [4, 3, 1, 1]],
      ['b2', [4]],
      // [3, 6+2-3+1, 5+2-2+1] = [3, 6, 6] → pool 2×3 stride 1: [3, 5, 4] → conv stride 2: [4, 3, 2]
      // → pool 2 stride 2 pad 1: [4, 2, 2]
      ['W3', [16, 5]],
      ['b3', [5]],
      ['gamma2', [5]],
      ['beta2', [5]],
      ['W4', [5, 2]],
      ['b4', [2]],
    ]);
    const pool = net.layers.get('Pool2') as Pooling;
    expect([pool.stride, pool.pad]).toEqual([2, 1]);
    expect(net.predict(randn([3, 2, 6, 5], new Rng(12))).shape).toEqual([3, 2]);
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
    // A book network made by its constructor knows its spec too (its options, defaults filled in).
    expect(specOf(new TwoLayerNet(4, 3, 2))).toEqual({
      kind: 'two-layer-net',
      inputSize: 4,
      hiddenSize: 3,
      outputSize: 2,
      weightInitStd: 0.01,
    });
  });
});

describe('specInputShape / specOutputSize', () => {
  it.each<[ModelSpec, readonly number[], number]>([
    [{ kind: 'two-layer-net', inputSize: 6, hiddenSize: 5, outputSize: 3 }, [6], 3],
    [{ kind: 'multi-layer-net-extend', inputSize: 6, hiddenSizeList: [], outputSize: 2 }, [6], 2],
    [{ kind: 'simple-conv-net' }, [1, 28, 28], 10],
    [{ kind: 'deep-conv-net', inputDim: [3, 32, 32], outputSize: 100 }, [3, 32, 32], 100],
    [{ kind: 'lenet', outputSize: 7 }, [1, 28, 28], 7],
    [
      {
        kind: 'sequential',
        input: [1, 8, 8],
        layers: [
          { type: 'convolution', filters: 2, size: 3 },
          { type: 'affine', units: 4 },
          { type: 'relu' },
          { type: 'dropout', ratio: 0.5 },
        ],
      },
      [1, 8, 8],
      4,
    ],
    [{ kind: 'sequential', input: [5], layers: [{ type: 'relu' }] }, [5], 5],
  ])('%j', (spec, input, output) => {
    expect(specInputShape(spec)).toEqual(input);
    expect(specOutputSize(spec)).toBe(output);
    const net = buildModel(spec);
    expect(net.predict(randn([2, ...input], new Rng(1))).shape).toEqual([2, output]);
  });
});
