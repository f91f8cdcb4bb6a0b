/**
 * Whether this browser can run the webgpu backend: `navigator.gpu` and an adapter it opens. The
 * pages ask before they offer WebGPU (it is never the default); the backend itself, where it runs
 * (a worker), finds its own adapter and says again what it got.
 */
export type WebGpuProbe =
  { available: true; adapter: string; software: boolean } | { available: false; reason: string };

/** The part of `navigator` the probe reads (a parameter, so tests pass their own). */
export interface GpuNavigator {
  gpu?: { requestAdapter(): Promise<ProbedAdapter | null> };
}

/** The part of a `GPUAdapter` the probe reads. */
export interface ProbedAdapter {
  info?: {
    vendor?: string;
    architecture?: string;
    device?: string;
    description?: string;
    isFallbackAdapter?: boolean;
  };
}

// The same names the backend counts as software (packages/tensor/src/backend/webgpu/device.ts).
const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|warp|basic render|software/i;

/** What `navigator.gpu` offers, in one line; never throws. */
export async function probeWebGpu(nav: GpuNavigator = navigator): Promise<WebGpuProbe> {
  if (nav.gpu === undefined) {
    return {
      available: false,
      reason:
        typeof isSecureContext === 'boolean' && !isSecureContext
          ? 'WebGPU needs a secure context (https or localhost)'
          : 'this browser has no WebGPU (navigator.gpu is absent)',
    };
  }
  let adapter: ProbedAdapter | null;
  try {
    adapter = await nav.gpu.requestAdapter();
  } catch (e) {
    return { available: false, reason: `navigator.gpu.requestAdapter failed: ${(e as Error).message}` };
  }
  if (adapter === null) return { available: false, reason: 'navigator.gpu found no adapter' };
  const info = adapter.info ?? {};
  const name =
    [info.vendor, info.architecture, info.device, info.description]
      .filter((s) => s !== undefined && s !== '')
      .join(' ') || 'an unnamed adapter';
  const software = info.isFallbackAdapter === true || SOFTWARE.test(name);
  return { available: true, adapter: name, software };
}

let probing: Promise<WebGpuProbe> | null = null;

/** `probeWebGpu` once per tab. */
export function webGpuProbe(): Promise<WebGpuProbe> {
  probing ??= probeWebGpu();
  return probing;
}
