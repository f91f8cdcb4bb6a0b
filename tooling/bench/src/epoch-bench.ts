import type * as NetworksModule from './networks.js';
import type { LayerNetwork } from './networks.js';
import { Rng, withBackend, type Kernels } from './tensor.js';

type NetContext = Parameters<LayerNetwork['gradient']>[2];
type SampleRng = Parameters<typeof NetworksModule.sampleBatch>[3];

export interface EpochCell {
  /** Wall time of all the steps, batch sampling included. */
  totalMs: number;
  steps: number;
  firstMs: number;
  medianMs: number;
}

export interface EpochReport {
  data: string;
  /** 600 steps of batch 100: one epoch of the 60 000 training images; fewer with --quick. */
  steps: number;
  cells: Record<string, EpochCell>;
}

/**
 * One epoch of SimpleConvNet as the book's Trainer runs it (ch07/train_convnet.py): 600 steps, each
 * drawing a batch of 100 from the 60 000 real MNIST training images (with replacement, as
 * np.random.choice), then gradient and Adam's update; measured in full, never extrapolated.
 */
export async function runEpochBench(
  backends: Readonly<Record<string, Kernels>>,
  quick: boolean,
  onCell?: (engine: string) => void,
): Promise<EpochReport> {
  const lib = await import('./networks.js');
  const { xTrain, tTrain } = lib.loadMnist({ flatten: false });
  const steps = quick ? 60 : 600;
  const cells: Record<string, EpochCell> = {};
  for (const [engine, kernels] of Object.entries(backends)) {
    const net = new lib.SimpleConvNet();
    const adam = new lib.Adam({ lr: 0.001 });
    const rng = new Rng(1);
    const ctx = { train: true, rng } as unknown as NetContext;
    const times: number[] = [];
    const start = performance.now();
    withBackend(kernels, () => {
      for (let i = 0; i < steps; i++) {
        const stepStart = performance.now();
        const { x, t } = lib.sampleBatch(xTrain, tTrain, 100, rng as unknown as SampleRng);
        net.gradient(x, t, ctx);
        adam.update(net.params());
        times.push(performance.now() - stepStart);
      }
    });
    const totalMs = performance.now() - start;
    const sorted = times.slice(1).sort((a, b) => a - b);
    cells[engine] = { totalMs, steps, firstMs: times[0]!, medianMs: sorted[sorted.length >> 1] ?? times[0]! };
    onCell?.(engine);
  }
  return {
    data: 'the 60 000 MNIST training images (@dl/data-mnist loadMnist), batches drawn with replacement',
    steps,
    cells,
  };
}
