import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `contents` to `path` so that readers see the old file or the new one, never a mix: the bytes
 * go to a temporary file in the same directory (same file system, so the rename is atomic), are
 * flushed to disk with fsync, then renamed over `path`. An error before the rename leaves the old
 * file as it was and removes the temporary file. A process killed mid-write (`kill -9`) cannot remove
 * its temporary file: the next write of the same `path` does (see `removeStaleTempFiles`). Node only
 * (the `@dl/layers/node` entry). The one atomic write of the repository: the CLI's run files and
 * `saveModelFile` use it.
 */
export function writeFileAtomicSync(path: string, contents: string | Uint8Array): void {
  const dir = dirname(path);
  removeStaleTempFiles(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx');
    const bytes = typeof contents === 'string' ? Buffer.from(contents) : contents;
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw e;
  }
  syncDirectory(dir);
}

/** `writeFileAtomicSync` for async callers (the same steps; the promise settles when the file is in place). */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await Promise.resolve();
  writeFileAtomicSync(path, bytes);
}

// `.NAME.<pid>.<hex>.tmp` (this file's temporaries) and `NAME.<pid>.tmp` (those of older versions).
const TEMP_NAME = /^(?:\.(.+)\.(\d+)\.[0-9a-f]+|(.+)\.(\d+))\.tmp$/;

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as { code?: unknown }).code === 'EPERM';
  }
}

/**
 * Removes the temporary files that writes of `path` left behind when their process was killed
 * mid-write: those whose process no longer runs. A write still under way in a live process is left
 * alone. Returns the names removed; a missing directory is not an error.
 */
export function removeStaleTempFiles(path: string): string[] {
  const dir = dirname(path);
  const name = basename(path);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    const m = TEMP_NAME.exec(entry);
    if (m === null || (m[1] ?? m[3]) !== name) continue;
    if (alive(Number(m[2] ?? m[4]))) continue;
    rmSync(join(dir, entry), { force: true });
    removed.push(entry);
  }
  return removed;
}

/** Makes the rename itself durable; directories cannot be opened for fsync everywhere (Windows), so best effort. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // The data is already safe; only the directory entry's durability is platform-dependent.
  }
  if (fd !== undefined) closeSync(fd);
}

/** The whole file as bytes (a `Uint8Array` over its own buffer). */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  const buffer = await readFile(path);
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
