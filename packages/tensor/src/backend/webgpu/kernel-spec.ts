/// <reference types="webgpu" preserve="true" />
import type { GpuArray, GpuDType } from './buffers.js';
import { SHADER_STAGE_COMPUTE } from './usage.js';

/**
 * How a kernel is described, and the WGSL and bind group layout made from the description. A kernel
 * names its operands (`bindings`) and sizes (`params`) and writes only its body; the declarations
 * are generated here, including the accessors the body uses: `x_ld(i)` and `x_st(i, v)` per
 * element, and for packed uint8 `x_ldw(w)`/`x_stw(w, v)` per 4-element word. Operands that share a
 * buffer (an in-place call) get one binding, which WebGPU requires, and one set of accessors per
 * name over it, so the body does not change.
 */

/** How a kernel uses one operand. `atomic` is scratch the kernel updates with integer atomics. */
export type Access = 'read' | 'write' | 'atomic';

export interface BindingSpec {
  name: string;
  access: Access;
  dtype: GpuDType;
}

/** A uniform field: a scalar, or `vec4u` for an `array<vec4<u32>, count>` (shapes, strides). */
export type ParamType = 'u32' | 'i32' | 'f32' | { vec4u: number };

/**
 * One kernel variant. `body` is WGSL that uses, for each binding `x`, the accessors the runtime
 * declares (`x_ld(i)`, `x_st(i, v)`; for uint8 also `x_ldw(w)`/`x_stw(w, v)` on whole words;
 * atomic bindings by name), the uniform `P` with the `params` fields, and `const WG` if given.
 */
export interface KernelSpec {
  name: string;
  /** Distinguishes variants of one kernel (op, dtype, tile sizes): the pipeline cache key. */
  key: string;
  bindings: readonly BindingSpec[];
  params: readonly (readonly [string, ParamType])[];
  body: string;
}

export type ParamValues = Record<string, number | readonly number[]>;

const WGSL_TYPE: Record<GpuDType, string> = { float32: 'f32', int32: 'i32', uint8: 'u32' };

/** Shared WGSL helpers. NaN and Infinity come from runtime bit patterns: a constant NaN is a WGSL error. */
export const WGSL_COMMON = `
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn nan_f32() -> f32 { var b = 0x7fc00000u; return bitcast<f32>(b); }
fn inf_f32() -> f32 { var b = 0x7f800000u; return bitcast<f32>(b); }
`;

export function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** The uniform struct's layout (WGSL's: scalars 4-byte aligned, vec4 arrays 16) and its byte size. */
export function layoutParams(params: KernelSpec['params']): {
  offsets: number[];
  size: number;
  wgsl: string;
} {
  let offset = 0;
  const offsets: number[] = [];
  const fields: string[] = [];
  for (const [name, type] of params) {
    if (typeof type === 'string') {
      offsets.push(offset);
      offset += 4;
      fields.push(`${name}: ${type}`);
    } else {
      offset = alignUp(offset, 16);
      offsets.push(offset);
      offset += 16 * type.vec4u;
      fields.push(`${name}: array<vec4<u32>, ${type.vec4u}>`);
    }
  }
  if (fields.length === 0) {
    fields.push('unused: u32');
    offset = 4;
  }
  return { offsets, size: alignUp(offset, 16), wgsl: `struct Params { ${fields.join(', ')} }` };
}

/**
 * Which bindings hold float16 storage (`GpuArray.half`), one flag per binding: part of a pipeline's
 * key, since the accessors differ.
 */
export function halfFlags(arrays: readonly GpuArray[]): boolean[] {
  return arrays.map((a) => a.half === true);
}

/** Maps each binding to a distinct buffer slot: operands that share a buffer share one binding. */
export function aliasSlots(arrays: readonly GpuArray[]): number[] {
  const slots: number[] = [];
  for (let i = 0; i < arrays.length; i++) {
    const j = arrays.findIndex((a) => a.buffer === arrays[i]!.buffer);
    slots.push(j < i ? slots[j]! : i);
  }
  return slots;
}

