import type { WasmMemory } from './wasm-api.js';
import { wasmApi } from './wasm-api.js';

/**
 * The exports of `assembly/index.ts`, typed. Pointers are byte offsets into `memory`; booleans are
 * passed as 0/1. Everything above `heapBase()` belongs to JavaScript (see `wasm-arena.ts`).
 */
export interface KernelModule {
  readonly memory: WasmMemory;
  heapBase(): number;
  /** Leading dimensions (lda, ldb, ldc) are row pitches in floats; see assembly/gemm.ts. */
  gemm(
    m: number,
    n: number,
    k: number,
    transA: number,
    transB: number,
    alpha: number,
    beta: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    scratch: number,
  ): void;
  gemmScratchBytes(m: number, n: number, k: number): number;
  unaryF32(op: number, x: number, out: number, n: number): void;
  /** out[o·inner + i] = a[o·sa + i·ia] op b[o·sb + i·ib], ia and ib 0 or 1; float32 out. */
  binaryF32: BinaryBlockKernel;
  /** As binaryF32 for comparisons; uint8 out. */
  compareF32: BinaryBlockKernel;
  reduceF32(
    op: number,
    x: number,
    outer: number,
    length: number,
    inner: number,
    out: number,
    scratch: number,
  ): void;
}

/** A WebAssembly export: a plain function that uses no `this`. */
export type BinaryBlockKernel = (
  op: number,
  outer: number,
  inner: number,
  a: number,
  sa: number,
  ia: number,
  b: number,
  sb: number,
  ib: number,
  out: number,
) => void;

const FUNCTIONS = [
  'heapBase',
  'gemm',
  'gemmScratchBytes',
  'unaryF32',
  'binaryF32',
  'compareF32',
  'reduceF32',
] as const;

/** Compiles and instantiates a kernels build; checks its exports so a stale `.wasm` fails loudly. */
export async function instantiateKernels(bytes: Uint8Array | ArrayBuffer): Promise<KernelModule> {
  const api = wasmApi();
  if (api === undefined) throw new Error('wasm backend: this JavaScript engine has no WebAssembly');
  const { instance } = await api.instantiate(bytes, {});
  const exports = instance.exports;
  const missing = FUNCTIONS.filter((name) => typeof exports[name] !== 'function');
  if (typeof exports.memory !== 'object' || missing.length > 0) {
    throw new Error(
      `wasm backend: the kernels module lacks ${[...missing, 'memory'].join(', ')}; ` +
        'rebuild it with `pnpm --filter @dl/tensor build:wasm`.',
    );
  }
  return exports as unknown as KernelModule;
}
