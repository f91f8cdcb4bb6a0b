/**
 * convnetjs 0.3.0 (npm), Karpathy's plain-JavaScript CNN library, as a comparison for the CNN
 * training steps. It trains one sample at a time (`Trainer.train(x, label)`, Float64Array volumes,
 * direct convolution loops) and updates the weights every `batch_size` samples, so one step of
 * batch 100 is 100 `train` calls. The npm 0.3.0 build has no Adam (its Trainer knows sgd, adagrad,
 * windowgrad and adadelta; Adam came later, on GitHub only): the step uses adadelta, the closest in
 * cost (two per-weight moving averages).
 */
import { createRequire } from 'node:module';

/** The part of convnetjs's API used here (it ships no types). */
interface ConvnetjsVol {
  w: Float64Array;
}
interface ConvnetjsNet {
  makeLayers(defs: readonly Record<string, unknown>[]): void;
  forward(x: ConvnetjsVol, isTraining?: boolean): ConvnetjsVol;
}
interface ConvnetjsTrainer {
  train(x: ConvnetjsVol, label: number): unknown;
}
interface Convnetjs {
  Net: new () => ConvnetjsNet;
  Vol: new (sx: number, sy: number, depth: number, c?: number) => ConvnetjsVol;
  Trainer: new (net: ConvnetjsNet, options: Record<string, unknown>) => ConvnetjsTrainer;
}

export const CONVNETJS_VERSION = '0.3.0';
export const CONVNETJS_METHOD = 'adadelta';

function load(): Convnetjs {
  return createRequire(import.meta.url)('convnetjs') as Convnetjs;
}

/**
 * SimpleConvNet and DeepConvNet in convnetjs's layer definitions, as ours: conv 30@5×5 → ReLU → max
 * pool 2×2/2 → fc 100 → ReLU → fc 10 → softmax; and the six 3×3 convolutions 16-16-32-32-64-64 (pad 1,
 * the fourth pad 2) with ReLU, pools after every second, fc 50 → ReLU → dropout 0.5 → fc 10 →
 * softmax (convnetjs cannot put dropout on the logits before its softmax layer: the book's second
 * dropout is left out).
 */
function layerDefs(name: 'simple' | 'deep'): Record<string, unknown>[] {
  const input = { type: 'input', out_sx: 28, out_sy: 28, out_depth: 1 };
  const pool = { type: 'pool', sx: 2, stride: 2 };
  if (name === 'simple') {
    return [
      input,
      { type: 'conv', sx: 5, filters: 30, stride: 1, pad: 0, activation: 'relu' },
      pool,
      { type: 'fc', num_neurons: 100, activation: 'relu' },
      { type: 'softmax', num_classes: 10 },
    ];
  }
  const conv = (filters: number, pad = 1): Record<string, unknown> => ({
    type: 'conv',
    sx: 3,
    filters,
    stride: 1,
    pad,
    activation: 'relu',
  });
  return [
    input,
    conv(16),
    conv(16),
    pool,
    conv(32),
    conv(32, 2),
    pool,
    conv(64),
    conv(64),
    pool,
    { type: 'fc', num_neurons: 50, activation: 'relu', drop_prob: 0.5 },
    { type: 'softmax', num_classes: 10 },
  ];
}

/** A convnetjs network with its trainer over a fixed batch: `step()` trains on all of it once. */
export function convnetjsStep(
  name: 'simple' | 'deep',
  x: Float32Array,
  labels: Int32Array,
): { step: () => void } {
  const lib = load();
  const net = new lib.Net();
  net.makeLayers(layerDefs(name));
  const batch = labels.length;
  const trainer = new lib.Trainer(net, {
    method: CONVNETJS_METHOD,
    batch_size: batch,
    l2_decay: 0,
  });
  const samples = Array.from({ length: batch }, (_, i) => {
    const vol = new lib.Vol(28, 28, 1, 0);
    vol.w.set(x.subarray(i * 784, (i + 1) * 784));
    return vol;
  });
  return {
    step: () => {
      for (let i = 0; i < batch; i++) trainer.train(samples[i]!, labels[i]!);
    },
  };
}
