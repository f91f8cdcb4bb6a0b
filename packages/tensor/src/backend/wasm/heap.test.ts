import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onBackend } from '../index.js';
import { matmul } from '../../ops/matmul.js';
import { add } from '../../ops/elementwise.js';
import { outsideStep, stepScope } from '../../scope.js';
import { tensor, zeros } from '../../create.js';
import type { Tensor } from '../../tensor.js';
import { WASM_PAGE_BYTES, wasmApi, type WasmMemory } from './api.js';
import { WasmHeap } from './heap.js';
import { createWasmBackend, type WasmKernels } from './wasm.js';

/** A plain (non-shared) memory like the single-thread build's: growth detaches its buffer. */
function memory(pages = 1): WasmMemory {
  return new (wasmApi()!.Memory)({ initial: pages });
}

describe('WasmHeap (the allocator)', () => {
  it('reuses a freed block of the same size and lowers the top when the top block goes', () => {
    const heap = new WasmHeap(memory(), 0, 0);
    const a = heap.alloc(100, 'a');
    const b = heap.alloc(100, 'b');
    const c = heap.alloc(300, 'c');
    heap.free(b);
    expect(heap.alloc(90, 'b again')).toBe(b); // 90 and 100 bytes round to one 128-byte block
    const high = heap.stats().highWaterBytes;
    heap.free(c);
    heap.free(b);
    heap.free(a);
    // Freeing the top block brings down every free block below it: the heap is empty again.
    expect(heap.stats().liveBytes).toBe(0);
    expect(heap.alloc(100, 'd')).toBe(a);
    expect(heap.stats().highWaterBytes).toBe(high);
  });

  it('grows the memory when needed, keeping what blocks hold', () => {
    const mem = memory();
    const heap = new WasmHeap(mem, 0, 0);
    const a = heap.alloc(16, 'a');
    heap.f32[a >> 2] = 42;
    heap.alloc(3 * WASM_PAGE_BYTES, 'big');
    expect(mem.buffer.byteLength).toBeGreaterThanOrEqual(4 * WASM_PAGE_BYTES);
    expect(heap.f32[a >> 2]).toBe(42);
  });

  it('refuses an allocation past its limit with one line naming it', () => {
    const heap = new WasmHeap(memory(), 0, 0, 4);
    expect(() => heap.alloc(5 * WASM_PAGE_BYTES, 'conv1 output [10000,30,24,24]')).toThrow(
      /^wasm backend: out of memory allocating conv1 output \[10000,30,24,24\] \(320 KiB\): 0 KiB in use, the limit is 256 KiB; use a smaller batch$/,
    );
  });

  it('names a view taken before the memory grew when a kernel gets it', () => {
    const heap = new WasmHeap(memory(), 0, 0);
    const at = heap.alloc(64, 'a');
    const stale = new Float32Array(heap.buffer, at, 16).subarray(0, 8);
    heap.alloc(2 * WASM_PAGE_BYTES, 'growth');
    expect(() => heap.addressOf(stale)).toThrow(/taken before the memory grew/);
  });
});

describe('tensors on the wasm backend', () => {
  let wasm: WasmKernels;
  beforeAll(async () => {
    wasm = await createWasmBackend();
  });
  afterAll(() => wasm.close());

  it('keeps a tied tensor in the backend memory, and data stays a live view across growth', () => {
    onBackend(wasm, () => {
      const t = zeros([4]);
      const view = t.data;
      t.data[1] = 5;
      // Grow the memory by more than it has: the old buffer is detached (non-shared memory).
      const before = wasm.memoryBytes();
      outsideStep(() => zeros([before / 4 + 1024]));
      expect(wasm.memoryBytes()).toBeGreaterThan(before);
      expect(view.length).toBe(0); // the view taken before the growth is detached…
      expect(t.data.length).toBe(4); // …but t.data is made anew
      expect(Array.from(t.data)).toEqual([0, 5, 0, 0]);
      t.data[2] = 7;
      expect(t.get(2)).toBe(7);
    });
  });

  it('releases what a step allocated, keeps what it returns, and names the step on a late read', () => {
    onBackend(wasm, () => {
      const a = tensor([1, 2, 3]);
      let inner: Tensor | undefined;
      const kept = stepScope(() => {
        inner = add(a, a);
        return add(inner, a);
      });
      const step = wasm.heapStats().steps;
      expect(Array.from(kept.data)).toEqual([3, 6, 9]);
      expect(() => inner!.data).toThrow(
        new RegExp(`released at the end of step ${step}: return it from the scope to keep it`),
      );
      expect(() => add(inner!, a)).toThrow(/released at the end of step/);
    });
  });

  it('returns a step’s memory to the allocator: repeated steps do not raise the high-water mark', () => {
    onBackend(wasm, () => {
      const w = tensor(Array.from({ length: 64 * 64 }, (_, i) => i % 7)).reshape(64, 64);
      const step = (): number => stepScope(() => matmul(w, w).sum().item());
      const first = step();
      const high = wasm.heapStats().highWaterBytes;
      for (let i = 0; i < 50; i++) expect(step()).toBe(first);
      expect(wasm.heapStats().highWaterBytes).toBe(high);
    });
  });

  it('reads asynchronously on every backend and moves between backends explicitly', async () => {
    const onWasm = onBackend(wasm, () => tensor([1.5, -2]));
    expect(Array.from(await onWasm.read())).toEqual([1.5, -2]);
    const plain = tensor([3, 4]);
    const moved = plain.to(wasm);
    expect(moved.backend).toBe(wasm);
    expect(moved.data.buffer).toBe(onWasm.data.buffer);
    expect(Array.from(moved.data)).toEqual([3, 4]);
  });

  it('frees a tensor made outside any step once it is garbage (the backstop)', async () => {
    // The collector on demand, without starting Node with --expose-gc.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const live = wasm.heapStats().liveBytes;
    (() => onBackend(wasm, () => zeros([1 << 16])))();
    expect(wasm.heapStats().liveBytes).toBeGreaterThan(live);
    for (let i = 0; i < 10 && wasm.heapStats().liveBytes > live; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // (Other tensors of this file made outside steps may go too.)
    expect(wasm.heapStats().liveBytes).toBeLessThanOrEqual(live);
  });
});
