/**
 * The slow kernels of a SimpleConvNet step one by one, on tensors that live in the wasm backend's
 * memory (no copies), each timed many times: the minimum and the median in ms. The minimum is what
 * to compare between two builds on a busy host, where a step's median swings 10-20%.
 * `node --experimental-wasm-relaxed-simd --conditions=source --import tsx
 * tooling/bench/src/profile-kernels.ts [threads] [reps]`.
 */
import { convGeometry, createWasmBackend, randn, Rng, stepScope } from './tensor.js';

const threads = Number(process.argv[2] ?? 1);
const reps = Number(process.argv[3] ?? 30);
const backend = await createWasmBackend({ simd: 'auto', threads });
const rng = new Rng(1);

const results: [string, number, number][] = [];
const time = (name: string, run: () => void): void => {
  run();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = performance.now();
    run();
    ms.push(performance.now() - s);
  }
  ms.sort((a, b) => a - b);
  results.push([name, ms[0]!, ms[ms.length >> 1]!]);
};

stepScope(() => {
  // Views are taken at each call: a kernel's scratch may grow the memory, which detaches older views.
  const tensor = (...shape: number[]): (() => Float32Array) => {
    const t = randn(shape, rng).to(backend);
    return () => t.data as Float32Array;
  };
  const f32 = tensor;
  // SimpleConvNet: conv 30 5×5 over 1×28×28, pool 2×2 stride 2, affine 4320→100 (batch 100).
  const g = convGeometry('conv1', [100, 1, 28, 28], 5, 5, { stride: 1, pad: 0 });
  const x = f32(100, 1, 28, 28);
  const w = f32(30, 1, 5, 5);
  const b = f32(30);
  const out = f32(100, 30, 24, 24);
  const dout = f32(100, 30, 24, 24);
  const dw = f32(30, 1, 5, 5);
  const db = f32(30);
  time('conv1 forward', () => backend.convForward({ g, filters: 30, x: x(), w: w(), b: b(), out: out() }));
  time('conv1 dw, db', () =>
    backend.convBackward({
      g,
      filters: 30,
      x: x(),
      w: w(),
      dout: dout(),
      dw: dw(),
      db: db(),
      accumulate: false,
    }),
  );
  const pg = convGeometry('pool1', [100, 30, 24, 24], 2, 2, { stride: 2, pad: 0 });
  const pooled = f32(100, 30, 12, 12);
  const argmax = new Int32Array(100 * 30 * 12 * 12);
  time('pool1 forward', () => backend.maxPool(out(), pg, pooled(), argmax));
  time('pool1 backward', () => backend.maxPoolBackward(pooled(), argmax, dout()));
  const a1x = f32(100, 4320);
  const a1w = f32(4320, 100);
  const a1y = f32(100, 100);
  const a1dw = f32(4320, 100);
  const a1dx = f32(100, 4320);
  const gemm = { alpha: 1, beta: 0, transA: false, transB: false };
  time('affine1 forward', () =>
    backend.gemm({ ...gemm, m: 100, n: 100, k: 4320, a: a1x(), b: a1w(), c: a1y() }),
  );
  time('affine1 dW', () =>
    backend.gemm({ ...gemm, transA: true, m: 4320, n: 100, k: 100, a: a1x(), b: a1y(), c: a1dw() }),
  );
  time('affine1 dx', () =>
    backend.gemm({ ...gemm, transB: true, m: 100, n: 4320, k: 100, a: a1y(), b: a1w(), c: a1dx() }),
  );
}, backend);

for (const [name, min, median] of results) {
  console.log(
    `${name.padEnd(20)} min ${min.toFixed(3).padStart(7)} ms  median ${median.toFixed(3).padStart(7)} ms`,
  );
}
process.exit(0);
