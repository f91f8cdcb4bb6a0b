import { createWasmBackend, hasWasmSimd, jsKernels, setBackend } from '@dl/tensor';

/** Which @dl/tensor backend the page's own computations run on (training has its own, in the worker). */
export interface PageBackend {
  /** `wasm-relaxed-simd`, `wasm-simd` or `js`. */
  variant: string;
  /** Why it is `js`, when WebAssembly was not usable. */
  fallback?: string;
}

/**
 * Makes the WebAssembly backend current when the browser has SIMD, else keeps the `js` reference
 * backend. float64 products (the gradient-check page) stay on `js` inside the wasm backend anyway.
 */
export async function initPageBackend(): Promise<PageBackend> {
  if (!hasWasmSimd()) return { variant: 'js', fallback: 'this browser has no WebAssembly SIMD' };
  try {
    const wasm = await createWasmBackend();
    setBackend(wasm);
    return { variant: wasm.features.variant };
  } catch (e) {
    setBackend(jsKernels);
    return { variant: 'js', fallback: `the wasm backend did not load: ${(e as Error).message}` };
  }
}
