import { describe, expect, it } from 'vitest';
import { probeWebGpu, type ProbedAdapter } from './webgpu-probe.js';

const withAdapter = (adapter: ProbedAdapter | null | Error) => ({
  gpu: {
    requestAdapter: () => (adapter instanceof Error ? Promise.reject(adapter) : Promise.resolve(adapter)),
  },
});

describe('probeWebGpu', () => {
  it('says why there is no WebGPU: no navigator.gpu, no adapter, a failed request', async () => {
    const none = await probeWebGpu({});
    expect(none.available).toBe(false);
    expect(none.available ? '' : none.reason).toMatch(/navigator\.gpu|secure/);
    expect(await probeWebGpu(withAdapter(null))).toEqual({
      available: false,
      reason: 'navigator.gpu found no adapter',
    });
    expect(await probeWebGpu(withAdapter(new Error('blocked')))).toEqual({
      available: false,
      reason: 'navigator.gpu.requestAdapter failed: blocked',
    });
  });

  it('names the adapter and tells a software one (SwiftShader, a fallback adapter) from a GPU', async () => {
    expect(
      await probeWebGpu(withAdapter({ info: { vendor: 'google', architecture: 'swiftshader' } })),
    ).toEqual({
      available: true,
      adapter: 'google swiftshader',
      software: true,
    });
    expect(await probeWebGpu(withAdapter({ info: { vendor: 'x', isFallbackAdapter: true } }))).toMatchObject({
      software: true,
    });
    expect(await probeWebGpu(withAdapter({ info: { vendor: 'nvidia', architecture: 'hopper' } }))).toEqual({
      available: true,
      adapter: 'nvidia hopper',
      software: false,
    });
    expect(await probeWebGpu(withAdapter({}))).toMatchObject({ adapter: 'an unnamed adapter' });
  });
});
