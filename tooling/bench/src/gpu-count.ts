/**
 * Counts what a WebGPU engine asks of the device, the same way for ours and TF.js's: the methods of
 * the WebGPU classes (`GPUDevice.createBuffer`, `GPUComputePassEncoder.dispatchWorkgroups`,
 * `GPUCommandEncoder.copyBufferToBuffer` into a mappable buffer, `GPUBuffer.mapAsync`,
 * `GPUQueue.submit`/`writeBuffer`) are wrapped on their prototypes, found from a live device, and
 * add to one set of counters. The bench measures one engine at a time, so a snapshot before and
 * after a run of steps is that engine's count. Bench-only: the library itself is never wrapped.
 */

/** Totals since the counters were installed. */
export interface GpuCounts {
  /** `createBuffer` calls, and the bytes they asked for. */
  buffersCreated: number;
  bufferBytes: number;
  /** Compute dispatches (`dispatchWorkgroups` and its indirect form). */
  dispatches: number;
  /** Command buffers submitted (`queue.submit` calls). */
  submits: number;
  /** Host-to-GPU bytes through `queue.writeBuffer` (uniforms, uploads). */
  writeBytes: number;
  /** `mapAsync` calls for reading, and the bytes copied into mappable buffers to be read back. */
  reads: number;
  readBytes: number;
}

const counts: GpuCounts = {
  buffersCreated: 0,
  bufferBytes: 0,
  dispatches: 0,
  submits: 0,
  writeBytes: 0,
  reads: 0,
  readBytes: 0,
};

// The spec's flag values (no `GPUBufferUsage`/`GPUMapMode` globals are needed in Node).
const MAP_READ_USAGE = 0x0001;
const MAP_MODE_READ = 0x0001;

const patched = new WeakSet<object>();

type Method = (this: unknown, ...args: never[]) => unknown;

/** Wraps `name` on `proto` (once) so that `count` sees each call's receiver and arguments first. */
function wrap(proto: object, name: string, count: (self: unknown, args: unknown[]) => void): void {
  const original = (proto as Record<string, unknown>)[name];
  if (typeof original !== 'function') return;
  const fn = original as Method;
  Object.defineProperty(proto, name, {
    configurable: true,
    writable: true,
    value: function (this: unknown, ...args: never[]): unknown {
      count(this, args);
      return fn.apply(this, args);
    },
  });
}

/**
 * Installs the counters on the WebGPU classes of `device`'s implementation (idempotent; every
 * device of the same implementation is counted from then on). Records and submits nothing: the
 * compute pass it opens to find its class is never finished.
 */
export function installGpuCounters(device: GPUDevice): void {
  const deviceProto = Object.getPrototypeOf(device) as object;
  if (patched.has(deviceProto)) return;
  const encoder = device.createCommandEncoder({ label: 'bench counter probe' });
  const pass = encoder.beginComputePass();
  pass.end();
  const buffer = device.createBuffer({ size: 4, usage: MAP_READ_USAGE });
  const protos = {
    device: deviceProto,
    queue: Object.getPrototypeOf(device.queue) as object,
    encoder: Object.getPrototypeOf(encoder) as object,
    pass: Object.getPrototypeOf(pass) as object,
    buffer: Object.getPrototypeOf(buffer) as object,
  };
  buffer.destroy();
  for (const proto of Object.values(protos)) patched.add(proto);
  wrap(protos.device, 'createBuffer', (_self, [descriptor]) => {
    counts.buffersCreated++;
    counts.bufferBytes += (descriptor as GPUBufferDescriptor | undefined)?.size ?? 0;
  });
  const dispatch = (): void => void counts.dispatches++;
  wrap(protos.pass, 'dispatchWorkgroups', dispatch);
  wrap(protos.pass, 'dispatchWorkgroupsIndirect', dispatch);
  wrap(protos.queue, 'submit', () => void counts.submits++);
  wrap(protos.queue, 'writeBuffer', (_self, args) => {
    const [, , data, dataOffset, size] = args as [
      GPUBuffer,
      number,
      ArrayBufferView | ArrayBuffer,
      number | undefined,
      number | undefined,
    ];
    // `size` counts elements of a typed array, bytes of an ArrayBuffer.
    const element = ArrayBuffer.isView(data) ? ((data as Float32Array).BYTES_PER_ELEMENT ?? 1) : 1;
    const whole = ArrayBuffer.isView(data) ? data.byteLength / element : data.byteLength;
    counts.writeBytes += (size ?? whole - (dataOffset ?? 0)) * element;
  });
  wrap(protos.encoder, 'copyBufferToBuffer', (_self, args) => {
    // (source, sourceOffset, destination, destinationOffset, size) or, newer, (source, destination, size?).
    const dst = (typeof args[1] === 'number' ? args[2] : args[1]) as GPUBuffer | undefined;
    const size = (typeof args[1] === 'number' ? args[4] : args[2]) as number | undefined;
    if (dst && (dst.usage & MAP_READ_USAGE) !== 0) counts.readBytes += size ?? dst.size;
  });
  wrap(protos.buffer, 'mapAsync', (_self, [mode]) => {
    if (((mode as number) & MAP_MODE_READ) !== 0) counts.reads++;
  });
}

/** The totals now (a copy). */
export function gpuCounts(): GpuCounts {
  return { ...counts };
}

/** `after - before`, per step. */
export function perStep(before: GpuCounts, after: GpuCounts, steps: number): GpuCounts {
  const out = {} as GpuCounts;
  for (const key of Object.keys(before) as (keyof GpuCounts)[]) {
    out[key] = (after[key] - before[key]) / steps;
  }
  return out;
}
