import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { randn } from '../random.js';
import { add, exp } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { sum } from '../ops/reduce.js';
import { concat } from '../ops/manipulate.js';
import { tensor } from '../create.js';
import { chooseBackend, createBackend, fastestBackendName } from './choose.js';
import { getBackend, onBackend, setBackend, withBackend } from './index.js';
import { jsKernels } from './js/js.js';
import type { BinaryArgs, Kernels } from './kernels.js';
import { createWasmBackend, type WasmKernels } from './wasm/wasm.js';

// Backends are values: made by createBackend, handed to the objects that use them, tied to the
// tensors those make; the process default (setBackend) stays what code that names none runs on.

/** The js kernels under another name, counting `binary` calls: a second backend to tell apart. */
function countingBackend(name: string): Kernels & { calls: () => number } {
  let calls = 0;
  return {
    ...jsKernels,
    name,
    binary: (args: BinaryArgs) => {
      calls++;
      jsKernels.binary(args);
    },
    calls: () => calls,
  };
}

let wasm: WasmKernels;
beforeAll(async () => {
  wasm = await createBackend('wasm', { simd: 'plain' });
});
afterAll(async () => {
  await wasm.close();
});

describe('tensors tied to a backend', () => {
  it('are tied inside onBackend, not outside; views and copies keep the tie', () => {
    const free = tensor([1, 2, 3, 4]);
    expect(free.backend).toBeUndefined();
    const tied = onBackend(wasm, () => tensor([1, 2, 3, 4]));
    expect(tied.backend).toBe(wasm);
    expect(tied.reshape(2, 2).backend).toBe(wasm);
    expect(tied.clone().backend).toBe(wasm);
    expect(tied.astype('float64').backend).toBe(wasm);
    expect(tied.to(jsKernels).backend).toBe(jsKernels);
    expect([...tied.to(jsKernels).data]).toEqual([...tied.data]);
  });

  it('an op on tensors of two backends throws naming both; no implicit move', () => {
    const rng = new Rng(1);
    const a = onBackend(jsKernels, () => randn([3, 4], rng));
    const b = onBackend(wasm, () => randn([4, 2], rng));
    expect(() => matmul(a, b)).toThrow(/^matmul: tensors on two backends, js and wasm \(wasm-simd\)/);
    expect(() => add(a, a.to(wasm).reshape(3, 4))).toThrow(/^add: tensors on two backends, js and wasm/);
    expect(() => concat([a, b.reshape(2, 4)])).toThrow(/concat: tensors on two backends/);
    // The explicit move makes it legal, and the result stays on the moved-to backend.
    const c = matmul(a.to(wasm), b);
    expect(c.backend).toBe(wasm);
  });

  it('an op on tied tensors runs on their backend, whatever the process default', () => {
    const other = countingBackend('counting');
    const x = onBackend(other, () => tensor([1, 2, 3]));
    const y = add(x, x);
    expect(other.calls()).toBe(1);
    expect(y.backend).toBe(other);
    expect([...add(x, 1).data]).toEqual([2, 3, 4]);
    expect(other.calls()).toBe(2);
    // Untied tensors mix with tied ones (they follow whatever runs them).
    add(x, tensor([1, 1, 1]));
    expect(other.calls()).toBe(3);
    expect(sum(exp(x)).backend).toBe(other);
  });

  it('two backends side by side give each their own numbers', () => {
    const rng = new Rng(3);
    const aData = randn([40, 30], rng);
    const bData = randn([30, 20], rng);
    const onJs = onBackend(jsKernels, () => matmul(aData, bData));
    const onWasm = onBackend(wasm, () => matmul(aData, bData));
    expect([...onJs.data]).toEqual([...withBackend(jsKernels, () => matmul(aData, bData)).data]);
    expect([...onWasm.data]).toEqual([...withBackend(wasm, () => matmul(aData, bData)).data]);
  });
});

describe('the process default still works', () => {
  it('setBackend, getBackend and withBackend as before; onBackend wins inside', () => {
    const other = countingBackend('other');
    expect(getBackend()).toBe(jsKernels);
    const previous = setBackend(other);
    expect(previous).toBe(jsKernels);
    expect(getBackend()).toBe(other);
    expect(setBackend(jsKernels)).toBe(other);
    expect(withBackend(other, () => getBackend())).toBe(other);
    expect(getBackend()).toBe(jsKernels);
    expect(() =>
      withBackend(other, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(getBackend()).toBe(jsKernels);
    expect(onBackend(wasm, () => withBackend(other, () => getBackend()))).toBe(wasm);
    // Under the process default nothing is tied: code written before backends were values is unchanged.
    expect(withBackend(other, () => add(tensor([1]), tensor([2])).backend)).toBeUndefined();
  });

  it('createWasmBackend and createBackend make independent backends', async () => {
    const direct = await createWasmBackend({ simd: 'plain' });
    expect(direct.name).toBe('wasm');
    expect(direct).not.toBe(wasm);
    await direct.close();
    expect(await createBackend('js')).toBe(jsKernels);
    await expect(createBackend('cuda' as 'js')).rejects.toThrow("createBackend: unknown backend 'cuda'");
  });
});

describe('chooseBackend', () => {
  const noRelaxed = (): Promise<boolean> => Promise.resolve(false);

  it('takes wasm where the engine has SIMD, and says why', async () => {
    const chosen = await chooseBackend({ hasSimd: () => true, enableRelaxedSimd: noRelaxed });
    expect(chosen.name).toBe('wasm');
    expect(chosen.backend.name).toBe('wasm');
    expect(chosen.reason).toMatch(/^the fastest this engine runs \(wasm-(relaxed-)?simd, 1 thread\)$/);
    await (chosen.backend as WasmKernels).close();
    expect(fastestBackendName(() => true)).toBe('wasm');
  });

  it('falls back to js without SIMD, or when wasm fails to load, with the reason', async () => {
    const noSimd = await chooseBackend({ hasSimd: () => false });
    expect(noSimd).toEqual({ name: 'js', backend: jsKernels, reason: 'this engine has no WebAssembly SIMD' });
    expect(fastestBackendName(() => false)).toBe('js');
    const broken = await chooseBackend({
      backend: 'wasm',
      hasSimd: () => true,
      enableRelaxedSimd: noRelaxed,
      createWasm: () => Promise.reject(new Error('no memory')),
    });
    expect(broken).toEqual({
      name: 'js',
      backend: jsKernels,
      reason: 'the wasm backend did not load: no memory',
    });
  });

  it('gives js when asked, and passes threads and relaxed SIMD on to wasm', async () => {
    expect(await chooseBackend({ backend: 'js', hasSimd: () => true })).toEqual({
      name: 'js',
      backend: jsKernels,
      reason: 'asked for',
    });
    let relaxedAsked = 0;
    let threadsAsked: unknown;
    const chosen = await chooseBackend({
      backend: 'wasm',
      threads: 2,
      hasSimd: () => true,
      enableRelaxedSimd: () => {
        relaxedAsked++;
        return Promise.resolve(false);
      },
      createWasm: (options) => {
        threadsAsked = options.threads;
        return createWasmBackend({ ...options, simd: 'plain' });
      },
    });
    expect(relaxedAsked).toBe(1);
    expect(threadsAsked).toBe(2);
    expect(chosen.reason).toMatch(/^asked for \(wasm-simd, /);
    await (chosen.backend as WasmKernels).close();
  });
});
