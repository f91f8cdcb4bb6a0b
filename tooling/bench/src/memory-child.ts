/**
 * One short training run of ours in a fresh process, for the memory bench (memory-bench.ts starts
 * it): `node --import tsx --conditions=source memory-child.ts KIND STEPS THREADS SEED`, KIND `two`,
 * `simple` or `deep`, THREADS a count or `auto`. It does what `dl train --model NAME --iters STEPS`
 * does up to its training loop: the wasm backend chosen as `dl train --backend wasm` chooses it, the
 * bundled MNIST loaded as `dl train` loads it (flat images for TwoLayerNet, `[N, 1, 28, 28]` for the
 * CNNs), the book's network and optimizer (step-workloads.ts), then STEPS steps of the library's
 * `Trainer` (batches of 100 drawn with replacement, gradient, update), no evaluation. Prints one
 * JSON line (`MemoryChildReport`) with the process's peak resident set, read last (and once before
 * the library loads: the library is imported dynamically for that).
 */
import { peakRssKiB, type MemoryChildReport } from './memory-report.js';
import { STEP_WORKLOADS } from './step-workloads.js';

async function main([kind, stepsArg, threadsArg, seedArg]: readonly string[]): Promise<void> {
  const workload = STEP_WORKLOADS.find((w) => w.kind === kind);
  const steps = Number(stepsArg);
  const seed = Number(seedArg);
  const threads = threadsArg === 'auto' ? 'auto' : Number(threadsArg);
  if (
    workload === undefined ||
    !Number.isInteger(steps) ||
    steps < 1 ||
    !Number.isInteger(seed) ||
    (threads !== 'auto' && !(Number.isInteger(threads) && threads >= 1))
  ) {
    throw new Error(
      `memory-child: usage: KIND STEPS THREADS SEED (KIND two|simple|deep, THREADS a count or auto), got ${[kind, stepsArg, threadsArg, seedArg].join(' ')}`,
    );
  }
  const startKiB = peakRssKiB();
  const { chooseBackend, setBackend } = await import('./tensor.js');
  const lib = await import('./networks.js');
  const chosen = await chooseBackend({ backend: 'wasm', threads });
  if (chosen.name !== 'wasm') throw new Error(`memory-child: no wasm backend: ${chosen.reason}`);
  const kernels = chosen.backend;
  setBackend(kernels);
  // As `dl train` loads it: the images as bytes, each batch scaled by the Trainer.
  const data = lib.loadMnistBytes({ flatten: workload.sample.length === 1 });
  const { net, optimizer } = workload.make(lib, kernels);
  // Per-epoch evaluations at epoch ends only: a run shorter than an epoch trains and does nothing else.
  const trainer = new lib.Trainer({
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
  const report: MemoryChildReport = {
    maxRssKiB: peakRssKiB(),
    startKiB,
    steps,
    loss,
    engine: `${kernels.features.variant}, ${kernels.features.threads} thread${kernels.features.threads === 1 ? '' : 's'}`,
  };
  await kernels.close();
  console.log(JSON.stringify(report));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
