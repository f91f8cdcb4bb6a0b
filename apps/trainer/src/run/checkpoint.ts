import { readFileSync } from 'node:fs';
import { loadModel, parseModelSpec, saveModel, type LayerNetwork, type ModelSpec } from '@dl/layers';
import { getBackend, type Kernels } from '@dl/tensor';
import {
  createOptimizerFromState,
  optimizerStateFromTensors,
  optimizerStateToTensors,
  type Optimizer,
  type OptimizerState,
  type OptimizerStateHeader,
  type TrainerState,
} from '@dl/optim';
import { RunError, describeFsError } from '../run-error.js';
import { writeFileAtomicSync } from '@dl/layers/node';

/** Our key in the file's `__metadata__`: where the run stood, as JSON. */
const META_KEY = 'dl-train';

/** What a checkpoint records about the run besides weights and optimizer state. */
export interface CheckpointInfo {
  step: number;
  epoch: number;
  /** Test accuracy of the last per-epoch evaluation (what `best` is chosen by), if any. */
  testAcc: number | null;
  /** The Trainer's progress: lists, RNG and sampler; with the weights and optimizer, resumes exactly. */
  trainer: TrainerState;
  /** The run's settings (run.json's), so a checkpoint explains itself. */
  settings: unknown;
}

/**
 * Writes a checkpoint: weights and buffers (safetensors, with the network's spec), the optimizer's
 * slots, the RNG state, and `CheckpointInfo`. Atomic and flushed to disk: a killed process leaves
 * the previous file whole.
 */
export function writeCheckpoint(
  path: string,
  parts: {
    network: LayerNetwork;
    spec: ModelSpec;
    optimizer: Optimizer;
    /** The optimizer's state when read already (`getStateAsync`); else `optimizer.getState()`. */
    optimizerState?: OptimizerState;
    info: CheckpointInfo;
  },
): void {
  const { network, spec, optimizer, info } = parts;
  const bytes = saveModel(network, spec, {
    optimizer: optimizerStateToTensors(parts.optimizerState ?? optimizer.getState()),
    rng: info.trainer.rng,
    metadata: { [META_KEY]: JSON.stringify(info) },
  });
  writeFileAtomicSync(path, bytes);
}

export interface LoadedCheckpoint {
  network: LayerNetwork;
  spec: ModelSpec;
  /** Present when the file holds optimizer state (every `dl train` checkpoint does). */
  optimizer: Optimizer | undefined;
  /** Present for `dl train` checkpoints; absent for a bare saved model. */
  info: CheckpointInfo | undefined;
}

/**
 * Reads a checkpoint or any saved model, its network and optimizer on `backend` (by default the
 * process default's, as `dl` activated it); errors are one line naming the file.
 */
export function readCheckpoint(path: string, backend: Kernels = getBackend()): LoadedCheckpoint {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new RunError(describeFsError(e, 'cannot read the checkpoint') ?? String(e));
  }
  let loaded;
  try {
    loaded = loadModel(bytes, { file: path, backend });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new RunError(message.includes(path) ? message : `${path}: ${message}`, 1, { cause: e });
  }
  let info: CheckpointInfo | undefined;
  const raw = loaded.metadata[META_KEY];
  if (raw !== undefined) {
    try {
      info = JSON.parse(raw) as CheckpointInfo;
    } catch {
      throw new RunError(`${path}: its '${META_KEY}' metadata is not valid JSON`);
    }
  }
  const optimizer =
    loaded.optimizer === undefined
      ? undefined
      : createOptimizerFromState(
          optimizerStateFromTensors(
            loaded.optimizer.header as OptimizerStateHeader,
            loaded.optimizer.tensors,
          ),
          { backend },
        );
  return { network: loaded.network, spec: loaded.spec, optimizer, info };
}

/** JSON with object keys sorted, so equal values give equal text whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Whether two specs describe the same network (after validation, keys in any order). */
export function sameSpec(a: ModelSpec, b: ModelSpec): boolean {
  return canonical(parseModelSpec(a)) === canonical(parseModelSpec(b));
}

/** `a two-layer-net 784-50-10`, for messages. */
export function describeSpec(spec: ModelSpec): string {
  switch (spec.kind) {
    case 'two-layer-net':
      return `two-layer-net ${spec.inputSize}-${spec.hiddenSize}-${spec.outputSize}`;
    case 'multi-layer-net':
    case 'multi-layer-net-extend':
      return `${spec.kind} ${[spec.inputSize, ...spec.hiddenSizeList, spec.outputSize].join('-')}`;
    default:
      return spec.kind;
  }
}
