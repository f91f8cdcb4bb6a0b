/**
 * TensorFlow.js as a comparison: `@tensorflow/tfjs-core` with its `cpu` (plain JavaScript) and `wasm`
 * (XNNPACK, WebAssembly SIMD) backends, and `@tensorflow/tfjs-layers` for the book's networks built
 * with the same architectures as ours (NHWC, TF.js's layout; MNIST has one channel, so the same
 * bytes). In Node, tfjs-backend-wasm runs on one thread: its multithreading flag is hard-wired off
 * there (tfjs issue 3830), so it loads the SIMD build without threads.
 *
 * Loaded lazily (`loadTfjs`), once: `tf.setBackend` switches the global backend between uses.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfLayers from '@tensorflow/tfjs-layers';

export const TFJS_BACKENDS = ['wasm', 'cpu'] as const;
export type TfjsBackend = (typeof TFJS_BACKENDS)[number];
/** Every backend `use` takes: webgpu only after `loadTfjsWebGpu` registered it. */
export type TfjsAnyBackend = TfjsBackend | 'webgpu';

export interface Tfjs {
  tf: typeof TfCore;
  tfl: typeof TfLayers;
  version: string;
  /** What the wasm backend runs: SIMD, threads. */
  wasmNote: string;
  /** Makes `backend` the global one (returns false when it cannot initialise). */
  use: (backend: TfjsAnyBackend) => Promise<boolean>;
}

let loaded: Promise<Tfjs> | undefined;

export function loadTfjs(): Promise<Tfjs> {
  loaded ??= (async (): Promise<Tfjs> => {
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-cpu');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const tfl = await import('@tensorflow/tfjs-layers');
    // Production mode, as an application runs it: no debug checks, no "install tfjs-node" banner.
    tf.env().set('PROD', true);
    const require = createRequire(import.meta.url);
    // File paths work in Node: the backend reads the .wasm with fs.
    wasm.setWasmPaths(
      `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`,
    );
    const use = async (backend: TfjsAnyBackend): Promise<boolean> => {
      if (tf.getBackend() === backend) return true;
      return tf.setBackend(backend);
    };
    let wasmNote = 'wasm backend unavailable';
    if (await use('wasm')) {
      const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
      const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
      wasmNote = `wasm ${simd ? 'SIMD' : 'no SIMD'}, ${threads ? `${wasm.getThreadsCount()} threads` : '1 thread (no threads in Node)'}`;
    }
    return { tf, tfl, version: tf.version_core, wasmNote, use };
  })();
  return loaded;
}

/** The kernel a backend lacks, from TF.js's "Kernel 'X' not registered for backend 'Y'" error. */
export function missingKernel(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  return /Kernel '(\w+)' not registered/.exec(message)?.[1];
}

export type TfjsNetworkName = 'two' | 'simple' | 'deep';

/**
 * The book's networks as tfjs-layers models, layer for layer as `@dl/layers` builds them:
 * TwoLayerNet Affine 784→50, ReLU, Affine 50→10; SimpleConvNet conv 30@5×5 (valid), ReLU, max pool
 * 2×2/2, Affine 4320→100, ReLU, Affine 100→10; DeepConvNet six 3×3 convolutions 16-16-32-32-64-64 with
 * ReLU (pad 1, the fourth pad 2: a zero padding of 2 then a valid convolution), max pools after every
 * second, Affine 1024→50, ReLU, Dropout 0.5, Affine 50→10, Dropout 0.5 (on the logits, as the book).
 * Softmax cross-entropy is the loss (`tf.losses.softmaxCrossEntropy`), outside the model.
 */
export function buildTfjsModel({ tfl }: Tfjs, name: TfjsNetworkName): TfLayers.Sequential {
  const L = tfl.layers;
  if (name === 'two') {
    return tfl.sequential({
      layers: [L.dense({ inputShape: [784], units: 50, activation: 'relu' }), L.dense({ units: 10 })],
    });
  }
  if (name === 'simple') {
    return tfl.sequential({
      layers: [
        L.conv2d({ inputShape: [28, 28, 1], filters: 30, kernelSize: 5, activation: 'relu' }),
        L.maxPooling2d({ poolSize: 2, strides: 2 }),
        L.flatten(),
        L.dense({ units: 100, activation: 'relu' }),
        L.dense({ units: 10 }),
      ],
    });
  }
  const conv = (filters: number, first = false): TfLayers.layers.Layer =>
    L.conv2d({
      ...(first ? { inputShape: [28, 28, 1] } : {}),
      filters,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: 'heNormal',
    });
  return tfl.sequential({
    layers: [
      conv(16, true),
      conv(16),
      L.maxPooling2d({ poolSize: 2, strides: 2 }),
      conv(32),
      L.zeroPadding2d({ padding: 2 }),
      L.conv2d({ filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: 'heNormal' }),
      L.maxPooling2d({ poolSize: 2, strides: 2 }),
      conv(64),
      conv(64),
      L.maxPooling2d({ poolSize: 2, strides: 2 }),
      L.flatten(),
      L.dense({ units: 50, activation: 'relu', kernelInitializer: 'heNormal' }),
      L.dropout({ rate: 0.5 }),
      L.dense({ units: 10, kernelInitializer: 'heNormal' }),
      L.dropout({ rate: 0.5 }),
    ],
  });
}

/** A training step of a TF.js model on the current backend, or the reason it cannot run there. */
export type TfjsTrainer = { step: () => void; dispose: () => void; firstMs: number } | { cannot: string };

/**
 * One step as a TF.js user writes it without `fit`'s callbacks: `optimizer.minimize` of the mean
 * softmax cross-entropy over the model's trainable weights, in training mode (dropout on). The
 * first step is run here: a backend that lacks a gradient kernel fails on it.
 */
