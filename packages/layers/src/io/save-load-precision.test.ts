import { describe, expect, it } from 'vitest';
import { randint, randn, Rng, type FloatDType, type Tensor } from '@dl/tensor';
import { withWeightPrecision } from '../analysis/reduced-precision.js';
import type { LayerNetwork } from '../networks/layer-network.js';
import { buildModel } from '../model-spec/build-model.js';
import type { ModelSpec } from '../model-spec/model-spec.js';
import { specInputShape } from '../model-spec/spec-shapes.js';
import { loadModel, saveModel } from './save-load.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { isHalfTensor } from './safetensors-types.js';

const SPECS: [string, ModelSpec][] = [
  ['DeepConvNet', { kind: 'deep-conv-net' }],
  [
    'MultiLayerNetExtend with BatchNorm',
    {
      kind: 'multi-layer-net-extend',
      inputSize: 12,
      hiddenSizeList: [10, 8],
      outputSize: 4,
      useBatchnorm: true,
    },
  ],
  [
    'sequential conv net',
    {
      kind: 'sequential',
      input: [1, 10, 10],
      layers: [
        { type: 'convolution', filters: 4, size: 3 },
        { type: 'batchnorm', mode: 'per-channel' },
        { type: 'relu' },
        { type: 'pooling', size: 2 },
        { type: 'affine', units: 4 },
      ],
    },
  ],
];

const bits = (t: Tensor): Uint8Array => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
/** Byte equality, fast on whole files (deep equality of big arrays is slow in expect). */
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
const input = (spec: ModelSpec, dtype: FloatDType, seed: number): Tensor<FloatDType> =>
  randn([4, ...specInputShape(spec)], new Rng(seed), { dtype });

/** A network with moved weights and filled BatchNorm statistics (one SGD step in train mode). */
function trained(spec: ModelSpec, dtype: FloatDType): LayerNetwork {
  const net = buildModel(spec, { rng: new Rng(5), dtype });
  net.gradient(input(spec, dtype, 1), randint([4], new Rng(2), 0, 4), { train: true, rng: new Rng(3) });
  for (const p of net.params())
    for (let i = 0; i < p.value.size; i++) p.value.data[i] = p.value.data[i]! - 0.1 * p.grad.data[i]!;
  return net;
}

