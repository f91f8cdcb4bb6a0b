import type { WeightPrecision } from '@dl/layers';

/** Messages between the chapter 8 page and its Web Worker (`deep-worker.ts`). */

/** The backends the page measures side by side. */
export type BenchBackend = 'js' | 'wasm' | 'webgpu';

export type ToDeepWorker =
  | {
      type: 'bench';
      id: number;
      /** The network as a dl `.safetensors` file. */
      model: Uint8Array;
      backend: BenchBackend;
      batchSize: number;
      /** Measure for about this long (after a warm-up batch), on at most the 10 000 test images. */
      seconds: number;
      /** Absolute URL of the directory with the MNIST asset files (ends with `/`). */
      dataUrl: string;
    }
  | { type: 'precision'; id: number; model: Uint8Array; images: number; dataUrl: string };

export interface BenchResult {
  backend: BenchBackend;
  /** What ran, in words: `wasm-relaxed-simd, 2 threads`, `js`, `webgpu on <adapter>`. */
  ran: string;
  images: number;
  seconds: number;
  imagesPerSecond: number;
  /** Accuracy on the images measured: every backend must classify them alike. */
  accuracy: number;
  /** A software WebGPU adapter's one-line warning. */
  warning?: string;
}

export interface PrecisionRow {
  precision: WeightPrecision;
  accuracy: number;
  /** Bytes of the weights stored in this precision. */
  bytes: number;
  /** Largest |rounded - float32| over all weights. */
  maxError: number;
}

export type FromDeepWorker =
  | { type: 'progress'; id: number; text: string }
  | { type: 'bench'; id: number; result: BenchResult }
  | { type: 'precision'; id: number; rows: PrecisionRow[]; images: number; ran: string }
  | { type: 'error'; id: number; message: string };
