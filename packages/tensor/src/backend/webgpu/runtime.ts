/// <reference types="webgpu" preserve="true" />
import { CONVERT, elementBytes, readValues, uploadBytes } from './transfer.js';
import { BufferPool, byteSize, type GpuArray, type GpuDType, type GpuTypedArray } from './buffers.js';
import {
  BUFFER_COPY_DST,
  BUFFER_COPY_SRC,
  BUFFER_MAP_READ,
  BUFFER_STORAGE,
  BUFFER_UNIFORM,
  MAP_MODE_READ,
} from './usage.js';
import {
  aliasSlots,
  halfFlags,
  alignUp,
  layoutEntries,
  layoutParams,
  shaderCode,
  type KernelSpec,
  type ParamValues,
} from './kernel-spec.js';

export type { Access, BindingSpec, KernelSpec, ParamType, ParamValues } from './kernel-spec.js';
export type { RuntimeStats } from './types.js';
import type { RuntimeStats } from './types.js';
import { errorLine, firstLine, lostLine, uncapturedLine } from './errors.js';

/**
 * The machinery under every kernel: one command encoder that kernels record into (submitted when
 * something is read back, or on `flush`), compute pipelines cached by their WGSL, bind groups
 * cached by pipeline and buffers, sizes passed as uniforms (one arena per submission, each dispatch
 * at its own dynamic offset, so a cached bind group serves every call), pooled buffers, and errors:
 * validation and out-of-memory errors of each kernel, the device's loss and uncaptured errors are
 * recorded with the kernel's name, and the next call or read throws them as one line.
 */

interface Pipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  uniformSize: number;
  /** Byte offset of each uniform field. */
  offsets: number[];
  id: number;
}

export class GpuRuntime {
  readonly limits: GPUSupportedLimits;
  private failure: string | undefined;
  private lastKernel = '(none)';
  private encoder: GPUCommandEncoder | undefined;
  private pass: GPUComputePassEncoder | undefined;
  /** Kernels recorded since the last submit, for errors that surface only when it is finished. */
  private batch = new Set<string>();
  private readonly pipelines = new Map<string, Pipeline>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private nextId = 1;
  private readonly pool: BufferPool;
  private readonly staging: BufferPool;
  private readonly uniformAlign: number;
  private readonly uniform: GPUBuffer;
  private readonly arena: ArrayBuffer;
  private readonly arenaU32: Uint32Array;
  private readonly arenaI32: Int32Array;
  private readonly arenaF32: Float32Array;
  private arenaUsed = 0;
  private pendingErrors: Promise<void>[] = [];
  private dispatches = 0;
  private submits = 0;
  private destroyed = false;

  /** `owner` is kept alive as long as the runtime (see `OpenedDevice.gpu`). */
  constructor(
    readonly device: GPUDevice,
    private readonly owner: unknown,
  ) {
    this.limits = device.limits;
    this.pool = new BufferPool(device, BUFFER_STORAGE | BUFFER_COPY_SRC | BUFFER_COPY_DST, 'dl array');
    this.staging = new BufferPool(device, BUFFER_MAP_READ | BUFFER_COPY_DST, 'dl readback');
    this.uniformAlign = Math.max(16, device.limits.minUniformBufferOffsetAlignment);
    const arenaSize = 1 << 16;
    this.uniform = device.createBuffer({
      size: arenaSize,
      usage: BUFFER_UNIFORM | BUFFER_COPY_DST,
      label: 'dl uniforms',
    });
    this.arena = new ArrayBuffer(arenaSize);
    this.arenaU32 = new Uint32Array(this.arena);
    this.arenaI32 = new Int32Array(this.arena);
    this.arenaF32 = new Float32Array(this.arena);
    void device.lost.then((info) => {
      if (!this.destroyed) this.fail(lostLine(info, this.lastKernel));
    });
    device.addEventListener('uncapturederror', (event) => {
      // Reported here as one line: without this, Dawn (and a browser's console) prints it too, in several.
      event.preventDefault();
      this.fail(uncapturedLine(event.error, this.lastKernel));
    });
  }

  get stats(): RuntimeStats {
    return {
      buffersCreated: this.pool.created,
      pipelines: this.pipelines.size,
      dispatches: this.dispatches,
      submits: this.submits,
    };
  }

  /** Keeps the first failure: later ones are usually its consequences. */
  private fail(message: string): void {
    this.failure ??= message;
  }

  /** Throws the recorded failure, if any: every entry point calls this first. */
  check(): void {
    if (this.failure !== undefined) throw new Error(this.failure);
    if (this.destroyed) throw new Error('webgpu: the backend was destroyed');
  }

  /** Runs `record` inside error scopes; errors it raises are recorded against `kernel`. */
  private scoped(kernel: string, record: () => void): void {
    const device = this.device;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    try {
      record();
    } finally {
      const validation = device.popErrorScope();
      const memory = device.popErrorScope();
      this.pendingErrors.push(
        Promise.all([validation, memory]).then(([v, m]) => {
          const error = v ?? m;
          if (error) this.fail(`webgpu ${kernel}: ${errorLine(error.message)}`);
        }),
      );
    }
  }

