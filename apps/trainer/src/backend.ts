import { chooseBackend, fastestBackendName, setBackend } from '@dl/tensor';
import { availableParallelism } from 'node:os';
import { positiveInt } from './cli/args.js';
import { CliError } from './cli-error.js';

/** What `--backend NAME` runs on, and how many threads it got. */
export interface ActiveBackend {
  readonly name: BackendName;
  readonly threads: number;
  /** One line for the log and run.json. */
  readonly description: string;
}

interface BackendEntry {
  readonly maxThreads: (available: number) => number;
  readonly activate: (threads: number) => Promise<string>;
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
      return `WebAssembly (${kernels.features.variant}${note})`;
    },
  },
  js: {
    maxThreads: (_available: number) => 1,
    activate: async (_threads: number) => {
      setBackend((await chooseBackend({ backend: 'js' })).backend);
      return 'JavaScript reference kernels';
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
export async function activateBackend(name: BackendName, threads: number): Promise<ActiveBackend> {
  const description = await BACKENDS[name].activate(threads);
  return { name, threads, description };
}

/** `--backend` and `--threads` of the commands that compute (eval, predict, experiment). */
export const BACKEND_OPTIONS = {
  backend: { type: 'string' },
  threads: { type: 'string' },
} as const;

/** Their lines in a command's `--help`. */
export const BACKEND_HELP = `  --backend NAME      wasm | js (default: the fastest available, wasm; js: the reference)
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
