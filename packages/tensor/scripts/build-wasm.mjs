#!/usr/bin/env node
// Compiles assembly/ into the four WebAssembly builds the `wasm` backend picks from at run time:
//   wasm/kernels-simd.wasm                  SIMD (every engine we support)
//   wasm/kernels-relaxed-simd.wasm          SIMD + relaxed-SIMD FMA (Chrome 114+, Node 22+, Node 20 with a flag)
//   wasm/kernels-simd-threads.wasm          the same two, importing one shared memory that worker
//   wasm/kernels-relaxed-simd-threads.wasm  threads instantiate too (`threads` in createWasmBackend)
// All come from the same source: `ASC_FEATURE_RELAXED_SIMD` picks the multiply-add at compile time.
// The asc runs (~5 s each) go in parallel. Nothing compiles at test or run time.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const asc = fileURLToPath(import.meta.resolve('assemblyscript/bin/asc.js'));

// --runtime stub and no static data: JS owns the memory above heapBase() and passes pointers.
// --use abort= drops the `env.abort` import, so the module needs no imports at all.
const common = [
  'assembly/index.ts',
  '--optimize',
  '-O3',
  '--runtime',
  'stub',
  '--noAssert',
  '--use',
  'abort=',
];
// The threaded builds import `env.memory`, shared, of at least 1 and at most 65536 pages (4 GiB, all
// of wasm32): JavaScript creates it with the maximum it wants. The module has no data segments or
// globals, so every thread may instantiate it on the same memory.
const threaded = ['--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '65536'];
const builds = [
  { out: 'wasm/kernels-simd.wasm', features: 'simd', extra: [] },
  { out: 'wasm/kernels-relaxed-simd.wasm', features: 'simd,relaxed-simd', extra: [] },
  { out: 'wasm/kernels-simd-threads.wasm', features: 'simd,threads', extra: threaded },
  { out: 'wasm/kernels-relaxed-simd-threads.wasm', features: 'simd,relaxed-simd,threads', extra: threaded },
];

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [asc, ...args], { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`asc ${args.join(' ')} exited with ${code}`)),
    );
  });
}

await mkdir(new URL('../wasm/', import.meta.url), { recursive: true });
const started = Date.now();
await Promise.all(
  builds.map(({ out, features, extra }) => run([...common, '--enable', features, ...extra, '-o', out])),
);
console.log(
  `build-wasm: ${builds.map((b) => b.out).join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
