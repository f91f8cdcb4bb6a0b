import { onBackend, Rng, type FloatDType, type Kernels } from '@dl/tensor';
import { Dropout } from '../layers/dropout.js';
import { Relu } from '../layers/relu.js';
import { Sigmoid } from '../layers/sigmoid.js';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.js';
import type { LayerNetwork } from '../networks/layer-network.js';
import { DeepConvNet } from '../networks/deep-conv-net.js';
import { LeNet } from '../networks/lenet.js';
import { MultiLayerNetExtend } from '../networks/multi-layer-net-extend.js';
import { MultiLayerNet } from '../networks/multi-layer-net.js';
import { NetworkBuilder } from '../networks/network-builder.js';
import { rememberSpec } from '../networks/network-spec.js';
import { SimpleConvNet } from '../networks/simple-conv-net.js';
import { TwoLayerNet } from '../networks/two-layer-net.js';
import type { LayerSpec, LayerType, ModelSpec, SequentialSpec } from './model-spec.js';
import { ModelSpecError, parseModelSpec } from './validate-spec.js';

export interface BuildModelOptions {
  /** Where the initial weights come from (default `new Rng(0)`). */
  rng?: Rng;
  /** Default 'float32'. */
  dtype?: FloatDType;
  /** The backend the network runs on for its whole life (default: the process default, `setBackend`). */
  backend?: Kernels | undefined;
}

/**
 * Builds the network a spec describes, with fresh weights drawn from `rng` in layer order (the book
 * kinds are instances of their classes, `SimpleConvNet`..., drawn exactly as their constructors draw:
 * same seed, same weights). Throws `ModelSpecError` for an invalid spec, including geometry that does
 * not fit (a filter larger than its padded input). The network remembers its spec: `specOf(network)`.
 */
export function buildModel(spec: ModelSpec, options: BuildModelOptions = {}): LayerNetwork {
  const checked = parseModelSpec(spec);
  const { rng = new Rng(0), dtype = 'float32', backend } = options;
  let network: LayerNetwork;
  try {
    network = onBackend(backend, () => construct(checked, rng, dtype, backend));
  } catch (e) {
    if (e instanceof ModelSpecError || !(e instanceof Error)) throw e;
    // A valid spec whose shapes do not fit (the constructors' ShapeError / RangeError).
    throw new ModelSpecError(`spec (${checked.kind}): ${e.message}`, { cause: e });
  }
  rememberSpec(network, checked); // the validated spec, defaults as given (a sequential net has no class)
  return network;
}

export { specOf } from '../networks/network-spec.js';

function construct(spec: ModelSpec, rng: Rng, dtype: FloatDType, backend?: Kernels): LayerNetwork {
  switch (spec.kind) {
    case 'two-layer-net':
      return new TwoLayerNet(spec.inputSize, spec.hiddenSize, spec.outputSize, {
        weightInitStd: spec.weightInitStd,
        rng,
        dtype,
        backend,
      });
    case 'multi-layer-net': {
      const { kind: _, ...options } = spec;
      return new MultiLayerNet({ ...options, rng, dtype, backend });
    }
    case 'multi-layer-net-extend': {
      const { kind: _, ...options } = spec;
      return new MultiLayerNetExtend({ ...options, rng, dtype, backend });
    }
    case 'simple-conv-net': {
      const { kind: _, ...options } = spec;
      return new SimpleConvNet({ ...options, rng, dtype, backend });
    }
    case 'deep-conv-net': {
      const { kind: _, ...options } = spec;
      return new DeepConvNet({ ...options, rng, dtype, backend });
    }
    case 'lenet': {
      const { kind: _, ...options } = spec;
      return new LeNet({ ...options, rng, dtype, backend });
    }
    case 'sequential':
      return buildSequential(spec, rng, dtype, backend);
  }
}

function buildSequential(
  spec: SequentialSpec,
  rng: Rng,
  dtype: FloatDType,
  backend: Kernels | undefined,
): LayerNetwork {
  const builder = new NetworkBuilder(spec.input, { rng, dtype });
  const counts = new Map<LayerType, number>();
  let weights = 0; // convolutions and affines share the W<k>/b<k> counter
  spec.layers.forEach((layer, i) => {
    const k = (counts.get(layer.type) ?? 0) + 1;
    counts.set(layer.type, k);
    if (layer.type === 'convolution' || layer.type === 'affine') weights++;
    try {
      addLayer(builder, layer, k, weights);
    } catch (e) {
      throw new ModelSpecError(`spec.layers[${i}] (${layer.type}): ${(e as Error).message}`);
    }
  });
  const out = builder.outputShape;
  if (out.length !== 1) {
    throw new ModelSpecError(
      `spec.layers: the network's output per sample is [${out.join(',')}], but SoftmaxWithLoss needs a vector; end with an affine`,
    );
  }
  return builder.build(new SoftmaxWithLoss(), { weightDecayLambda: spec.weightDecayLambda ?? 0, backend });
}

/**
 * Adds the k-th layer of its type, named as the book names it: `Affine2` holding `W<w>`/`b<w>`, where
 * `w` counts convolutions and affines together (`w = k` with no convolutions, `Affine2` with `W2`).
 */
function addLayer(builder: NetworkBuilder, layer: LayerSpec, k: number, w: number): void {
  switch (layer.type) {
    case 'affine':
      builder.affine(w, layer.units, layer.init ?? 'relu', `Affine${k}`);
      return;
    case 'convolution': {
      const { filters: filterNum, size: filterSize, stride = 1, pad = 0 } = layer;
      builder.convolution(w, { filterNum, filterSize, stride, pad }, layer.init ?? 'relu', `Conv${k}`);
      return;
    }
    case 'pooling': {
      const { size, pad = 0, mode = 'max' } = layer;
      // Validation guarantees a square window when no stride is given.
      const stride = layer.stride ?? (typeof size === 'number' ? size : size[0]);
      builder.pooling(k, size, { stride, pad, mode });
      return;
    }
    case 'relu':
      builder.add(`Relu${k}`, new Relu());
      return;
    case 'sigmoid':
      builder.add(`Sigmoid${k}`, new Sigmoid());
      return;
    case 'batchnorm':
      builder.batchNorm(k, { momentum: layer.momentum, eps: layer.eps, mode: layer.mode });
      return;
    case 'dropout':
      builder.add(`Dropout${k}`, new Dropout(layer.ratio, { inverted: layer.inverted ?? false }));
      return;
  }
  const unknown: never = layer;
  throw new ModelSpecError(`unknown layer ${JSON.stringify(unknown)}`);
}