  // --- storage -------------------------------------------------------------------------------

  /** A pooled storage buffer for `length` elements; `zero` clears a reused one (in stream order). */
  alloc(dtype: GpuDType, length: number, zero: boolean, half = false): GpuArray {
    this.check();
    const size = byteSize(dtype, length, half);
    if (size > this.limits.maxStorageBufferBindingSize) {
      throw new RangeError(
        `webgpu: ${length} ${dtype} elements (${size} bytes) exceed this device's storage binding limit of ${this.limits.maxStorageBufferBindingSize} bytes`,
      );
    }
    const { buffer, fresh } = this.pool.take(size);
    if (zero && !fresh) {
      this.endPass();
      this.encoderNow().clearBuffer(buffer);
    }
    return half ? { buffer, dtype, length, half } : { buffer, dtype, length };
  }

  /** Writes `data` into a pooled buffer (queue order: after everything submitted before). */
  upload(dtype: GpuDType, data: Float32Array | Int32Array | Uint8Array, half = false): GpuArray {
    const array = this.alloc(dtype, data.length, false, half);
    const bytes = uploadBytes(data, half);
    if (bytes.byteLength > 0) this.device.queue.writeBuffer(array.buffer, 0, bytes);
    return array;
  }

  /**
   * Records a copy of `from`'s elements into `to` (same dtype and length), in order with the
   * kernels; between float32 and float16 storage it converts (a kernel).
   */
  copy(from: GpuArray, to: GpuArray): void {
    this.check();
    if (from.dtype !== to.dtype || from.length !== to.length) {
      throw new Error(
        `webgpu copy: ${from.dtype} [${from.length}] into ${to.dtype} [${to.length}]: dtype and length must match`,
      );
    }
    if ((from.half === true) !== (to.half === true)) {
      this.dispatch(CONVERT, [from, to], { n: from.length }, this.grid(from.length, 64));
      return;
    }
    this.endPass();
    const size = byteSize(from.dtype, from.length, from.half === true);
    this.encoderNow().copyBufferToBuffer(from.buffer, 0, to.buffer, 0, size);
  }

  release(array: GpuArray): void {
    this.pool.give(array.buffer, 'webgpu release');
    // With nothing recorded since the last submit, no pending work can still use the buffer.
    if (!this.encoder) this.pool.settle();
  }

  /** Copies `array` back: submits the recorded work, waits for it and for its error reports. */
  async read(array: GpuArray): Promise<GpuTypedArray> {
    this.check();
    const half = array.half === true;
    const bytes = elementBytes(array);
    const size = byteSize(array.dtype, array.length, half);
    const { buffer: staging } = this.staging.take(size);
    this.endPass();
    this.encoderNow().copyBufferToBuffer(array.buffer, 0, staging, 0, size);
    this.flush();
    try {
      await staging.mapAsync(MAP_MODE_READ);
    } catch (error) {
      await this.settleErrors();
      this.check();
      throw new Error(`webgpu read: ${firstLine(error instanceof Error ? error.message : String(error))}`);
    }
    const copy = staging.getMappedRange(0, size).slice(0, bytes);
    staging.unmap();
    this.staging.give(staging, 'webgpu read');
    this.staging.settle();
    await this.settleErrors();
    this.check();
    return readValues(array.dtype, half, copy);
  }

  /** Waits for the error reports of everything recorded so far. */
  async settleErrors(): Promise<void> {
    const pending = this.pendingErrors;
    this.pendingErrors = [];
    await Promise.all(pending);
  }

  // --- recording -----------------------------------------------------------------------------

  private encoderNow(): GPUCommandEncoder {
    this.encoder ??= this.device.createCommandEncoder({ label: 'dl kernels' });
    return this.encoder;
  }

  private endPass(): void {
    this.pass?.end();
    this.pass = undefined;
  }

  /** Submits the recorded work (uniforms first); released buffers become reusable. */
  flush(): void {
    this.check();
    this.endPass();
    const encoder = this.encoder;
    if (encoder) {
      const kernels = [...this.batch].join(', ');
      this.scoped(`submit of [${kernels}]`, () => {
        if (this.arenaUsed > 0) this.device.queue.writeBuffer(this.uniform, 0, this.arena, 0, this.arenaUsed);
        this.device.queue.submit([encoder.finish()]);
      });
      this.submits++;
    }
    this.encoder = undefined;
    this.batch.clear();
    this.arenaUsed = 0;
    this.pool.settle();
  }

  private buffId(buffer: GPUBuffer): number {
    let id = this.bufferIds.get(buffer);
    if (id === undefined) this.bufferIds.set(buffer, (id = this.nextId++));
    return id;
  }

