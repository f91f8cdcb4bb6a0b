import { MnistDataError } from '@dl/data-mnist';
import { BENCH_HELP, benchCommand } from './commands/bench.js';
import { EXPERIMENT_HELP, experimentCommand } from './commands/experiment.js';
import { EVAL_HELP, evalCommand } from './commands/eval.js';
import { EXPORT_HELP, exportCommand } from './commands/export.js';
import { GRADCHECK_HELP, gradcheckCommand } from './commands/gradcheck.js';
import { PREDICT_HELP, predictCommand } from './commands/predict.js';
import { trainCommand, TRAIN_HELP } from './commands/train.js';
import { CliError } from './cli-error.js';
import { processIo, type Io } from './cli/io.js';
import { EXIT, RunError, describeFsError } from './run-error.js';

interface Command {
  summary: string;
  run: (argv: readonly string[], io: Io) => Promise<number>;
  help: string;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  train: {
    summary: "train a network of the book on MNIST (default: TwoLayerNet, the book's settings)",
    run: trainCommand,
    help: TRAIN_HELP,
  },
  eval: {
    summary: 'accuracy, loss, per-class accuracy and confusion matrix of a checkpoint on the test set',
    run: evalCommand,
    help: EVAL_HELP,
  },
  predict: {
    summary: 'classify PNG/PGM images with a checkpoint',
    run: predictCommand,
    help: PREDICT_HELP,
  },
  export: {
    summary: 'a checkpoint to ONNX (serving) or to PyTorch with a DistributedDataParallel training script',
    run: exportCommand,
    help: EXPORT_HELP,
  },
  experiment: {
    summary: "run one of the book's experiments, writing CSV, SVG and PNG (dl experiment --help lists them)",
    run: experimentCommand,
    help: EXPERIMENT_HELP,
  },
  gradcheck: {
    summary: "the book's gradient check: backprop against numerical gradients, a table per parameter",
    run: gradcheckCommand,
    help: GRADCHECK_HELP,
  },
  bench: {
    summary: 'the quick benchmarks: GEMM, layers and training steps on js and wasm, beside NumPy',
    run: (argv, io) => benchCommand(argv, io),
    help: BENCH_HELP,
  },
};

const HELP = `dl — deep learning from scratch, on the command line

Usage: dl <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(11)} ${c.summary}`)
  .join('\n')}

Run 'dl <command> --help' for the options and examples of a command. Add --debug to any command
to see the stack trace of an error.

Examples:
  dl train                         train the book's TwoLayerNet on MNIST (about a minute)
  dl train --model multi-layer-net --optimizer adam --epochs 5 --out runs/adam
  dl eval --checkpoint runs/adam/best.safetensors
  dl predict --checkpoint runs/adam/best.safetensors my-digit.png
  dl experiment optimizers         SGD, Momentum, AdaGrad and Adam, as figures 6-8 and 6-9
  dl gradcheck                     backprop against numerical gradients, as the book's chapter 5
  dl gradcheck --model simple-conv-net
  dl train --spec net.json         a network described by a ModelSpec JSON file
  dl experiment filters            SimpleConvNet's first-layer filters before and after training
  dl bench --only gemm             the quick GEMM benchmark
  dl export --checkpoint runs/adam/best.safetensors --format onnx --out model.onnx

Exit codes: 0 done, 1 error, 2 bad command line, 3 the loss became NaN/Inf, 130 interrupted.`;

/** One line for an error the user can act on; undefined for a bug (which then shows more). */
function userMessage(error: unknown): { message: string; code: number } | undefined {
  if (error instanceof CliError) return { message: error.message, code: EXIT.usage };
  if (error instanceof RunError) return { message: error.message, code: error.exitCode };
  if (error instanceof MnistDataError) return { message: error.message, code: EXIT.failed };
  const fs = describeFsError(error, 'cannot access');
  if (fs !== undefined) return { message: fs, code: EXIT.failed };
  return undefined;
}

/** Runs one `dl` invocation; returns the process exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const debug = argv.includes('--debug') || process.env.DL_DEBUG === '1';
  const [command, ...rest] = argv.filter((a) => a !== '--debug');
  try {
    // `dl` and `dl --iters 100` train.
    if (command === undefined || (command.startsWith('-') && !['--help', '-h'].includes(command)))
      return await trainCommand(command === undefined ? [] : [command, ...rest], io);
    if (command === '--help' || command === '-h' || command === 'help') {
      const topic = rest[0] === undefined ? undefined : COMMANDS[rest[0]];
      io.write(`${topic?.help ?? HELP}\n`);
      return EXIT.ok;
    }
    const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (entry === undefined) {
      throw new CliError(
        `unknown command '${command}' (commands: ${Object.keys(COMMANDS).join(', ')}; see 'dl --help')`,
      );
    }
    return await entry.run(rest, io);
  } catch (error) {
    const known = userMessage(error);
    if (debug) io.error(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    if (known) {
      if (!debug) io.error(`dl: ${known.message}\n`);
      return known.code;
    }
    if (!debug) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      io.error(`dl: ${message.split('\n')[0]} (run again with --debug for the stack trace)\n`);
    }
    return EXIT.failed;
  }
}
