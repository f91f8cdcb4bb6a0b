import { closeSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { kMaxLength } from 'node:buffer';
import { MnistDataError } from './errors.js';
import { IDX_TYPES, readIdx, writeIdx, type AnyIdxArray, type IdxArray, type IdxDType } from './idx.js';

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
 * An uncompressed IDX file of uint8 images (rank 3, a 16-byte header) read into the tail of the
 * float32 array its pixels become: the file's `n + 16` bytes end where the array's `4n` bytes do, so
 * converting pixel i into element i, front to back, reads each pixel before its bytes are written
 * over (element i ends at byte 4i + 3, pixel i + 1 sits at byte 3n + i + 1, and 4i + 3 < 3n + i + 1
 * for every i < n). One buffer instead of two: for MNIST's training images 47 MB less at the peak.
 * Undefined when the file is gzip or not shaped so; the caller then reads it the usual way.
 */
export function readImagesIntoFloat32(path: string): { bytes: Uint8Array; target: Float32Array } | undefined {
  if (path.endsWith('.gz')) return undefined;
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return undefined; // readBytes reports a missing file
  }
  const n = size - 16;
  if (n < 16) return undefined;
  const target = new Float32Array(n);
  const bytes = new Uint8Array(target.buffer, 3 * n - 16, size);
  const fd = openSync(path, 'r');
  try {
    for (let at = 0; at < size;) {
      const read = readSync(fd, bytes, at, size - at, at);
      if (read === 0) return undefined;
      at += read;
    }
  } finally {
    closeSync(fd);
  }
  if (isGzip(bytes) || bytes[2] !== 0x08 || bytes[3] !== 3) return undefined;
  return { bytes, target };
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
  // Inflate no further than the size the IDX header declares: a small .gz file can inflate to
  // gigabytes, which must be refused before they are in memory, not after.
  const limit = declaredIdxSize(bytes, path);
  try {
    return gunzipSync(bytes, limit === undefined ? {} : { maxOutputLength: Math.max(limit, 1) });
  } catch (cause) {
    if (limit !== undefined && (cause as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new MnistDataError(
        'trailing-bytes',
        `${path}: IDX file longer than its header says: the header declares ${limit} bytes, ` +
          `the gzip stream inflates to more (stopped there)`,
        { file: path, cause },
      );
    }
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

/**
 * The total size (header and elements) the IDX header at the start of a gzip stream declares, read by
 * inflating only a prefix of the stream, or undefined when no complete header comes out (a corrupt
 * or non-IDX stream: inflating it whole then reports what is wrong). Refuses a declared size no
 * buffer can hold.
 */
function declaredIdxSize(gz: Uint8Array, path: string): number | undefined {
  // Deflate expands at most about a thousandfold, so a short prefix inflates to at most some
  // kilobytes; the prefix grows until the header (at most 4 + 4·255 bytes) is out.
  for (let prefix = 64; ; prefix *= 4) {
    let head: Uint8Array;
    try {
      head = gunzipSync(gz.subarray(0, prefix), { finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch {
      return undefined;
    }
    const rank = head[3];
    if (head.length >= 4 && rank !== undefined && head.length >= 4 + 4 * rank) {
      const type = Object.values(IDX_TYPES).find((t) => t.code === head[2]);
      if (head[0] !== 0 || head[1] !== 0 || type === undefined) return undefined;
      const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
      let size = type.bytes;
      for (let i = 0; i < rank; i++) size *= view.getUint32(4 + 4 * i, false);
      const total = 4 + 4 * rank + size;
      if (total > kMaxLength) {
        throw new MnistDataError(
          'bad-shape',
          `${path}: the IDX header declares ${total} bytes, more than one buffer can hold (${kMaxLength})`,
          { file: path },
        );
      }
      return total;
    }
    if (prefix >= gz.length) return undefined;
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
