/**
 * Trains the small models the app ships with and writes them as dl `.safetensors` files into
 * `public/models/` (committed). Re-run only to change a model:
 *
 *   node --conditions source --import tsx scripts/train-shipped-model.ts two-layer-net
 *   node --conditions source --import tsx scripts/train-shipped-model.ts simple-conv-net
 *   node --conditions source --import tsx scripts/train-shipped-model.ts deep-conv-net --threads 2
 *
 * `--threads N` runs the wasm backend on N threads (default 1); threads change the speed, not the
 * numbers written.
 * Seeded, so the same file comes out every time on the same code and backend.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel, saveModel } from '@dl/layers';
import { Trainer, createOptimizer } from '@dl/optim';
import { chooseBackend, Rng, setBackend } from '@dl/tensor';
import { loadMnist } from '../../../packages/data-mnist/src/index.js';
import { SHIPPED_MODELS, type ShippedModelName } from '../src/lib/shipped-model.js';

const name = process.argv[2] as ShippedModelName;
const shipped = SHIPPED_MODELS[name];
if (!shipped) {
  console.error(`usage: train-shipped-model.ts ${Object.keys(SHIPPED_MODELS).join('|')}`);
  process.exit(2);
}
const { spec, training } = shipped;
const threadsAt = process.argv.indexOf('--threads');
const threads = threadsAt > 0 ? Number(process.argv[threadsAt + 1]) : 1;
if (!(Number.isInteger(threads) && threads >= 1)) {
  console.error('--threads takes a whole number >= 1');
  process.exit(2);
}
const chosen = await chooseBackend({ threads });
setBackend(chosen.backend);
console.log(`backend: ${chosen.name}: ${chosen.reason}`);

const data = loadMnist({ flatten: !('inputDim' in spec) });
const network = buildModel(spec, { rng: new Rng(training.seed) });
const trainer = new Trainer({
  model: network,
  optimizer: createOptimizer(training.optimizer, { lr: training.lr }),
  data,
  batchSize: training.batchSize,
  epochs: training.epochs,
  seed: training.seed,
  evaluateAt: 'epochEnd',
  evaluateSampleNumPerEpoch: 2000,
  yieldEvery: 0,
  onEpoch: (e) =>
    console.log(
      `epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, train acc ${e.trainAcc.toFixed(4)}, test acc ${e.testAcc.toFixed(4)} (first 2000), ${e.imagesPerSecond.toFixed(0)} images/s`,
    ),
});
const result = await trainer.train();
console.log(
  `test accuracy on all 10 000 test images: ${result.testAcc.toFixed(4)} in ${result.seconds.toFixed(1)} s`,
);

const bytes = saveModel(network, spec, {
  metadata: {
    'playground.trainedBy': 'apps/playground/scripts/train-shipped-model.ts',
    'playground.training': JSON.stringify(training),
    'playground.testAccuracy': result.testAcc.toFixed(4),
  },
});
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', shipped.file);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, bytes);
console.log(`wrote ${out} (${bytes.length} bytes)`);
