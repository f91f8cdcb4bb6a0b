// One short training run of ours in a fresh process, as `dl train` runs: plain `node` on the packages'
// compiled JavaScript (`packages/*/dist`), no TypeScript loader, so the process holds what a user's
// `dl train --model NAME --iters STEPS` holds (memory-bench.ts builds the packages first and starts
// this). `node memory-child.mjs KIND STEPS THREADS SEED`: KIND `two`, `simple` or `deep`, THREADS a
// count or `auto`. The same run as memory-child.ts (which runs the sources under tsx): the wasm
// backend chosen as `dl train --backend wasm` chooses it, the bundled MNIST loaded as `dl train`
// loads it (`loadMnistBytes`: the images as bytes, each batch scaled by the Trainer; flat for
// TwoLayerNet, [N, 1, 28, 28] for the CNNs), the book's network and optimizer (as
// step-workloads.ts makes them), then STEPS `trainStep`s of batch 100, no evaluation. Prints one
// JSON line (memory-report.ts's MemoryChildReport), the peak resident set read last, and once
// before the library loads (it is imported dynamically for that).

import { readFileSync } from 'node:fs';

const NETWORKS = {
  two: {
    flatten: true,
    make: ({ TwoLayerNet }, { SGD }, backend) => ({
      net: new TwoLayerNet(784, 50, 10, { backend }),
      optimizer: new SGD({ lr: 0.1, backend }),
    }),
  },
  simple: {
    flatten: false,
    make: ({ SimpleConvNet }, { Adam }, backend) => ({
      net: new SimpleConvNet({ backend }),
      optimizer: new Adam({ lr: 0.001, backend }),
    }),
  },
  deep: {
    flatten: false,
    make: ({ DeepConvNet }, { Adam }, backend) => ({
      net: new DeepConvNet({ backend }),
      optimizer: new Adam({ lr: 0.001, backend }),
    }),
  },
};

const [kind, stepsArg, threadsArg, seedArg] = process.argv.slice(2);
const network = Object.hasOwn(NETWORKS, kind ?? '') ? NETWORKS[kind] : undefined;
const steps = Number(stepsArg);
const seed = Number(seedArg);
const threads = threadsArg === 'auto' ? 'auto' : Number(threadsArg);
if (
  network === undefined ||
  !Number.isInteger(steps) ||
  steps < 1 ||
  !Number.isInteger(seed) ||
  (threads !== 'auto' && !(Number.isInteger(threads) && threads >= 1))
) {
  console.error(
    `memory-child.mjs: usage: KIND STEPS THREADS SEED (KIND two|simple|deep, THREADS a count or auto), got ${[kind, stepsArg, threadsArg, seedArg].join(' ')}`,
  );
  process.exit(1);
}

/** Peak resident set in KiB, as memory-report.ts's `peakRssKiB` (why not `maxRSS`: there). */
function peakRssKiB() {
  try {
    const match = /^VmHWM:\s*(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // Not Linux: no /proc.
  }
  return process.resourceUsage().maxRSS;
}

const startKiB = peakRssKiB();
const root = new URL('../../../', import.meta.url);
const load = (name) => import(new URL(`packages/${name}/dist/index.js`, root).href);
const [tensor, layers, optim, mnist] = await Promise.all(
  ['tensor', 'layers', 'optim', 'data-mnist'].map(load),
);
const chosen = await tensor.chooseBackend({ backend: 'wasm', threads });
if (chosen.name !== 'wasm') {
  console.error(`memory-child.mjs: no wasm backend: ${chosen.reason}`);
  process.exit(1);
}
const kernels = chosen.backend;
tensor.setBackend(kernels);
const data = mnist.loadMnistBytes({ flatten: network.flatten });
const { net, optimizer } = network.make(layers, optim, kernels);
// Per-epoch evaluations at epoch ends only: a run shorter than an epoch trains and does nothing else.
const trainer = new optim.Trainer({
  model: net,
  optimizer,
  data,
  batchSize: 100,
  iterations: steps,
  seed,
  evaluateAt: 'epochEnd',
});
let loss = Number.NaN;
for (let i = 0; i < steps; i++) loss = trainer.trainStep();
const report = {
  maxRssKiB: peakRssKiB(),
  startKiB,
  steps,
  loss,
  engine: `${kernels.features.variant}, ${kernels.features.threads} thread${kernels.features.threads === 1 ? '' : 's'}, node on dist`,
};
await kernels.close();
console.log(JSON.stringify(report));
