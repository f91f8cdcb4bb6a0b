import { describe, expect, it } from 'vitest';
import { randint, randn, Rng, type FloatDType, type Tensor } from '@dl/tensor';
import type { LayerNetwork } from '../networks/layer-network.js';
import { TwoLayerNet } from '../networks/two-layer-net.js';
import { buildModel, specOf } from '../model-spec/build-model.js';
import type { ModelSpec } from '../model-spec/model-spec.js';
import { ModelFileError } from './model-metadata.js';
import { loadModel, saveModel } from './save-load.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { isHalfTensor, type HalfTensor, type StoredTensor } from './safetensors-types.js';

const INPUT = 12;
const SPECS: [string, ModelSpec][] = [
  [
    'TwoLayerNet',
    { kind: 'two-layer-net', inputSize: INPUT, hiddenSize: 9, outputSize: 4, weightInitStd: 0.3 },
  ],
  [
    'MultiLayerNet',
    {
      kind: 'multi-layer-net',
      inputSize: INPUT,
      hiddenSizeList: [8, 7],
      outputSize: 4,
      weightDecayLambda: 0.01,
    },
  ],
  [
    'MultiLayerNetExtend (BatchNorm, Dropout)',
    {
      kind: 'multi-layer-net-extend',
      inputSize: INPUT,
      hiddenSizeList: [8, 7],
      outputSize: 4,
      useBatchnorm: true,
      useDropout: true,
      dropoutRatio: 0.2,
    },
  ],
  [
    'sequential',
    {
      kind: 'sequential',
      input: [3, 4],
      layers: [
        { type: 'affine', units: 6 },
        { type: 'batchnorm' },
        { type: 'sigmoid' },
        { type: 'affine', units: 4 },
      ],
    },
  ],
];

const bits = (t: Tensor): Uint8Array => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
const batch = (dtype: FloatDType, seed: number) => {
  const rng = new Rng(seed);
  return { x: randn([10, INPUT], rng, { dtype }), t: randint([10], rng, 0, 4) };
};

/** A few SGD steps in train mode: weights move off their initial values, BatchNorm running statistics fill. */
function train(net: LayerNetwork, dtype: FloatDType): void {
  const rng = new Rng(99);
  for (let step = 0; step < 4; step++) {
    const { x, t } = batch(dtype, step);
    net.gradient(x.reshape(10, -1), t, { train: true, rng });
    for (const p of net.params())
      for (let i = 0; i < p.value.size; i++) p.value.data[i] = p.value.data[i]! - 0.1 * p.grad.data[i]!;
  }
}

function trained(spec: ModelSpec, dtype: FloatDType): LayerNetwork {
  const net = buildModel(spec, { rng: new Rng(5), dtype });
  train(net, dtype);
  return net;
}

