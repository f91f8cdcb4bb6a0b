/**
 * How much of the conformance suite's rounding bound the wasm backend's float32 convolutions use:
 * the worst share of each case over many seeds (the suite passes a case when its share is ≤ 1), the
 * largest first. The Winograd kernels' header quotes it.
 * `node --conditions=source --import tsx tooling/bench/src/conformance-margin.ts [seeds] [top]`
 */
import { runConformance } from '../../../packages/tensor/src/conformance/index.js';
import { createWasmBackend } from './tensor.js';

const seeds = Number(process.argv[2] ?? 40);
const top = Number(process.argv[3] ?? 6);
const backend = await createWasmBackend({ simd: 'auto', threads: 1 });
const worst = new Map<string, number>();
for (let seed = 1; seed <= seeds; seed++) {
  for (const result of runConformance(backend, { seed })) {
    if (!result.name.startsWith('conv') || !result.name.includes('float32')) continue;
    worst.set(result.name, Math.max(worst.get(result.name) ?? 0, result.worst));
  }
}
console.log(`worst share of the bound over ${seeds} seeds (${backend.features.variant}):`);
for (const [name, share] of [...worst].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`  ${share.toFixed(3)}  ${name}`);
}
