import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onBackend, setBackend } from '../index.js';
import { Rng } from '../../rng.js';
import { randn } from '../../random.js';
import { tensor, zeros } from '../../create.js';
import { stepScope } from '../../scope.js';
import { matmul } from '../../ops/matmul.js';
import { add, mul } from '../../ops/elementwise.js';
import { mean, sum } from '../../ops/reduce.js';
import { relu } from '../../ops/activation.js';
import { createWebGpuKernels, type WebGpuKernels } from './index.js';

const enabled = process.env.DL_WEBGPU !== 'off';

describe.runIf(enabled)('tensors on the webgpu backend', () => {
  let gpu: WebGpuKernels;
  beforeAll(async () => {
    gpu = await createWebGpuKernels();
  });
  afterAll(() => gpu?.gpu.destroy());

  it('ops on GPU tensors give the js numbers, read back asynchronously', async () => {
    const rng = new Rng(1);
    const a = randn([5, 7], rng);
    const b = randn([7, 3], rng);
    const expected = add(relu(matmul(a, b)), 0.5);
    const onGpu = onBackend(gpu, () => add(relu(matmul(a.to(gpu), b.to(gpu))), 0.5));
    expect(onGpu.backend).toBe(gpu);
    const got = await onGpu.read();
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected.data[i]!, 5);
    const m = onBackend(gpu, () => mean(onGpu, { axis: 1 }));
    const ms = mean(expected, { axis: 1 });
    const gm = await m.read();
    for (let i = 0; i < gm.length; i++) expect(gm[i]).toBeCloseTo(ms.data[i]!, 5);
  });

  it('data throws one line naming the async read; stand-ins throw when touched', () => {
    const t = onBackend(gpu, () => tensor([1, 2, 3]));
    expect(() => t.data).toThrow(/await tensor\.read\(\)/);
    expect(() => t.operand[0]).toThrow(/GPU memory/);
    expect(() => t.operand.subarray(1)).toThrow(/GPU memory/);
    expect(t.operand.length).toBe(3);
    expect(t.operand).toBeInstanceOf(Float32Array);
  });

  it('cannot be the process default', () => {
    expect(() => setBackend(gpu)).toThrow(/cannot be the process default/);
  });

  it('a step releases what it made and keeps what it returns; copies are counted', async () => {
    const x = onBackend(gpu, () => zeros([4, 4]));
    const before = gpu.storage.liveBlocks;
    const kept = onBackend(gpu, () => stepScope(() => sum(mul(add(x, 1), 2))));
    expect(gpu.storage.liveBlocks).toBe(before + 1);
    expect(await kept.read()).toEqual(new Float32Array([32]));
    const host = tensor([1, 2, 3, 4]);
    const c0 = gpu.copies();
    onBackend(gpu, () => stepScope(() => sum(host)));
    expect(gpu.copies().inCalls - c0.inCalls).toBe(1);
  });
});