  private pipelineFor(spec: KernelSpec, slots: readonly number[], halves: readonly boolean[]): Pipeline {
    const key = `${spec.key}|${slots.join(',')}|${halves.map((h) => (h ? 'h' : 'f')).join('')}`;
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    const params = layoutParams(spec.params);
    const code = shaderCode(spec, slots, halves);
    const entries = layoutEntries(spec, slots, params.size);
    const layout = this.device.createBindGroupLayout({ entries, label: spec.name });
    const pipeline = this.device.createComputePipeline({
      label: spec.name,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module: this.device.createShaderModule({ code, label: spec.name }), entryPoint: 'main' },
    });
    const made = {
      pipeline,
      layout,
      uniformSize: params.size,
      offsets: params.offsets,
      id: this.pipelines.size + 1,
    };
    this.pipelines.set(key, made);
    return made;
  }

  private bindGroupFor(
    p: Pipeline,
    arrays: readonly GpuArray[],
    slots: readonly number[],
    label: string,
  ): GPUBindGroup {
    const ids = arrays.map((a) => this.buffId(a.buffer));
    const key = `${p.id}:${ids.join(',')}`;
    const cached = this.bindGroups.get(key);
    if (cached) return cached;
    // A bound on the cache: entries for buffers long gone would otherwise pile up.
    if (this.bindGroups.size >= 4096) this.bindGroups.clear();
    const entries: GPUBindGroupEntry[] = [
      { binding: 0, resource: { buffer: this.uniform, size: p.uniformSize } },
    ];
    const seen = new Set<number>();
    arrays.forEach((a, i) => {
      const slot = slots[i]!;
      if (seen.has(slot)) return;
      seen.add(slot);
      entries.push({ binding: slot + 1, resource: { buffer: a.buffer } });
    });
    const group = this.device.createBindGroup({ layout: p.layout, entries, label });
    this.bindGroups.set(key, group);
    return group;
  }

  /** Writes the uniform values into the arena; returns their offset (flushing first if it is full). */
  private writeParams(spec: KernelSpec, values: ParamValues, p: Pipeline): number {
    const size = p.uniformSize;
    if (this.arenaUsed + size > this.arena.byteLength) this.flush();
    const at = this.arenaUsed;
    this.arenaUsed = alignUp(at + size, this.uniformAlign);
    const offsets = p.offsets;
    spec.params.forEach(([name, type], i) => {
      const value = values[name];
      if (value === undefined) throw new Error(`webgpu ${spec.name}: uniform ${name} missing (a bug)`);
      const word = (at + offsets[i]!) >> 2;
      if (typeof type !== 'string') {
        const list = value as readonly number[];
        for (let k = 0; k < type.vec4u * 4; k++) this.arenaU32[word + k] = list[k] ?? 0;
      } else if (type === 'f32') this.arenaF32[word] = value as number;
      else if (type === 'i32') this.arenaI32[word] = value as number;
      else this.arenaU32[word] = value as number;
    });
    return at;
  }

  /**
   * Records one dispatch of `spec` over `arrays` (one per binding, in order) with the uniform
   * `values`, on a grid of `groups` workgroups (a grid with a 0 records nothing).
   */
  dispatch(
    spec: KernelSpec,
    arrays: readonly GpuArray[],
    values: ParamValues,
    groups: readonly number[],
  ): void {
    this.check();
    this.lastKernel = spec.name;
    if (groups.some((g) => g === 0)) return;
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (groups.some((g) => g > max)) {
      throw new Error(
        `webgpu ${spec.name}: a grid of [${groups.join(', ')}] workgroups exceeds ${max} per dimension`,
      );
    }
    arrays.forEach((a, i) => {
      const b = spec.bindings[i]!;
      if (b.access !== 'atomic' && a.dtype !== b.dtype) {
        throw new TypeError(`webgpu ${spec.name}: ${b.name} is ${a.dtype}, expected ${b.dtype}`);
      }
    });
    const slots = aliasSlots(arrays);
    this.scoped(spec.name, () => {
      const p = this.pipelineFor(spec, slots, halfFlags(arrays));
      const group = this.bindGroupFor(p, arrays, slots, spec.name);
      const offset = this.writeParams(spec, values, p);
      this.pass ??= this.encoderNow().beginComputePass({ label: 'dl kernels' });
      this.pass.setPipeline(p.pipeline);
      this.pass.setBindGroup(0, group, [offset]);
      this.pass.dispatchWorkgroups(groups[0]!, groups[1] ?? 1, groups[2] ?? 1);
    });
    this.batch.add(spec.name);
    this.dispatches++;
  }

  /** A 2-D grid of workgroups covering `count` items of `perGroup` each (x first, then rows of x). */
  grid(count: number, perGroup: number): [number, number] {
    const groups = Math.ceil(count / perGroup);
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (groups <= max) return [groups, 1];
    const x = max;
    return [x, Math.ceil(groups / x)];
  }

  /** Releases the GPU: pools, caches, device. */
  destroy(): void {
    if (this.destroyed) return;
    this.endPass();
    this.encoder = undefined;
    this.destroyed = true;
    this.pool.trim();
    this.staging.trim();
    this.bindGroups.clear();
    this.pipelines.clear();
    this.device.destroy();
  }
}
