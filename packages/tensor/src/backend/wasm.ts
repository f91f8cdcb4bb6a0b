import type { Kernels } from './kernels.js';
import { WasmArena } from './wasm-arena.js';
import { hasWasmRelaxedSimd, hasWasmSimd, type WasmFeatures, type WasmVariant } from './wasm-features.js';
import { createWasmBinary, createWasmUnary } from './wasm-elementwise.js';
import { createWasmGemm } from './wasm-gemm.js';
import { loadWasmBytes } from './wasm-load.js';
import { instantiateKernels } from './wasm-module.js';
import { createWasmReduce } from './wasm-reduce.js';

export interface WasmBackendOptions {
  /**
   * Which build to run. `auto` (default) takes relaxed SIMD where the engine has it and plain SIMD
   * otherwise; `relaxed` fails where the engine lacks it; `plain` never uses it (bit-for-bit the
   * same results on every engine).
   */
  simd?: 'auto' | 'relaxed' | 'plain';
}

/** The `wasm` backend: `Kernels`, plus what it runs with and how much memory it holds. */
export interface WasmKernels extends Kernels {
  readonly name: 'wasm';
  readonly features: WasmFeatures;
  /** Bytes of WebAssembly memory held: the arena grows to the largest call so far, never shrinks. */
  readonly memoryBytes: () => number;
}

/** Arena reserved and touched at load: a 100×784·784×50 product needs ~0.7 MiB. */
const INITIAL_ARENA_BYTES = 4 << 20;

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
 * Moves first-call costs out of the first real call: the arena's pages were touched when reserved,
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

/**
 * Loads the WebAssembly kernels (async: the `.wasm` is read or fetched once) and returns a backend
 * for `setBackend`. float32 GEMM, elementwise ops and reductions run in WebAssembly (3-13× the js
 * loops, copies included); float64, integer operands and a few rare ops run on the js kernels.
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmKernels> {
  const variant = chooseVariant(options.simd);
  const module = await instantiateKernels(await loadWasmBytes(variant));
  const arena = new WasmArena(module.memory, module.heapBase(), INITIAL_ARENA_BYTES);
  const kernels: WasmKernels = {
    name: 'wasm',
    features: { variant, relaxedSimd: hasWasmRelaxedSimd(), threads: 1 },
    memoryBytes: () => arena.byteLength,
    gemm: createWasmGemm(module, arena),
    unary: createWasmUnary(module, arena),
    binary: createWasmBinary(module, arena),
    reduce: createWasmReduce(module, arena),
  };
  warmUp(kernels);
  return kernels;
}
