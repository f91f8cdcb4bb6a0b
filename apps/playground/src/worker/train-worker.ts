import { buildModel, hostCopy, saveModel, specInputShape, type LayerNetwork } from '@dl/layers';
import { Trainer, createOptimizer, type Optimizer } from '@dl/optim';
import { Rng, Tensor, chooseBackend, isDeviceResident, type Kernels } from '@dl/tensor';
import type { WebGpuKernels } from '@dl/tensor/webgpu';
import {
  CHUNK_IMAGES,
  fetchAsset,
  IMAGE_SIZE,
  checkAsset,
  chunksFor,
  imagesFile,
  labelsFile,
  normalizePixels,
  type MnistSplit,
} from '../lib/mnist-asset.js';
import type {
  BackendChoice,
  ThreadsChoice,
  BackendInfo,
  FromWorker,
  ToWorker,
  TrainConfig,
  TrainOptimizer,
} from './protocol.js';

/** The longest a loss waits in the worker before it is posted to the page. */
const POST_EVERY_MS = 100;

// Training runs here, off the page's thread: the page stays responsive and draws what we post.

/** What this module uses of a dedicated worker's global scope (the DOM lib types `self` as a window). */
interface WorkerScope {
  postMessage(message: FromWorker, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToWorker>) => void): void;
  readonly crossOriginIsolated: boolean;
}
const scope = self as unknown as WorkerScope;

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

/** The first `count` images and labels of a split, as the book's normalised float32 `[N, 784]` and int32 `[N]`. */
async function loadSplit(
  baseUrl: string,
  split: MnistSplit,
  count: number,
): Promise<{ x: Tensor<'float32'>; t: Tensor<'int32'> }> {
  const labels = await fetchAsset(new URL(labelsFile(split), baseUrl).href);
  checkAsset(labelsFile(split), labels, 'labels');
  const n = Math.min(count, labels.length);
  const pixels = new Uint8Array(n * IMAGE_SIZE);
  for (let k = 0; k < chunksFor(n); k++) {
    post({
      type: 'progress',
      text: `Downloading ${split} images ${k * CHUNK_IMAGES + 1}–${Math.min(n, (k + 1) * CHUNK_IMAGES)}…`,
    });
    const chunk = await fetchAsset(new URL(imagesFile(split, k), baseUrl).href);
    checkAsset(imagesFile(split, k), chunk, 'images');
    const rows = Math.min(CHUNK_IMAGES, n - k * CHUNK_IMAGES);
    pixels.set(chunk.subarray(0, rows * IMAGE_SIZE), k * CHUNK_IMAGES * IMAGE_SIZE);
  }
  return {
    x: new Tensor(normalizePixels(pixels), [n, IMAGE_SIZE], 'float32'),
    t: new Tensor(Int32Array.from(labels.subarray(0, n)), [n], 'int32'),
  };
}

let webgpu: Promise<WebGpuKernels> | null = null;

/**
 * The worker's one WebGPU device, opened on first use and kept for later runs: the tensors of a run
 * release their GPU buffers when collected, which a destroyed device would refuse. The module is
 * loaded on demand, so runs on wasm or js never fetch it.
 */
function openWebGpu(): Promise<WebGpuKernels> {
  webgpu ??= import('@dl/tensor/webgpu').then((m) => m.createWebGpuKernels());
  // A failure (no adapter) is reported to the page; the next run tries again.
  webgpu.catch(() => {
    webgpu = null;
  });
  return webgpu;
}

/**
 * The backend the network, its optimizer and the Trainer are given (its tensors live in its memory),
 * and what the page shows of it.
 */
async function useBackend(
  choice: BackendChoice,
  threadsChoice: ThreadsChoice,
): Promise<{ kernels: Kernels; info: BackendInfo }> {
  if (choice === 'webgpu') {
    const kernels = await openWebGpu();
    const { adapter, warning } = kernels.gpu;
    const info: BackendInfo = { name: 'webgpu', variant: 'webgpu', threads: 1, adapter };
    return { kernels, info: warning === undefined ? info : { ...info, warning } };
  }
  // This worker is the pool's calling thread: a dedicated worker may block in Atomics.wait, which
  // the page's main thread may not.
  const threads = threadsChoice === 'auto' ? 'auto' : Number(threadsChoice);
  const chosen = await chooseBackend({ backend: choice, threads });
  if (chosen.name === 'js') {
    // `js` asked for is no fallback; anything else that ends on js says why.
    const fallback = choice === 'js' ? {} : { fallback: chosen.reason };
    return { kernels: chosen.backend, info: { name: 'js', variant: 'js', threads: 1, ...fallback } };
  }
  const { variant, threadsNote } = chosen.backend.features;
  const info: BackendInfo = {
    name: 'wasm',
    variant,
    threads: chosen.backend.features.threads,
    ...(threadsNote === undefined ? {} : { threadsNote }),
  };
  return { kernels: chosen.backend, info };
}

