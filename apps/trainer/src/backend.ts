import { jsKernels, setBackend } from '@dl/tensor';
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

/**
 * The compute backends `--backend` accepts. Adding one is one entry here (the WebAssembly backend:
 * `wasm: { maxThreads: (n) => n, activate: async (threads) => { setBackend(await createWasmBackend({ threads })); ... } }`).
 */
const BACKENDS = {
  js: {
    maxThreads: (_available: number) => 1,
    activate: (_threads: number) => {
      setBackend(jsKernels);
      return Promise.resolve('JavaScript reference kernels');
    },
  },
} as const satisfies Record<string, BackendEntry>;

export type BackendName = keyof typeof BACKENDS;
export const BACKEND_NAMES = Object.keys(BACKENDS) as BackendName[];

export function isBackendName(name: string): name is BackendName {
  return Object.hasOwn(BACKENDS, name);
}

/** Checks `--threads` against what the backend can use (default: all it can). */
export function resolveThreads(name: BackendName, requested: number | undefined, available: number): number {
  const max = BACKENDS[name].maxThreads(available);
  if (requested === undefined) return max;
  if (requested > max) {
    throw new CliError(
      `--threads ${requested}: the ${name} backend runs on ${max === 1 ? 'one thread' : `at most ${max} threads`}` +
        (name === 'js' ? ' (multi-threaded backends: see --backend)' : ''),
    );
  }
  return requested;
}

/** Makes `name` the backend of every tensor op from now on. */
export async function activateBackend(name: BackendName, threads: number): Promise<ActiveBackend> {
  const description = await BACKENDS[name].activate(threads);
  return { name, threads, description };
}
