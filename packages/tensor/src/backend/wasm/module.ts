import type { ConvGeometry } from '../kernels.js';
import type { WasmMemory, WasmModuleObject } from './api.js';
import { wasmApi } from './api.js';

/**
 * The exports of `assembly/index.ts`, typed. Pointers are byte offsets into `memory`; booleans are
 * passed as 0/1. Everything above `heapBase()` belongs to JavaScript (see `heap.ts`).
 */
export interface KernelModule {
  readonly memory: WasmMemory;
  heapBase(): number;
  /** Leading dimensions (lda, ldb, ldc) are row pitches in floats; see assembly/gemm.ts. */
  gemm(
    m: number,
    n: number,
    k: number,
    transA: number,
    transB: number,
    alpha: number,
    beta: number,
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    ldc: number,
    scratch: number,
  ): void;
  gemmScratchBytes(m: number, n: number, k: number): number;
  unaryF32(op: number, x: number, out: number, n: number): void;
  /** ReLU/sigmoid (assembly/activation.ts); `saved` is ReLU's input or sigmoid's output. */
  activationF32(op: number, x: number, out: number, n: number): void;
  activationBackwardF32(op: number, saved: number, dout: number, dx: number, n: number): void;
  /** out[o·inner + i] = a[o·sa + i·ia] op b[o·sb + i·ib], ia and ib 0 or 1; float32 out. */
  binaryF32: BinaryBlockKernel;
  /** As binaryF32 for comparisons; uint8 out. */
  compareF32: BinaryBlockKernel;
  reduceF32(
    op: number,
    x: number,
    outer: number,
    length: number,
    inner: number,
    out: number,
    scratch: number,
  ): void;
  // Window kernels (assembly/window.ts); `...g` is the geometry as 10 integers, see geometryArgs.
  im2colF32(x: number, ...rest: [...GeometryArgs, col: number]): void;
  col2imF32(col: number, ...rest: [...GeometryArgs, img: number, accumulate: number]): void;
  /** `indexBase` is added to every argmax index (a thread's part of the batch). */
  maxPoolF32(x: number, ...rest: [...GeometryArgs, out: number, argmax: number, indexBase: number]): void;
  /** Returns -1, or the first index whose argmax lies outside dx. */
  maxPoolBackwardF32(dout: number, argmax: number, count: number, dx: number, dxLength: number): number;
  avgPoolF32(x: number, ...rest: [...GeometryArgs, out: number]): void;
  avgPoolBackwardF32(dout: number, ...rest: [...GeometryArgs, dx: number]): void;
  // Fused convolution (assembly/conv.ts; stride 1 in assembly/direct-conv.ts); dx 0 = no input gradient.
  convForwardF32(
    x: number,
    ...rest: [...GeometryArgs, filters: number, w: number, b: number, out: number, scratch: number]
  ): void;
  convBackwardF32(
    x: number,
    ...rest: [
      ...GeometryArgs,
      filters: number,
      w: number,
      dout: number,
      dw: number,
      db: number,
      dx: number,
      accumulate: number,
      scratch: number,
      sums: number,
    ]
  ): void;
  /** Scratch bytes of one part of convForwardF32 (`backward` 0) or convBackwardF32 (`dx` given or not). */
  convScratchBytes(
    ...args: [...Omit1<GeometryArgs>, filters: number, backward: number, withDx: number]
  ): number;
  // Layer kernels (assembly/softmax.ts, batchnorm.ts, dropout.ts, optimizer.ts).
  softmaxF32(x: number, rows: number, classes: number, out: number): void;
  softmaxCrossEntropyBackwardF32(y: number, labels: number, rows: number, classes: number, dx: number): void;
  batchNormForwardF32(
    n: number,
    D: number,
    S: number,
    train: number,
    momentum: number,
    eps: number,
    x: number,
    gamma: number,
    beta: number,
    runningMean: number,
    runningVar: number,
    xc: number,
    xn: number,
    std: number,
    out: number,
    scratch: number,
  ): void;
  batchNormBackwardF32(
    n: number,
    D: number,
    S: number,
    train: number,
    dout: number,
    gamma: number,
    xc: number,
    xn: number,
    std: number,
    dgamma: number,
    dbeta: number,
    dx: number,
    scratch: number,
  ): void;
  /** `mask` 0: no mask (x · scale). */
  dropoutF32(x: number, mask: number, scale: number, out: number, n: number): void;
  scaleBytesF32(src: number, scale: number, out: number, n: number): void;
  /** See assembly/optimizer.ts for the kind codes and what p1..p3 mean for each. */
  optimizerUpdateF32(
    kind: number,
    n: number,
    w: number,
    g: number,
    s1: number,
    s2: number,
    lr: number,
    p1: number,
    p2: number,
    p3: number,
    eps: number,
  ): void;
}

