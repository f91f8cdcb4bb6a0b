import type { WasmMemory, WasmModuleObject } from './api.js';
import { FUNCTIONS, type KernelFunction, type KernelModule } from './module.js';

/**
 * Worker threads for the `wasm` backend: each instantiates the threaded kernels build on the one shared
 * `WebAssembly.Memory`, then waits on its slot of a small control block (an `Int32Array` over a
 * `SharedArrayBuffer`) for a call: which export, its arguments. The main thread writes a slot, bumps
 * its sequence number and notifies; the worker polls for a while (a call usually follows soon after the
 * last one), then sleeps in `Atomics.wait`; when done it stores the sequence number in `DONE`.
 * A call is claimed before it runs (`CLAIM` goes from its sequence number - 1 to it): when the main
 * thread has finished its own share and the worker has not even started (asleep, or its core taken
 * by another process), the main thread claims the call and runs it itself. So threads never make a
 * call much slower than one thread would, however busy the machine.
 * Node runs them as `worker_threads` (unref'd: they never keep a process alive), browsers as Web
 * Workers, which need cross-origin isolation for shared memory.
 */

/** Int32 words per worker slot: 256 bytes, so two slots never share a cache line. */
const SLOT = 64;
const SEQ = 0;
const DONE = 1;
const FN = 2;
const MASK = 3;
const STATUS = 4;
const CLAIM = 5;
const ARGS = 8;
/** Arguments a call may take (the widest export, convBackwardF32, has 21). */
export const MAX_ARGS = 24;
const EXIT = -1;
/**
 * How long a worker keeps polling for its next call before it sleeps, in ms. Waking a sleeping worker
 * costs about as long as a small product takes (docs/benchmarks.md); calls within one training step,
 * and from one step to the next, come well inside this, so a worker that is training never sleeps,
 * and one that is not stops polling a millisecond or two after its last call.
 */
const WORKER_SPIN_MS = 2;
/** Loads of the control word the main thread makes before it sleeps on a worker's call. */
const MAIN_SPIN = 20_000;

/**
 * The worker, as source text so it needs no separate file (bundlers, `tsx` and `vitest` all load it
 * the same way): Node evaluates it (`eval: true`), browsers run it from a Blob URL.
 */
const WORKER_SOURCE = `'use strict';
const SLOT = ${SLOT}, SEQ = ${SEQ}, DONE = ${DONE}, FN = ${FN}, MASK = ${MASK}, STATUS = ${STATUS};
const CLAIM = ${CLAIM};
const ARGS = ${ARGS}, MAX_ARGS = ${MAX_ARGS}, EXIT = ${EXIT}, SPIN_MS = ${WORKER_SPIN_MS};
let post;
function start({ module, memory, control, index, names }) {
  let fns, ctl, f32, base;
  try {
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    fns = names.map((name) => exports[name]);
    ctl = new Int32Array(control);
    f32 = new Float32Array(control);
    base = index * SLOT;
  } catch (error) {
    post({ error: String(error) });
    return;
  }
  post({ ready: index });
  const args = new Array(MAX_ARGS).fill(0);
  let seen = 0;
  for (;;) {
    let seq = Atomics.load(ctl, base + SEQ);
    // Poll, looking at the clock every 1024 loads (reading it costs more than a load).
    const until = performance.now() + SPIN_MS;
    for (let i = 1; seq === seen; i++) {
      seq = Atomics.load(ctl, base + SEQ);
      if ((i & 1023) === 0 && performance.now() > until) break;
    }
    while (seq === seen) {
      Atomics.wait(ctl, base + SEQ, seen);
      seq = Atomics.load(ctl, base + SEQ);
    }
    seen = seq;
    // The main thread may have run this call itself already (and even posted later ones).
    if (Atomics.compareExchange(ctl, base + CLAIM, (seq - 1) | 0, seq) !== ((seq - 1) | 0)) continue;
    const fn = ctl[base + FN];
    if (fn === EXIT) break;
    const mask = ctl[base + MASK];
    for (let i = 0; i < MAX_ARGS; i++) args[i] = (mask >>> i) & 1 ? f32[base + ARGS + i] : ctl[base + ARGS + i];
    let status = 0;
    try {
      fns[fn].apply(undefined, args);
    } catch (error) {
      status = 1;
    }
    ctl[base + STATUS] = status;
    Atomics.store(ctl, base + DONE, seen);
    Atomics.notify(ctl, base + DONE);
  }
}
if (typeof process === 'object' && typeof process.versions?.node === 'string') {
  // A dynamic import works whether Node evaluates this as CommonJS or as a module.
  import('node:worker_threads').then(({ parentPort }) => {
    post = (message) => parentPort.postMessage(message);
    parentPort.once('message', start);
  });
} else {
  post = (message) => self.postMessage(message);
  self.onmessage = (event) => start(event.data);
}
`;

