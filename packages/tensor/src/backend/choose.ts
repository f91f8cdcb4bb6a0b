import type { Kernels } from './kernels.js';
import { jsKernels } from './js/js.js';
import { hasWasmSimd } from './wasm/features.js';
import { enableRelaxedSimdInNode } from './wasm/node-flags.js';
import { createWasmBackend, type WasmBackendOptions, type WasmKernels } from './wasm/wasm.js';

/** The backends `createBackend` makes. */
export type BackendName = 'js' | 'wasm';

/** Options of `createBackend`: `threads` (and `simd`) of the `wasm` backend; the `js` one has none. */
export type CreateBackendOptions = WasmBackendOptions;

/**
 * A new backend value, to hand to a network, optimizer or Trainer (`{ backend }`) or to `setBackend`.
 * `'js'` is the reference kernels (one shared, stateless object); `'wasm'` a new WebAssembly
 * backend with its own memory and worker threads (`createWasmBackend`).
 */
export async function createBackend(name: 'wasm', options?: CreateBackendOptions): Promise<WasmKernels>;
export async function createBackend(name: 'js', options?: CreateBackendOptions): Promise<Kernels>;
export async function createBackend(name: BackendName, options?: CreateBackendOptions): Promise<Kernels>;
export async function createBackend(name: BackendName, options: CreateBackendOptions = {}): Promise<Kernels> {
  if (name === 'js') return jsKernels;
  if (name === 'wasm') return createWasmBackend(options);
  throw new Error(`createBackend: unknown backend '${String(name)}' (have js, wasm)`);
}

/**
 * The backend `chooseBackend({ backend: 'auto' })` goes for: `wasm` where the engine runs WebAssembly
 * SIMD (every current browser, Node 16.4+), else `js`. Synchronous, for a command line's default.
 */
export function fastestBackendName(hasSimd: () => boolean = hasWasmSimd): BackendName {
  return hasSimd() ? 'wasm' : 'js';
}

/** What `chooseBackend` may pick from, and how it learns what the engine has (injectable for tests). */
export interface ChooseBackendOptions {
  /** `'auto'` (default): the fastest the engine runs; `'wasm'` or `'js'` to ask for one. */
  backend?: 'auto' | BackendName;
  /** Threads of the `wasm` backend (`createWasmBackend`'s option; default 1). */
  threads?: 'auto' | number;
  /** Whether the engine runs WebAssembly SIMD (default `hasWasmSimd`). */
  hasSimd?: () => boolean;
  /** Turns relaxed SIMD on where it can (default `enableRelaxedSimdInNode`: Node 20's V8 flag). */
  enableRelaxedSimd?: () => Promise<boolean>;
  /** Makes the wasm backend (default `createWasmBackend`). */
  createWasm?: (options: WasmBackendOptions) => Promise<WasmKernels>;
}

/**
 * The backend `chooseBackend` picked, and why, in one line for a log or a page (`${name}: ${reason}`):
 * `asked for`, `this engine has no WebAssembly SIMD`, `the wasm backend did not load: ...`, or
 * `the fastest this engine runs (wasm-relaxed-simd, 1 thread)` with any note on threads.
 */
export type ChosenBackend =
  | { readonly name: 'wasm'; readonly backend: WasmKernels; readonly reason: string }
  | { readonly name: 'js'; readonly backend: Kernels; readonly reason: string };

/**
 * The one place the default backend is chosen: WebAssembly (relaxed SIMD where the engine has it or
 * Node 20 can turn it on, threads as asked) where the engine runs SIMD, else the `js` reference,
 * with the reason. A wasm backend that fails to load falls back to `js` and says why; the caller
 * decides whether that is an error (a CLI asked for `wasm` explicitly) or fine (a browser page).
 * Sets nothing: hand the backend to `setBackend` or to the objects that take one.
 */
export async function chooseBackend(options: ChooseBackendOptions = {}): Promise<ChosenBackend> {
  const { backend = 'auto', threads = 1 } = options;
  if (backend === 'js') return { name: 'js', backend: jsKernels, reason: 'asked for' };
  if (fastestBackendName(options.hasSimd) === 'js') {
    return { name: 'js', backend: jsKernels, reason: 'this engine has no WebAssembly SIMD' };
  }
  try {
    await (options.enableRelaxedSimd ?? enableRelaxedSimdInNode)();
    const wasm = await (options.createWasm ?? createWasmBackend)({ threads });
    const { variant, threadsNote } = wasm.features;
    const count = `${wasm.features.threads} thread${wasm.features.threads === 1 ? '' : 's'}`;
    const why = backend === 'wasm' ? 'asked for' : 'the fastest this engine runs';
    const note = threadsNote === undefined ? '' : `; ${threadsNote}`;
    return { name: 'wasm', backend: wasm, reason: `${why} (${variant}, ${count}${note})` };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { name: 'js', backend: jsKernels, reason: `the wasm backend did not load: ${message}` };
  }
}