function maxAbs(t: Tensor): number {
  let m = 0;
  for (let i = 0; i < t.size; i++) m = Math.max(m, Math.abs(t.data[i]!));
  return m;
}
function maxDiff(a: Tensor, b: Tensor): number {
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

describe('saveModel precision', () => {
  describe.each(['float32', 'float64'] as const)('a %s network', (dtype) => {
    describe.each(SPECS)('%s', (_, spec) => {
      const net = trained(spec, dtype);
      const x = input(spec, dtype, 7);
      const exact = net.predict(x);

      it.each([
        ['float16', 'F16', 5e-3],
        ['bfloat16', 'BF16', 4e-2],
      ] as const)(
        '%s: stores every weight and running statistic as %s and loads back in the network’s dtype',
        (precision, fileDType, tolerance) => {
          const bytes = saveModel(net, spec, { precision });
          const { tensors, metadata } = readSafetensors(bytes);
          expect(metadata['dl.dtype']).toBe(dtype);
          expect([...tensors.values()].every((t) => t.dtype === fileDType)).toBe(true);

          const loaded = loadModel(bytes);
          expect(loaded.precision).toBe(precision);
          expect(loaded.network.params().every((p) => p.value.dtype === dtype)).toBe(true);
          const predicted = loaded.network.predict(x);
          expect(predicted.dtype).toBe(dtype);
          // Exactly what computing with rounded weights gives...
          const rounded = withWeightPrecision(net, precision, () => net.predict(x));
          expect(bits(predicted)).toEqual(bits(rounded));
          // ...which is near the full-precision scores, and not them.
          expect(maxDiff(predicted, exact)).toBeLessThan(tolerance * maxAbs(exact));
          expect(maxDiff(predicted, exact)).toBeGreaterThan(0);
          // Saving the rounded network again changes nothing.
          expect(sameBytes(saveModel(loaded.network, spec, { precision }), bytes)).toBe(true);
        },
      );
    });
  });

  it('float16 and bfloat16 halve a float32 file, and quarter a float64 one', () => {
    const spec = SPECS[0]![1];
    const size = (dtype: FloatDType, precision?: 'float16' | 'bfloat16') =>
      saveModel(buildModel(spec, { dtype }), spec, precision && { precision }).length;
    const full = size('float32');
    expect(full).toBeGreaterThan(123_552 * 4);
    for (const p of ['float16', 'bfloat16'] as const) {
      expect(size('float32', p) / full).toBeGreaterThan(0.5);
      expect(size('float32', p) / full).toBeLessThan(0.505);
      // The same bytes but dl.dtype's value, give or take the header's padding to 8 bytes.
      expect(Math.abs(size('float64', p) - size('float32', p))).toBeLessThanOrEqual(8);
    }
    expect(size('float64') / full).toBeGreaterThan(1.99);
    expect(size('float64', 'float16') / size('float64')).toBeLessThan(0.2525);
  });

  it("'float32' stores a float64 network in float32 and loads it back as float64", () => {
    const spec = SPECS[1]![1];
    const net = trained(spec, 'float64');
    const bytes = saveModel(net, spec, { precision: 'float32' });
    expect([...readSafetensors(bytes).tensors.values()].every((t) => t.dtype === 'float32')).toBe(true);
    const loaded = loadModel(bytes);
    expect(loaded.precision).toBe('float32');
    expect(loaded.network.params()[0]!.value.dtype).toBe('float64');
    const x = input(spec, 'float64', 7);
    const rounded = withWeightPrecision(net, 'float32', () => net.predict(x));
    expect(bits(loaded.network.predict(x))).toEqual(bits(rounded));
    // ...and is a no-op on a float32 network.
    const net32 = trained(spec, 'float32');
    expect(sameBytes(saveModel(net32, spec, { precision: 'float32' }), saveModel(net32, spec))).toBe(true);
  });

  it('keeps optimizer tensors in full precision', () => {
    const spec = SPECS[1]![1];
    const net = trained(spec, 'float32');
    const v = randn([12, 10], new Rng(8), { std: 1e-6 }); // would lose most bits, or vanish, in float16
    const bytes = saveModel(net, spec, {
      precision: 'float16',
      optimizer: { header: { kind: 'adam' }, tensors: { 'optimizer.v.W1': v } },
    });
    expect(readSafetensors(bytes).tensors.get('optimizer.v.W1')!.dtype).toBe('float32');
    expect(bits(loadModel(bytes).optimizer!.tensors['optimizer.v.W1']!)).toEqual(bits(v));
  });

  it('refuses weights beyond float16’s range, and unknown precisions', () => {
    const spec = SPECS[1]![1];
    const net = buildModel(spec);
    const W2 = net.params().find((p) => p.name === 'W2')!.value;
    W2.data[3] = -70_000;
    expect(() => saveModel(net, spec, { precision: 'float16' })).toThrow(
      /saveModel: W2\[3\] = -70000 is beyond float16's range and would be stored as ±Infinity; use precision 'bfloat16'/,
    );
    const loaded = loadModel(saveModel(net, spec, { precision: 'bfloat16' }));
    // bfloat16 has float32's range and 8 bits of precision: -70000 is stored as -70144.
    expect(loaded.network.params().find((p) => p.name === 'W2')!.value.data[3]).toBe(-70_144);
    expect(() => saveModel(net, spec, { precision: 'float8' as 'float16' })).toThrow(
      /precision must be one of 'float32', 'float16', 'bfloat16', got "float8"/,
    );
  });

  it('loads files written before dl.dtype in the stored weights’ dtype', () => {
    const spec = SPECS[1]![1];
    const net = trained(spec, 'float64');
    const { tensors, metadata } = readSafetensors(saveModel(net, spec));
    delete metadata['dl.dtype'];
    const loaded = loadModel(writeSafetensors(tensors, metadata));
    expect(loaded.network.params()[0]!.value.dtype).toBe('float64');
    const x = input(spec, 'float64', 7);
    expect(bits(loaded.network.predict(x))).toEqual(bits(net.predict(x)));
    // A float16 file without it (another writer) loads as float32.
    const half = readSafetensors(saveModel(net, spec, { precision: 'float16' }));
    delete half.metadata['dl.dtype'];
    const loadedHalf = loadModel(writeSafetensors(half.tensors, half.metadata));
    expect(loadedHalf.network.params()[0]!.value.dtype).toBe('float32');
    expect([...half.tensors.values()].every(isHalfTensor)).toBe(true);
  });

  it('refuses a file whose dl.dtype disagrees with its tensors, naming dl.dtype, the dtypes and the tensor', () => {
    const spec = SPECS[1]![1];
    const wide = readSafetensors(saveModel(trained(spec, 'float64'), spec));
    // float64 weights for a network that says it is float32: they would be narrowed silently.
    const narrowed = { ...wide.metadata, 'dl.dtype': 'float32' };
    expect(() => loadModel(writeSafetensors(wide.tensors, narrowed), { file: 'm.safetensors' })).toThrow(
      /loadModel \(m\.safetensors\): metadata 'dl\.dtype' is 'float32' but the weights are stored as float64/,
    );
    // One tensor in another dtype than the rest.
    const mixed = new Map(wide.tensors);
    const b1 = mixed.get('b1')!;
    if (isHalfTensor(b1)) throw new Error('b1 is float64 here');
    mixed.set('b1', b1.astype('float32'));
    expect(() => loadModel(writeSafetensors(mixed, wide.metadata))).toThrow(
      /b1 is float32, expected float64/,
    );
  });
});