describe('saveModel / loadModel', () => {
  describe.each(['float32', 'float64'] as const)('%s', (dtype) => {
    it.each(SPECS)('%s predicts bit for bit the same after loading', (_, spec) => {
      const net = trained(spec, dtype);
      for (const b of net.buffers())
        expect(
          [...b.value.data].some((v) => v !== 0 && v !== 1),
          b.name,
        ).toBe(true);
      const loaded = loadModel(saveModel(net, spec));
      expect(loaded.spec).toEqual(spec);
      expect(specOf(loaded.network)).toEqual(spec);
      expect(loaded.network.constructor).toBe(net.constructor);
      const { x } = batch(dtype, 50);
      expect(bits(loaded.network.predict(x))).toEqual(bits(net.predict(x)));
      // ...and keeps training the same way: same gradients from the same batch and dropout draws.
      const { t } = batch(dtype, 51);
      const a = net.gradient(x, t, { train: true, rng: new Rng(3) });
      const b = loaded.network.gradient(x, t, { train: true, rng: new Rng(3) });
      expect(b).toBe(a);
      loaded.network
        .params()
        .forEach((p, i) => expect(bits(p.grad), p.name).toEqual(bits(net.params()[i]!.grad)));
    });
  });

  it('stores parameters by book name, buffers by layer key, and the spec as JSON metadata', () => {
    const spec = SPECS[2]![1];
    const { tensors, metadata } = readSafetensors(saveModel(trained(spec, 'float32'), spec));
    expect([...tensors.keys()]).toEqual([
      'W1',
      'b1',
      'gamma1',
      'beta1',
      'W2',
      'b2',
      'gamma2',
      'beta2',
      'W3',
      'b3',
      'BatchNorm1.running_mean',
      'BatchNorm1.running_var',
      'BatchNorm2.running_mean',
      'BatchNorm2.running_var',
    ]);
    expect(metadata).toEqual({
      'dl.format': 'dl.model',
      'dl.version': '1',
      'dl.spec': JSON.stringify(spec),
      'dl.dtype': 'float32',
    });
  });

  it('round-trips optimizer tensors and header, the RNG state and extra metadata', () => {
    const spec = SPECS[0]![1];
    const net = trained(spec, 'float32');
    const rng = new Rng(17);
    rng.normal(); // leaves a Box-Muller spare in the state
    const v = randn([INPUT, 9], new Rng(8));
    const header = { kind: 'momentum', hyper: { lr: 0.01, momentum: 0.9 }, iter: 4, slots: { v: ['W1'] } };
    const bytes = saveModel(net, spec, {
      optimizer: { header, tensors: { 'optimizer.v.W1': v } },
      rng: rng.getState(),
      metadata: { run: 'a', settings: '{"lr":0.01}' },
    });
    const loaded = loadModel(bytes);
    expect(loaded.optimizer!.header).toEqual(header);
    expect(bits(loaded.optimizer!.tensors['optimizer.v.W1']!)).toEqual(bits(v));
    expect(loaded.metadata).toEqual({ run: 'a', settings: '{"lr":0.01}' });
    const restored = new Rng(0);
    restored.setState(loaded.rng!);
    expect([restored.normal(), restored.random()]).toEqual([rng.normal(), rng.random()]);
    const stored = JSON.parse(readSafetensors(bytes).metadata['dl.rng']!) as { s: number[] };
    expect(stored.s.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)).toBe(true);
    expect(loadModel(saveModel(net, spec))).not.toHaveProperty('optimizer');
  });

  it('refuses to save what would not load', () => {
    const spec = SPECS[0]![1];
    const net = trained(spec, 'float32');
    expect(() => saveModel(net, { ...spec, hiddenSize: 10 } as ModelSpec)).toThrow(
      /not what its spec builds: W1 is \[12,9\], expected \[12,10\]; b1 is \[9\], expected \[10\]/,
    );
    expect(() => saveModel(new TwoLayerNet(INPUT, 9, 4, { dtype: 'float64' }), spec)).not.toThrow();
    const v = randn([2], new Rng(1));
    expect(() => saveModel(net, spec, { optimizer: { header: {}, tensors: { 'v.W1': v } } })).toThrow(
      /must be named 'optimizer\./,
    );
    expect(() => saveModel(net, spec, { metadata: { 'dl.spec': 'x' } })).toThrow(/'dl\.spec' is reserved/);
    expect(() => saveModel(net, spec, { optimizer: { header: undefined, tensors: {} } })).toThrow(
      /optimizer\.header must be JSON-serialisable/,
    );
  });
});

