import type { ModelSpec } from '@dl/layers';
import type { EpochEvent } from '@dl/optim';

/** Messages between the training page and its Web Worker (`train-worker.ts`). */

/** The optimizers the page offers (those of the book's chapter 6). */
export type TrainOptimizer = 'sgd' | 'momentum' | 'adagrad' | 'rmsprop' | 'adam';

/**
 * `auto`: WebAssembly when the engine has SIMD, else the `js` reference backend. `webgpu` runs on the
 * browser's GPU (`navigator.gpu`); it is offered where an adapter opens and is never the default.
 */
export type BackendChoice = 'auto' | 'wasm' | 'js' | 'webgpu';

/**
 * Threads of the WebAssembly backend: `auto` is one per core. More than one needs a cross-origin
 * isolated page (shared memory); without it the backend runs on one thread and says why.
 */
export type ThreadsChoice = 'auto' | '1' | '2' | '4';

export interface TrainConfig {
  spec: ModelSpec;
  optimizer: TrainOptimizer;
  lr: number;
  batchSize: number;
  epochs: number;
  /** The first N training images (at most 60 000). */
  trainSize: number;
  /** The first N test images (at most 10 000): held out, never trained on. */
  testSize: number;
  /** Rows of each set measured after every epoch (the book's `evaluate_sample_num_per_epoch`). */
  evalSamples: number;
  seed: number;
  backend: BackendChoice;
  threads: ThreadsChoice;
  /** Absolute URL of the directory with the MNIST asset files (ends with `/`). */
  dataUrl: string;
}

export interface BackendInfo {
  name: 'js' | 'wasm' | 'webgpu';
  /** What runs: `wasm-relaxed-simd`, `wasm-simd`, `js` or `webgpu`. */
  variant: string;
  /** On webgpu: the adapter in one line (vendor, architecture, how it was found). */
  adapter?: string;
  /** On webgpu with a software adapter (SwiftShader, llvmpipe): the one-line warning that it is slow. */
  warning?: string;
  threads: number;
  /** Why `auto` or `wasm` ended on `js`, if it did. */
  fallback?: string;
  /** Why fewer threads run than were asked for (e.g. the page is not cross-origin isolated). */
  threadsNote?: string;
}

export interface TrainSummary {
  testAcc: number;
  testSize: number;
  steps: number;
  epochs: number;
  /** Wall-clock seconds of training and evaluation (data loading excluded). */
  seconds: number;
  aborted: boolean;
}

export type ToWorker = { type: 'start'; config: TrainConfig } | { type: 'stop' };

export type FromWorker =
  | { type: 'progress'; text: string }
  | {
      type: 'ready';
      backend: BackendInfo;
      trainSize: number;
      testSize: number;
      parameters: number;
      crossOriginIsolated: boolean;
    }
  | {
      type: 'steps';
      /** 1-based number of the first loss in `losses`. */
      firstStep: number;
      losses: number[];
      epoch: number;
      totalSteps: number;
      imagesPerSecond: number;
    }
  | { type: 'epoch'; event: EpochEvent }
  /** `model` holds the trained network as a dl `.safetensors` file (`saveModel`). */
  | { type: 'done'; summary: TrainSummary; model: Uint8Array }
  | { type: 'error'; message: string };
