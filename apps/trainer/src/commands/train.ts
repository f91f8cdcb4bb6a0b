import { basename, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { BACKEND_NAMES, checkBackendName, resolveThreads } from '../backend.js';
import { parseCommandArgs, positiveInt } from '../cli/args.js';
import type { Io } from '../cli/io.js';
import { CliError } from '../cli-error.js';
import { MODEL_DEFAULTS, MODEL_NAMES } from '../models.js';
import { OPTIMIZER_NAMES } from '@dl/optim';
import { RunDir, defaultRunDir } from '../run/run-dir.js';
import { runTraining } from '../train/run-training.js';
import { RunError } from '../run-error.js';
import {
  LENGTH_FLAGS,
  PROCESS_FLAGS,
  checkPrecision,
  TRAIN_OPTIONS,
  lengthFromFlags,
  settingsFromFlags,
  type TrainSettings,
  type TrainValues,
} from '../train/settings.js';

/** `all for two-layer-net, ...` and `1000 for simple-conv-net, ...`, a line each: each model's default `--eval-samples`. */
const EVAL_SAMPLES_DEFAULTS = (() => {
  const groups = new Map<string, string[]>();
  for (const name of MODEL_NAMES) {
    const n = MODEL_DEFAULTS[name].evalSamples;
    const key = n === undefined ? 'all' : String(n);
    groups.set(key, [...(groups.get(key) ?? []), name]);
  }
  return [...groups].map(([n, names]) => `${n} for ${names.join(', ')}`).join(`\n${' '.repeat(26)}`);
})();

export const TRAIN_HELP = `Usage: dl train [options]

Trains a network of the book on MNIST, shows progress, and prints the test accuracy. Every run
gets a directory (--out) with run.json (settings, versions, machine), metrics.jsonl, plots of the
loss and the accuracy (SVG and PNG), and checkpoints: last.safetensors (every epoch and at the end)
and best.safetensors (best test accuracy so far, over the per-epoch evaluations and one at the
last step, all on the same --eval-samples images), each with the weights, the optimizer's state,
the RNG state and the step. Ctrl-C finishes the current step, writes last.safetensors and exits;
--resume DIR continues exactly where it stopped. With no options: the book's TwoLayerNet (784-50-10,
SGD lr 0.1, batch 100, 10 000 iterations) on the bundled MNIST.

Model:
  --model NAME          ${MODEL_NAMES.join(' | ')} (default two-layer-net)
  --spec FILE           instead of --model: the network described by a ModelSpec JSON file (any of
                        the book's kinds with their options, or "sequential" with a list of layers);
                        recorded in run.json and every checkpoint, so --resume, dl eval and
                        dl predict rebuild it. Training defaults: those of the book's network of that
                        kind (sequential: SimpleConvNet's with a convolution, else MultiLayerNet's)
  --hidden A,B,...      hidden layer sizes (default: the book's for the model)
  --activation NAME     relu | sigmoid (multi-layer nets; default relu)
  --init NAME           std | xavier | he: initial weight scale (std = 0.01; default: the model's)
  --weight-decay X      L2 weight decay lambda (multi-layer nets)
  --batch-norm          Batch Normalization (multi-layer-net-extend, where it is the default;
                        --no-batch-norm turns it off)
  --dropout X           Dropout ratio (multi-layer-net-extend)

Training:
  --optimizer NAME      ${OPTIMIZER_NAMES.join(' | ')} (default: the model's book setting)
  --lr X                learning rate (default: the book's for the model, else the optimizer's)
  --batch-size N        mini-batch size
  --iters N             number of steps, or
  --epochs N            number of epochs (an epoch is train-size / batch-size steps)
  --sampling NAME       replacement (the book: random batches) | shuffle (a permutation per epoch)
  --seed N              seed of every random draw (default 0)

Data:
  --data DIR            a directory of MNIST-format IDX files, plain or .gz (default: the bundled MNIST)
  --train-size N        train on the first N training images only
  --eval-samples N      the per-epoch accuracies (and the one at the last step, which also picks
                        best) on the first N images of each set; default:
                          ${EVAL_SAMPLES_DEFAULTS}
                        (the final test accuracy is always on the whole test set)

Compute:
  --backend NAME        ${BACKEND_NAMES.join(' | ')} (default: the fastest available, wasm; js: the reference)
  --threads N           threads of the backend (js: 1)
  --precision P         float32 | float16: with --backend webgpu, float16 stores a step's
                        activations and gradients in half precision, and the layers read
                        float16 copies of the float32 weights, which the optimizer updates
                        (mixed precision, book 8.3)

Output:
  --out DIR             run directory (default runs/<model>-<date>-<time>)
  --resume DIR          continue the run in DIR from its last checkpoint, with its settings;
                        --iters/--epochs then set the new total length
  --log-every N         a step record in metrics.jsonl every N steps (default 10)
  --json                one JSON object per epoch and a final summary on stdout, nothing else
  --debug               show stack traces of errors
  -h, --help            this help

Examples:
  dl train                                      the book's TwoLayerNet, 10 000 iterations
  dl train --iters 2000 --lr 0.1 --out runs/quick
  dl train --model multi-layer-net --optimizer adam --lr 0.001 --epochs 5
  dl train --model multi-layer-net-extend --dropout 0.2 --train-size 300 --epochs 100
  dl train --data ~/fashion-mnist --epochs 3 --json | jq .testAcc
  dl train --iters 150 --out runs/a && dl train --resume runs/a --iters 300
  dl train --spec mlp.json --epochs 5 --out runs/mlp     with mlp.json:
      {"kind": "sequential", "input": [784], "layers": [{"type": "affine", "units": 100},
       {"type": "relu"}, {"type": "affine", "units": 10}]}

Exit codes: 0 done, 1 error, 2 bad command line, 3 the loss became NaN/Inf, 130 interrupted.`;

/** `dl train`: returns the exit code. */
export async function trainCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs('train', argv, TRAIN_OPTIONS);
  if (values.help) {
    io.write(`${TRAIN_HELP}\n`);
    return 0;
  }
  const json = values.json ?? false;
  if (values.resume !== undefined) {
    const run = RunDir.open(values.resume, { existing: true });
    const settings = resumeSettings(run, values);
    return runTraining({ settings, run, io, json, argv, resume: true });
  }
  const settings = settingsFromFlags(values, (p) => resolve(p));
  // Checked before the run directory is made, so a bad flag leaves nothing behind.
  resolveThreads(settings.backend, settings.threads ?? undefined, availableParallelism());
  const name = settings.specFile ? basename(settings.specFile).replace(/\.json$/i, '') : settings.model;
  const run = RunDir.open(values.out ?? defaultRunDir(name), { existing: false });
  return runTraining({ settings, run, io, json, argv });
}

