import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng, tensor, type Kernels } from '@dl/tensor';
import { createWebGpuKernels, type WebGpuKernels } from '@dl/tensor/webgpu';
import { Affine } from '../layers/affine.js';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.js';
import { LayerNetwork } from './layer-network.js';
import { SimpleConvNet } from './simple-conv-net.js';

// Mixed precision on webgpu at float16: the layers read float16 copies of float32 master weights.
// Where no adapter can be opened these tests FAIL with the reason; DL_WEBGPU=off skips them.
const enabled = process.env.DL_WEBGPU !== 'off';

const TINY = 2 ** -12; // below float16's spacing at 1 (2^-10): 1 + 2^-12 rounds to 1

/**
 * One Affine layer whose first output is (1 + w)·x0 − x1 for x = [1, 1]: w itself in float32,
 * what is left of it after rounding 1 + w to float16 where the layers read float16 weights.
 */
function oneAffine(backend: Kernels, w: number): LayerNetwork {
  const W = tensor(
    [
      [1 + w, 0],
      [-1, 0],
    ],
    'float32',
  ).to(backend);
  const b = tensor([0, 0], 'float32').to(backend);
  return new LayerNetwork([['Affine1', new Affine(W, b, { W: 'W1', b: 'b1' })]], new SoftmaxWithLoss(), {
    backend,
  });
}

const X = tensor([[1, 1]], 'float32');

describe.runIf(enabled)('float16 weight copies of float32 masters (webgpu, float16)', () => {
  let full: WebGpuKernels;
  let half: WebGpuKernels;
  beforeAll(async () => {
    full = await createWebGpuKernels();
    half = await createWebGpuKernels({ precision: 'float16' });
  });
  afterAll(() => {
    full?.gpu.destroy();
    half?.gpu.destroy();
  });

  it('the forward reads the float16-rounded weight; the master keeps every bit', async () => {
    // Outputs are float16 too, but 2^-12 is one: only the weight's rounding can lose it.
    expect(await oneAffine(full, TINY).predict(X).read()).toEqual(new Float32Array([TINY, 0]));
    const net = oneAffine(half, TINY);
    expect(await net.predict(X).read()).toEqual(new Float32Array([0, 0]));
    const W = net.param('W1').value;
    expect(await W.read()).toEqual(new Float32Array([1 + TINY, 0, -1, 0]));
    // An update of the master (as an optimizer makes) reaches the next forward's copy:
    // 1 + 3·2^-12 rounds to 1 + 2^-10.
    W.assign(
      tensor(
        [
          [1 + 3 * TINY, 0],
          [-1, 0],
        ],
        'float32',
      ),
    );
    expect(await net.predict(X).read()).toEqual(new Float32Array([2 ** -10, 0]));
    expect(await W.read()).toEqual(new Float32Array([1 + 3 * TINY, 0, -1, 0]));
  });

  it('the params hold their masters after a step; no buffer is created per step after the first', async () => {
    const net = new SimpleConvNet({
      inputDim: [1, 8, 8],
      convParam: { filterNum: 2, filterSize: 3, pad: 0, stride: 1 },
      hiddenSize: 4,
      outputSize: 3,
      weightInitStd: 0.1,
      rng: new Rng(1),
      backend: half,
    });
    const rng = new Rng(2);
    const x = tensor(
      Float32Array.from({ length: 4 * 64 }, () => rng.random()),
      'float32',
    ).reshape(4, 1, 8, 8);
    const t = tensor([0, 1, 2, 1], 'int32');
    const masters = net.params().map((p) => p.value);
    const step = (): Promise<number> => net.gradientAsync(x, t, { train: true });
    const first = await step();
    const [created, live] = [half.gpu.stats.buffersCreated, half.storage.liveBlocks];
    const losses = [];
    for (let i = 0; i < 3; i++) losses.push(await step());
    expect(half.gpu.stats.buffersCreated).toBe(created);
    expect(half.storage.liveBlocks).toBe(live);
    expect([first, ...losses].every(Number.isFinite)).toBe(true);
    // After each step the params hold their float32 masters again, for the optimizer.
    net.params().forEach((p, i) => expect(p.value).toBe(masters[i]));
  });
});