export function tfjsTrainer(
  tfjs: Tfjs,
  name: TfjsNetworkName,
  x: Float32Array,
  labels: Int32Array,
  optimizer: 'sgd' | 'adam',
): TfjsTrainer {
  const { tf } = tfjs;
  const model = buildTfjsModel(tfjs, name);
  const batch = labels.length;
  const xs = tf.tensor(x, name === 'two' ? [batch, 784] : [batch, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  const opt = optimizer === 'sgd' ? tf.train.sgd(0.1) : tf.train.adam(0.001);
  const vars = model.trainableWeights.map((w) => w.read() as TfCore.Variable);
  const dispose = (): void => {
    tf.dispose([xs, ys]);
    opt.dispose();
    model.dispose();
  };
  const step = (): void => {
    const loss = opt.minimize(
      () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as TfCore.Tensor),
      true,
      vars,
    );
    loss?.dataSync();
    loss?.dispose();
  };
  const start = performance.now();
  try {
    step();
  } catch (error) {
    dispose();
    const kernel = missingKernel(error);
    if (kernel === undefined) throw error;
    return { cannot: `cannot train (missing kernel ${kernel})` };
  }
  return { step, dispose, firstMs: performance.now() - start };
}

let webgpuLoaded: Promise<{ ok: true; adapter: string } | { ok: false; reason: string }> | undefined;

/**
 * Registers TF.js's WebGPU backend (`@tensorflow/tfjs-backend-webgpu`) in this process, after
 * giving it a `navigator.gpu` from the npm package `webgpu` (`provideNavigatorGpu`: the backend
 * registers itself at import only where `navigator.gpu` exists), and initialises it. Once; the
 * adapter it runs on, or why it cannot run.
 */
export function loadTfjsWebGpu(
  tfjs: Tfjs,
): Promise<{ ok: true; adapter: string } | { ok: false; reason: string }> {
  webgpuLoaded ??= (async () => {
    const { provideNavigatorGpu } = await import('./webgpu.js');
    const gpu = await provideNavigatorGpu();
    if ('reason' in gpu) return { ok: false as const, reason: gpu.reason };
    try {
      await import('@tensorflow/tfjs-backend-webgpu');
    } catch (error) {
      return { ok: false as const, reason: `@tensorflow/tfjs-backend-webgpu did not load: ${String(error)}` };
    }
    const previous = tfjs.tf.getBackend();
    // TF.js logs the reason an initialisation failed and returns false.
    const ok = await tfjs.use('webgpu').catch(() => false);
    if (previous) await tfjs.tf.setBackend(previous);
    return ok
      ? { ok: true as const, adapter: gpu.adapter }
      : { ok: false as const, reason: `TF.js's webgpu backend did not initialise on ${gpu.adapter}` };
  })();
  return webgpuLoaded;
}

/** The GPUDevice of TF.js's current backend (webgpu), for the counters. */
export function tfjsDevice({ tf }: Tfjs): GPUDevice | undefined {
  return (tf.backend() as unknown as { device?: GPUDevice }).device;
}

/** `tfjsTrainer` for a backend that reads back asynchronously only (webgpu: no `dataSync` in Node). */
export type TfjsAsyncTrainer =
  { step: () => Promise<void>; dispose: () => void; firstMs: number } | { cannot: string };

/**
 * The same step as `tfjsTrainer`'s, ending in `await loss.data()` (TF.js's webgpu backend reads
 * synchronously only through a canvas, which Node lacks). The first step is run here.
 */
export async function tfjsAsyncTrainer(
  tfjs: Tfjs,
  name: TfjsNetworkName,
  x: Float32Array,
  labels: Int32Array,
  optimizer: 'sgd' | 'adam',
): Promise<TfjsAsyncTrainer> {
  const { tf } = tfjs;
  const model = buildTfjsModel(tfjs, name);
  const batch = labels.length;
  const xs = tf.tensor(x, name === 'two' ? [batch, 784] : [batch, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  const opt = optimizer === 'sgd' ? tf.train.sgd(0.1) : tf.train.adam(0.001);
  const vars = model.trainableWeights.map((w) => w.read() as TfCore.Variable);
  const dispose = (): void => {
    tf.dispose([xs, ys]);
    opt.dispose();
    model.dispose();
  };
  const step = async (): Promise<void> => {
    const loss = opt.minimize(
      () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as TfCore.Tensor),
      true,
      vars,
    );
    await loss?.data();
    loss?.dispose();
  };
  const start = performance.now();
  try {
    await step();
  } catch (error) {
    dispose();
    const kernel = missingKernel(error);
    if (kernel === undefined) return { cannot: `cannot train (${String(error).split('\n', 1)[0]})` };
    return { cannot: `cannot train (missing kernel ${kernel})` };
  }
  return { step, dispose, firstMs: performance.now() - start };
}

/**
 * Submits what TF.js's webgpu backend recorded and waits for the GPU to finish it, reading nothing
 * back (`ensureCommandEncoderReady`, `endComputePassEncoder`, `submitQueue` and `device` are public
 * members of its `WebGPUBackend`): a kernel's time
 * without the copy to the host, as ours is timed.
 */
export async function tfjsGpuDone({ tf }: Tfjs): Promise<void> {
  const backend = tf.backend() as unknown as {
    ensureCommandEncoderReady?: () => void;
    endComputePassEncoder?: () => void;
    submitQueue?: () => void;
    device?: GPUDevice;
  };
  // As its own reads do: an encoder to finish, its open compute pass ended, then submitted.
  backend.ensureCommandEncoderReady?.();
  backend.endComputePassEncoder?.();
  backend.submitQueue?.();
  await backend.device?.queue.onSubmittedWorkDone();
}