/**
 * The settings of the run being resumed, from its run.json; `--iters`/`--epochs` set a new total
 * length, `--backend`/`--threads` pick where this process computes. Any other setting is the run's.
 */
function resumeSettings(run: RunDir, values: TrainValues): TrainSettings {
  const allowed: readonly string[] = [...LENGTH_FLAGS, ...PROCESS_FLAGS];
  const changed = Object.keys(values).filter((k) => !allowed.includes(k));
  if (changed.length > 0) {
    throw new CliError(
      `--resume continues a run with its saved settings; ${changed.map((k) => `--${k}`).join(', ')} cannot change ` +
        '(only --iters or --epochs, --backend, --threads, --json)',
    );
  }
  const saved = (run.readJson('run.json') as { settings?: TrainSettings }).settings;
  if (saved === undefined)
    throw new RunError(`${run.file('run.json')} has no settings: not a run of dl train`);
  const length = lengthFromFlags(values);
  const backend = checkBackendName(values.backend ?? saved.backend);
  const precision = checkPrecision(saved.precision ?? 'float32', backend);
  return {
    ...saved,
    precision,
    // Runs made before --spec have neither.
    spec: saved.spec ?? null,
    specFile: saved.specFile ?? null,
    ...(length ?? {}),
    backend,
    threads: positiveInt('threads', values.threads) ?? (values.backend === undefined ? saved.threads : null),
  };
}
