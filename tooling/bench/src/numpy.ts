import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MeasureOptions } from './measure.js';
import type { GemmWorkload } from './workloads.js';

/** NumPy on one OpenBLAS thread, or with OpenBLAS's default (one per core). */
export type NumpyThreads = 'single' | 'default';

export type NumpyRun =
  | { ok: true; numpy: string; blas: string; msPerCall: ReadonlyMap<string, number> }
  | { ok: false; reason: string };

interface NumpyReply {
  numpy: string;
  blas: string;
  results: { name: string; msPerCall: number }[];
}

const THREAD_VARS = ['OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'];

function childEnv(threads: NumpyThreads): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // Machine-specific OpenBLAS overrides would make the comparison unfair either way: let it detect.
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  for (const name of THREAD_VARS) {
    if (threads === 'single') env[name] = '1';
    else delete env[name];
  }
  return env;
}

/** Runs a script of `python/` with a JSON request on stdin; its stdout, or why there is none. */
export function runPythonScript(
  script: string,
  request: unknown,
  threads: NumpyThreads,
): { ok: true; stdout: string } | { ok: false; reason: string } {
  const python = process.env.PYTHON ?? 'python3';
  const child = spawnSync(python, [fileURLToPath(new URL(`../python/${script}`, import.meta.url))], {
    input: JSON.stringify(request),
    env: childEnv(threads),
    encoding: 'utf8',
    timeout: 10 * 60_000,
    maxBuffer: 16 << 20,
  });
  if (child.error) return { ok: false, reason: `${python}: ${child.error.message}` };
  if (child.status !== 0) {
    const lastLine = child.stderr.trim().split('\n').pop() ?? '';
    return { ok: false, reason: `${python} exited with ${child.status}: ${lastLine}` };
  }
  return { ok: true, stdout: child.stdout };
}

/** Runs a script of `python/` with a JSON request on stdin; its JSON reply, or why there is none. */
export function runPython<T>(
  script: string,
  request: unknown,
  threads: NumpyThreads,
): { ok: true; reply: T } | { ok: false; reason: string } {
  const run = runPythonScript(script, request, threads);
  return run.ok ? { ok: true, reply: JSON.parse(run.stdout) as T } : run;
}

/** Times `a @ b` for each workload in a python3 child (`$PYTHON` overrides the interpreter). */
export function runNumpy(
  workloads: readonly GemmWorkload[],
  threads: NumpyThreads,
  options: MeasureOptions,
): NumpyRun {
  const run = runPython<NumpyReply>('gemm.py', { workloads, ...options }, threads);
  if (!run.ok) return run;
  const { reply } = run;
  return {
    ok: true,
    numpy: reply.numpy,
    blas: reply.blas,
    msPerCall: new Map(reply.results.map((r) => [r.name, r.msPerCall])),
  };
}
