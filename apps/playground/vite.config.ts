import { defaultClientConditions, defineConfig } from 'vite';

// Cross-origin isolation (COOP + COEP) lets the page use SharedArrayBuffer, which the threaded
// WebAssembly backend needs; set for both the dev server and `vite preview`.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // Relative URLs everywhere (index.html's scripts, the worker, the .wasm files, the shipped files
  // of public/ through lib/public-url.ts): the built dist/ works at a site's root and under any
  // sub-path, e.g. a project page on a static host (https://user.github.io/dl/).
  base: './',
  resolve: { conditions: ['source', ...defaultClientConditions] },
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { target: 'es2022', assetsInlineLimit: (file) => !file.endsWith('.wasm') && undefined },
  worker: { format: 'es' },
});
