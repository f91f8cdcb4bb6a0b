import { bench, describe } from 'vitest';
import { Rng, randint, randn } from '@dl/tensor';
import type { LayerNetwork } from './layer-network.js';
import { DeepConvNet } from './deep-conv-net.js';
import { SimpleConvNet } from './simple-conv-net.js';

// One training step (forward, backward, an SGD update) on the current backend, batch 100 of 1x28x28
// (`npx vitest bench --run src/networks/conv-nets.bench.ts` in this package).
function step(net: LayerNetwork, batch: number): () => void {
  const rng = new Rng(1);
  const x = randn([batch, 1, 28, 28], rng);
  const t = randint([batch], rng, 0, 10);
  return () => {
    net.gradient(x, t, { train: true, rng });
    for (const p of net.params()) {
      const [w, g] = [p.value.data, p.grad.data];
      for (let i = 0; i < w.length; i++) w[i] = w[i]! - 0.001 * g[i]!;
    }
  };
}

describe('training step, batch 100', () => {
  bench('SimpleConvNet (30 filters 5x5, hidden 100)', step(new SimpleConvNet(), 100), {
    iterations: 10,
    warmupIterations: 2,
  });
  bench('DeepConvNet (6 conv layers, 123 552 params)', step(new DeepConvNet(), 100), {
    iterations: 3,
    warmupIterations: 1,
  });
});
