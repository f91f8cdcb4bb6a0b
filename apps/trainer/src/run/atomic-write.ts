import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/**
 * Writes a file so that readers see the old contents or the new, never a part: write a temporary
 * file next to it, rename it over the target (atomic on POSIX file systems). `durable` also flushes
 * it to disk first, so a power cut cannot leave an empty file (slow: for checkpoints, not plots).
 */
export function writeFileAtomicSync(
  path: string,
  contents: string | Uint8Array,
  options: { durable?: boolean } = {},
): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, typeof contents === 'string' ? Buffer.from(contents) : contents);
    if (options.durable) fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}
