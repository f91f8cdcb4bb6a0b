import { accuracyByPrecision, loadModel } from '@dl/layers';
import { chooseBackend, jsKernels, Tensor, type Kernels } from '@dl/tensor';
import type { WebGpuKernels } from '@dl/tensor/webgpu';
import {
  checkAsset,
  fetchAsset,
  IMAGE_SIZE,
  imagesFile,
  labelsFile,
  normalizePixels,
} from '../lib/mnist-asset.js';
import { weightRounding } from '../lib/weight-rounding.js';
import type { BenchBackend, FromDeepWorker, PrecisionRow, ToDeepWorker } from './deep-protocol.js';

// The chapter 8 page's measurements, off the page's thread: DeepConvNet's inference speed on each
// backend, and its accuracy with the weights rounded to 16-bit formats.

interface WorkerScope {
  postMessage(message: FromDeepWorker): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<ToDeepWorker>) => void): void;
}
const scope = self as unknown as WorkerScope;
const post = (message: FromDeepWorker): void => scope.postMessage(message);

interface TestSet {
  x: Tensor<'float32'>;
  t: Tensor<'int32'>;
}

let testSet: Promise<TestSet> | null = null;

/** The 10 000 MNIST test images as `[N, 1, 28, 28]` and their labels, fetched once. */
function loadTestSet(dataUrl: string): Promise<TestSet> {
  testSet ??= (async () => {
    const [pixels, labels] = await Promise.all([
      fetchAsset(dataUrl + imagesFile('test', 0)),
      fetchAsset(dataUrl + labelsFile('test')),
    ]);
    checkAsset(imagesFile('test', 0), pixels, 'images');
    checkAsset(labelsFile('test'), labels, 'labels');
    const n = Math.min(labels.length, pixels.length / IMAGE_SIZE);
    return {
      x: new Tensor(normalizePixels(pixels.subarray(0, n * IMAGE_SIZE)), [n, 1, 28, 28], 'float32'),
      t: new Tensor(Int32Array.from(labels.subarray(0, n)), [n], 'int32'),
    };
  })();
  testSet.catch(() => {
    testSet = null;
  });
  return testSet;
}

// Each backend is opened once and kept: the wasm backend's threads and the GPU device are costly
// to start, and a network's GPU buffers are released to the device that made them.
let wasm: Promise<{ kernels: Kernels; ran: string }> | null = null;
let webgpu: Promise<WebGpuKernels> | null = null;

async function openBackend(name: BenchBackend): Promise<{ kernels: Kernels; ran: string; warning?: string }> {
  if (name === 'js') return { kernels: jsKernels, ran: 'js' };
  if (name === 'wasm') {
    wasm ??= chooseBackend({ backend: 'wasm', threads: 'auto' }).then((chosen) => {
      if (chosen.name !== 'wasm') throw new Error(`no WebAssembly backend: ${chosen.reason}`);
      const { variant, threads } = chosen.backend.features;
      return { kernels: chosen.backend, ran: `${variant}, ${threads} thread${threads === 1 ? '' : 's'}` };
    });
    wasm.catch(() => {
      wasm = null;
    });
    return wasm;
  }
  webgpu ??= import('@dl/tensor/webgpu').then((m) => m.createWebGpuKernels());
  webgpu.catch(() => {
    webgpu = null;
  });
  const kernels = await webgpu;
  const { adapter, warning } = kernels.gpu;
  return { kernels, ran: `webgpu on ${adapter}`, ...(warning === undefined ? {} : { warning }) };
}

/** The first `n` rows of a test set (views, no copies). */
function firstRows(set: TestSet, n: number): TestSet {
  return {
    x: new Tensor(set.x.data.subarray(0, n * IMAGE_SIZE), [n, 1, 28, 28], 'float32'),
    t: new Tensor(set.t.data.subarray(0, n), [n], 'int32'),
  };
}

/**
 * Images per second of the network's inference (forward pass and predicted class, read back) on one
 * backend: a warm-up batch (it compiles the GPU's pipelines), then as many batches as fit in about
 * `seconds` by the warm-up's rate.
 */
async function bench(message: Extract<ToDeepWorker, { type: 'bench' }>): Promise<void> {
  const { id, batchSize } = message;
  post({ type: 'progress', id, text: `Opening the ${message.backend} backend…` });
  const [set, opened] = await Promise.all([loadTestSet(message.dataUrl), openBackend(message.backend)]);
  const { network } = loadModel(message.model, { backend: opened.kernels });
  const warm = firstRows(set, Math.min(batchSize, set.t.size));
  post({ type: 'progress', id, text: `Warming up ${opened.ran}…` });
  let started = performance.now();
  await network.accuracyAsync(warm.x, warm.t, { batchSize });
  const warmRate = warm.t.size / Math.max(1e-3, (performance.now() - started) / 1000);
  const batches = Math.max(
    1,
    Math.min(Math.floor(set.t.size / batchSize), Math.round((warmRate * message.seconds) / batchSize)),
  );
  const rows = firstRows(set, batches * batchSize);
  post({ type: 'progress', id, text: `Measuring ${opened.ran} on ${rows.t.size} images…` });
  started = performance.now();
  const accuracy = await network.accuracyAsync(rows.x, rows.t, { batchSize });
  const seconds = (performance.now() - started) / 1000;
  post({
    type: 'bench',
    id,
    result: {
      backend: message.backend,
      ran: opened.ran,
      images: rows.t.size,
      seconds,
      imagesPerSecond: rows.t.size / seconds,
      accuracy,
      ...(opened.warning === undefined ? {} : { warning: opened.warning }),
    },
  });
}

/** Test accuracy with the weights rounded to float16 and bfloat16 beside float32, on the wasm backend. */
async function precision(message: Extract<ToDeepWorker, { type: 'precision' }>): Promise<void> {
  const { id } = message;
  post({ type: 'progress', id, text: 'Loading the test images…' });
  const [set, opened] = await Promise.all([loadTestSet(message.dataUrl), openBackend('wasm')]);
  const { network } = loadModel(message.model, { backend: opened.kernels });
  const rows = firstRows(set, Math.min(message.images, set.t.size));
  post({ type: 'progress', id, text: `Classifying ${rows.t.size} images with each precision…` });
  const accuracy = accuracyByPrecision(network, rows.x, rows.t, { batchSize: 100 });
  const result: PrecisionRow[] = (['float32', 'float16', 'bfloat16'] as const).map((p) => ({
    precision: p,
    accuracy: accuracy[p]!,
    ...weightRounding(network, p),
  }));
  post({ type: 'precision', id, rows: result, images: rows.t.size, ran: opened.ran });
}

// One request at a time, in order: measurements running side by side would slow each other.
let queue: Promise<void> = Promise.resolve();

scope.addEventListener('message', (event: MessageEvent<ToDeepWorker>) => {
  const message = event.data;
  queue = queue.then(() =>
    (message.type === 'bench' ? bench(message) : precision(message)).catch((e: unknown) =>
      post({ type: 'error', id: message.id, message: e instanceof Error ? e.message : String(e) }),
    ),
  );
});
