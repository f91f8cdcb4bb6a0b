/**
 * Where a training step's time goes: each layer's forward and backward, and the optimizer update,
 * for one network on one backend (median over steps). `node --experimental-wasm-relaxed-simd
 * --conditions=source --import tsx tooling/bench/src/profile-step.ts deep|simple|two [threads]`.
 * With CPU=1 in the environment every time is the process's CPU time (user + system) instead of wall
 * time: on one thread, on a loaded host, it leaves out the waits for a core (with more threads it
 * adds theirs up, so it is no step time).
 */
import { createWasmBackend, randint, randn, Rng, stepScope } from './tensor.js';

const lib = await import('./networks.js');
const which = process.argv[2] ?? 'deep';
const threads = Number(process.argv[3] ?? 1);
const kernels = await createWasmBackend({ simd: 'auto', threads });
const rng = new Rng(1);
// On the backend explicitly: the network's tensors, and the batch, live in its memory (dl train's way).
const backend = kernels;
const net =
  which === 'deep'
    ? new lib.DeepConvNet({ backend })
    : which === 'simple'
      ? new lib.SimpleConvNet({ backend })
      : new lib.TwoLayerNet(784, 50, 10, { backend });
const sample = which === 'two' ? [784] : [1, 28, 28];
const x = randn([100, ...sample], rng).to(backend);
const t = randint([100], rng, 0, 10).to(backend);
const adam = new lib.Adam({ lr: 0.001, backend });
type AnyLayer = {
  forward: (x: unknown, ctx?: unknown) => unknown;
  backward: (d: unknown) => unknown;
  backwardParams?: (d: unknown) => void;
};
const cpu = process.env.CPU === '1';
const now = (): number => {
  if (!cpu) return performance.now();
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const times = new Map<string, number[]>();
const add = (k: string, ms: number): void => {
  const list = times.get(k) ?? [];
  list.push(ms);
  times.set(k, list);
};
// Wrap every layer's forward/backward with a timer.
const layers = (net as unknown as { layers: Map<string, AnyLayer> }).layers;
for (const [name, layer] of layers) {
  const f = layer.forward.bind(layer);
  const b = layer.backward.bind(layer);
  layer.forward = (a, c) => {
    const s = now();
    const r = f(a, c);
    add(`${name}.forward`, now() - s);
    return r;
  };
  layer.backward = (d) => {
    const s = now();
    const r = b(d);
    add(`${name}.backward`, now() - s);
    return r;
  };
  // The first layer with parameters runs this instead of backward (no input gradient).
  const p = layer.backwardParams?.bind(layer);
  if (p) {
    layer.backwardParams = (d) => {
      const s = now();
      p(d);
      add(`${name}.backwardParams`, now() - s);
    };
  }
}
// The loss layer too.
const last = (
  net as unknown as { lastLayer: { forward: (y: unknown, t: unknown) => number; backward: () => unknown } }
).lastLayer;
const lastForward = last.forward.bind(last);
const lastBackward = last.backward.bind(last);
last.forward = (y, t) => {
  const s = now();
  const r = lastForward(y, t);
  add('loss.forward', now() - s);
  return r;
};
last.backward = () => {
  const s = now();
  const r = lastBackward();
  add('loss.backward', now() - s);
  return r;
};
const steps = Number(process.env.STEPS ?? 8);
stepScope(() => {
  for (let i = 0; i < steps; i++) {
    const s = now();
    (net as unknown as { gradient: (x: unknown, t: unknown, c: unknown) => void }).gradient(x, t, {
      train: true,
      rng,
    });
    const u = now();
    adam.update(net.params());
    add('Adam.update', now() - u);
    add('step', now() - s);
  }
}, backend);
// MEAN=1: the mean but of the first; MIN=1: the fastest (on a loaded host, the least disturbed).
const median = (a: number[]): number =>
  process.env.MEAN
    ? a.slice(1).reduce((p, q) => p + q, 0) / (a.length - 1)
    : process.env.MIN
      ? Math.min(...a.slice(1))
      : [...a].sort((p, q) => p - q)[a.length >> 1]!;
const total = median(times.get('step')!);
for (const [k, v] of times)
  console.log(
    `${k.padEnd(28)} ${median(v).toFixed(2).padStart(8)} ms ${((100 * median(v)) / total).toFixed(1).padStart(5)}%`,
  );
process.exit(0);
