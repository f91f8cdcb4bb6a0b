import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = (file: string): string => JSON.stringify(fileURLToPath(new URL(file, import.meta.url)));

describe('enableRelaxedSimdInNode', () => {
  // In a child process started without the flag (vitest's workers run with it): V8 flags are per
  // process, and once set they stay set.
  it('turns relaxed SIMD on in a Node started without the flag, before the backend loads', () => {
    const script = `
      const { enableRelaxedSimdInNode } = await import(${here('./node-flags.ts')});
      const { hasWasmRelaxedSimd } = await import(${here('./features.ts')});
      const { createWasmBackend } = await import(${here('./wasm.ts')});
      const before = hasWasmRelaxedSimd();
      const enabled = await enableRelaxedSimdInNode();
      const again = await enableRelaxedSimdInNode();
      const kernels = await createWasmBackend();
      const a = Float32Array.from({ length: 64 * 64 }, (_, i) => (i % 7) - 3);
      const c = new Float32Array(64 * 64);
      kernels.gemm({ m: 64, n: 64, k: 64, transA: false, transB: false, alpha: 1, beta: 0, a, b: a, c });
      console.log(JSON.stringify({ before, enabled, again, variant: kernels.features.variant, c0: c[0] }));
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout) as Record<string, unknown>;
    // c[0] = Σp a[p]·a[p·64] for the pattern (i % 7) - 3.
    let c0 = 0;
    for (let p = 0; p < 64; p++) c0 += ((p % 7) - 3) * (((p * 64) % 7) - 3);
    expect(result).toEqual({ before: false, enabled: true, again: true, variant: 'wasm-relaxed-simd', c0 });
  });
});
