/**
 * `node --import tsx tooling/bench/src/main.ts [--quick] [--summary] [--json] [--out FILE] [--no-numpy] [--only SUITE]`:
 * GEMMs, the convolution and pooling layers, whole training steps, DeepConvNet inference on the
 * test images and one epoch of SimpleConvNet on our js and wasm backends (one thread, relaxed SIMD,
 * all threads) side by side with NumPy (the book's code), TensorFlow.js (wasm, cpu) and convnetjs,
 * and the peak resident memory of a training run of each network, ours against NumPy's,
 * printed as tables (a summary of at most 100 columns with --summary; JSON with --json or --out),
 * with the speed issue's targets checked.
 *
 * Node 20 has relaxed SIMD only behind a V8 flag, so when it is missing the harness runs itself
 * again in a child with `--experimental-wasm-relaxed-simd` (all wasm columns then come from one
 * process); where node rejects the flag, the relaxed column reads n/a. The child also gets
 * `--conditions=source`, so the layers and optimizers it times import the same @dl/tensor source.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runGemmBench } from './gemm-bench.js';
import { machineInfo } from './machine.js';
import { addLayerGpuCells, runLayerBench } from './layer-bench.js';
import { runEpochBench } from './epoch-bench.js';
import { runInferenceBench } from './inference-bench.js';
import { runMemoryBench } from './memory-bench.js';
import {
  formatEpochReport,
  formatInferenceReport,
  formatLayerReport,
  formatMachine,
  formatMemoryReport,
  formatReport,
  formatStepReport,
  formatTargets,
} from './report.js';
import { runStepBench } from './step-bench.js';
import { formatSummary } from './summary.js';
import { checkTargets } from './targets.js';
import { createWasmBackend, hasWasmRelaxedSimd, jsKernels, type Kernels } from './tensor.js';
import { openOurGpu, type OurGpu } from './webgpu.js';
import { shapeLabel } from './workloads.js';

const USAGE = `usage: bench [--quick] [--summary] [--json] [--out FILE] [--no-numpy] [--no-relaxed] [--no-webgpu] [--only gemm|layers|steps|inference|epoch|memory]
  --quick        under a minute: the main shapes, short timings, no inference, epoch or memory suites,
                 no webgpu columns on a software adapter
  --summary      a short summary that fits 100 columns instead of the full tables
  --json         print the report as JSON
  --out FILE     also write the report as JSON to FILE
  --no-numpy     skip the python3/NumPy columns
  --no-relaxed   do not restart node with --experimental-wasm-relaxed-simd
  --no-webgpu    skip the webgpu columns (ours and TF.js's webgpu backend, and their device counts)
  --only SUITE   run only the GEMM table, the layer (convolution, pooling) tables, the training steps,
                 DeepConvNet inference on the test images, one epoch of SimpleConvNet, or the peak
                 resident memory of a training run of each network (ours and NumPy's, fresh processes)`;

const SUITES = ['gemm', 'layers', 'steps', 'inference', 'epoch', 'memory'] as const;
/** The suites a --quick run without --only runs: the others take minutes. */
const QUICK_SUITES: readonly Suite[] = ['gemm', 'layers', 'steps'];
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
  const outAt = args.indexOf('--out');
  const out = outAt >= 0 ? args[outAt + 1] : undefined;
  if (outAt >= 0 && (out === undefined || out.startsWith('--'))) {
    console.error(`bench: --out takes a file name\n${USAGE}`);
    return 2;
  }
  const valued = new Set<number>();
  for (const at of [onlyAt, outAt]) if (at >= 0) valued.add(at).add(at + 1);
  const flags = args.filter((_, i) => !valued.has(i));
  const unknown = flags.filter(
    (a) => !['--quick', '--summary', '--json', '--no-numpy', '--no-relaxed', '--no-webgpu'].includes(a),
  );
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
  const suites = new Set<Suite>(only !== undefined ? [only as Suite] : quick ? QUICK_SUITES : SUITES);
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
  // Our webgpu backend, once for every suite; where it cannot open, its columns say why.
  const gpuSuites: readonly Suite[] = ['gemm', 'layers', 'steps', 'inference'];
  const opened: OurGpu | undefined =
    args.includes('--no-webgpu') || !gpuSuites.some((suite) => suites.has(suite))
      ? undefined
      : await openOurGpu();
  // `--quick` promises about a minute; a software adapter's columns take minutes: left out there.
  const webgpu = quick && opened?.ok && opened.software ? undefined : opened;
  if (webgpu === undefined && opened?.ok) {
    process.stderr.write(
      `bench: webgpu: ${opened.adapter} is a software adapter: its columns are left out of --quick (run without it)\n`,
    );
    opened.kernels.gpu.destroy();
  }
  if (webgpu && !webgpu.ok) process.stderr.write(`bench: webgpu columns: n/a (${webgpu.reason})\n`);
  if (webgpu?.ok && webgpu.software) {
    process.stderr.write(
      `bench: webgpu: ${webgpu.adapter} is a software adapter: short runs, no time targets\n`,
    );
  }
  const started = performance.now();
  const progress = (line: string): void =>
    void process.stderr.write(
      `bench: ${line} done (${((performance.now() - started) / 1000).toFixed(1)} s)\n`,
    );
  const gemm = suites.has('gemm')
    ? await runGemmBench({
        quick,
        numpy,
        threaded,
        ...(webgpu ? { webgpu } : {}),
        onRow: ({ workload }) => progress(`${workload.name} ${shapeLabel(workload)}`),
      })
    : undefined;
  let layers = suites.has('layers')
    ? runLayerBench({
        quick,
        numpy,
        timing: quick ? { budgetMs: 50, batchMs: 5 } : { budgetMs: 400, batchMs: 10 },
        backends,
        onRow: ({ workload, pass }) => progress(`${workload.name} ${pass}`),
      })
    : undefined;
  if (layers && webgpu) {
    layers = await addLayerGpuCells(layers, {
      webgpu,
      onRow: ({ workload, pass }) => progress(`${workload.name} ${pass} webgpu`),
    });
  }
  const steps = suites.has('steps')
    ? await runStepBench({
        backends,
        quick,
        numpy,
        ...(webgpu ? { webgpu } : {}),
        onRow: ({ workload }) => progress(workload.name),
      })
    : undefined;
  const inference = suites.has('inference')
    ? await runInferenceBench({
        backends,
        quick,
        numpy,
        ...(webgpu ? { webgpu } : {}),
        onCell: (e) => progress(`inference ${e}`),
      })
    : undefined;
  const epoch = suites.has('epoch')
    ? await runEpochBench({ 'wasm threads': threaded }, quick, (e) => progress(`epoch ${e}`))
    : undefined;
  const memory = suites.has('memory')
    ? await runMemoryBench({ quick, numpy, onCell: (c) => progress(`memory ${c}`) })
    : undefined;
  const targets = checkTargets(gemm, steps, inference, memory);
  await threaded.close();
  if (webgpu?.ok) webgpu.kernels.gpu.destroy();
  // The load average again at the end: the figures were taken between the two.
  const loadAfter = machineInfo().load;
  const report = {
    machine,
    loadAfter,
    threads: threaded.features,
    webgpu: webgpu
      ? webgpu.ok
        ? { adapter: webgpu.adapter, software: webgpu.software, tile: webgpu.tile }
        : { unavailable: webgpu.reason }
      : undefined,
    gemm,
    layers,
    steps,
    inference,
    epoch,
    memory,
    targets,
  };
  if (out !== undefined) writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  if (json) {
    console.log(JSON.stringify(report, null, 2));
  } else if (args.includes('--summary')) {
    console.log(formatSummary(report));
  } else {
    const parts = [formatMachine(machine)];
    if (gemm) parts.push(formatReport(gemm));
    if (layers) parts.push(formatLayerReport(layers));
    if (steps) parts.push(formatStepReport(steps));
    if (inference) parts.push(formatInferenceReport(inference));
    if (epoch) parts.push(formatEpochReport(epoch));
    if (memory) parts.push(formatMemoryReport(memory));
    if (targets.length > 0) parts.push(formatTargets(targets));
    parts.push('', `load average at the end: ${loadAfter.toFixed(2)}`);
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