describe('loadModel rejects files it cannot trust', () => {
  const spec = SPECS[2]![1];
  const good = saveModel(trained(spec, 'float32'), spec, { metadata: { note: 'n' } });
  /** The good file with tensors and metadata edited. */
  function edit(
    change: (tensors: Map<string, StoredTensor>, metadata: Record<string, string>) => void,
  ): Uint8Array {
    const { tensors, metadata } = readSafetensors(good);
    change(tensors, metadata);
    return writeSafetensors(tensors, metadata);
  }
  const f16: HalfTensor = { dtype: 'F16', shape: [4], data: Uint16Array.from([1, 2, 3, 4]) };

  it.each<[string, Uint8Array, RegExp]>([
    [
      'a plain safetensors file',
      writeSafetensors({ W1: randn([2], new Rng(1)) }),
      /not a dl model \(metadata 'dl\.format' is undefined/,
    ],
    [
      'a newer format',
      edit((_, m) => (m['dl.version'] = '2')),
      /format version 2 is not one this code reads \(1\.\.1\); update @dl\/layers/,
    ],
    [
      'a spec that is not JSON',
      edit((_, m) => (m['dl.spec'] = '{kind')),
      /metadata 'dl\.spec' is not valid JSON/,
    ],
    [
      'an invalid spec',
      edit((_, m) => (m['dl.spec'] = '{"kind":"cnn"}')),
      /the stored spec is invalid: ModelSpec: spec\.kind: unknown kind "cnn"/,
    ],
    [
      'a spec that does not build',
      edit((_, m) => (m['dl.spec'] = '{"kind":"sequential","input":[2,3],"layers":[{"type":"relu"}]}')),
      /the stored spec is invalid: ModelSpec: spec\.layers: the network's output per sample is \[2,3\]/,
    ],
    [
      'a missing tensor',
      edit((t) => t.delete('BatchNorm2.running_var')),
      /do not match the spec's network: missing BatchNorm2\.running_var/,
    ],
    ['an extra tensor', edit((t) => t.set('W9', randn([2], new Rng(2)))), /unexpected W9/],
    ['a wrong shape', edit((t) => t.set('b3', randn([5], new Rng(3)))), /b3 is \[5\], expected \[4\]/],
    [
      'mixed dtypes',
      edit((t) => t.set('b3', randn([4], new Rng(3), { dtype: 'float64' }))),
      /b3 is float64, expected float32/,
    ],
    [
      'integer weights',
      edit((t) => t.set('W1', randint([12, 8], new Rng(3), 0, 9))),
      /weights must be float32, float64, F16 or BF16, got int32/,
    ],
    [
      'a half-precision weight among float32 ones',
      edit((t) => t.set('b3', f16)),
      /b3 is F16, expected float32/,
    ],
    [
      'half-precision optimizer tensors',
      edit((t, m) => {
        t.set('optimizer.v.W1', f16);
        m['dl.optimizer'] = '{}';
      }),
      /optimizer tensor 'optimizer\.v\.W1' is F16, expected float32 or float64/,
    ],
    [
      'an unknown network dtype',
      edit((_, m) => (m['dl.dtype'] = 'float16')),
      /metadata 'dl\.dtype' is "float16", expected 'float32' or 'float64'/,
    ],
    [
      'float64 weights for a float32 network',
      edit((t, m) => {
        for (const [name, v] of t) if (!isHalfTensor(v)) t.set(name, v.astype('float64'));
        m['dl.dtype'] = 'float32';
      }),
      /metadata 'dl\.dtype' is 'float32' but the weights are stored as float64, wider than it/,
    ],
    [
      'optimizer tensors without a header',
      edit((t) => t.set('optimizer.v.W1', randn([2], new Rng(4)))),
      /optimizer tensors without 'dl\.optimizer' metadata: optimizer\.v\.W1/,
    ],
    [
      'a bad RNG state',
      edit((_, m) => (m['dl.rng'] = '{"algorithm":"mt19937"}')),
      /'dl\.rng' is not an RNG state/,
    ],
  ])('%s', (_, bytes, message) => {
    expect(() => loadModel(bytes, { file: 'best.safetensors' })).toThrow(message);
  });

  it('names the file in a ModelFileError', () => {
    const bytes = edit((t) => t.delete('W1'));
    expect(() => loadModel(bytes, { file: 'runs/x/best.safetensors' })).toThrow(ModelFileError);
    expect(() => loadModel(bytes, { file: 'runs/x/best.safetensors' })).toThrow(
      /^loadModel \(runs\/x\/best\.safetensors\): /,
    );
  });
});
