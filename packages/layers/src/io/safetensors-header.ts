import { findDuplicateKey } from './json-duplicates.js';
import {
  BYTES_PER_ELEMENT,
  METADATA_KEY,
  SafetensorsError,
  isSafetensorsDType,
  type SafetensorsDType,
} from './safetensors-types.js';

/** One tensor as the header describes it; `begin`/`end` are byte offsets into the data section. */
export interface SafetensorsHeaderEntry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** Where the data section starts in the file: 8 + the header length. */
  readonly dataStart: number;
  /** The tensors in the order of their data (header order, as written, whatever `JSON.parse` reorders). */
  readonly entries: readonly SafetensorsHeaderEntry[];
  readonly metadata: Readonly<Record<string, string>>;
}

const SUPPORTED = Object.keys(BYTES_PER_ELEMENT).join(', ');

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/**
 * Reads and checks the header of a safetensors file, allocating nothing beyond the header text:
 * every tensor's dtype, shape and `data_offsets` must agree, and the tensors must tile the data
 * section exactly (no overlap, no hole, nothing after), as the reference implementation requires.
 * `file` only names the file in errors.
 */
export function parseSafetensorsHeader(bytes: Uint8Array, file?: string): SafetensorsHeader {
  const fail = (message: string): never => {
    throw new SafetensorsError(message, file);
  };
  if (bytes.length < 8) fail(`the file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > bytes.length - 8) {
    fail(
      `the header length ${headerLength} runs past the end of the file (${bytes.length - 8} bytes follow it); ` +
        'the file is truncated or not safetensors',
    );
  }
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    fail('the header is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(json)) return fail(`the header must be a JSON object, got ${kindOf(json)}`);
  const duplicate = findDuplicateKey(text);
  if (duplicate !== undefined) fail(`the header names '${duplicate}' twice`);

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const entries: SafetensorsHeaderEntry[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(json)) {
    if (name === METADATA_KEY) metadata = parseMetadata(info, fail);
    else entries.push(parseEntry(name, info, dataLength, fail));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  checkCoverage(entries, dataLength, fail);
  return { dataStart, entries, metadata };
}

function parseMetadata(info: unknown, fail: (message: string) => never): Record<string, string> {
  if (info === null) return {}; // the reference implementation accepts a null `__metadata__`
  if (!isObject(info)) return fail(`${METADATA_KEY} must be an object of strings, got ${kindOf(info)}`);
  for (const [key, value] of Object.entries(info)) {
    if (typeof value !== 'string')
      fail(
        `${METADATA_KEY}['${key}'] must be a string, got ${kindOf(value)} (JSON-encode structured values)`,
      );
  }
  return info as Record<string, string>;
}

function parseEntry(
  name: string,
  info: unknown,
  dataLength: number,
  fail: (message: string) => never,
): SafetensorsHeaderEntry {
  const what = `tensor '${name}'`;
  if (!isObject(info)) return fail(`${what} must be an object with dtype, shape, data_offsets`);
  const { dtype, shape, data_offsets: offsets } = info;
  if (typeof dtype !== 'string') return fail(`${what}: dtype must be a string, got ${kindOf(dtype)}`);
  if (!isSafetensorsDType(dtype)) return fail(`${what}: unknown dtype '${dtype}' (supported: ${SUPPORTED})`);
  if (!Array.isArray(shape) || !shape.every(isCount))
    return fail(`${what}: shape must be an array of integers >= 0, got ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount))
    return fail(`${what}: data_offsets must be [begin, end], got ${JSON.stringify(offsets)}`);
  const [begin, end] = offsets as [number, number];
  if (begin > end) fail(`${what}: data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataLength)
    fail(`${what}: data_offsets [${begin}, ${end}] run past the data section (${dataLength} bytes)`);
  // Stop multiplying past 2^53, so a huge shape never rounds into a false match.
  let bytes = shape.includes(0) ? 0 : BYTES_PER_ELEMENT[dtype];
  for (const d of shape) if (bytes <= Number.MAX_SAFE_INTEGER) bytes *= d;
  if (bytes !== end - begin) {
    fail(
      `${what}: shape [${shape.join(',')}] of ${dtype} needs ${bytes > Number.MAX_SAFE_INTEGER ? 'more than 2^53' : bytes} ` +
        `bytes, data_offsets [${begin}, ${end}] hold ${end - begin}`,
    );
  }
  return { name, dtype, shape, begin, end };
}

/** `entries` sorted by offset must tile `[0, dataLength)`. */
function checkCoverage(
  entries: readonly SafetensorsHeaderEntry[],
  dataLength: number,
  fail: (message: string) => never,
): void {
  let covered = 0;
  let previous = '';
  for (const e of entries) {
    if (e.begin < covered)
      fail(
        `tensors '${previous}' and '${e.name}' overlap (bytes ${e.begin}..${covered} of the data section)`,
      );
    if (e.begin > covered)
      fail(
        `bytes ${covered}..${e.begin} of the data section belong to no tensor (safetensors forbids holes)`,
      );
    covered = e.end;
    previous = e.name;
  }
  if (covered !== dataLength)
    fail(`bytes ${covered}..${dataLength} at the end of the data section belong to no tensor`);
}
