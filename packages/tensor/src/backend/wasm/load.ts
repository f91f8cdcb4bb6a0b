import type { WasmVariant } from './features.js';

/**
 * Where each build lives. The literal `new URL('...', import.meta.url)` form lets bundlers (Vite)
 * see and emit the asset; the path is the same from `src/backend/wasm/` and `dist/backend/wasm/`.
 */
function wasmUrl(variant: WasmVariant, threaded: boolean): URL {
  if (threaded) {
    return variant === 'wasm-relaxed-simd'
      ? new URL('../../../wasm/kernels-relaxed-simd-threads.wasm', import.meta.url)
      : new URL('../../../wasm/kernels-simd-threads.wasm', import.meta.url);
  }
  return variant === 'wasm-relaxed-simd'
    ? new URL('../../../wasm/kernels-relaxed-simd.wasm', import.meta.url)
    : new URL('../../../wasm/kernels-simd.wasm', import.meta.url);
}

interface NodeProcess {
  versions?: { node?: string };
}
interface NodeFs {
  readFile(path: URL): Promise<Uint8Array>;
}

// Held in a variable so bundlers do not try to resolve a Node module for browser builds.
const NODE_FS = 'node:fs/promises';

/**
 * The bytes of a build (`threaded`: the one that imports a shared memory): read from disk in Node
 * (its fetch has no file: URLs), fetched elsewhere.
 */
export async function loadWasmBytes(
  variant: WasmVariant,
  threaded = false,
): Promise<Uint8Array | ArrayBuffer> {
  const url = wasmUrl(variant, threaded);
  const process = (globalThis as { process?: NodeProcess }).process;
  try {
    if (typeof process?.versions?.node === 'string') {
      const fs = (await import(/* @vite-ignore */ NODE_FS)) as NodeFs;
      return await fs.readFile(url);
    }
    const response = await fetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return await response.arrayBuffer();
  } catch (cause) {
    throw new Error(
      `wasm backend: cannot load ${url.href} (${String(cause)}). ` +
        'Build it with `pnpm --filter @dl/tensor build:wasm`.',
      { cause },
    );
  }
}
