import type { LayerNetwork } from './networks.js';
import { runPython, type NumpyThreads } from './numpy.js';
import { Tensor, type Kernels } from './tensor.js';
import { buildTfjsModel, loadTfjs, loadTfjsWebGpu, type Tfjs } from './tfjs.js';
import { SOFTWARE_LABEL, webgpuEngines, type OurGpu } from './webgpu.js';

type NetInput = Parameters<LayerNetwork['accuracy']>[0];
type NetLabels = Parameters<LayerNetwork['accuracy']>[1];

/** A pass over the test images: the warm-up pass (on a tenth of them) apart, then the median of `runs`. */
export type InferenceCell =
  | {
      firstMs: number;
      medianMs: number;
      runs: number;
      accuracy?: number;
      /** Images per pass where not the report's (the webgpu columns on a software adapter). */
      images?: number;
      /** On a software WebGPU adapter: labelled so, no target. */
      software?: boolean;
    }
  | { skipped: string };

export interface InferenceReport {
  images: number;
  batch: number;
  data: string;
  cells: Record<string, InferenceCell>;
  numpy: string;
  tfjs: string;
  /** The webgpu columns' engines and sizes; undefined when not run. */
  webgpu?: { ours: string; tfjs: string; software: boolean; note: string };
}

export interface InferenceBenchOptions {
  /** Our backends to time (js is left out: it would take minutes; so is plain SIMD when relaxed is there). */
  backends: Readonly<Record<string, Kernels>>;
  quick: boolean;
  numpy: boolean;
  /** Our webgpu backend (or why it did not open): the webgpu columns; undefined: none. */
  webgpu?: OurGpu;
  onCell?: (engine: string) => void;
}

/** Images per pass on a software adapter (DeepConvNet's forward is ~16 MFLOP an image; llvmpipe ~0.3 GFLOP/s). */
const SOFTWARE_IMAGES = 100;

/** `timeRuns` for a pass that ends in a read from the GPU; the warm-up pass is on `warmup` images. */
async function timeRunsAsync(
  pass: (images: number) => Promise<number>,
  images: number,
  runs: number,
  warmup: number,
): Promise<InferenceCell> {
  let start = performance.now();
  await pass(warmup);
  const firstMs = performance.now() - start;
  let correct = 0;
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    start = performance.now();
    correct = await pass(images);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { firstMs, medianMs: times[times.length >> 1]!, runs, accuracy: correct / images };
}

/** `tfjsPass` on a backend that reads back asynchronously only (webgpu in Node): `await scores.data()`. */
function tfjsAsyncPass(
  tfjs: Tfjs,
  pixels: Float32Array,
  labels: Int32Array,
  batch: number,
): (n: number) => Promise<number> {
  const { tf } = tfjs;
  const model = buildTfjsModel(tfjs, 'deep');
  const all = tf.tensor4d(pixels, [labels.length, 28, 28, 1]);
  return async (n: number): Promise<number> => {
    let correct = 0;
    for (let start = 0; start < n; start += batch) {
      const size = Math.min(batch, n - start);
      const scores = tf.tidy(
        () =>
          model.predict(tf.slice(all, [start, 0, 0, 0], [size, 28, 28, 1])) as ReturnType<typeof tf.tensor>,
      );
      correct += countCorrect((await scores.data()) as Float32Array, labels, start);
      scores.dispose();
    }
    return correct;
  };
}

/** TF.js's cpu backend is timed only when a pass would take less than this. */
const TFJS_CPU_LIMIT_MS = 60_000;

function timeRuns(pass: (images: number) => number, images: number, runs: number): InferenceCell {
  const firstMs = (() => {
    const start = performance.now();
    pass(Math.max(100, images / 10));
    return performance.now() - start;
  })();
  let correct = 0;
  const times = Array.from({ length: runs }, () => {
    const start = performance.now();
    correct = pass(images);
    return performance.now() - start;
  }).sort((a, b) => a - b);
  return { firstMs, medianMs: times[times.length >> 1]!, runs, accuracy: correct / images };
}

/** Argmax of each row of `scores` (`rows`×10), counted against `labels` from `offset`. */
function countCorrect(scores: Float32Array, labels: Int32Array, offset: number): number {
  let correct = 0;
  for (let r = 0; r < scores.length / 10; r++) {
    let best = 0;
    for (let c = 1; c < 10; c++) if (scores[r * 10 + c]! > scores[r * 10 + best]!) best = c;
    if (best === labels[offset + r]) correct++;
  }
  return correct;
}

function tfjsPass(
  tfjs: Tfjs,
  pixels: Float32Array,
  labels: Int32Array,
  batch: number,
): (n: number) => number {
  const { tf } = tfjs;
  const model = buildTfjsModel(tfjs, 'deep');
  const all = tf.tensor4d(pixels, [labels.length, 28, 28, 1]);
  return (n: number): number => {
    let correct = 0;
    for (let start = 0; start < n; start += batch) {
      const size = Math.min(batch, n - start);
      const scores = tf.tidy(
        () =>
          model.predict(tf.slice(all, [start, 0, 0, 0], [size, 28, 28, 1])) as ReturnType<typeof tf.tensor>,
      );
      correct += countCorrect(scores.dataSync() as Float32Array, labels, start);
      scores.dispose();
    }
    return correct;
  };
}

interface InferenceReply {
  numpy: string;
  inference: { firstMs: number; medianMs: number; runs: number };
}

/**
 * DeepConvNet's predict over the 10 000 MNIST test images (real ones, `@dl/data-mnist`), in batches
 * of 100 as the book's accuracy(): ours on each wasm backend, TF.js on wasm (and on cpu when a pass
 * takes under a minute), the book's NumPy on one thread. Untrained weights: the accuracy is ~10%,
 * the arithmetic the same as a trained network's.
 */