function optimizer(name: TrainOptimizer, lr: number, backend: Kernels): Optimizer {
  return createOptimizer(name, { lr, backend });
}

let controller: AbortController | null = null;

async function train(config: TrainConfig, signal: AbortSignal): Promise<void> {
  post({ type: 'progress', text: 'Loading the backend…' });
  const { kernels, info: backend } = await useBackend(config.backend, config.threads);
  const train = await loadSplit(config.dataUrl, 'train', config.trainSize);
  const test = await loadSplit(config.dataUrl, 'test', config.testSize);
  const network = buildModel(config.spec, { rng: new Rng(config.seed), backend: kernels });
  // Convolutional networks take [N, 1, 28, 28]: the same pixels, viewed as images.
  const shape = specInputShape(config.spec);
  const xTrain = train.x.reshape(train.t.size, ...shape);
  const xTest = test.x.reshape(test.t.size, ...shape);
  const parameters = network.params().reduce((n, p) => n + p.value.size, 0);
  post({
    type: 'ready',
    backend,
    trainSize: train.t.size,
    testSize: test.t.size,
    parameters,
    crossOriginIsolated: scope.crossOriginIsolated,
  });

  // Losses are posted in batches (POST_EVERY_MS apart at most): one message per step would flood the page.
  let pending: number[] = [];
  let firstPending = 1;
  let lastPost = performance.now();
  let lastRate = 0;
  let lastEpoch = 1;
  const flush = (totalSteps: number): void => {
    if (pending.length === 0) return;
    post({
      type: 'steps',
      firstStep: firstPending,
      losses: pending,
      epoch: lastEpoch,
      totalSteps,
      imagesPerSecond: lastRate,
    });
    firstPending += pending.length;
    pending = [];
    lastPost = performance.now();
  };
  const trainer = new Trainer({
    model: network,
    optimizer: optimizer(config.optimizer, config.lr, kernels),
    data: { xTrain, tTrain: train.t, xTest, tTest: test.t },
    batchSize: config.batchSize,
    epochs: config.epochs,
    seed: config.seed,
    evaluateAt: 'epochEnd',
    evaluateSampleNumPerEpoch: config.evalSamples,
    signal,
    onStep: (e) => {
      pending.push(e.loss);
      lastRate = e.imagesPerSecond;
      lastEpoch = e.epoch;
      if (performance.now() - lastPost > POST_EVERY_MS) flush(trainer.config.maxIter);
    },
    onEpoch: (event) => {
      flush(trainer.config.maxIter);
      post({ type: 'epoch', event });
    },
    // On webgpu the Trainer records each step before it reads the previous step's loss back.
    backend: kernels,
  });
  const result = await trainer.train();
  flush(trainer.config.maxIter);
  // A GPU's weights cannot be read synchronously: a CPU copy of the network is what is saved.
  const saved: LayerNetwork = isDeviceResident(kernels) ? await hostCopy(network, config.spec) : network;
  const model = saveModel(saved, config.spec, {
    metadata: {
      'playground.trainedBy': 'the playground’s training page',
      'playground.config': JSON.stringify({ ...config, dataUrl: undefined }),
      'playground.testAccuracy': String(result.testAcc),
    },
  });
  post(
    {
      type: 'done',
      summary: {
        testAcc: result.testAcc,
        testSize: test.t.size,
        steps: result.steps,
        epochs: result.epochs,
        seconds: result.seconds,
        aborted: result.aborted,
      },
      model,
    },
    [model.buffer],
  );
}

scope.addEventListener('message', (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  if (message.type === 'stop') {
    controller?.abort();
    return;
  }
  if (controller) {
    post({ type: 'error', message: 'a training run is already in progress' });
    return;
  }
  const current = new AbortController();
  controller = current;
  train(message.config, current.signal)
    .catch((e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }))
    .finally(() => {
      controller = null;
    });
});
