import { chooseBackend, setBackend } from '@dl/tensor';

/** Which @dl/tensor backend the page's own computations run on (training has its own, in the worker). */
export interface PageBackend {
  /** `wasm-relaxed-simd`, `wasm-simd` or `js`. */
  variant: string;
  /** Why it is `js`, when WebAssembly was not usable. */
  fallback?: string;
}

/**
 * Makes the backend `chooseBackend` picks current: WebAssembly when the browser has SIMD, else the
 * `js` reference backend (with the reason). float64 products (the gradient-check page) stay on `js`
 * inside the wasm backend anyway.
 */
export async function initPageBackend(): Promise<PageBackend> {
  const chosen = await chooseBackend();
  setBackend(chosen.backend);
  return chosen.name === 'wasm'
    ? { variant: chosen.backend.features.variant }
    : { variant: 'js', fallback: chosen.reason };
}
