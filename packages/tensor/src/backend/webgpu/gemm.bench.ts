/**
 * GEMM timing on the webgpu backend: `node --import tsx packages/tensor/src/backend/webgpu/gemm.bench.ts [size...]`
 * (default 256). Prints the adapter, then per size the median of 5 timed runs of one m = n = k GEMM
 * (recorded, submitted and waited for), its GFLOP/s, and the largest error against the js kernel.
 */
import { jsKernels } from '../js/js.js';
import { Rng } from '../../rng.js';
import { createWebGpuBackend } from './index.js';

const sizes = process.argv.slice(2).map(Number);
const gpu = await createWebGpuBackend();
console.log(`adapter: ${gpu.adapter}${gpu.software ? ' (software)' : ''}`);
const rng = new Rng(1);
for (const size of sizes.length > 0 ? sizes : [256]) {
  const [m, n, k] = [size, size, size];
  const a = Float32Array.from({ length: m * k }, () => rng.random() * 2 - 1);
  const b = Float32Array.from({ length: k * n }, () => rng.random() * 2 - 1);
  const [ga, gb, gc] = [gpu.upload(a), gpu.upload(b), gpu.alloc('float32', m * n)];
  const args = { m, n, k, transA: false, transB: false, alpha: 1, beta: 0, a: ga, b: gb, c: gc };
  gpu.gemm(args); // compiles the pipeline
  await gpu.read(gc);
  const times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    gpu.gemm(args);
    gpu.flush();
    await gpu.device.queue.onSubmittedWorkDone();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  const ms = times[2]!;
  const expected = new Float32Array(m * n);
  jsKernels.gemm({ ...args, a, b, c: expected });
  const actual = await gpu.read(gc);
  let err = 0;
  for (let i = 0; i < actual.length; i++) err = Math.max(err, Math.abs(actual[i]! - expected[i]!));
  console.log(
    `gemm ${m}x${n}x${k}: ${ms.toFixed(1)} ms (median of 5), ${((2 * m * n * k) / ms / 1e6).toFixed(2)} GFLOP/s, max |error| vs js ${err.toExponential(1)}`,
  );
  for (const x of [ga, gb, gc]) gpu.release(x);
}
gpu.destroy();
