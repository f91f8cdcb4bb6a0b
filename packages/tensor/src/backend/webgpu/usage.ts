/**
 * The WebGPU spec's flag values (GPUBufferUsage, GPUMapMode, GPUShaderStage). Browsers define them as
 * globals, Dawn's npm package only in its `globals` object; the numbers are fixed by the spec, so
 * the backend uses them directly and never touches `globalThis`.
 */
export const BUFFER_MAP_READ = 0x0001;
export const BUFFER_COPY_SRC = 0x0004;
export const BUFFER_COPY_DST = 0x0008;
export const BUFFER_UNIFORM = 0x0040;
export const BUFFER_STORAGE = 0x0080;
export const MAP_MODE_READ = 0x0001;
export const SHADER_STAGE_COMPUTE = 0x4;
