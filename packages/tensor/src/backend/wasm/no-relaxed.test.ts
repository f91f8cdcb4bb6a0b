import { describe, expect, it, vi } from 'vitest';
import type * as Features from './features.js';

// An engine without relaxed SIMD (Node 20 without its flag), simulated: the feature probe says no.
vi.mock('./features.js', async (importOriginal) => ({
  ...(await importOriginal<typeof Features>()),
  hasWasmRelaxedSimd: () => false,
}));

const { createWasmBackend } = await import('./wasm.js');

describe('wasm backend on an engine without relaxed SIMD', () => {
  it('refuses an explicit request for it, naming the flag', async () => {
    await expect(createWasmBackend({ simd: 'relaxed' })).rejects.toThrow(/--experimental-wasm-relaxed-simd/);
  });

  it('falls back to plain SIMD on auto', async () => {
    const kernels = await createWasmBackend();
    expect(kernels.features.variant).toBe('wasm-simd');
    expect(kernels.features.relaxedSimd).toBe(false);
  });
});
