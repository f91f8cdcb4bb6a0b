import { buildModel, type FloatTensor, type Layer, type LayerNetwork, type ModelSpec } from '@dl/layers';
import { Rng } from '@dl/tensor';
import { getModel, type ModelSource } from '../../lib/model-store.js';

// The convolution page's network: which one is shown (trained here, a dropped file, the shipped
// one or a freshly initialised SimpleConvNet) and its first convolution.

/** The book's SimpleConvNet (ch07/simple_convnet.py): 30 filters of 5×5, hidden 100, std 0.01. */
export const BOOK_SPEC: ModelSpec = {
  kind: 'simple-conv-net',
  inputDim: [1, 28, 28],
  convParam: { filterNum: 30, filterSize: 5, pad: 0, stride: 1 },
  hiddenSize: 100,
  outputSize: 10,
  weightInitStd: 0.01,
};

export type Choice = 'fresh' | ModelSource;

const SOURCE_LABEL = {
  trained: 'trained here',
  file: 'dropped file',
  'shipped:simple-conv-net': 'shipped with the app',
} as const;

export interface ConvView {
  network: LayerNetwork;
  /** The first convolution and what follows it up to its activation. */
  layers: Layer[];
  filters: FloatTensor;
  description: string;
}

/** The first Convolution of a network (with the activation right after it), or null if it has none. */
export function firstConvolution(network: LayerNetwork): { layers: Layer[]; filters: FloatTensor } | null {
  const all = [...network.layers.values()];
  const i = all.findIndex((l) => l.kind === 'Convolution');
  if (i < 0) return null;
  const conv = all[i]!;
  const next = all[i + 1];
  const layers = next && (next.kind === 'Relu' || next.kind === 'Sigmoid') ? [conv, next] : [conv];
  return { layers, filters: conv.params()[0]!.value };
}

/** The networks the page can show, best first: those with a convolution, then a fresh one. */
export function availableChoices(): { value: Choice; label: string }[] {
  const list: { value: Choice; label: string }[] = [];
  for (const s of ['trained', 'file', 'shipped:simple-conv-net'] as const) {
    const m = getModel(s);
    if (m && firstConvolution(m.network)) list.push({ value: s, label: `${SOURCE_LABEL[s]}: ${m.name}` });
  }
  list.push({ value: 'fresh', label: 'freshly initialised SimpleConvNet (random filters)' });
  return list;
}

let fresh: { seed: number; network: LayerNetwork } | null = null;

/** The book's SimpleConvNet as `buildModel` initialises it from `seed` (the training worker does the same). */
export function freshNetwork(seed: number): LayerNetwork {
  if (fresh?.seed !== seed) fresh = { seed, network: buildModel(BOOK_SPEC, { rng: new Rng(seed) }) };
  return fresh.network;
}

/** The view of `choice`, or null when that model is gone (or has no convolution). */
export function viewOf(choice: Choice, seed: number): ConvView | null {
  if (choice === 'fresh') {
    const network = freshNetwork(seed);
    return {
      network,
      ...firstConvolution(network)!,
      description: 'untrained: weights drawn from N(0, 0.01²)',
    };
  }
  const m = getModel(choice);
  const conv = m ? firstConvolution(m.network) : null;
  if (!m || !conv) return null;
  return { network: m.network, ...conv, description: `${m.spec.kind}${m.note ? `, ${m.note}` : ''}` };
}

/** The mean absolute value of the entries of `a`, or of `a − b`. */
export function meanAbs(a: FloatTensor, b?: FloatTensor): number {
  let s = 0;
  for (let i = 0; i < a.size; i++) s += Math.abs(a.data[i]! - (b ? b.data[i]! : 0));
  return s / a.size;
}
