import { wasmApi } from './api.js';

/** Which build of the kernels module runs: SIMD, or SIMD with the relaxed-SIMD fused multiply-add. */
export type WasmVariant = 'wasm-simd' | 'wasm-relaxed-simd';

/** What the `wasm` backend runs with; `createWasmBackend(...).features`. */
export interface WasmFeatures {
  readonly variant: WasmVariant;
  /** Whether this engine has relaxed SIMD (Node 20 needs `--experimental-wasm-relaxed-simd`). */
  readonly relaxedSimd: boolean;
  /** Threads GEMMs and convolutions run on, the calling one included. */
  readonly threads: number;
  /** Why fewer threads run than were asked for (a page without cross-origin isolation, ...). */
  readonly threadsNote?: string;
}

// The smallest modules using one instruction of each proposal: func (v128, v128[, v128]) -> v128
// returning f32x4.add (0xfd 0xe4 0x01) or f32x4.relaxed_madd (0xfd 0x85 0x02) of its parameters.
// An engine without the proposal fails to validate them (it does not throw).
// prettier-ignore
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x07, 0x01, 0x60, 0x02, 0x7b, 0x7b, 0x01, 0x7b,
  0x03, 0x02, 0x01, 0x00, 0x0a, 0x0b, 0x01, 0x09, 0x00, 0x20, 0x00, 0x20, 0x01, 0xfd, 0xe4, 0x01, 0x0b,
]);
// prettier-ignore
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01,
  0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd,
  0x85, 0x02, 0x0b,
]);

/** Whether the engine runs WebAssembly SIMD (every current browser, Node 16.4+). */
export function hasWasmSimd(): boolean {
  return wasmApi()?.validate(SIMD_PROBE) ?? false;
}

/** Whether the engine runs relaxed SIMD, needed by the `wasm-relaxed-simd` build. */
export function hasWasmRelaxedSimd(): boolean {
  return wasmApi()?.validate(RELAXED_SIMD_PROBE) ?? false;
}
