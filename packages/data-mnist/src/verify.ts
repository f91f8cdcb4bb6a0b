import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { MnistDataError } from './errors.js';

/** The size and SHA-256 a file must have to be the one we expect. */
export interface FileDigest {
  readonly size: number;
  readonly sha256: string;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Throws a `MnistDataError` ('checksum') naming the file, expected and actual size and hash. */
export function verifyDigest(path: string, bytes: Uint8Array, expected: FileDigest): void {
  hashes++;
  const sha256 = sha256Hex(bytes);
  if (bytes.length === expected.size && sha256 === expected.sha256) return;
  throw new MnistDataError(
    'checksum',
    `${path}: file failed verification: expected ${expected.size} bytes with SHA-256 ${expected.sha256}, ` +
      `found ${bytes.length} bytes with SHA-256 ${sha256}; the file is damaged or not the original (reinstall the package that ships it)`,
    { file: path },
  );
}

// Files verified in this process, keyed by what would change if the file did: hashing all of MNIST
// costs tens of milliseconds on every load otherwise.
const verified = new Set<string>();
let hashes = 0;

/**
 * `verifyDigest`, once per process for an unchanged file (same path, size, mtime and inode).
 * `bytes` must be the file's contents as just read. Returns true when it hashed.
 */
export function verifyFileOnce(path: string, bytes: Uint8Array, expected: FileDigest): boolean {
  const stat = statSync(path);
  const key = `${path}\0${stat.size}\0${stat.mtimeMs}\0${stat.ino}\0${expected.sha256}`;
  if (verified.has(key) && bytes.length === expected.size) return false;
  verifyDigest(path, bytes, expected);
  verified.add(key);
  return true;
}

/** Forgets every verification, so the next load hashes again (for benchmarks and tests). */
export function clearVerificationCache(): void {
  verified.clear();
}

/** How many files this process has hashed (for tests of the cache). */
export function hashCount(): number {
  return hashes;
}
