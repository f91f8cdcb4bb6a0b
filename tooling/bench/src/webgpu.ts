/**
 * The webgpu columns: our webgpu backend (`@dl/tensor/webgpu`, from its TypeScript source like the
 * rest of the bench) and TF.js's WebGPU backend (`@tensorflow/tfjs-backend-webgpu`) on the same
 * Dawn (npm `webgpu`) in Node.
 *
 * TF.js looks for `navigator.gpu` and the `GPUBufferUsage`-style globals, which Node lacks: this
 * bench process, and only it, provides them from the `webgpu` package (`create`, `globals`); our
 * backend never needs them. TF.js asks for an adapter without a feature level, which on Mesa's
 * llvmpipe (OpenGL ES, compatibility level only) finds none: the `navigator.gpu` given to it asks
 * for the level at which an adapter was found.
 */
import { gpuCounts, installGpuCounters, perStep, type GpuCounts } from './gpu-count.js';
import type { LayerNetwork, Optimizer } from './networks.js';
import type { Tensor } from './tensor.js';
import type { WebGpuKernels } from '../../../packages/tensor/src/backend/webgpu/index.js';
import type { Tile } from '../../../packages/tensor/src/backend/webgpu/gemm.js';
import type { GpuPrecision } from '../../../packages/tensor/src/backend/webgpu/storage.js';

export type { WebGpuKernels } from '../../../packages/tensor/src/backend/webgpu/index.js';
export type { Tile } from '../../../packages/tensor/src/backend/webgpu/gemm.js';

/** Our webgpu backend, opened, or why not. */
export type OurGpu =
  | {
      ok: true;
      kernels: WebGpuKernels;
      /** The adapter in one line. */
      adapter: string;
      /** A software (CPU) adapter: rows are labelled so and carry no time target. */
      software: boolean;
      tile: Tile;
      /** How a step's float32 tensors are stored (`float16`: book 8.3's reduced precision). */
      precision: GpuPrecision;
      /** The arithmetic, in one line (`WebGpuKernels.compute`). */
      compute: string;
    }
  | { ok: false; reason: string };

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n', 1)[0]!.trim();
}

/** Opens our webgpu backend (`createWebGpuKernels`); a failure is one line, and the bench goes on. */
export async function openOurGpu(options: { tile?: Tile; precision?: GpuPrecision } = {}): Promise<OurGpu> {
  try {
    const { createWebGpuKernels } = await import('../../../packages/tensor/src/backend/webgpu/index.js');
    const kernels = await createWebGpuKernels({
      ...(options.tile ? { tile: options.tile } : {}),
      ...(options.precision ? { precision: options.precision } : {}),
    });
    installGpuCounters(kernels.gpu.device);
    return {
      ok: true,
      kernels,
      adapter: kernels.gpu.adapter,
      software: kernels.gpu.software,
      tile: { ...kernels.gpu.tile },
      precision: kernels.precision,
      compute: kernels.compute,
    };
  } catch (error) {
    return { ok: false, reason: firstLine(error) };
  }
}

/**
 * The engine lines of a suite's webgpu report: our adapter and tile, TF.js's webgpu adapter, or
 * why either did not run.
 */
export function webgpuEngines(
  webgpu: OurGpu,
  tfjsGpu: { ok: true; adapter: string } | { ok: false; reason: string } | undefined,
  tfjsVersion: string,
): { ours: string; tfjs: string } {
  return {
    ours: webgpu.ok ? `${webgpu.adapter}, tile ${webgpu.tile.T}x${webgpu.tile.R}` : `n/a (${webgpu.reason})`,
    tfjs: tfjsGpu?.ok
      ? `TF.js ${tfjsVersion} webgpu on ${tfjsGpu.adapter}`
      : `n/a (${tfjsGpu?.reason ?? 'not run'})`,
  };
}

/** The label of a software adapter's cells and rows. */
export const SOFTWARE_LABEL = 'software adapter';

/**
 * Times an asynchronous call on a GPU: one warm-up call (pipelines compiled, buffers resident),
 * then `runs` calls one after another, each awaited; the fastest, as `measure` reports for the CPU
 * columns (other work only ever slows a call down).
 */