/** What both Node's and the browsers' workers offer, as used here. */
interface WorkerHandle {
  postMessage(message: unknown): void;
  /** Resolves with the worker's first message. */
  firstMessage(): Promise<unknown>;
  /** Resolves once the thread has ended. */
  ended(): Promise<void>;
  /** After startup: the thread no longer keeps the process alive (Node). */
  unref(): void;
  /** While closing: it does again, so its exit is awaited rather than cut short. */
  ref(): void;
  terminate(): void;
}

interface NodeWorker {
  postMessage(message: unknown): void;
  once(event: 'message' | 'error' | 'exit', listener: (value: unknown) => void): void;
  unref(): void;
  ref(): void;
  terminate(): Promise<number>;
}
interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true; execArgv: string[] }) => NodeWorker;
}
interface WebWorker {
  postMessage(message: unknown): void;
  addEventListener(
    type: 'message' | 'error',
    listener: (event: { data?: unknown; message?: string }) => void,
  ): void;
  terminate(): void;
}
interface WebGlobals {
  Worker?: new (url: string) => WebWorker;
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL: { createObjectURL?(blob: object): string };
  crossOriginIsolated?: boolean;
  navigator?: { hardwareConcurrency?: number };
  process?: { versions?: { node?: string } };
}

const web = globalThis as unknown as WebGlobals;
const isNode = typeof web.process?.versions?.node === 'string';
// Held in variables so bundlers do not try to resolve Node modules for browser builds.
const NODE_WORKER_THREADS = 'node:worker_threads';
const NODE_OS = 'node:os';

