import { chooseBackend, fastestBackendName, setBackend, type Kernels } from '@dl/tensor';
import { availableParallelism } from 'node:os';
import { positiveInt } from './cli/args.js';
import { CliError } from './cli-error.js';
import { RunError } from './run-error.js';
import type { WebGpuKernels } from '@dl/tensor/webgpu';

/** What `--backend NAME` runs on, and how many threads it got. */
export interface ActiveBackend {
  readonly name: BackendName;
  readonly threads: number;
  /** One line for the log and run.json. */
  readonly description: string;
  /** The kernels: what networks, optimizers and the Trainer are given (`{ backend }`). */
  readonly kernels: Kernels;
  /** A line to show before training (a software WebGPU adapter), if any. */
  readonly warning?: string | undefined;
  /** The GPU's arithmetic and storage, in one line (webgpu; the `--json` summary's `compute`). */
  readonly compute?: string | undefined;
}

interface Activated {
  readonly description: string;
  readonly kernels: Kernels;
  readonly warning?: string | undefined;
  readonly compute?: string | undefined;
}

/** What a backend is activated with besides its threads. */
export interface ActivateOptions {
  /** webgpu: how a step's float32 tensors are stored. */
  readonly precision?: 'float32' | 'float16';
}

interface BackendEntry {
  readonly maxThreads: (available: number) => number;
  readonly activate: (threads: number, options: ActivateOptions) => Promise<Activated>;
}

/** The compute backends `--backend` accepts. Adding one is one entry here. */
const BACKENDS = {
  wasm: {
    // Worker threads share the GEMMs and convolutions; more busy threads than cores only slows down.
    maxThreads: (available: number) => available,
    activate: async (threads: number) => {
      // The chooser also turns on relaxed SIMD (Node 20's V8 flag) before the module compiles.
      const chosen = await chooseBackend({ backend: 'wasm', threads });
      if (chosen.name !== 'wasm') throw new CliError(`--backend wasm: ${chosen.reason}`);
      const kernels = chosen.backend;
      setBackend(kernels);
      const note = kernels.features.threadsNote === undefined ? '' : `; ${kernels.features.threadsNote}`;
      return { description: `WebAssembly (${kernels.features.variant}${note})`, kernels };
    },
  },
  js: {
    maxThreads: (_available: number) => 1,
    activate: async (_threads: number) => {
      const kernels = (await chooseBackend({ backend: 'js' })).backend;
      setBackend(kernels);
      return { description: 'JavaScript reference kernels', kernels };
    },
  },
  webgpu: {
    maxThreads: (_available: number) => 1,
    // Never the process default: only the network, optimizer and Trainer are given it, and
    // everything else (data, labels) stays on the CPU.
    activate: async (_threads: number, options: ActivateOptions) => {
      // No WebGPU is a fact about the machine, not a usage mistake: exit 1, one line.
      if (process.env.DL_WEBGPU === 'off')
        throw new RunError('--backend webgpu: WebGPU is turned off here (DL_WEBGPU=off)');
      let kernels: WebGpuKernels;
      try {
        const { createWebGpuKernels } = await import('@dl/tensor/webgpu');
        kernels = await createWebGpuKernels({ precision: options.precision ?? 'float32' });
      } catch (e) {
        const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
        throw new RunError(`--backend webgpu: ${message}`);
      }
      const storage = kernels.precision === 'float16' ? ', float16 storage' : '';
      return {
        description: `WebGPU (${kernels.gpu.adapter}${storage})`,
        kernels,
        warning: kernels.gpu.warning,
        compute: kernels.compute,
      };
    },
  },
} as const satisfies Record<string, BackendEntry>;

export type BackendName = keyof typeof BACKENDS;
export const BACKEND_NAMES = Object.keys(BACKENDS) as BackendName[];

/** The fastest backend this engine runs: WebAssembly where it has SIMD (every current engine), else js. */
export function defaultBackendName(): BackendName {
  return fastestBackendName();
}

export function isBackendName(name: string): name is BackendName {
  return Object.hasOwn(BACKENDS, name);
}

/** `name` as a backend name, or the one-line error of a bad `--backend`. */
export function checkBackendName(name: string): BackendName {
  if (!isBackendName(name)) {
    throw new CliError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got '${name}'`);
  }
  return name;
}

/**
 * Checks `--threads` against what the backend can use: at most one per core. The default is one
 * thread: threads split the weight gradients' sums, so the last bits of a run depend on the thread
 * count, and a run should give the same numbers on every machine unless asked otherwise.
 */
export function resolveThreads(name: BackendName, requested: number | undefined, available: number): number {
  const max = BACKENDS[name].maxThreads(available);
  if (requested === undefined) return 1;
  if (requested > max) {
    throw new CliError(
      `--threads ${requested}: the ${name} backend runs on ${max === 1 ? 'one thread' : `at most ${max} threads`}` +
        (name === 'js'
          ? ' (multi-threaded backends: see --backend)'
          : ` (this machine has ${available} cores)`),
    );
  }
  return requested;
}

/** Makes `name` the backend of every tensor op from now on. */
export async function activateBackend(
  name: BackendName,
  threads: number,
  options: ActivateOptions = {},
): Promise<ActiveBackend> {
  return { name, threads, ...(await BACKENDS[name].activate(threads, options)) };
}

/** `--backend` and `--threads` of the commands that compute (eval, predict, experiment). */
export const BACKEND_OPTIONS = {
  backend: { type: 'string' },
  threads: { type: 'string' },
} as const;

/** Their lines in a command's `--help`. */
export const BACKEND_HELP = `  --backend NAME      wasm | js | webgpu (default: the fastest available, wasm; js: the reference)
  --threads N         threads of the backend (default 1; at most one per core)`;

/** Activates the backend `--backend`/`--threads` ask for (default: the fastest, one thread). */
export async function activateFromOptions(values: {
  backend?: string | undefined;
  threads?: string | undefined;
}): Promise<ActiveBackend> {
  const name = checkBackendName(values.backend ?? defaultBackendName());
  const threads = resolveThreads(name, positiveInt('threads', values.threads), availableParallelism());
  return activateBackend(name, threads);
}
