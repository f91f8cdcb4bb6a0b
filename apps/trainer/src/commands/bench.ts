import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { oneOf, parseCommandArgs } from '../cli/args.js';
import type { Io } from '../cli/io.js';
import { RunError } from '../run-error.js';

const OPTIONS = {
  only: { type: 'string' },
  json: { type: 'boolean' },
  full: { type: 'boolean' },
  'no-numpy': { type: 'boolean' },
  'no-relaxed': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SUITES = ['gemm', 'layers', 'steps', 'inference', 'epoch', 'memory'] as const;

export const BENCH_HELP = `Usage: dl bench [options]

Runs the quick subset of the repository's benchmarks (tooling/bench, 'pnpm bench --quick'): GEMMs,
the convolution and pooling layers and whole training steps on the js and WebAssembly backends
(one thread, relaxed SIMD, all threads), side by side with NumPy where python3 has it. Prints a
summary that fits 100 columns (ms per call of the main columns, and each speed target met or
missed); --full prints every table of the harness. Progress lines go to stderr; output and exit
code are the harness's own. Needs the repository checkout and its WebAssembly
kernels ('pnpm dl' builds them; else: pnpm --filter @dl/tensor build:wasm). The full suite, with
longer timings: pnpm bench.

Options:
  --only SUITE        ${SUITES.join(' | ')}: one table only
  --full              the full tables (every engine, GFLOP/s, relative speeds): wide
  --json              the report as JSON
  --no-numpy          skip the python3/NumPy columns
  --no-relaxed        do not restart node with --experimental-wasm-relaxed-simd
  -h, --help          this help

Examples:
  dl bench
  dl bench --only gemm --no-numpy
  dl bench --full --only steps
  dl bench --only steps --json > steps.json`;

/** The repository root, seen from this file (src/commands or dist/commands of apps/trainer). */
export function repositoryRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
}

/** What `dl bench` runs: node with tsx on the harness, `--quick` (and `--summary` unless `--full` or `--json`) and the flags passed on. */
export interface BenchInvocation {
  command: string;
  args: string[];
  cwd: string;
}

/** Starts the harness with the terminal's stdio; resolves to its exit code. */
export type BenchRunner = (invocation: BenchInvocation) => Promise<number>;

const SIGNALS: Readonly<Record<string, number>> = { SIGINT: 2, SIGTERM: 15, SIGKILL: 9 };

/** Runs the harness as a child process sharing this one's stdio; its exit code (128 + n for a signal). */
export const runInherited: BenchRunner = ({ command, args, cwd }) =>
  new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, stdio: 'inherit' });
    child.on('error', fail);
    child.on('close', (code, signal) => done(code ?? (signal === null ? 1 : 128 + (SIGNALS[signal] ?? 1))));
  });

/** The harness's command line for these flags of `dl bench`. */
export function benchInvocation(
  values: {
    only?: string | undefined;
    json?: boolean;
    full?: boolean;
    'no-numpy'?: boolean;
    'no-relaxed'?: boolean;
  },
  root: string,
): BenchInvocation {
  const only = oneOf('only', values.only, SUITES);
  return {
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      join(root, 'tooling', 'bench', 'src', 'main.ts'),
      '--quick',
      ...(values.full || values.json ? [] : ['--summary']),
      ...(only === undefined ? [] : ['--only', only]),
      ...(values.json ? ['--json'] : []),
      ...(values['no-numpy'] ? ['--no-numpy'] : []),
      ...(values['no-relaxed'] ? ['--no-relaxed'] : []),
    ],
    // tsx resolves from here (the root's node_modules).
    cwd: root,
  };
}

/** `dl bench`; `runner` and `root` are for tests. */
export async function benchCommand(
  argv: readonly string[],
  io: Io,
  runner: BenchRunner = runInherited,
  root: string = repositoryRoot(),
): Promise<number> {
  const { values } = parseCommandArgs('bench', argv, OPTIONS);
  if (values.help) {
    io.write(`${BENCH_HELP}\n`);
    return 0;
  }
  const invocation = benchInvocation(values, root);
  const main = invocation.args[2]!;
  if (!existsSync(main)) {
    throw new RunError(
      `dl bench runs the benchmark harness of the repository checkout, and ${main} is not there`,
    );
  }
  const wasm = join(root, 'packages', 'tensor', 'wasm');
  if (!existsSync(wasm) || !readdirSync(wasm).some((f) => f.endsWith('.wasm'))) {
    throw new RunError(
      `the WebAssembly kernels are not built (${wasm}): run pnpm --filter @dl/tensor build:wasm (pnpm dl builds them)`,
    );
  }
  return runner(invocation);
}
