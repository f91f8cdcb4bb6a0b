import { Tensor } from '@dl/tensor';
import { writeSafetensors } from '../io/safetensors.js';
import { specOf } from '../model-spec/build-model.js';
import type { ModelSpec } from '../model-spec/model-spec.js';
import type { LayerNetwork } from '../networks/layer-network.js';
import { planExport, type ExportPlan, type ExportStep, type ExportTensor } from './export-layers.js';

/** How `train_ddp.py` trains unless told otherwise (its flags' defaults). */
export interface PytorchTrainDefaults {
  optimizer: 'sgd' | 'momentum' | 'nesterov' | 'adagrad' | 'rmsprop' | 'adam';
  lr: number;
  /** The global batch: every rank takes `batchSize / worldSize` rows. */
  batchSize: number;
  epochs: number;
}

export interface ExportPytorchOptions {
  /** Default: the spec the network was built from (`specOf`); required for other networks. */
  spec?: ModelSpec;
  /** Default: the spec's input shape. */
  inputShape?: readonly number[];
  /** Default: SGD, lr 0.01, batch 100, 1 epoch (the checkpoint's run settings, when the CLI has them). */
  train?: Partial<PytorchTrainDefaults>;
}

/** The files of a PyTorch export, by name: text (Python, Markdown) or bytes (safetensors). */
export type ExportedFiles = Record<string, string | Uint8Array>;

/**
 * The Python files that do not depend on the network, shipped in the package's `src` (so the same
 * path works from `src/export/` in the workspace and `dist/export/` in the published package).
 */
function staticFiles(): Record<string, URL> {
  return {
    'dl_torch.py': new URL('../../src/export/python/dl_torch.py', import.meta.url),
    'train_ddp.py': new URL('../../src/export/python/train_ddp.py', import.meta.url),
  };
}

/**
 * The network as PyTorch files: `model.py` (an `nn.Module`, `Net`, whose submodules carry the
 * network's layer keys: `Conv1`, `Affine1`, `BatchNorm1`...), `weights.safetensors` in PyTorch's
 * layout (names as `Net().state_dict()`; Affine weights transposed to `[out, in]`), `dl_torch.py`
 * (the book's layers, loss and six optimizers where torch's built-ins differ), `train_ddp.py`
 * (`DistributedDataParallel` training that writes a dl run directory back) and `README.md` (how to
 * launch it). Node only: the two static Python files are read from the package.
 */
export async function exportPytorch(
  network: LayerNetwork,
  options: ExportPytorchOptions = {},
): Promise<ExportedFiles> {
  const spec = options.spec ?? specOf(network);
  if (spec === undefined)
    throw new Error('PyTorch export: the network was not built from a ModelSpec; give options.spec');
  const plan = planExport(network, 'PyTorch', options.inputShape);
  const train: PytorchTrainDefaults = {
    optimizer: 'sgd',
    lr: 0.01,
    batchSize: 100,
    epochs: 1,
    ...options.train,
  };
  const { readFile } = await import('node:fs/promises');
  const files: ExportedFiles = {};
  for (const [name, url] of Object.entries(staticFiles())) files[name] = await readFile(url, 'utf8');
  files['model.py'] = modelPy(plan, spec, train);
  files['weights.safetensors'] = torchWeights(plan, spec);
  files['README.md'] = readme(spec, train);
  return files;
}

/** A state_dict entry: PyTorch's name, dl's name, and whether PyTorch stores it transposed. */
interface StateEntry {
  readonly torch: string;
  readonly tensor: ExportTensor;
  readonly transposed: boolean;
  /** A weight that L2 weight decay applies to (dl's `W`). */
  readonly decay: boolean;
}

function stateEntries(plan: ExportPlan): StateEntry[] {
  return plan.steps.flatMap((step): StateEntry[] => {
    const entry = (suffix: string, tensor: ExportTensor, transposed = false, decay = false): StateEntry => ({
      torch: `${step.key}.${suffix}`,
      tensor,
      transposed,
      decay,
    });
    switch (step.type) {
      case 'affine':
        return [entry('weight', step.W, true, true), entry('bias', step.b)];
      case 'convolution':
        return [entry('weight', step.W, false, true), entry('bias', step.b)];
      case 'batchnorm':
        return [
          entry('weight', step.gamma),
          entry('bias', step.beta),
          entry('running_mean', step.runningMean),
          entry('running_var', step.runningVar),
        ];
      default:
        return [];
    }
  });
}

/** The Python constructor of one layer. */
function pyModule(step: ExportStep): string {
  switch (step.type) {
    case 'affine': {
      const [inSize, outSize] = step.W.value.shape;
      return `Affine(${inSize}, ${outSize})`;
    }
    case 'convolution': {
      const [FN, C, FH, FW] = step.W.value.shape;
      return `nn.Conv2d(${C}, ${FN}, kernel_size=(${FH}, ${FW}), stride=${step.stride}, padding=${step.pad})`;
    }
    case 'pooling':
      return `Pooling("${step.mode}", (${step.size.join(', ')}), stride=${step.stride}, pad=${step.pad})`;
    case 'relu':
      return 'nn.ReLU()';
    case 'sigmoid':
      return 'nn.Sigmoid()';
    case 'batchnorm':
      return `BatchNormalization(${step.gamma.value.size}, mode="${step.mode}", momentum=${py(step.momentum)}, eps=${py(step.eps)})`;
    case 'dropout':
      return `Dropout(${py(step.ratio)}, inverted=${step.inverted ? 'True' : 'False'})`;
  }
}

/** A number as Python reads it back exactly (JS's shortest round-trip form is valid Python). */
function py(n: number): string {
  return Number.isInteger(n) ? `${n}.0` : String(n);
}

