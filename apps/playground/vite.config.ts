import { defaultClientConditions, defineConfig } from 'vite';

// Cross-origin isolation (COOP + COEP) lets the page use SharedArrayBuffer, which the threaded
// WebAssembly backend needs; set for both the dev server and `vite preview`.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  resolve: { conditions: ['source', ...defaultClientConditions] },
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { target: 'es2022', assetsInlineLimit: (file) => !file.endsWith('.wasm') && undefined },
  worker: { format: 'es' },
});
