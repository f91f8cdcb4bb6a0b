/**
 * `node --import tsx tooling/bench/src/main.ts [--quick] [--json] [--no-numpy] [--only SUITE]`: GEMMs,
 * the convolution and pooling layers, and whole training steps on our js and wasm backends (one
 * thread, relaxed SIMD, all threads) side by side with NumPy, printed as tables (JSON with --json).
 *
 * Node 20 has relaxed SIMD only behind a V8 flag, so when it is missing the harness runs itself
 * again in a child with `--experimental-wasm-relaxed-simd` (all wasm columns then come from one
 * process); where node rejects the flag, the relaxed column reads n/a. The child also gets
 * `--conditions=source`, so the layers and optimizers it times import the same @dl/tensor source.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runGemmBench } from './gemm-bench.js';
import { machineInfo } from './machine.js';
import { runLayerBench } from './layer-bench.js';
import { formatLayerReport, formatMachine, formatReport, formatStepReport } from './report.js';
import { runStepBench } from './step-bench.js';
import { createWasmBackend, hasWasmRelaxedSimd, jsKernels, type Kernels } from './tensor.js';
import { shapeLabel } from './workloads.js';

const USAGE = `usage: bench [--quick] [--json] [--no-numpy] [--no-relaxed] [--only gemm|layers|steps]
  --quick        a few seconds: the main shapes, short timings
  --json         print the report as JSON
  --no-numpy     skip the python3/NumPy columns
  --no-relaxed   do not restart node with --experimental-wasm-relaxed-simd
  --only SUITE   run only the GEMM table, the layer (convolution, pooling) tables or the training steps`;

const SUITES = ['gemm', 'layers', 'steps'] as const;
type Suite = (typeof SUITES)[number];

const RELAXED_FLAG = '--experimental-wasm-relaxed-simd';
const SOURCE_CONDITION = '--conditions=source';
// Exit code of node for an unknown option.
const BAD_OPTION = 9;

function rerun(flags: readonly string[]): number | undefined {
  const child = spawnSync(
    process.execPath,
    [...flags, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, DL_BENCH_CHILD: '1' } },
  );
  if (child.status === BAD_OPTION && flags.includes(RELAXED_FLAG)) {
    return rerun(flags.filter((f) => f !== RELAXED_FLAG));
  }
  return child.status === null ? undefined : child.status;
}

async function main(args: readonly string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
  if (onlyAt >= 0 && !SUITES.includes(only as Suite)) {
    console.error(`bench: --only takes ${SUITES.join(' or ')}, got ${only ?? 'nothing'}\n${USAGE}`);
    return 2;
  }
  const flags = args.filter((_, i) => onlyAt < 0 || (i !== onlyAt && i !== onlyAt + 1));
  const unknown = flags.filter((a) => !['--quick', '--json', '--no-numpy', '--no-relaxed'].includes(a));
  if (unknown.length > 0) {
    console.error(`bench: unknown option ${unknown.join(' ')}\n${USAGE}`);
    return 2;
  }
  if (process.env.DL_BENCH_CHILD === undefined) {
    const flags: string[] = [];
    if (!hasWasmRelaxedSimd() && !args.includes('--no-relaxed')) flags.push(RELAXED_FLAG);
    if (!process.execArgv.includes(SOURCE_CONDITION)) flags.push(SOURCE_CONDITION);
    if (flags.length > 0) {
      const status = rerun(flags);
      if (status !== undefined) return status;
    }
  }
  const json = args.includes('--json');
  const quick = args.includes('--quick');
  const numpy = !args.includes('--no-numpy');
  const suites = new Set<Suite>(only === undefined ? SUITES : [only as Suite]);
  const machine = machineInfo();
  // The fastest build on every core; 'auto' never runs more busy threads than cores.
  const simd = hasWasmRelaxedSimd() ? 'relaxed' : 'plain';
  const threaded = await createWasmBackend({ simd, threads: 'auto' });
  const backends: Record<string, Kernels> = {
    js: jsKernels,
    'wasm simd': await createWasmBackend({ simd: 'plain' }),
    ...(hasWasmRelaxedSimd() ? { 'wasm relaxed': await createWasmBackend({ simd: 'relaxed' }) } : {}),
    'wasm threads': threaded,
  };
  const progress = (line: string): void => void process.stderr.write(`bench: ${line} done\n`);
  const gemm = suites.has('gemm')
    ? await runGemmBench({
        quick,
        numpy,
        threaded,
        onRow: ({ workload }) => progress(`${workload.name} ${shapeLabel(workload)}`),
      })
    : undefined;
  const layers = suites.has('layers')
    ? runLayerBench({
        quick,
        numpy,
        timing: quick ? { budgetMs: 50, batchMs: 5 } : { budgetMs: 400, batchMs: 10 },
        backends,
        onRow: ({ workload, pass }) => progress(`${workload.name} ${pass}`),
      })
    : undefined;
  const steps = suites.has('steps')
    ? await runStepBench(backends, quick, ({ workload }) => progress(workload.name))
    : undefined;
  await threaded.close();
  if (json) {
    console.log(JSON.stringify({ machine, threads: threaded.features, gemm, layers, steps }, null, 2));
  } else {
    const parts = [formatMachine(machine)];
    if (gemm) parts.push(formatReport(gemm));
    if (layers) parts.push(formatLayerReport(layers));
    if (steps) parts.push(formatStepReport(steps, Object.keys(backends)));
    console.log(parts.join('\n'));
  }
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
