import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { integer, parseCommandArgs } from '../cli/args.js';
import type { Io } from '../cli/io.js';
import { activateFromOptions, BACKEND_HELP, BACKEND_OPTIONS } from '../backend.js';
import { CliError } from '../cli-error.js';
import type { Experiment, ExperimentContext, ExperimentResult } from '../experiments/context.js';
import { EXPERIMENTS } from '../experiments/registry.js';
import { EXIT, RunError, describeFsError, gpuFailureLine } from '../run-error.js';
import { loadData, type LoadedData } from '../train/data.js';

const COMMON = {
  out: { type: 'string' },
  seed: { type: 'string' },
  data: { type: 'string' },
  ...BACKEND_OPTIONS,
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const EXPERIMENT_HELP = `Usage: dl experiment NAME [options]

Runs one of the book's experiments and writes its data (CSV) and its figure (SVG and PNG) into the
output directory, then prints the key numbers.

Experiments:
${EXPERIMENTS.map((e) => `  ${e.name.padEnd(17)} ${e.summary}`).join('\n')}

Options of every experiment:
  --out DIR           output directory (default runs/experiments/NAME)
  --seed N            seed of every random draw (default 0)
  --data DIR          a directory of MNIST-format IDX files (default: the bundled MNIST)
${BACKEND_HELP}
                      (webgpu: the networks train and are evaluated on the GPU, the same numbers
                      as wasm within float32 rounding; experiments with no network stay on the CPU)
  --json              print only a JSON summary (files and numbers) on stdout
  -h, --help          this help; 'dl experiment NAME --help' lists the experiment's own options

Examples:
  dl experiment activations
  dl experiment optimizers --iters 2000          the book's 2000 iterations (about 5 minutes)
  dl experiment batch-norm --scales 4 --epochs 10 --out runs/bn
  dl experiment hyperparams --book               100 trials, as the book
  dl experiment filters --iters 1000             SimpleConvNet's filters, figure 7-24
  dl experiment optimizers --backend webgpu      the four MNIST runs on the GPU
  dl experiment misclassified --checkpoint runs/a/best.safetensors
  dl experiment precision --checkpoint runs/a/best.safetensors`;

function experimentHelp(e: Experiment): string {
  const own = Object.entries(e.options).map(
    ([name, o]) => `  --${`${name}${o.type === 'string' ? ` ${o.value ?? 'X'}` : ''}`.padEnd(17)} ${o.help}`,
  );
  return [
    `Usage: dl experiment ${e.name} [options]`,
    '',
    `${e.summary}.`,
    `The book's code: ${e.book}.`,
    '',
    'Options:',
    ...(own.length > 0 ? own : ['  (none of its own)']),
    '  --out DIR           output directory (default runs/experiments/' + e.name + ')',
    '  --seed N            seed (default 0)',
    ...(e.usesData ? ['  --data DIR          MNIST-format IDX files (default: the bundled MNIST)'] : []),
    BACKEND_HELP,
    ...(e.usesNetwork ? [] : ['                      (no network here: with webgpu it computes on the CPU)']),
    '  --json              only a JSON summary on stdout',
    '',
    e.examples ? 'Examples:' : 'Example:',
    ...(e.examples ?? [`dl experiment ${e.name} --out runs/${e.name}`]).map((x) => `  ${x}`),
  ].join('\n');
}

function formatValue(v: number | string | boolean | null): string {
  if (typeof v !== 'number') return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toFixed(4) : v.toExponential(3);
}

/** What `--backend webgpu` moves to the GPU in `e`, in one line. */
function onGpu(e: Experiment): string {
  return e.usesNetwork
    ? `backend webgpu: the networks and optimizers run on the GPU; data and plots stay on the CPU`
    : `backend webgpu: ${e.name} trains no network, so nothing runs on the GPU: its float64 curves are computed on the CPU (js kernels)`;
}

/** `dl experiment NAME`: returns the exit code. */
export async function experimentCommand(argv: readonly string[], io: Io): Promise<number> {
  const name = argv.find((a) => !a.startsWith('-'));
  const experiment = EXPERIMENTS.find((e) => e.name === name);
  if (name === undefined || experiment === undefined) {
    if (argv.includes('--help') || argv.includes('-h') || argv.length === 0) {
      io.write(`${EXPERIMENT_HELP}\n`);
      return argv.length === 0 ? 2 : 0;
    }
    throw new CliError(
      `experiment: unknown experiment '${name}' (known: ${EXPERIMENTS.map((e) => e.name).join(', ')})`,
    );
  }
  const own = Object.fromEntries(Object.entries(experiment.options).map(([k, o]) => [k, { type: o.type }]));
  const { values, positionals } = parseCommandArgs(
    `experiment ${experiment.name}`,
    argv,
    { ...COMMON, ...own },
    true,
  );
  if (positionals.length > 1)
    throw new CliError(`experiment: one experiment at a time, got ${positionals.join(', ')}`);
  if (values.help) {
    io.write(`${experimentHelp(experiment)}\n`);
    return 0;
  }
  if (values.data !== undefined && !experiment.usesData) {
    throw new CliError(`experiment ${experiment.name} uses no data set; --data does not apply`);
  }
  const json = values.json === true;
  const active = await activateFromOptions(values);
  const seed = integer('seed', values.seed) ?? 0;
  const out = resolve(values.out ?? join('runs', 'experiments', experiment.name));
  try {
    mkdirSync(out, { recursive: true });
  } catch (e) {
    throw new RunError(describeFsError(e, 'cannot create the output directory') ?? String(e));
  }
  let data: LoadedData | undefined;
  let images: LoadedData | undefined;
  const dataDir = values.data === undefined ? null : resolve(values.data);
  const ctx: ExperimentContext = {
    out,
    io,
    seed,
    backend: active,
    log: (line) => {
      if (!json) io.write(`${line}\n`);
    },
    data: () => (data ??= loadData({ dir: dataDir, trainSize: null })),
    images: () => (images ??= loadData({ dir: dataDir, trainSize: null, flatten: false })),
    values,
    file: (f) => join(out, f),
  };
  if (!json) io.write(`experiment ${experiment.name} (${experiment.book}) -> ${out}\n`);
  if (active.warning !== undefined) ctx.log(active.warning);
  if (active.name === 'webgpu') ctx.log(onGpu(experiment));
  const began = performance.now();
  let result: ExperimentResult;
  try {
    result = await experiment.run(ctx);
  } catch (e) {
    // A GPU failure is a fact about this machine: one line, exit 1, as dl train says it.
    const line = gpuFailureLine(e);
    throw line === undefined ? e : new RunError(line, EXIT.failed, { cause: e });
  }
  const seconds = (performance.now() - began) / 1000;
  if (json) {
    io.write(
      `${JSON.stringify({ type: 'experiment', name: experiment.name, out, backend: active.name, files: result.files, seconds, summary: result.summary })}\n`,
    );
    return 0;
  }
  const width = Math.max(...Object.keys(result.summary).map((k) => k.length));
  for (const [k, v] of Object.entries(result.summary)) io.write(`  ${k.padEnd(width)}  ${formatValue(v)}\n`);
  io.write(`wrote ${result.files.join(', ')} in ${seconds.toFixed(1)} s\n`);
  return 0;
}
