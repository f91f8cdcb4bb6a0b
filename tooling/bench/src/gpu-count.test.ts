import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSteps, openOurGpu, ourGpuStep, type OurGpu } from './webgpu.js';
import { Adam, SGD, SimpleConvNet, TwoLayerNet } from './networks.js';
import { randint, randn, Rng } from './tensor.js';

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

  it('a backend that cannot open gives one line, not a throw', async () => {
    const failed = await openOurGpu({ tile: { T: 1024, R: 1 } });
    expect(failed.ok).toBe(false);
    if (!failed.ok) expect(failed.reason).toMatch(/^webgpu tile 1024x1: /);
  });
});
