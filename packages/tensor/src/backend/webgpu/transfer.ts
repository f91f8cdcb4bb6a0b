import { decodeFloat16, encodeFloat16 } from '../../precision/float16.js';
import type { GpuArray, GpuDType, GpuTypedArray } from './buffers.js';
import type { KernelSpec } from './kernel-spec.js';

// What crosses between the CPU and GPU buffers: the bytes an upload writes (float16 encoded where
// the array is stored half, padded to whole words), the typed array a read gives back, and the
// kernel that converts between float32 and float16 storage on the device.

/** The bytes of `data` as `writeBuffer` takes them for an array of this storage (a multiple of 4). */
export function uploadBytes(data: Float32Array | Int32Array | Uint8Array, half: boolean): Uint8Array {
  const source = half ? encodeFloat16(data as Float32Array) : data;
  const bytes = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (bytes.byteLength % 4 === 0) return bytes;
  const padded = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
  padded.set(bytes);
  return padded;
}

/** Bytes of `array`'s elements, without the padding (what a read copies out). */
export function elementBytes(array: GpuArray): number {
  return array.dtype === 'uint8' ? array.length : array.length * (array.half === true ? 2 : 4);
}

/** The typed array of a read's bytes (float16 storage decoded to float32). */
export function readValues(dtype: GpuDType, half: boolean, copy: ArrayBuffer): GpuTypedArray {
  if (half) return decodeFloat16(new Uint16Array(copy));
  if (dtype === 'float32') return new Float32Array(copy);
  if (dtype === 'int32') return new Int32Array(copy);
  return new Uint8Array(copy);
}

/** float16 <-> float32 element copies on the device, as the kernels convert (round to nearest even). */
export const CONVERT: KernelSpec = {
  name: 'convert',
  key: 'convert',
  bindings: [
    { name: 'x', access: 'read', dtype: 'float32' },
    { name: 'out', access: 'write', dtype: 'float32' },
  ],
  params: [['n', 'u32']],
  body: `@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = id.x + id.y * nwg.x * 64u;
  if (i < P.n) { out_st(i, x_ld(i)); }
}`,
};
