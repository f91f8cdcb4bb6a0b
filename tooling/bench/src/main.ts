/**
 * `node --import tsx tooling/bench/src/main.ts [--quick] [--json] [--no-numpy]`: the GEMM comparison of
 * our js and wasm backends against NumPy, printed as tables (JSON with --json).
 *
 * Node 20 has relaxed SIMD only behind a V8 flag, so when it is missing the harness runs itself
 * again in a child with `--experimental-wasm-relaxed-simd` (both wasm columns then come from one
 * process); where node rejects the flag, the relaxed column reads n/a.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runGemmBench } from './gemm-bench.js';
import { machineInfo } from './machine.js';
import { formatReport } from './report.js';
import { hasWasmRelaxedSimd } from './tensor.js';
import { shapeLabel } from './workloads.js';

const USAGE = `usage: bench [--quick] [--json] [--no-numpy] [--no-relaxed]
  --quick       a few seconds: the main shapes, short timings
  --json        print the report as JSON
  --no-numpy    skip the python3/NumPy columns
  --no-relaxed  do not restart node with --experimental-wasm-relaxed-simd`;

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
// Exit code of node for an unknown option.
const BAD_OPTION = 9;

function rerunWithRelaxedSimd(): number | undefined {
  const child = spawnSync(
    process.execPath,
    [RELAXED_FLAG, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, DL_BENCH_CHILD: '1' } },
  );
  return child.status === BAD_OPTION || child.status === null ? undefined : child.status;
}

async function main(args: readonly string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const unknown = args.filter((a) => !['--quick', '--json', '--no-numpy', '--no-relaxed'].includes(a));
  if (unknown.length > 0) {
    console.error(`bench: unknown option ${unknown.join(' ')}\n${USAGE}`);
    return 2;
  }
  if (!hasWasmRelaxedSimd() && !args.includes('--no-relaxed') && process.env.DL_BENCH_CHILD === undefined) {
    const status = rerunWithRelaxedSimd();
    if (status !== undefined) return status;
  }
  const json = args.includes('--json');
  const machine = machineInfo();
  const report = await runGemmBench({
    quick: args.includes('--quick'),
    numpy: !args.includes('--no-numpy'),
    onRow: ({ workload }) => process.stderr.write(`bench: ${workload.name} ${shapeLabel(workload)} done\n`),
  });
  console.log(json ? JSON.stringify({ machine, ...report }, null, 2) : formatReport(report, machine));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
