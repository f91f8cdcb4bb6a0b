import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { MnistDataError } from './errors.js';
import { readIdx, writeIdx, type AnyIdxArray, type IdxArray, type IdxDType } from './idx.js';

/** IDX files on disk, plain or gzip-compressed (how MNIST and Fashion-MNIST are distributed). */

const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/** The bytes of a file; a missing or unreadable file is a `MnistDataError` naming the path. */
export function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (cause) {
    const reason = cause instanceof Error && 'code' in cause ? String(cause.code) : String(cause);
    throw new MnistDataError(
      'missing-file',
      `${path}: cannot read file (${reason}), expected an IDX file there`,
      {
        file: path,
        cause,
      },
    );
  }
}

/**
 * The decompressed contents of an IDX file. A path ending in `.gz` must hold gzip data; gzip data
 * under a plain name is decompressed too (an IDX file never starts with the gzip magic 1f 8b).
 */
export function readIdxBytes(path: string): Uint8Array {
  const bytes = readBytes(path);
  if (!path.endsWith('.gz') && !isGzip(bytes)) return bytes;
  if (!isGzip(bytes)) {
    throw new MnistDataError(
      'bad-gzip',
      `${path}: corrupt gzip file: expected the gzip magic 1f 8b, found ${hexStart(bytes)}`,
      {
        file: path,
      },
    );
  }
  try {
    return gunzipSync(bytes);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new MnistDataError(
      'bad-gzip',
      `${path}: corrupt gzip file (${reason}), expected a complete gzip stream`,
      {
        file: path,
        cause,
      },
    );
  }
}

const hexStart = (bytes: Uint8Array): string =>
  bytes.length === 0
    ? 'an empty file'
    : Array.from(bytes.subarray(0, 2), (b) => b.toString(16).padStart(2, '0')).join(' ');

/** Reads and parses one IDX file (`.gz` or plain); errors name the path. */
export function readIdxFile(path: string): AnyIdxArray {
  return readIdx(readIdxBytes(path), path);
}

/** Writes an array as an IDX file, gzip-compressed when `path` ends in `.gz`. */
export function writeIdxFile<D extends IdxDType>(path: string, array: IdxArray<D>): void {
  const bytes = writeIdx(array);
  writeFileSync(path, path.endsWith('.gz') ? gzipSync(bytes) : bytes);
}
