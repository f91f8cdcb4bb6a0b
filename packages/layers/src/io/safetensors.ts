import { allocate, Tensor } from '@dl/tensor';
import { parseSafetensorsHeader } from './safetensors-header.js';
import {
  BYTES_PER_ELEMENT,
  HOST_IS_LITTLE_ENDIAN,
  METADATA_KEY,
  SAFETENSORS_DTYPE_OF,
  SafetensorsError,
  TENSOR_DTYPE_OF,
  isHalfTensor,
  swapBytes,
  type SafetensorsDType,
  type StoredTensor,
} from './safetensors-types.js';

/** A parsed safetensors file: tensors by name in the order of their data, and the `__metadata__` strings. */
export interface SafetensorsContents {
  tensors: Map<string, StoredTensor>;
  metadata: Record<string, string>;
}

/** Tensors to write, by name; the data section follows this order. */
export type TensorEntries = ReadonlyMap<string, StoredTensor> | Readonly<Record<string, StoredTensor>>;

/** The alignment of the data section (the reference writer pads the header with spaces to it). */
const ALIGNMENT = 8;

/**
 * Parses safetensors bytes (browser-safe: no Node APIs). The header is checked completely before any
 * tensor is allocated, so a malformed or hostile file costs at most its own size in memory. Tensors
 * are copies: they never alias `bytes`. `options.file` names the file in errors.
 */
export function readSafetensors(bytes: Uint8Array, options: { file?: string } = {}): SafetensorsContents {
  const header = parseSafetensorsHeader(bytes, options.file);
  const tensors = new Map<string, StoredTensor>();
  for (const { name, dtype, shape, begin, end } of header.entries) {
    const source = bytes.subarray(header.dataStart + begin, header.dataStart + end);
    const elements = (end - begin) / BYTES_PER_ELEMENT[dtype];
    const target = TENSOR_DTYPE_OF[dtype];
    // Copy bytewise: the data may sit at any offset of any buffer, which a typed-array view cannot.
    if (target === 'F16' || target === 'BF16') {
      const data = new Uint16Array(elements);
      copyLittleEndian(source, data, 2);
      tensors.set(name, { dtype: target, shape, data });
    } else {
      const data = allocate(target, elements);
      copyLittleEndian(source, data, BYTES_PER_ELEMENT[dtype]);
      tensors.set(name, new Tensor(data, shape, target));
    }
  }
  return { tensors, metadata: { ...header.metadata } };
}

function copyLittleEndian(source: Uint8Array, target: ArrayBufferView, width: number): void {
  const bytes = new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
  bytes.set(source);
  if (!HOST_IS_LITTLE_ENDIAN) swapBytes(bytes, width);
}

/**
 * Serialises tensors and string metadata as safetensors, laid out as the reference writer does:
 * compact JSON header (`__metadata__` first, then each tensor's `dtype`, `shape`, `data_offsets`),
 * padded with spaces so the data starts at a multiple of 8, then the raw little-endian data in the
 * order given. Structured metadata must be JSON-encoded by the caller.
 */
export function writeSafetensors(
  tensors: TensorEntries,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const entries = isMap(tensors) ? [...tensors] : Object.entries(tensors);
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') {
      throw new SafetensorsError(
        `metadata '${key}' must be a string, got ${typeof value} (JSON-encode structured values)`,
      );
    }
  }
  // Built by hand, not with JSON.stringify of one object: that would move integer-like names first.
  const parts = Object.keys(metadata).length > 0 ? [`"${METADATA_KEY}":${JSON.stringify(metadata)}`] : [];
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === METADATA_KEY) throw new SafetensorsError(`'${METADATA_KEY}' is reserved, not a tensor name`);
    const { dtype, payload } = encodeTensor(name, t);
    const info = { dtype, shape: t.shape, data_offsets: [offset, offset + payload.length] };
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(info)}`);
    payloads.push(payload);
    offset += payload.length;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / ALIGNMENT) * ALIGNMENT;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength % 2 ** 32, true);
  view.setUint32(4, Math.floor(headerLength / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength); // spaces: the header stays valid JSON
  let at = 8 + headerLength;
  for (const [i, payload] of payloads.entries()) {
    out.set(payload, at);
    if (!HOST_IS_LITTLE_ENDIAN) swapBytes(out.subarray(at, at + payload.length), widthOf(entries[i]![1]));
    at += payload.length;
  }
  return out;
}

function isMap(tensors: TensorEntries): tensors is ReadonlyMap<string, StoredTensor> {
  return tensors instanceof Map;
}

function widthOf(t: StoredTensor): number {
  return isHalfTensor(t) ? 2 : t.data.BYTES_PER_ELEMENT;
}

/** The file dtype and a byte view of the data (no copy), after checking the shape fits the data. */
function encodeTensor(name: string, t: StoredTensor): { dtype: SafetensorsDType; payload: Uint8Array } {
  const size = t.shape.reduce((n, d) => n * d, 1);
  if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || size !== t.data.length) {
    throw new SafetensorsError(
      `tensor '${name}': shape [${t.shape.join(',')}] does not match its ${t.data.length} elements`,
    );
  }
  const dtype = isHalfTensor(t) ? t.dtype : SAFETENSORS_DTYPE_OF[t.dtype];
  if (dtype === undefined)
    throw new SafetensorsError(`tensor '${name}': unsupported dtype '${String(t.dtype)}'`);
  return { dtype, payload: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) };
}
