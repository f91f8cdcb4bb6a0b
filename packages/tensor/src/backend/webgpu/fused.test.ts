import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebGpuBackend, type WebGpuBackend } from './index.js';

// What the fused tier declines. Its conformance against the book-named references lives beside
// them: @dl/layers' `fused-kernels.test.ts` (SoftmaxWithLoss, BatchNormalization, Dropout) and
// @dl/optim's `fused-optimizer.test.ts` (every optimizer's update), which run every backend's fused
// kernels, this one's included. Like webgpu.test.ts, this FAILS where no WebGPU adapter can be
// created, unless DL_WEBGPU=off says to skip it.
const enabled = process.env.DL_WEBGPU !== 'off';

describe.skipIf(!enabled)('webgpu fused kernels', () => {
  let gpu: WebGpuBackend;
  beforeAll(async () => {
    gpu = await createWebGpuBackend();
  }, 60_000);
  afterAll(() => gpu?.destroy());

  it('decline (false, nothing recorded) what they do not take', () => {
    const ints = gpu.upload(new Int32Array(8));
    const floats = gpu.upload(new Float32Array(8));
    const before = gpu.stats.dispatches;
    expect(gpu.fused.dropout(ints, undefined, 2, ints)).toBe(false);
    expect(gpu.fused.optimizerUpdate({ kind: 'sgd', lr: 1 }, ints, floats)).toBe(false);
    expect(gpu.fused.softmaxCrossEntropyBackward(floats, floats, 2, 4, floats)).toBe(false);
    expect(gpu.stats.dispatches).toBe(before);
    gpu.release(ints);
    gpu.release(floats);
  });
});
