import type { PoolMode } from '@dl/tensor';
import type { FloatTensor, Layer } from '../layer.js';
import { Affine } from '../layers/affine.js';
import { BatchNormalization } from '../layers/batch-normalization.js';
import { Convolution } from '../layers/convolution.js';
import { Dropout } from '../layers/dropout.js';
import { Pooling } from '../layers/pooling.js';
import { Relu } from '../layers/relu.js';
import { Sigmoid } from '../layers/sigmoid.js';
import { specOf } from '../model-spec/build-model.js';
import { specInputShape } from '../model-spec/spec-shapes.js';
import type { LayerNetwork } from '../networks/layer-network.js';

/** A layer the exporters have no form for (a `MulLayer` in a hand-built network, ...). */
export class UnsupportedLayerError extends Error {
  constructor(
    readonly layerKey: string,
    readonly layerKind: string,
    format: string,
  ) {
    super(
      `layer '${layerKey}' (${layerKind}) cannot be exported to ${format}: only Affine, Convolution, ` +
        'Pooling, Relu, Sigmoid, BatchNormalization and Dropout can',
    );
    this.name = 'UnsupportedLayerError';
  }
}

/** A named tensor to export (a parameter by its book name, or a running statistic). */
export interface ExportTensor {
  readonly name: string;
  readonly value: FloatTensor;
}

interface Step {
  /** The layer's key in the network (`Affine1`, `BatchNorm2`). */
  readonly key: string;
  /** Per-sample shapes (no batch axis) going in and coming out. */
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
}

/**
 * One layer of a network as an exporter sees it: its kind and settings, its tensors and the shapes
 * around it. The union is closed, so each exporter's `switch` covers every layer it can meet.
 */
export type ExportStep = Step &
  (
    | { readonly type: 'affine'; readonly W: ExportTensor; readonly b: ExportTensor }
    | {
        readonly type: 'convolution';
        readonly W: ExportTensor;
        readonly b: ExportTensor;
        readonly stride: number;
        readonly pad: number;
      }
    | {
        readonly type: 'pooling';
        readonly mode: PoolMode;
        readonly size: readonly [number, number];
        readonly stride: number;
        readonly pad: number;
      }
    | { readonly type: 'relu' }
    | { readonly type: 'sigmoid' }
    | {
        readonly type: 'batchnorm';
        readonly gamma: ExportTensor;
        readonly beta: ExportTensor;
        readonly runningMean: ExportTensor;
        readonly runningVar: ExportTensor;
        readonly eps: number;
        readonly momentum: number;
        readonly mode: 'per-activation' | 'per-channel';
      }
    | { readonly type: 'dropout'; readonly ratio: number; readonly inverted: boolean }
  );

/** A network ready to export: its per-sample input shape, its layers in order, its weight decay. */
export interface ExportPlan {
  readonly inputShape: readonly number[];
  readonly steps: readonly ExportStep[];
  /** Classes scored (the last step's output size). */
  readonly classes: number;
  readonly weightDecayLambda: number;
}

/**
 * Walks a network's layers in order. The per-sample input shape comes from `inputShape`, else from
 * the spec the network was built from (`specOf`); shapes after it from each layer's `outputShape`.
 * Throws `UnsupportedLayerError` for a layer no exporter handles (`format` names the target).
 */
export function planExport(
  network: LayerNetwork,
  format: string,
  inputShape?: readonly number[],
): ExportPlan {
  const spec = specOf(network);
  const input = inputShape ?? (spec && specInputShape(spec));
  if (input === undefined) {
    throw new Error(
      `${format} export: the network was not built from a ModelSpec; give its per-sample input shape (inputShape)`,
    );
  }
  let shape = [...input];
  const steps: ExportStep[] = [];
  for (const [key, layer] of network.layers) {
    const outShape = layer.outputShape([1, ...shape]).slice(1);
    steps.push({ key, inShape: shape, outShape, ...describe(key, layer, format) });
    shape = outShape;
  }
  if (shape.length !== 1) {
    throw new Error(
      `${format} export: the network ends in [${shape.join(',')}] per sample, not class scores`,
    );
  }
  return { inputShape: input, steps, classes: shape[0]!, weightDecayLambda: network.weightDecayLambda };
}

type LayerPart = ExportStep extends infer S ? (S extends Step ? Omit<S, keyof Step> : never) : never;

function describe(key: string, layer: Layer, format: string): LayerPart {
  const named = (name: string, value: FloatTensor): ExportTensor => ({ name, value });
  if (layer instanceof Affine) {
    return { type: 'affine', W: named(layer.W.name, layer.W.value), b: named(layer.b.name, layer.b.value) };
  }
  if (layer instanceof Convolution) {
    return {
      type: 'convolution',
      W: named(layer.W.name, layer.W.value),
      b: named(layer.b.name, layer.b.value),
      stride: layer.stride,
      pad: layer.pad,
    };
  }
  if (layer instanceof Pooling) {
    const { mode, poolH, poolW, stride, pad } = layer;
    return { type: 'pooling', mode, size: [poolH, poolW], stride, pad };
  }
  if (layer instanceof Relu) return { type: 'relu' };
  if (layer instanceof Sigmoid) return { type: 'sigmoid' };
  if (layer instanceof BatchNormalization) {
    return {
      type: 'batchnorm',
      gamma: named(layer.gamma.name, layer.gamma.value),
      beta: named(layer.beta.name, layer.beta.value),
      // The names save/load gives the buffers (`BatchNorm1.running_mean`).
      runningMean: named(`${key}.running_mean`, layer.runningMean),
      runningVar: named(`${key}.running_var`, layer.runningVar),
      eps: layer.eps,
      momentum: layer.momentum,
      mode: layer.mode,
    };
  }
  if (layer instanceof Dropout) return { type: 'dropout', ratio: layer.ratio, inverted: layer.inverted };
  throw new UnsupportedLayerError(key, layer.kind, format);
}
