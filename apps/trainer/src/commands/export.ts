import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  exportOnnx,
  exportPytorch,
  UnsupportedLayerError,
  type PytorchTrainDefaults,
} from '@dl/layers/export';
import type { LayerNetwork, ModelSpec } from '@dl/layers';
import { isOptimizerName } from '@dl/optim';
import { oneOf, parseCommandArgs } from '../cli/args.js';
import type { Io } from '../cli/io.js';
import { CliError } from '../cli-error.js';
import { RunError, describeFsError } from '../run-error.js';
import { writeFileAtomicSync } from '@dl/layers/node';
import { describeSpec, readCheckpoint, type CheckpointInfo } from '../run/checkpoint.js';

const OPTIONS = {
  checkpoint: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FORMATS = ['onnx', 'pytorch'] as const;

export const EXPORT_HELP = `Usage: dl export --checkpoint FILE --format onnx|pytorch --out PATH

Exports a saved model (a checkpoint of dl train, or any saved model) to the engines that scale
beyond one machine: ONNX Runtime for serving, PyTorch's torch.distributed for training.

Options:
  --checkpoint FILE   the model to export (required)
  --format F          onnx: one .onnx file (opset 17, IR 8), input [N, ...] as dl takes it
                      (N dynamic; [N, 1, 28, 28] for the CNNs), outputs 'logits' and
                      'probabilities'; weights in float32
                      pytorch: a directory with model.py (an nn.Module with dl's layer names),
                      weights.safetensors (its state_dict), dl_torch.py, train_ddp.py
                      (DistributedDataParallel training that writes a dl run directory) and a
                      README with the launch commands
  --out PATH          the .onnx file, or the directory for pytorch (created; must hold no export)
  --json              what was written, as one JSON object

Examples:
  dl export --checkpoint runs/a/best.safetensors --format onnx --out model.onnx
  dl export --checkpoint runs/a/best.safetensors --format pytorch --out export/
  (then see export/README.md; the run it writes comes back with dl eval / dl train --resume)

Exit codes: 0 done, 1 error (unreadable checkpoint, a layer with no export), 2 bad command line.`;

/** `dl export`: returns the exit code. */
export async function exportCommand(argv: readonly string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs('export', argv, OPTIONS);
  if (values.help) {
    io.write(`${EXPORT_HELP}\n`);
    return 0;
  }
  const missing = (['checkpoint', 'format', 'out'] as const).filter((k) => values[k] === undefined);
  if (missing.length > 0) {
    throw new CliError(
      `export: ${missing.map((k) => `--${k}`).join(', ')} required (see 'dl export --help')`,
    );
  }
  const format = oneOf('format', values.format, FORMATS)!;
  const file = resolve(values.checkpoint!);
  const out = resolve(values.out!);
  const { network, spec, info } = readCheckpoint(file);
  let written: string[];
  try {
    written = format === 'onnx' ? writeOnnx(network, out) : await writePytorch(network, spec, info, out);
  } catch (e) {
    if (e instanceof UnsupportedLayerError) throw new RunError(`${file}: ${e.message}`, 1, { cause: e });
    const fs = describeFsError(e, 'cannot write');
    if (fs !== undefined) throw new RunError(fs, 1, { cause: e });
    throw e;
  }
  if (values.json) io.write(`${JSON.stringify({ checkpoint: file, format, out, files: written })}\n`);
  else io.write(`${describeSpec(spec)} from ${file} → ${format}: ${written.join(', ')}\n`);
  return 0;
}

function writeOnnx(network: LayerNetwork, out: string): string[] {
  const bytes = exportOnnx(network, { producerVersion: 'dl export' });
  writeFileAtomicSync(out, bytes);
  return [out];
}

async function writePytorch(
  network: LayerNetwork,
  spec: ModelSpec,
  info: CheckpointInfo | undefined,
  out: string,
): Promise<string[]> {
  if (existsSync(out) && (!statSync(out).isDirectory() || readdirSync(out).length > 0)) {
    throw new RunError(`${out} exists and is not an empty directory; choose another --out`);
  }
  const files = await exportPytorch(network, { spec, train: trainDefaults(info) });
  mkdirSync(out, { recursive: true });
  return Object.entries(files).map(([name, contents]) => {
    const path = join(out, name);
    writeFileAtomicSync(path, contents);
    return path;
  });
}

/** train_ddp.py's defaults from the run the checkpoint came from (optimizer, lr, batch), when known. */
function trainDefaults(info: CheckpointInfo | undefined): Partial<PytorchTrainDefaults> {
  const s = info?.settings as Partial<Record<'optimizer' | 'lr' | 'batchSize', unknown>> | undefined;
  const defaults: Partial<PytorchTrainDefaults> = {};
  if (typeof s?.optimizer === 'string' && isOptimizerName(s.optimizer)) defaults.optimizer = s.optimizer;
  if (typeof s?.lr === 'number') defaults.lr = s.lr;
  if (typeof s?.batchSize === 'number') defaults.batchSize = s.batchSize;
  return defaults;
}
