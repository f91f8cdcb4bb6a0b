/**
 * The slice of the WebAssembly JS API the `wasm` backend uses, typed here because this package
 * compiles without the DOM lib (and the playground compiles it without Node's types): reaching
 * `WebAssembly` through `globalThis` with these types works under both.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  /** Grows by `pages` of 64 KiB and returns the old size in pages; detaches the old `buffer`. */
  grow(pages: number): number;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** A compiled module: what worker threads receive to instantiate the same code. */
export type WasmModuleObject = object;

export type WasmImports = Record<string, Record<string, unknown>>;

export interface WasmApi {
  validate(bytes: Uint8Array | ArrayBuffer): boolean;
  compile(bytes: Uint8Array | ArrayBuffer): Promise<WasmModuleObject>;
  instantiate(module: WasmModuleObject, imports: WasmImports): Promise<WasmInstance>;
  /** Shared memory (`shared: true`) needs `maximum`; its `buffer` is a SharedArrayBuffer. */
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

export const WASM_PAGE_BYTES = 65536;

/** The engine's WebAssembly API, or undefined where there is none. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}