async function spawnWorker(): Promise<WorkerHandle> {
  if (isNode) {
    const { Worker } = (await import(/* @vite-ignore */ NODE_WORKER_THREADS)) as NodeWorkerThreads;
    // No Node options: the worker needs none of the parent's loaders (`--import tsx` would slow its
    // start); V8 flags such as --experimental-wasm-relaxed-simd are per process and still apply.
    const worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
    const exit = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    return {
      postMessage: (message) => worker.postMessage(message),
      firstMessage: () =>
        new Promise((resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
      ended: () => exit,
      unref: () => worker.unref(),
      ref: () => worker.ref(),
      terminate: () => void worker.terminate(),
    };
  }
  const url = web.URL.createObjectURL!(new web.Blob!([WORKER_SOURCE], { type: 'text/javascript' }));
  const worker = new web.Worker!(url);
  return {
    postMessage: (message) => worker.postMessage(message),
    firstMessage: () =>
      new Promise((resolve, reject) => {
        worker.addEventListener('message', (event) => resolve(event.data));
        worker.addEventListener('error', (event) => reject(new Error(event.message ?? 'worker failed')));
      }),
    // A terminated Web Worker is gone at once; there is no exit event to wait for.
    ended: () => Promise.resolve(),
    unref: () => undefined,
    ref: () => undefined,
    terminate: () => worker.terminate(),
  };
}

/** Whether this thread may block in `Atomics.wait` (a browser's main thread may not: it spins). */
function mayBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Logical cores of this machine (Node's `availableParallelism`, a browser's `hardwareConcurrency`). */
export async function hardwareThreads(): Promise<number> {
  if (isNode) {
    const os = (await import(/* @vite-ignore */ NODE_OS)) as {
      availableParallelism?: () => number;
      cpus(): unknown[];
    };
    return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  }
  return Math.max(1, web.navigator?.hardwareConcurrency ?? 1);
}

/** Why this engine cannot run worker threads on shared memory, or undefined when it can. */
export function threadsUnavailable(): string | undefined {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') {
    return web.crossOriginIsolated === false
      ? 'SharedArrayBuffer needs cross-origin isolation (serve the page with the headers ' +
          'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)'
      : 'this engine has no SharedArrayBuffer';
  }
  if (!isNode && web.crossOriginIsolated === false) {
    return 'the page is not cross-origin isolated (COOP/COEP headers), so memory cannot be shared with workers';
  }
  if (!isNode && (typeof web.Worker !== 'function' || typeof web.Blob !== 'function')) {
    return 'this environment has no Web Workers';
  }
  return undefined;
}

/** The index of each export in the control block's `FN` word. */
const FN_INDEX = new Map<KernelFunction, number>(FUNCTIONS.map((name, i) => [name, i]));

/**
 * `size` worker threads running the kernels module on `memory`. `run` starts an export on a worker
 * (it returns at once), `wait` blocks until that worker has finished it. One call per worker at a
 * time; the caller runs its own share on the main thread in between.
 */
export class WasmThreadPool {
  readonly size: number;
  readonly #workers: WorkerHandle[];
  readonly #ctl: Int32Array;
  readonly #f32: Float32Array;
  readonly #seq: Int32Array;
  readonly #block = mayBlock();
  /** The main thread's instance, for calls it takes back from a worker that has not started them. */
  readonly #local: Record<KernelFunction, (...args: number[]) => unknown>;
  readonly #args = new Array<number>(MAX_ARGS).fill(0);
  #closed: Promise<void> | undefined;
  /** Calls run by a worker, and calls the main thread took back (for measurements). */
  readonly counts = { worker: 0, main: 0 };

  private constructor(workers: WorkerHandle[], control: SharedArrayBuffer, local: KernelModule) {
    this.size = workers.length;
    this.#workers = workers;
    this.#ctl = new Int32Array(control);
    this.#f32 = new Float32Array(control);
    this.#seq = new Int32Array(workers.length);
    // WebAssembly exports are plain functions: calling them by name needs no `this`.
    this.#local = local;
  }

  /**
   * Starts `size` workers and waits until each has instantiated the module on `memory`; `local` is
   * the main thread's instance of it.
   */
  static async create(
    module: WasmModuleObject,
    memory: WasmMemory,
    size: number,
    local: KernelModule,
  ): Promise<WasmThreadPool> {
    const control = new SharedArrayBuffer(Math.max(1, size) * SLOT * 4);
    const workers = await Promise.all(Array.from({ length: size }, () => spawnWorker()));
    try {
      await Promise.all(
        workers.map(async (worker, index) => {
          const reply = worker.firstMessage();
          worker.postMessage({ module, memory, control, index, names: FUNCTIONS });
          const message = (await reply) as { ready?: number; error?: string };
          if (message.error !== undefined) throw new Error(message.error);
        }),
      );
    } catch (cause) {
      for (const worker of workers) worker.terminate();
      throw new Error(`wasm backend: a worker thread failed to start (${String(cause)})`, { cause });
    }
    for (const worker of workers) worker.unref();
    return new WasmThreadPool(workers, control, local);
  }

  /**
   * Starts `fn(...args)` on worker `worker`. Arguments are int32 (pointers, sizes, flags) except
   * where bit i of `floats` is set: argument i is a float32.
   */
  run(worker: number, fn: KernelFunction, args: readonly number[], floats = 0): void {
    if (this.#closed) throw new Error('wasm backend: the backend was closed; create a new one');
    const base = worker * SLOT;
    const ctl = this.#ctl;
    ctl[base + FN] = FN_INDEX.get(fn)!;
    ctl[base + MASK] = floats;
    for (let i = 0; i < args.length; i++) {
      if ((floats >>> i) & 1) this.#f32[base + ARGS + i] = args[i]!;
      else ctl[base + ARGS + i] = args[i]!;
    }
    const seq = (this.#seq[worker]! + 1) | 0;
    this.#seq[worker] = seq;
    Atomics.store(ctl, base + SEQ, seq);
    Atomics.notify(ctl, base + SEQ);
  }

  /**
   * Returns once worker `worker`'s call has run: at once if the worker has not started it yet (this
   * thread runs it here instead), else when the worker is done. Throws if the call trapped.
   */
  wait(worker: number): void {
    const base = worker * SLOT;
    const ctl = this.#ctl;
    const seq = this.#seq[worker]!;
    if (Atomics.compareExchange(ctl, base + CLAIM, (seq - 1) | 0, seq) === ((seq - 1) | 0)) {
      this.counts.main++;
      const mask = ctl[base + MASK]!;
      const args = this.#args;
      for (let i = 0; i < MAX_ARGS; i++)
        args[i] = (mask >>> i) & 1 ? this.#f32[base + ARGS + i]! : ctl[base + ARGS + i]!;
      this.#local[FUNCTIONS[ctl[base + FN]!]!](...args);
      return;
    }
    this.counts.worker++;
    let done = Atomics.load(ctl, base + DONE);
    for (let i = 0; done !== seq && i < MAIN_SPIN; i++) done = Atomics.load(ctl, base + DONE);
    while (done !== seq) {
      if (this.#block) Atomics.wait(ctl, base + DONE, done);
      done = Atomics.load(ctl, base + DONE);
    }
    if (ctl[base + STATUS] !== 0) {
      throw new Error('wasm backend: a kernel failed on a worker thread (out of bounds memory access?)');
    }
  }

  /** Ends every worker (they finish their call first); later calls throw. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      for (let worker = 0; worker < this.size; worker++) {
        this.#workers[worker]!.ref();
        const base = worker * SLOT;
        this.#ctl[base + FN] = EXIT;
        Atomics.store(this.#ctl, base + SEQ, (this.#seq[worker]! + 1) | 0);
        Atomics.notify(this.#ctl, base + SEQ);
      }
      await Promise.all(
        this.#workers.map((worker) => {
          if (!isNode) worker.terminate();
          return worker.ended();
        }),
      );
    })();
    return this.#closed;
  }
}
