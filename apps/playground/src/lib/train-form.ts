import { buildModel, type ModelSpec, type WeightInitStd } from '@dl/layers';

/** What the training page's form holds, before it becomes a `ModelSpec`. */
export interface NetworkForm {
  kind: 'two-layer-net' | 'multi-layer-net-extend' | 'simple-conv-net';
  /** Hidden layer sizes as typed: `"100, 100"`. TwoLayerNet and SimpleConvNet use the first. */
  hidden: string;
  /** SimpleConvNet's filters: how many, and their side. */
  filterNum: number;
  filterSize: number;
  activation: 'relu' | 'sigmoid';
  init: 'book' | 'std-0.01' | 'xavier' | 'he';
  batchNorm: boolean;
  dropout: boolean;
  dropoutRatio: number;
  weightDecay: number;
}

/** Positive integers from a comma- or space-separated list; throws naming the first bad entry. */
export function parseSizes(text: string): number[] {
  const parts = text.split(/[\s,]+/).filter((s) => s !== '');
  if (parts.length === 0) throw new Error('give at least one hidden layer size, e.g. 50 or 100, 100');
  return parts.map((p) => {
    const n = Number(p);
    if (!Number.isInteger(n) || n < 1 || n > 4096)
      throw new Error(`hidden size '${p}' must be an integer from 1 to 4096`);
    return n;
  });
}

function initStd(init: NetworkForm['init'], bookDefault: WeightInitStd): WeightInitStd {
  switch (init) {
    case 'book':
      return bookDefault;
    case 'std-0.01':
      return 0.01;
    case 'xavier':
      return 'xavier';
    case 'he':
      return 'he';
  }
}

/** The spec of the network the form describes, for MNIST (784 inputs, 10 classes). */
export function specFromForm(form: NetworkForm): ModelSpec {
  const sizes = parseSizes(form.hidden);
  if (form.kind === 'simple-conv-net') {
    const { filterNum, filterSize } = form;
    if (!(Number.isInteger(filterNum) && filterNum >= 1 && filterNum <= 256))
      throw new Error(`the number of filters must be an integer from 1 to 256, got ${filterNum}`);
    if (!(Number.isInteger(filterSize) && filterSize >= 1 && filterSize <= 28))
      throw new Error(`the filter size must be an integer from 1 to 28, got ${filterSize}`);
    return {
      kind: 'simple-conv-net',
      inputDim: [1, 28, 28],
      convParam: { filterNum, filterSize, pad: 0, stride: 1 },
      hiddenSize: sizes[0]!,
      outputSize: 10,
      // The book's SimpleConvNet draws every weight with std 0.01.
      weightInitStd: initStd(form.init, 0.01),
    };
  }
  if (form.kind === 'two-layer-net') {
    // The book's TwoLayerNet draws its weights with std 0.01.
    return {
      kind: 'two-layer-net',
      inputSize: 784,
      hiddenSize: sizes[0]!,
      outputSize: 10,
      weightInitStd: initStd(form.init, 0.01),
    };
  }
  if (!(form.dropoutRatio >= 0 && form.dropoutRatio < 1))
    throw new Error(`dropout ratio must be in [0, 1), got ${form.dropoutRatio}`);
  if (!(form.weightDecay >= 0)) throw new Error(`weight decay must be >= 0, got ${form.weightDecay}`);
  return {
    kind: 'multi-layer-net-extend',
    inputSize: 784,
    hiddenSizeList: sizes,
    outputSize: 10,
    activation: form.activation,
    // MultiLayerNet's default is He ('relu'), as the book's.
    weightInitStd: initStd(form.init, 'relu'),
    weightDecayLambda: form.weightDecay,
    useBatchnorm: form.batchNorm,
    useDropout: form.dropout,
    dropoutRatio: form.dropoutRatio,
  };
}

/** Learnable parameters of a spec's network (to show its size before training), without building it. */
export function countParameters(spec: ModelSpec): number {
  if (!('inputSize' in spec))
    return buildModel(spec)
      .params()
      .reduce((n, p) => n + p.value.size, 0);
  const hidden = spec.kind === 'two-layer-net' ? [spec.hiddenSize] : spec.hiddenSizeList;
  const sizes = [spec.inputSize, ...hidden, spec.outputSize];
  let n = 0;
  for (let i = 1; i < sizes.length; i++) n += sizes[i - 1]! * sizes[i]! + sizes[i]!;
  if (spec.kind === 'multi-layer-net-extend' && spec.useBatchnorm) n += 2 * hidden.reduce((a, b) => a + b, 0);
  return n;
}
