import { buildModel, specInputShape, type FloatTensor, type LayerNetwork, type ModelSpec } from '@dl/layers';
import { rowsView } from '@dl/optim';
import { Rng, Tensor, argmax } from '@dl/tensor';
import { buildBookNetwork, type ModelName } from '../models.js';
import { loadData } from '../train/data.js';

/** What a gradient check runs on: the network, its inputs and targets, and the shape it reports. */
export interface GradcheckSubject {
  network: LayerNetwork;
  x: FloatTensor;
  t: Tensor;
  /** `784-50-10`, or the conv nets' `1x10x10, hidden 6`. */
  shape: string;
}

/** Small hidden layers by default for the deep nets: the numerical gradient costs two forwards per weight. */
export const DEFAULT_HIDDEN: Readonly<Record<ModelName, number[]>> = {
  'two-layer-net': [50],
  'multi-layer-net': [20, 20],
  'multi-layer-net-extend': [20, 20],
  'simple-conv-net': [6],
  'deep-conv-net': [6],
  lenet: [],
};

/** Entries checked per parameter of the convolutional networks unless --samples says otherwise. */
export const CONV_SAMPLES = 30;

/**
 * The convolutional networks, scaled down so a check takes seconds: the same layers in the same
 * order as the book's (SimpleConvNet conv-relu-pool-affine-relu-affine, DeepConvNet's six 3×3
 * convolutions with three poolings and Dropout), with few filters on small images; LeNet as it is. The full-size SimpleConvNet has
 * 30·12·12·100 weights in one affine layer: minutes of numerical gradients.
 */
function tinyConvSpec(model: ModelName, hidden: number): ModelSpec {
  switch (model) {
    case 'simple-conv-net':
      return {
        kind: 'simple-conv-net',
        inputDim: [1, 10, 10],
        convParam: { filterNum: 3, filterSize: 3, pad: 0, stride: 1 },
        hiddenSize: hidden,
        outputSize: 10,
        // He, not the book's 0.01: tiny weights make the values in a pooling window nearly equal,
        // and a difference step then swaps their maximum.
        weightInitStd: 'he',
      };
    case 'deep-conv-net':
      return {
        kind: 'deep-conv-net',
        inputDim: [1, 8, 8],
        convParams: [2, 2, 3, 3, 4, 4].map((filterNum) => ({ filterNum, filterSize: 3, pad: 1, stride: 1 })),
        hiddenSize: hidden,
        outputSize: 10,
      };
    default:
      // LeNet's third convolution needs its 5×5 input: the full 28×28 (a small network anyway).
      return { kind: 'lenet', inputDim: [1, 28, 28], outputSize: 10 };
  }
}

/**
 * A convolutional network at check scale (`tinyConvSpec`) on seeded random images. `ctx` is the
 * check's forward context: the targets are the classes the network picks with its Dropout masks.
 */
export function convSubject(
  model: ModelName,
  options: {
    hidden: number | undefined;
    batch: number;
    dropout: number;
    seed: number;
    ctx: { train: boolean; rng: Rng };
  },
): GradcheckSubject {
  const { hidden, batch, dropout, seed, ctx } = options;
  const base = tinyConvSpec(model, hidden ?? 6);
  const spec: ModelSpec =
    base.kind === 'deep-conv-net' && dropout > 0 ? { ...base, dropoutRatio: dropout } : base;
  const network = buildModel(spec, { rng: new Rng(seed), dtype: 'float64' });
  const input = specInputShape(spec);
  const draw = new Rng(seed + 2);
  // Biases start at 0, and a unit that sees only zeros (ReLU'd away, or padding) then sits exactly
  // on ReLU's kink, where the two sides of a central difference disagree: move them off it.
  for (const p of network.params())
    if (p.name.startsWith('b')) p.value.data.forEach((_, i, d) => (d[i] = 0.2 * draw.random() - 0.1));
  const per = input.reduce((a, b) => a * b, 1);
  const x = new Tensor(
    Float64Array.from({ length: batch * per }, () => draw.random()),
    [batch, ...input],
    'float64',
  );
  // Targets: the classes the network itself picks (with the check's Dropout masks). A random target
  // can get a probability near the 1e-7 that the loss adds inside its log, which backprop (y - t)
  // leaves out; the picked class has at least 1/10.
  const scores = network.predict(x, { train: true, rng: ctx.rng.clone() });
  const t = argmax(scores, { axis: 1 });
  const shape = `${input.join('x')}${model === 'lenet' ? '' : `, hidden ${hidden}`}`;
  return { network, x, t, shape };
}

/** A fully connected network of the book on the first `batch` training images of `dir` (default: bundled MNIST). */
export function denseSubject(
  model: ModelName,
  options: {
    dir: string | null;
    hidden: number[];
    batch: number;
    weightDecay: number;
    batchNorm: boolean;
    dropout: number;
    seed: number;
  },
): GradcheckSubject {
  const { dir, hidden, batch, weightDecay, batchNorm, dropout, seed } = options;
  const data = loadData({ dir, trainSize: null });
  const x = rowsView(data.xTrain, 0, batch).astype('float64');
  const t = rowsView(data.tTrain, 0, batch);
  const inputSize = data.inputShape.reduce((a, b) => a * b, 1);
  const network = buildBookNetwork(
    { model, hidden, init: undefined, weightDecay, batchNorm, dropout },
    data.inputShape,
    { rng: new Rng(seed), dtype: 'float64' },
  );
  return { network, x, t, shape: [inputSize, ...hidden, 10].join('-') };
}
