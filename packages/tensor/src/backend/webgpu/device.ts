/// <reference types="webgpu" preserve="true" />
// The WebGPU types (GPUDevice, GPUBuffer, ...) are the ambient ones of `@webgpu/types`, which the npm
// package `webgpu` depends on: the reference above loads them (and stays in the emitted .d.ts).

/**
 * Finding a WebGPU device: in browsers `navigator.gpu`; in Node the npm package `webgpu` (Dawn, an
 * optional peer dependency of @dl/tensor), loaded on demand so that nobody who never asks for this
 * backend pays for it. Nothing is assigned to `globalThis`: the code uses the spec's numeric flag
 * values (`usage.ts`) instead of the `GPUBufferUsage`/`GPUMapMode` globals a browser defines.
 */

/** The part of the npm package `webgpu` this backend uses. */
export interface WebGpuModule {
  create(flags: string[]): GPU;
}

export interface WebGpuOptions {
  /**
   * Where `GPU` comes from. Default: `navigator.gpu` where it exists (browsers, Deno), else the npm
   * package `webgpu` through `import('webgpu')`. Tests pass a loader that fails or finds no adapter.
   */
  loader?: () => Promise<WebGpuModule | GPU>;
  /**
   * Dawn instance flags to try in order, each with the adapter feature level to ask for (Node only).
   * Default: Dawn's own choice of backend (Vulkan, Metal, D3D12) at the `core` level, then
   * `backend=opengles` at the `compatibility` level (Mesa's llvmpipe on a machine without a GPU).
   */
  attempts?: readonly DawnAttempt[];
  powerPreference?: GPUPowerPreference;
}

export interface DawnAttempt {
  flags: readonly string[];
  featureLevel: 'core' | 'compatibility';
}

export const DEFAULT_ATTEMPTS: readonly DawnAttempt[] = [
  { flags: [], featureLevel: 'core' },
  { flags: ['backend=opengles'], featureLevel: 'compatibility' },
];

/** What `openDevice` found. */
export interface OpenedDevice {
  device: GPUDevice;
  /**
   * The GPU object the device came from. Held for the device's lifetime: with Dawn's npm package,
   * letting the instance be garbage-collected while its device lives crashes the process.
   */
  gpu: GPU;
  /** One line: vendor, architecture, device and driver description, and how it was reached. */
  adapter: string;
  /** True for a CPU implementation (llvmpipe, SwiftShader, WARP, a fallback adapter). */
  software: boolean;
}

/** Storage buffers one kernel binds at most (BatchNorm's normalisation: 8). */
export const STORAGE_BUFFERS_NEEDED = 8;

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|warp|basic render|software/i;

function isGpu(value: WebGpuModule | GPU): value is GPU {
  return typeof (value as GPU).requestAdapter === 'function';
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0]!.trim();
}

async function defaultLoader(): Promise<WebGpuModule | GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  // A variable specifier keeps bundlers from pulling the native package into browser bundles.
  const name = 'webgpu';
  return (await import(/* @vite-ignore */ name)) as WebGpuModule;
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** Finds an adapter and opens a device with the limits the kernels use raised to the adapter's. */
export async function openDevice(options: WebGpuOptions = {}): Promise<OpenedDevice> {
  const usesDefault = options.loader === undefined;
  let loaded: WebGpuModule | GPU;
  try {
    loaded = await (options.loader ?? defaultLoader)();
  } catch (error) {
    throw new Error(
      `webgpu: no WebGPU: navigator.gpu is absent and the npm package 'webgpu' (optional peer dependency of @dl/tensor; pnpm add webgpu@0.6.2) did not load: ${firstLine(error)}`,
    );
  }
  const tried: string[] = [];
  let adapter: GPUAdapter | null = null;
  let how = '';
  let source: GPU | undefined;
  if (isGpu(loaded)) {
    source = loaded;
    tried.push(usesDefault ? 'navigator.gpu' : 'the given GPU');
    adapter = await loaded.requestAdapter(
      options.powerPreference ? { powerPreference: options.powerPreference } : undefined,
    );
    how = tried[0]!;
  } else {
    // Mesa's EGL needs a platform without a display on a headless machine; a caller's choice stands.
    if (isNode()) process.env.EGL_PLATFORM ??= 'surfaceless';
    for (const attempt of options.attempts ?? DEFAULT_ATTEMPTS) {
      const label = `npm webgpu [${attempt.flags.join(' ') || 'default backend'}] ${attempt.featureLevel}`;
      tried.push(label);
      try {
        source = loaded.create([...attempt.flags]);
        adapter = await source.requestAdapter({
          featureLevel: attempt.featureLevel,
          ...(options.powerPreference ? { powerPreference: options.powerPreference } : {}),
        });
      } catch (error) {
        tried[tried.length - 1] += ` (${firstLine(error)})`;
        adapter = null;
      }
      if (adapter) {
        how = label;
        break;
      }
    }
  }
  if (!adapter || !source) throw new Error(`webgpu: no adapter found; tried ${tried.join(', ')}`);

  const info = adapter.info;
  const fallback = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  const described = [info.vendor, info.architecture, info.device, info.description].filter((s) => s);
  const software = fallback || SOFTWARE.test(described.join(' '));
  const limits = adapter.limits;
  if (limits.maxStorageBuffersPerShaderStage < STORAGE_BUFFERS_NEEDED) {
    throw new Error(
      `webgpu: the adapter (${described.join(', ')}) binds ${limits.maxStorageBuffersPerShaderStage} storage buffers per shader stage; the kernels need ${STORAGE_BUFFERS_NEEDED}`,
    );
  }
  // Ask for everything the adapter offers of the limits the kernels size themselves by.
  const requiredLimits: Record<string, number> = {};
  for (const name of [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxStorageBuffersPerShaderStage',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupSizeX',
    'maxComputeWorkgroupSizeY',
    'maxComputeWorkgroupsPerDimension',
  ] as const) {
    requiredLimits[name] = limits[name];
  }
  const device = await adapter.requestDevice({ requiredLimits, label: 'dl webgpu backend' });
  return {
    device,
    gpu: source,
    adapter: `${described.join(', ') || 'unnamed adapter'} (${how}${fallback ? ', fallback adapter' : ''})`,
    software,
  };
}
