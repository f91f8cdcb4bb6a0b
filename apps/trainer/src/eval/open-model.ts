import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadModel, saveModel, type FloatTensor, type LayerNetwork, type ModelSpec } from '@dl/layers';
import { Tensor, type FloatDType, type Kernels } from '@dl/tensor';
import { RunError } from '../run-error.js';
import { readCheckpoint, type LoadedCheckpoint } from '../run/checkpoint.js';
import { BEST, LAST } from '../train/run-training.js';

/** A model to evaluate or run, from `--checkpoint`: a file, or a run directory. */
export interface OpenedModel extends LoadedCheckpoint {
  /** The checkpoint file read (for a run directory, the checkpoint chosen in it). */
  file: string;
  /** The network's dtype: inputs are given to it in this dtype. */
  dtype: FloatDType;
}

/**
 * The file a `--checkpoint` argument names: a file as it is; a `dl train` run directory means its
 * `best.safetensors` (the best test accuracy), or its `last.safetensors` when no epoch was evaluated.
 * `note` is told which file of a directory was taken.
 */
export function checkpointFile(arg: string, note: (text: string) => void = () => {}): string {
  const path = resolve(arg);
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    return path; // reading it reports what is wrong, naming the path
  }
  if (!isDir) return path;
  for (const name of [BEST, LAST]) {
    const file = join(path, name);
    if (existsSync(file)) {
      if (name === LAST) note(`note: ${path} has no ${BEST} (no epoch was evaluated); using ${LAST}\n`);
      return file;
    }
  }
  throw new RunError(
    `${path} is a directory without ${BEST} or ${LAST}; give a checkpoint file or a dl train run directory`,
  );
}

/** The first tensor of `network` (parameters, then buffers) holding NaN or ±Infinity, if any. */
export function firstNonFinite(
  network: LayerNetwork,
): { name: string; shape: readonly number[]; index: number; value: number } | undefined {
  const tensors = [...network.params().map((p) => ({ name: p.name, value: p.value })), ...network.buffers()];
  for (const { name, value } of tensors) {
    const data = value.data;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!)) return { name, shape: value.shape, index: i, value: data[i]! };
    }
  }
  return undefined;
}

/**
 * Reads the model `--checkpoint` names (a file or a run directory) and refuses one whose weights
 * are not all finite: a diverged network predicts nothing, and would print accuracy at chance and
 * loss NaN as if it were a result.
 */
export function openModel(arg: string, note?: (text: string) => void): OpenedModel {
  const file = checkpointFile(arg, note);
  const loaded = readCheckpoint(file);
  const bad = firstNonFinite(loaded.network);
  if (bad !== undefined) {
    throw new RunError(
      `${file}: tensor ${bad.name} [${bad.shape.join(',')}] holds ${bad.value} at index ${bad.index}; ` +
        'a model with non-finite weights cannot be evaluated (the run diverged: use an earlier checkpoint)',
    );
  }
  const dtype = loaded.network.params()[0]?.value.dtype ?? 'float32';
  return { ...loaded, file, dtype };
}

/** `data` (pixels) shaped `[n, ...shape]`, in the network's dtype: a float64 network takes float64 input. */
export function modelInput(
  data: Float32Array | Float64Array,
  shape: readonly number[],
  dtype: FloatDType,
): FloatTensor {
  const x: FloatTensor =
    data instanceof Float64Array
      ? new Tensor(data, [...shape], 'float64')
      : new Tensor(data, [...shape], 'float32');
  return x.dtype === dtype ? x : x.astype(dtype);
}

/**
 * `network` moved onto `backend` (its bytes saved and loaded there): how `dl eval` and `dl predict`
 * run a checkpoint on a GPU (`--backend webgpu`), after any weight rounding made on the CPU.
 */
export function networkOn(network: LayerNetwork, spec: ModelSpec, backend: Kernels): LayerNetwork {
  return loadModel(saveModel(network, spec), { backend }).network;
}
