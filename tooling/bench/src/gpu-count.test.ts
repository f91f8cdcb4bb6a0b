import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSteps, openOurGpu, ourGpuStep, type OurGpu } from './webgpu.js';
import { Adam, buildModel, SGD, SimpleConvNet, TwoLayerNet } from './networks.js';
import { BOOK_MODELS } from './book-models.js';
import { randint, randn, Rng } from './tensor.js';

type BuildRng = NonNullable<Parameters<typeof buildModel>[1]>['rng'];

// The device counts of the webgpu columns on the machine's adapter (llvmpipe here), tiny sizes.
// DL_WEBGPU=off skips them, as the backend's own tests.
const enabled = process.env.DL_WEBGPU !== 'off';

describe.runIf(enabled)('webgpu device counts', () => {
  let gpu: OurGpu;
  beforeAll(async () => {
    gpu = await openOurGpu();
  });
  afterAll(() => {
    if (gpu?.ok) gpu.kernels.gpu.destroy();
  });

  it('a steady training step creates no buffer, reads 4 bytes once, dispatches what the backend counts', async () => {
    if (!gpu.ok) throw new Error(gpu.reason);
    const kernels = gpu.kernels;
    const rng = new Rng(1);
    const nets = [
      {
        net: new TwoLayerNet(784, 8, 10, { backend: kernels }),
        opt: new SGD({ lr: 0.1, backend: kernels }),
        sample: [784],
      },
      {
        net: new SimpleConvNet({
          convParam: { filterNum: 2, filterSize: 5, pad: 0, stride: 1 },
          hiddenSize: 8,
          backend: kernels,
        }),
        opt: new Adam({ lr: 0.001, backend: kernels }),
        sample: [1, 28, 28],
      },
    ];
    for (const { net, opt, sample } of nets) {
      const x = randn([2, ...sample], rng);
      const t = randint([2], rng, 0, 10);
      const step = ourGpuStep(net, opt, x.to(kernels), t, { train: true, rng: new Rng(2) });
      const stats = kernels.gpu.stats.dispatches;
      const counted = await countSteps(step, {
        warmup: 2,
        steps: 3,
        batch: 2,
        lagged: true,
        hostBytes: () => kernels.copies().outBytes,
      });
      expect(counted.perStep.buffersCreated).toBe(0);
      expect(counted.perStep.reads).toBe(1);
      expect(counted.perStep.submits).toBe(1);
      expect(counted.hostBytes).toBe(4);
      // The wrappers see every dispatch the backend records, and nothing else.
      expect(counted.perStep.dispatches * 5).toBe(kernels.gpu.stats.dispatches - stats);
      expect(counted.perStep.dispatches).toBeGreaterThan(0);
    }
  });

  it('float16 storage and a buildModel network (BatchNorm, Dropout) keep the same steady state', async () => {
    if (!gpu.ok) throw new Error(gpu.reason);
    const half = await openOurGpu({ precision: 'float16' });
    if (!half.ok) throw new Error(half.reason);
    try {
      expect(half.precision).toBe('float16');
      expect(half.compute).toMatch(/float16/);
      const rng = new Rng(1);
      const x = randn([2, 784], rng);
      const t = randint([2], rng, 0, 10);
      for (const kernels of [gpu.kernels, half.kernels]) {
        // Small sizes of the book's multi-layer-net-extend, with Dropout on as well.
        const net = buildModel(
          {
            kind: 'multi-layer-net-extend',
            inputSize: 784,
            hiddenSizeList: [8, 8],
            outputSize: 10,
            useBatchnorm: true,
            useDropout: true,
          },
          // The layers' Rng at run time; the type checker sees it through their declarations.
          { rng: new Rng(3) as unknown as BuildRng, backend: kernels },
        );
        const step = ourGpuStep(net, new SGD({ lr: 0.01, backend: kernels }), x.to(kernels), t, {
          train: true,
          rng: new Rng(2),
        });
        const counted = await countSteps(step, {
          warmup: 2,
          steps: 2,
          batch: 2,
          lagged: true,
          hostBytes: () => kernels.copies().outBytes,
        });
        expect(counted.perStep.buffersCreated).toBe(0);
        expect(counted.perStep.reads).toBe(1);
        expect(counted.hostBytes).toBe(4);
      }
    } finally {
      half.kernels.gpu.destroy();
    }
  });

  it('the book models are the six of dl train --model, three of them built by TF.js too', () => {
    expect(BOOK_MODELS.map((m) => m.name)).toEqual([
      'two-layer-net',
      'multi-layer-net',
      'multi-layer-net-extend',
      'simple-conv-net',
      'deep-conv-net',
      'lenet',
    ]);
    expect(BOOK_MODELS.filter((m) => m.tfjs).map((m) => m.tfjs)).toEqual(['two', 'simple', 'deep']);
    for (const m of BOOK_MODELS) expect(m.spec.kind).toBe(m.name);
  });

  it('a backend that cannot open gives one line, not a throw', async () => {
    const failed = await openOurGpu({ tile: { T: 1024, R: 1 } });
    expect(failed.ok).toBe(false);
    if (!failed.ok) expect(failed.reason).toMatch(/^webgpu tile 1024x1: /);
  });
});