/** A `ConvGeometry` as the kernels take it: batch, channels, height, width, filterH, filterW, stride, pad, outH, outW. */
export type GeometryArgs = [number, number, number, number, number, number, number, number, number, number];

/** A tuple without its first element (the geometry without the batch). */
export type Omit1<T extends readonly unknown[]> = T extends readonly [unknown, ...infer Rest] ? Rest : never;

export function geometryArgs(g: ConvGeometry): GeometryArgs {
  return [g.batch, g.channels, g.height, g.width, g.filterH, g.filterW, g.stride, g.pad, g.outH, g.outW];
}

/** A WebAssembly export: a plain function that uses no `this`. */
export type BinaryBlockKernel = (
  op: number,
  outer: number,
  inner: number,
  a: number,
  sa: number,
  ia: number,
  b: number,
  sb: number,
  ib: number,
  out: number,
) => void;

/** The exports every build has, in a fixed order: worker threads call them by index. */
export const FUNCTIONS = [
  'heapBase',
  'gemm',
  'gemmScratchBytes',
  'unaryF32',
  'binaryF32',
  'compareF32',
  'reduceF32',
  'im2colF32',
  'col2imF32',
  'maxPoolF32',
  'maxPoolBackwardF32',
  'avgPoolF32',
  'avgPoolBackwardF32',
  'convForwardF32',
  'convBackwardF32',
  'activationF32',
  'activationBackwardF32',
  'softmaxF32',
  'softmaxCrossEntropyBackwardF32',
  'batchNormForwardF32',
  'batchNormBackwardF32',
  'dropoutF32',
  'scaleBytesF32',
  'optimizerUpdateF32',
  'convScratchBytes',
] as const;

export type KernelFunction = (typeof FUNCTIONS)[number];

/** Compiles a kernels build once: the main thread and every worker instantiate the same module. */
export async function compileKernels(bytes: Uint8Array | ArrayBuffer): Promise<WasmModuleObject> {
  const api = wasmApi();
  if (api === undefined) throw new Error('wasm backend: this JavaScript engine has no WebAssembly');
  return api.compile(bytes);
}

/**
 * Instantiates a compiled build (with `memory` for a threaded build, which imports it) and checks
 * its exports, so a stale `.wasm` fails loudly.
 */
export async function instantiateKernels(
  compiled: WasmModuleObject | Uint8Array | ArrayBuffer,
  memory?: WasmMemory,
): Promise<KernelModule> {
  const api = wasmApi();
  if (api === undefined) throw new Error('wasm backend: this JavaScript engine has no WebAssembly');
  const module =
    compiled instanceof Uint8Array || compiled instanceof ArrayBuffer
      ? await api.compile(compiled)
      : compiled;
  const instance = await api.instantiate(module, memory ? { env: { memory } } : {});
  const exports = instance.exports;
  const missing = FUNCTIONS.filter((name) => typeof exports[name] !== 'function');
  if (typeof exports.memory !== 'object' || missing.length > 0) {
    throw new Error(
      `wasm backend: the kernels module lacks ${[...missing, 'memory'].join(', ')}; ` +
        'rebuild it with `pnpm --filter @dl/tensor build:wasm`.',
    );
  }
  return exports as unknown as KernelModule;
}