export async function runInferenceBench({
  backends,
  quick,
  numpy,
  webgpu,
  onCell,
}: InferenceBenchOptions): Promise<InferenceReport> {
  const lib = await import('./networks.js');
  const tfjs = await loadTfjs();
  const images = quick ? 1000 : 10_000;
  const runs = quick ? 1 : 3;
  const batch = 100;
  const { xTest, tTest } = lib.loadMnist({ flatten: false });
  // The first n test images and labels, as views.
  const head = (n: number): [NetInput, NetLabels] => [
    new Tensor(xTest.data.subarray(0, n * 784), [n, 1, 28, 28]) as unknown as NetInput,
    new Tensor(tTest.data.subarray(0, n), [n]) as unknown as NetLabels,
  ];
  const cells: Record<string, InferenceCell> = {};
  for (const [engine, kernels] of Object.entries(backends)) {
    // js would take minutes; plain SIMD only where there is no relaxed build (one single-thread column).
    if (engine === 'js' || (engine === 'wasm simd' && 'wasm relaxed' in backends)) continue;
    // On the backend explicitly: its weights and activations live in its storage (dl's way).
    const net = new lib.DeepConvNet({ backend: kernels });
    const pass = (n: number): number => Math.round(n * net.accuracy(...head(n), { batchSize: batch }));
    cells[engine] = timeRuns(pass, images, runs);
    onCell?.(engine);
  }
  const pixels = new Float32Array(xTest.data.subarray(0, images * 784));
  const labels = new Int32Array(tTest.data.subarray(0, images));
  for (const backend of ['wasm', 'cpu'] as const) {
    const column = `tfjs ${backend}`;
    if (!(await tfjs.use(backend))) {
      cells[column] = { skipped: 'n/a (backend failed)' };
      continue;
    }
    const pass = tfjsPass(tfjs, pixels, labels, batch);
    if (backend === 'cpu' && quick) {
      cells[column] = { skipped: 'full run only' };
      continue;
    }
    if (backend === 'cpu') {
      const start = performance.now();
      pass(batch);
      const perBatch = performance.now() - start;
      if ((perBatch * images) / batch > TFJS_CPU_LIMIT_MS) {
        cells[column] = {
          skipped: `skipped: ${(perBatch / 1000).toFixed(1)} s per batch of ${batch} (a pass would take minutes)`,
        };
        continue;
      }
    }
    cells[column] = timeRuns(pass, images, runs);
    onCell?.(column);
  }
  let gpuReport: InferenceReport['webgpu'];
  if (webgpu) {
    const software = webgpu.ok && webgpu.software;
    const gpuImages = software ? Math.min(SOFTWARE_IMAGES, images) : images;
    const gpuRuns = software ? 1 : runs;
    // The warm-up pass as the others' (a tenth), but a whole batch on a software adapter: its
    // first batch compiles the pipelines.
    const warmup = software ? batch : Math.max(100, images / 10);
    const label = software ? { software: true, images: gpuImages } : {};
    if (!webgpu.ok) {
      cells.webgpu = { skipped: `n/a (${webgpu.reason})` };
    } else {
      // On the backend explicitly; accuracyAsync reads each batch's predicted classes back.
      const net = new lib.DeepConvNet({ backend: webgpu.kernels });
      const pass = async (n: number): Promise<number> =>
        Math.round(n * (await net.accuracyAsync(...head(n), { batchSize: batch })));
      cells.webgpu = { ...(await timeRunsAsync(pass, gpuImages, gpuRuns, warmup)), ...label };
      onCell?.('webgpu');
    }
    const tfjsGpu = await loadTfjsWebGpu(tfjs);
    if (!tfjsGpu.ok || !(await tfjs.use('webgpu'))) {
      cells['tfjs webgpu'] = { skipped: `n/a (${tfjsGpu.ok ? 'backend failed' : tfjsGpu.reason})` };
    } else {
      const pass = tfjsAsyncPass(tfjs, pixels, labels, batch);
      cells['tfjs webgpu'] = { ...(await timeRunsAsync(pass, gpuImages, gpuRuns, warmup)), ...label };
      onCell?.('tfjs webgpu');
    }
    gpuReport = {
      ...webgpuEngines(webgpu, tfjsGpu, tfjs.version),
      software,
      note:
        'ours: accuracyAsync (each batch predicted on the GPU, its classes read back); tfjs: model.predict, await data()' +
        (software
          ? `; ${SOFTWARE_LABEL} (llvmpipe): ${gpuImages} images, ${gpuRuns} pass after a warm-up pass of ${warmup}, no target`
          : ''),
    };
  }
  let numpyLabel = 'n/a (--no-numpy)';
  if (numpy) {
    for (const threads of ['single'] as NumpyThreads[]) {
      const run = runPython<InferenceReply>('steps.py', { inference: { images, batch, runs: 1 } }, threads);
      numpyLabel = run.ok
        ? `NumPy ${run.reply.numpy}, the book's DeepConvNet.predict (float64)`
        : `n/a (${run.reason})`;
      cells['numpy 1T'] = run.ok ? run.reply.inference : { skipped: 'n/a' };
      onCell?.('numpy 1T');
    }
  }
  return {
    images,
    batch,
    data: `the MNIST test images (@dl/data-mnist loadMnist), ${images} of them`,
    cells,
    numpy: numpyLabel,
    tfjs: `TF.js ${tfjs.version} (tfjs-layers model.predict; ${tfjs.wasmNote})`,
    ...(gpuReport ? { webgpu: gpuReport } : {}),
  };
}