export async function measureGpu(call: () => Promise<unknown>, runs: number): Promise<number> {
  await call();
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await call();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/** Submits what our backend recorded and waits for the GPU to finish it, reading nothing back. */
export async function gpuDone(gpu: WebGpuKernels): Promise<void> {
  gpu.gpu.flush();
  await gpu.gpu.device.queue.onSubmittedWorkDone();
}

interface WebGpuPackage {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

let navigatorGpu: Promise<{ adapter: string } | { reason: string }> | undefined;

/**
 * Gives this process a `navigator.gpu` (and the WebGPU globals) from the npm package `webgpu`, for
 * TF.js: Dawn's default backend at the core level, else OpenGL ES (llvmpipe) at the compatibility
 * level, as our backend searches. Once; says which adapter TF.js will get, or why none.
 */
export function provideNavigatorGpu(): Promise<{ adapter: string } | { reason: string }> {
  navigatorGpu ??= (async () => {
    const existing = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
    if (existing) return { adapter: 'navigator.gpu' };
    let pkg: WebGpuPackage;
    try {
      const name = 'webgpu';
      pkg = (await import(name)) as WebGpuPackage;
    } catch (error) {
      return { reason: `the npm package webgpu did not load: ${firstLine(error)}` };
    }
    process.env.EGL_PLATFORM ??= 'surfaceless';
    const attempts: [string[], 'core' | 'compatibility'][] = [
      [[], 'core'],
      [['backend=opengles'], 'compatibility'],
    ];
    for (const [flags, featureLevel] of attempts) {
      const gpu = pkg.create(flags);
      const adapter = await gpu.requestAdapter({ featureLevel }).catch(() => null);
      if (!adapter) continue;
      Object.assign(globalThis, pkg.globals);
      const wrapped = {
        requestAdapter: (options?: GPURequestAdapterOptions) =>
          gpu.requestAdapter({ ...options, featureLevel }),
        getPreferredCanvasFormat: () => gpu.getPreferredCanvasFormat(),
        wgslLanguageFeatures: gpu.wgslLanguageFeatures,
        // Held: Dawn crashes if its instance is collected while a device lives.
        instance: gpu,
      };
      const nav = (globalThis as { navigator?: object }).navigator;
      if (nav) Object.defineProperty(nav, 'gpu', { value: wrapped, configurable: true });
      else Object.defineProperty(globalThis, 'navigator', { value: { gpu: wrapped }, configurable: true });
      const info = adapter.info;
      const described = [info.vendor, info.architecture, info.device, info.description].filter((s) => s);
      return {
        adapter: `${described.join(', ')} (npm webgpu [${flags.join(' ') || 'default backend'}] ${featureLevel})`,
      };
    }
    return { reason: 'no WebGPU adapter (Dawn default backend and OpenGL ES tried)' };
  })();
  return navigatorGpu;
}

/** Steps timed: the first apart, then the median, fastest and count of the rest. */
export interface GpuStepTiming {
  firstMs: number;
  medianMs: number;
  minMs: number;
  steps: number;
}

/** A run of steps' cost per step in steady state, counted at the device. */
export interface StepCounts {
  /** Steps run before counting (pipelines compiled, pools filled), then counted. */
  warmup: number;
  steps: number;
  batch: number;
  perStep: GpuCounts;
  /** Bytes the engine itself handed back to the host per step (ours: `copies().outBytes`), where it counts them. */
  hostBytes?: number;
}

function summarise(firstMs: number, times: number[]): GpuStepTiming {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    firstMs,
    medianMs: sorted[sorted.length >> 1] ?? firstMs,
    minMs: sorted[0] ?? firstMs,
    steps: times.length,
  };
}

type NetInput = Parameters<LayerNetwork['gradientAsync']>[0];
type NetLabels = Parameters<LayerNetwork['gradientAsync']>[1];
type NetContext = Parameters<LayerNetwork['gradientAsync']>[2];

/** One of our training steps on a device-resident backend: its loss arrives later. */
export function ourGpuStep(
  net: LayerNetwork,
  optimizer: Optimizer,
  x: Tensor,
  t: Tensor,
  ctx: unknown,
): () => Promise<number> {
  return () => {
    const loss = net.gradientAsync(x as unknown as NetInput, t as unknown as NetLabels, ctx as NetContext);
    optimizer.update(net.params());
    return loss;
  };
}

/**
 * Times `count` steps after a first one. Each step is recorded before the previous step's loss is
 * awaited (a one-step lag, so the GPU never waits for the host): a step's time is from recording
 * it to the arrival of the loss before it, the throughput of a training loop; the last loss is
 * awaited inside the last step's time.
 */
export async function timeGpuSteps(step: () => Promise<number>, count: number): Promise<GpuStepTiming> {
  let start = performance.now();
  await step();
  const firstMs = performance.now() - start;
  const times: number[] = [];
  let pending: Promise<number> | undefined;
  for (let i = 0; i < count; i++) {
    start = performance.now();
    const next = step();
    if (pending) await pending;
    if (i === count - 1) await next;
    pending = next;
    times.push(performance.now() - start);
  }
  return summarise(firstMs, times);
}

/** Times `count` steps after a first one, each awaited (TF.js: `await loss.data()` ends a step). */
export async function timeAwaitedSteps(step: () => Promise<unknown>, count: number): Promise<GpuStepTiming> {
  let start = performance.now();
  await step();
  const firstMs = performance.now() - start;
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    start = performance.now();
    await step();
    times.push(performance.now() - start);
  }
  return summarise(firstMs, times);
}

/**
 * What `steps` steps cost at the device, per step, after `warmup` steps; the steps run as the
 * timed ones do (`lagged`: ours, recorded one ahead; else awaited one by one), and everything is
 * awaited before the second snapshot.
 */
export async function countSteps(
  step: () => Promise<unknown>,
  {
    warmup,
    steps,
    batch,
    lagged,
    hostBytes,
  }: { warmup: number; steps: number; batch: number; lagged: boolean; hostBytes?: () => number },
): Promise<StepCounts> {
  // The warm-up runs as the counted steps do: a lagged loop keeps two reads in flight, whose
  // staging buffers a one-by-one warm-up would not have created yet.
  const run = async (count: number): Promise<void> => {
    if (!lagged) {
      for (let i = 0; i < count; i++) await step();
      return;
    }
    const losses: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      losses.push(step());
      if (i > 0) await losses[i - 1];
    }
    await Promise.all(losses);
  };
  await run(warmup);
  const before = gpuCounts();
  const hostBefore = hostBytes?.();
  await run(steps);
  const counted: StepCounts = { warmup, steps, batch, perStep: perStep(before, gpuCounts(), steps) };
  if (hostBytes && hostBefore !== undefined) counted.hostBytes = (hostBytes() - hostBefore) / steps;
  return counted;
}
