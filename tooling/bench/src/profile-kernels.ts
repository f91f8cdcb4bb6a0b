/**
 * The slow kernels of a SimpleConvNet step one by one, on tensors that live in the wasm backend's
 * memory (no copies), each timed many times: the minimum and the median in ms. The minimum is what
 * to compare between two builds on a busy host, where a step's median swings 10-20%.
 * `node --experimental-wasm-relaxed-simd --conditions=source --import tsx
 * tooling/bench/src/profile-kernels.ts [threads] [reps] [simple|deep]`; `deep`: DeepConvNet's
 * convolutions and poolings instead; with CPU=1 in the environment, CPU time instead of wall time.
 */
import { convGeometry, createWasmBackend, randn, Rng, stepScope } from './tensor.js';

const threads = Number(process.argv[2] ?? 1);
const reps = Number(process.argv[3] ?? 30);
const which = process.argv[4] ?? 'simple';
const backend = await createWasmBackend({ simd: 'auto', threads });
const rng = new Rng(1);

// CPU=1: the process's CPU time (user + system) instead of wall time. On one thread it leaves out
// the time the thread waited for a core, which on a loaded host is most of the swing.
const cpu = process.env.CPU === '1';
const now = (): number => {
  if (!cpu) return performance.now();
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const results: [string, number, number][] = [];
const time = (name: string, run: () => void): void => {
  run();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const s = now();
    run();
    ms.push(now() - s);
  }
  ms.sort((a, b) => a - b);
  results.push([name, ms[0]!, ms[ms.length >> 1]!]);
};

stepScope(() => {
  // Views are taken at each call: a kernel's scratch may grow the memory, which detaches older views.
  const tensor = (...shape: number[]): (() => Float32Array) => {
    const t = randn(shape, rng).to(backend);
    return () => t.data;
  };
  const f32 = tensor;
  if (which === 'deep') {
    // DeepConvNet: [in, out, size] of its six 3×3 pad-1 convolutions, pooled after 2, 4 and 6.
    const layers = [
      [1, 16, 28],
      [16, 16, 28],
      [16, 32, 14],
      [32, 32, 14],
      [32, 64, 7],
      [64, 64, 7],
    ] as const;
    layers.forEach(([cin, cout, size], i) => {
      const g = convGeometry('conv', [100, cin, size, size], 3, 3, { stride: 1, pad: 1 });
      const x = f32(100, cin, size, size);
      const w = f32(cout, cin, 3, 3);
      const b = f32(cout);
      const out = f32(100, cout, size, size);
      const dout = f32(100, cout, size, size);
      const dw = f32(cout, cin, 3, 3);
      const db = f32(cout);
      const dx = f32(100, cin, size, size);
      const name = `conv${i + 1}`;
      time(`${name} forward`, () =>
        backend.convForward({ g, filters: cout, x: x(), w: w(), b: b(), out: out() }),
      );
      time(`${name} backward`, () =>
        backend.convBackward({
          g,
          filters: cout,
          x: x(),
          w: w(),
          dout: dout(),
          dw: dw(),
          db: db(),
          dx: i === 0 ? undefined : dx(),
          accumulate: false,
        }),
      );
      if (i % 2 === 1) {
        const pg = convGeometry('pool', [100, cout, size, size], 2, 2, { stride: 2, pad: 0 });
        const half = size >> 1;
        const pooled = f32(100, cout, half, half);
        const argmax = new Int32Array(100 * cout * half * half);
        time(`pool${(i + 1) / 2} forward`, () => backend.maxPool(out(), pg, pooled(), argmax));
      }
    });
    return;
  }
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
  time('conv1 dw+db', () =>
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