/** The WGSL declarations of a kernel's bindings and their accessors. */
function declareBindings(
  bindings: readonly BindingSpec[],
  slots: readonly number[],
  halves: readonly boolean[],
): string {
  const lines: string[] = [];
  const declared = new Set<number>();
  bindings.forEach((b, i) => {
    const slot = slots[i]!;
    const buf = `buf${slot}`;
    const shared = bindings.filter((_, k) => slots[k] === slot);
    const writable = shared.some((s) => s.access !== 'read');
    if (halves[i] === true) {
      // float16 storage, two elements a word. A written one is atomic: two invocations writing
      // neighbouring elements share a word, so a store is a compare-exchange loop on it.
      if (!declared.has(slot)) {
        declared.add(slot);
        const type = writable ? 'array<atomic<u32>>' : 'array<u32>';
        lines.push(
          `@group(0) @binding(${slot + 1}) var<storage, ${writable ? 'read_write' : 'read'}> ${buf}: ${type};`,
        );
      }
      const word = writable ? `atomicLoad(&${buf}[i >> 1u])` : `${buf}[i >> 1u]`;
      lines.push(`fn ${b.name}_ld(i: u32) -> f32 { return unpack2x16float(${word})[i & 1u]; }`);
      if (b.access === 'write') {
        lines.push(`fn ${b.name}_st(i: u32, v: f32) {
  let shift = (i & 1u) * 16u;
  let bits = (pack2x16float(vec2f(v, 0.0)) & 0xffffu) << shift;
  var old = atomicLoad(&${buf}[i >> 1u]);
  loop {
    let r = atomicCompareExchangeWeak(&${buf}[i >> 1u], old, (old & ~(0xffffu << shift)) | bits);
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}`);
      }
      return;
    }
    if (!declared.has(slot)) {
      declared.add(slot);
      if (b.access === 'atomic') {
        lines.push(`@group(0) @binding(${slot + 1}) var<storage, read_write> ${buf}: array<atomic<u32>>;`);
      } else {
        lines.push(
          `@group(0) @binding(${slot + 1}) var<storage, ${writable ? 'read_write' : 'read'}> ${buf}: array<${WGSL_TYPE[b.dtype]}>;`,
        );
      }
    }
    if (b.access === 'atomic') {
      lines.push(`fn ${b.name}_xchg(i: u32, v: u32) -> u32 { return atomicExchange(&${buf}[i], v); }`);
      lines.push(`fn ${b.name}_load(i: u32) -> u32 { return atomicLoad(&${buf}[i]); }`);
      return;
    }
    if (b.dtype === 'uint8') {
      lines.push(`fn ${b.name}_ld(i: u32) -> u32 { return (${buf}[i >> 2u] >> ((i & 3u) * 8u)) & 255u; }`);
      lines.push(`fn ${b.name}_ldw(w: u32) -> u32 { return ${buf}[w]; }`);
      if (b.access === 'write') lines.push(`fn ${b.name}_stw(w: u32, v: u32) { ${buf}[w] = v; }`);
    } else {
      const t = WGSL_TYPE[b.dtype];
      lines.push(`fn ${b.name}_ld(i: u32) -> ${t} { return ${buf}[i]; }`);
      if (b.access === 'write') lines.push(`fn ${b.name}_st(i: u32, v: ${t}) { ${buf}[i] = v; }`);
    }
  });
  return lines.join('\n');
}

/** The whole WGSL of a kernel variant: uniforms, bindings and accessors, helpers, body. */
export function shaderCode(
  spec: KernelSpec,
  slots: readonly number[],
  halves: readonly boolean[] = [],
): string {
  return [
    layoutParams(spec.params).wgsl + ';',
    '@group(0) @binding(0) var<uniform> P: Params;',
    declareBindings(spec.bindings, slots, halves),
    WGSL_COMMON,
    spec.body,
  ].join('\n');
}

/** The bind group layout: the uniforms at 0 (dynamic offset), then one storage binding per slot. */
export function layoutEntries(
  spec: KernelSpec,
  slots: readonly number[],
  uniformSize: number,
): GPUBindGroupLayoutEntry[] {
  const entries: GPUBindGroupLayoutEntry[] = [
    {
      binding: 0,
      visibility: SHADER_STAGE_COMPUTE,
      buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: uniformSize },
    },
  ];
  const seen = new Set<number>();
  spec.bindings.forEach((_, i) => {
    const slot = slots[i]!;
    if (seen.has(slot)) return;
    seen.add(slot);
    const writable = spec.bindings.some((b, k) => slots[k] === slot && b.access !== 'read');
    entries.push({
      binding: slot + 1,
      visibility: SHADER_STAGE_COMPUTE,
      buffer: { type: writable ? 'storage' : 'read-only-storage' },
    });
  });
  return entries;
}
