import type { FusedKernels, Kernels } from '../kernels.js';
import type { BackendStorage } from '../../storage.js';
import { WasmHeap, WASM32_MAX_PAGES, type CopyCounts, type HeapStats } from './heap.js';
import { hasWasmRelaxedSimd, hasWasmSimd, type WasmFeatures, type WasmVariant } from './features.js';
import { createWasmActivation } from './activation.js';
import { createWasmBatchNorm } from './batch-norm.js';
import { createWasmConv } from './conv.js';
import { createWasmDropout } from './dropout.js';
import { createWasmScaleBytes } from './bytes.js';
import { createWasmBinary, createWasmUnary } from './elementwise.js';
import { createWasmGemm } from './gemm.js';
import { wasmApi, type WasmMemory } from './api.js';
import { loadWasmBytes } from './load.js';
import { compileKernels, instantiateKernels, type KernelModule } from './module.js';
import { createWasmOptimizer } from './optimizer.js';
import { createWasmSoftmax, createWasmSoftmaxCrossEntropyBackward } from './softmax.js';
import { hardwareThreads, threadsUnavailable, WasmThreadPool } from './threads.js';
import { createWasmReduce } from './reduce.js';
import { createWasmWindow } from './window.js';

export interface WasmBackendOptions {
  /**
   * Which build to run. `auto` (default) takes relaxed SIMD where the engine has it and plain SIMD
   * otherwise; `relaxed` fails where the engine lacks it; `plain` never uses it (bit-for-bit the
   * same results on every engine).
   */
  simd?: 'auto' | 'relaxed' | 'plain';
  /**
   * Threads the GEMMs and convolutions run on, counting the calling thread: `'auto'` takes one per
   * core (never more busy threads than cores), a number asks for exactly that many (default 1).
   * Where threads are impossible (no SharedArrayBuffer; a page that is not cross-origin isolated)
   * the backend runs on one thread and says why in `features.threadsNote`. Workers are unref'd in
   * Node: they never keep a process alive; `close()` ends them earlier.
   */
  threads?: 'auto' | number;
}

/** The `wasm` backend: `Kernels`, plus what it runs with and how much memory it holds. */
export interface WasmKernels extends Kernels {
  readonly name: 'wasm';
  /** Every fused kernel (float32; each declines other dtypes). */
  readonly fused: Required<FusedKernels>;
  readonly features: WasmFeatures;
  /** Bytes of WebAssembly memory held (it grows when the heap needs more, and never shrinks). */
  readonly memoryBytes: () => number;
  /** Tensors of this backend live in its memory (see `heap.ts`). */
  readonly storage: BackendStorage;
  /** The heap's size, high-water mark and live bytes. */
  readonly heapStats: () => HeapStats;
  /**
   * Bytes the kernels copied between JavaScript arrays and the memory since the backend was made:
   * operands that were not tensors of this backend. Training on this backend copies only the batch,
   * its labels and the Dropout masks in.
   */
  readonly copies: () => Readonly<CopyCounts>;
  /** Ends the worker threads (no-op with one thread); the backend must not be used afterwards. */
  readonly close: () => Promise<void>;
  /**
   * Diagnostics of the threads: worker calls run by a worker, and those the calling thread ran itself
   * because the worker had not started them when its own share was done (a busy machine).
   */
  readonly threadCalls: () => { worker: number; main: number };
}

/** Heap reserved and touched at load: the book's TwoLayerNet trains in ~2 MiB. */
const INITIAL_HEAP_BYTES = 4 << 20;
/**
 * The most a threaded backend's shared memory may grow to: 4 GiB, all wasm32 addresses (shared
 * memory cannot move, so engines reserve its maximum as address space up front); 1 GiB where the
 * engine refuses that.
 */
const SHARED_MEMORY_MAX_PAGES = [WASM32_MAX_PAGES, 16384];
const MAX_THREADS = 64;

function chooseVariant(simd: WasmBackendOptions['simd'] = 'auto'): WasmVariant {
  if (!hasWasmSimd()) {
    throw new Error('wasm backend: this engine has no WebAssembly SIMD; use the js backend (jsKernels)');
  }
  const relaxed = hasWasmRelaxedSimd();
  if (simd === 'relaxed' && !relaxed) {
    throw new Error(
      'wasm backend: relaxed SIMD was asked for but this engine lacks it ' +
        '(Node 20: run with --experimental-wasm-relaxed-simd); use simd: "auto" to fall back',
    );
  }
  return simd !== 'plain' && relaxed ? 'wasm-relaxed-simd' : 'wasm-simd';
}