function modelPy(plan: ExportPlan, spec: ModelSpec, train: PytorchTrainDefaults): string {
  const entries = stateEntries(plan);
  const names = entries.map(
    (e) => `    "${e.torch}": ("${e.tensor.name}", ${e.transposed ? 'True' : 'False'}),`,
  );
  const decayed = entries.filter((e) => e.decay).map((e) => `"${e.torch}"`);
  return `"""${spec.kind} exported by \`dl export --format pytorch\`: the network as a PyTorch module.

The submodules carry dl's layer keys (Conv1, Affine1, ...); dl_torch.py holds the book's layers
where PyTorch's built-ins compute something else. weights.safetensors holds Net().state_dict().
"""

import json

from torch import nn

from dl_torch import Affine, BatchNormalization, Dropout, Pooling

# The ModelSpec the network was built from: dl rebuilds the network from it.
SPEC = json.loads(r"""${JSON.stringify(spec)}""")
INPUT_SHAPE = (${plan.inputShape.join(', ')}${plan.inputShape.length === 1 ? ',' : ''})
CLASSES = ${plan.classes}
# L2 weight decay: the loss adds 0.5 * lambda * sum(W^2) over DECAYED (dl's weights W, no biases).
WEIGHT_DECAY_LAMBDA = ${py(plan.weightDecayLambda)}
DECAYED = [${decayed.join(', ')}]
# dl's name for each state_dict entry, and whether PyTorch stores it transposed (Affine's W).
DL_NAMES = {
${names.join('\n')}
}
# train_ddp.py's defaults: the settings of the run the weights came from, when there was one.
TRAIN_DEFAULTS = json.loads(r"""${JSON.stringify(train)}""")


class Net(nn.Module):
    def __init__(self):
        super().__init__()
${plan.steps.map((s) => `        self.${s.key} = ${pyModule(s)}`).join('\n')}

    def forward(self, x):
${plan.steps.map((s) => `        x = self.${s.key}(x)`).join('\n')}
        return x
`;
}

/** `Net().state_dict()` as safetensors, float32, Affine weights transposed to PyTorch's `[out, in]`. */
function torchWeights(plan: ExportPlan, spec: ModelSpec): Uint8Array {
  const tensors = new Map<string, Tensor<'float32'>>();
  for (const { torch, tensor, transposed } of stateEntries(plan)) {
    const { shape, data } = tensor.value;
    if (!transposed) {
      tensors.set(torch, new Tensor(Float32Array.from(data), [...shape], 'float32'));
      continue;
    }
    const [rows, cols] = shape as [number, number];
    const out = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j]!;
    tensors.set(torch, new Tensor(out, [cols, rows], 'float32'));
  }
  return writeSafetensors(tensors, { format: 'pt', 'dl.spec': JSON.stringify(spec) });
}

function readme(spec: ModelSpec, train: PytorchTrainDefaults): string {
  const run = 'python3 train_ddp.py --data DATA_DIR --out runs/ddp';
  return `# ${spec.kind}, exported by dl for PyTorch

- \`model.py\`: \`Net\`, an \`nn.Module\` with dl's layer names; \`weights.safetensors\` is its \`state_dict()\`
  (Affine weights transposed to PyTorch's \`[out, in]\`).
- \`dl_torch.py\`: the book's BatchNormalization, Dropout, loss and six optimizers, where PyTorch's
  built-ins compute something else; safetensors read and written with \`json\` + \`struct\`.
- \`train_ddp.py\`: data-parallel training with \`DistributedDataParallel\` (gloo on CPUs, nccl on GPUs).
  \`--batch-size\` is the global batch (default ${train.batchSize}): each of the \`WORLD_SIZE\` ranks takes its share.
  \`--data\` is any directory of MNIST-format IDX files. Defaults: ${train.optimizer}, lr ${train.lr}, ${train.epochs} epoch(s).

Needs only \`torch\` and \`numpy\`.

## Launch

One machine, two processes (CPU ranks, or one per GPU):

    torchrun --standalone --nproc_per_node 2 train_ddp.py --data DATA_DIR --out runs/ddp

The same without torchrun (Debian's torchrun 1.13 crashes on Python 3.11), one command per rank:

    MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 WORLD_SIZE=2 RANK=0 ${run} &
    MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 WORLD_SIZE=2 RANK=1 ${run}

Several machines: run the same on each, with \`MASTER_ADDR\` the address of the machine of rank 0,
\`WORLD_SIZE\` the number of processes in all, \`RANK\` 0 … WORLD_SIZE-1 across machines, and
\`LOCAL_RANK\` the GPU of each process on its machine (torchrun sets it; \`torchrun --nnodes N
--node_rank K --master_addr ADDR --nproc_per_node G\`). Only rank 0 writes files.

## Back to dl

\`--out\` becomes a dl run directory (\`run.json\`, \`metrics.jsonl\`, \`last.safetensors\`, \`best.safetensors\`):

    dl eval --checkpoint runs/ddp/best.safetensors --data DATA_DIR
    dl predict --checkpoint runs/ddp/best.safetensors digit.png
    dl train --resume runs/ddp --epochs 2

The playground loads the same \`.safetensors\` files.

## Identical and not

The arithmetic is dl's (the book's): same layers, loss, optimizers, weight decay, BatchNorm and
Dropout. Float32 sums run in another order, so results agree to about 1e-6, not bit for bit.
Not the same: the data order (the book samples each batch with replacement; a
\`DistributedSampler\` shuffles once per epoch and splits the permutation between ranks), Dropout's
random masks (PyTorch's generator, seeded with \`--seed\` + rank), BatchNorm's batch statistics (per
rank: each rank normalises its own share of the batch), and the optimizer starts fresh
(weights.safetensors holds weights only).
`;
}
