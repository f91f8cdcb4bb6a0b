import type { GpuArray, GpuDType } from './buffers.js';

/** One-line argument checks shared by the kernels: wrong sizes and dtypes throw before anything is recorded. */

export function needLength(kernel: string, name: string, a: GpuArray, atLeast: number): void {
  if (a.length < atLeast) {
    throw new RangeError(`webgpu ${kernel}: ${name} has ${a.length} elements, needs ${atLeast}`);
  }
}

export function needDType(kernel: string, name: string, a: GpuArray, ...dtypes: GpuDType[]): void {
  if (!dtypes.includes(a.dtype)) {
    throw new TypeError(`webgpu ${kernel}: ${name} is ${a.dtype}; this kernel takes ${dtypes.join(' or ')}`);
  }
}

/** Float32 operands of at least the given lengths. */
export function needFloat32(kernel: string, operands: Record<string, [GpuArray, number]>): void {
  for (const [name, [a, n]] of Object.entries(operands)) {
    needDType(kernel, name, a, 'float32');
    needLength(kernel, name, a, n);
  }
}

/** WGSL's element type of a dtype (uint8 elements are unpacked to u32). */
export function wgslType(dtype: GpuDType): 'f32' | 'i32' | 'u32' {
  return dtype === 'float32' ? 'f32' : dtype === 'int32' ? 'i32' : 'u32';
}

/** The entry point of a 1-D kernel: `i` is the invocation's linear index, `P.n` the count. */
export function linearMain(body: string, wg = 64): string {
  return `const WG: u32 = ${wg}u;
@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= P.n) { return; }
${body}
}`;
}