/**
 * Moves first-call costs out of the first real call: the heap's pages were touched when reserved,
 * and one 128×128×128 product per transpose combination spends V8's tier-up budget on the baseline code
 * (Liftoff), so the optimised code (TurboFan) is compiled early. Costs a few ms.
 */
function warmUp(kernels: Kernels): void {
  const size = 128;
  const a = new Float32Array(size * size).fill(0.5);
  const c = new Float32Array(size * size);
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      kernels.gemm({ m: size, n: size, k: size, transA, transB, alpha: 1, beta: 0, a, b: a, c });
    }
  }
}

/** The shared memory of a threaded backend, with the largest maximum the engine grants. */
function sharedMemory(): { memory: WasmMemory; maximum: number } {
  const api = wasmApi()!;
  let failure: unknown;
  for (const maximum of SHARED_MEMORY_MAX_PAGES) {
    try {
      return { memory: new api.Memory({ initial: 1, maximum, shared: true }), maximum };
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

/** How many threads to run, and why fewer than asked for. */
async function chooseThreads(
  option: WasmBackendOptions['threads'] = 1,
): Promise<{ threads: number; note?: string }> {
  if (option !== 'auto' && !(Number.isInteger(option) && option >= 1 && option <= MAX_THREADS)) {
    throw new RangeError(
      `wasm backend: threads must be 'auto' or an integer 1..${MAX_THREADS}, got ${String(option)}`,
    );
  }
  const wanted = option === 'auto' ? await hardwareThreads() : option;
  if (wanted === 1) return { threads: 1 };
  const unavailable = threadsUnavailable();
  if (unavailable !== undefined) return { threads: 1, note: `running on one thread: ${unavailable}` };
  return { threads: wanted };
}

/**
 * Loads the WebAssembly kernels (async: the `.wasm` is read or fetched once) and returns a backend
 * for `setBackend`. float32 GEMM, the convolution and pooling kernels, elementwise ops and reductions
 * run in WebAssembly (3-13× the js loops, copies included); float64, integer operands and a few rare
 * ops run on the js kernels. With `threads`, GEMMs and convolutions are shared among worker threads.
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmKernels> {
  const variant = chooseVariant(options.simd);
  const { threads, note } = await chooseThreads(options.threads);
  let module: KernelModule;
  let pool: WasmThreadPool | undefined;
  let maxPages = WASM32_MAX_PAGES;
  if (threads > 1) {
    const compiled = await compileKernels(await loadWasmBytes(variant, true));
    const memory = sharedMemory();
    maxPages = memory.maximum;
    module = await instantiateKernels(compiled, memory.memory);
    pool = await WasmThreadPool.create(compiled, memory.memory, threads - 1, module);
  } else {
    module = await instantiateKernels(await loadWasmBytes(variant));
  }
  const heap = new WasmHeap(module.memory, module.heapBase(), INITIAL_HEAP_BYTES, maxPages);
  const features: WasmFeatures = {
    variant,
    relaxedSimd: hasWasmRelaxedSimd(),
    threads,
    ...(note === undefined ? {} : { threadsNote: note }),
  };
  const kernels: WasmKernels = {
    name: 'wasm',
    features,
    memoryBytes: () => heap.byteLength,
    storage: heap.storage,
    heapStats: () => heap.stats(),
    copies: () => ({ ...heap.copies }),
    close: () => pool?.close() ?? Promise.resolve(),
    threadCalls: () => ({ worker: pool?.counts.worker ?? 0, main: pool?.counts.main ?? 0 }),
    gemm: createWasmGemm(module, heap, pool),
    unary: createWasmUnary(module, heap),
    binary: createWasmBinary(module, heap),
    reduce: createWasmReduce(module, heap),
    ...createWasmActivation(module, heap, pool),
    ...createWasmWindow(module, heap, pool),
    ...createWasmConv(module, heap, pool),
    softmax: createWasmSoftmax(module, heap),
    // The optional tier: whole steps of a layer or an optimizer, float32 only (each declines other
    // dtypes, and the layer or optimizer runs its reference).
    fused: {
      softmaxCrossEntropyBackward: createWasmSoftmaxCrossEntropyBackward(module, heap),
      ...createWasmBatchNorm(module, heap),
      dropout: createWasmDropout(module, heap),
      scaleBytes: createWasmScaleBytes(module, heap),
      optimizerUpdate: createWasmOptimizer(module, heap),
    },
  };
  warmUp(kernels);
  return kernels;
}
