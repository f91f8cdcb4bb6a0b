import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { readFileBytes, writeFileAtomic } from './file.js';

// Fault injection: a write that dies half way (a crash or a full disk), or a rename that fails.
const faults = vi.hoisted(() => ({ write: false, rename: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  return {
    ...fs,
    open: async (...args: Parameters<typeof fs.open>): Promise<FileHandle> => {
      const handle = await fs.open(...args);
      if (!faults.write) return handle;
      const broken = {
        writeFile: async (data: Uint8Array) => {
          await handle.write(data.subarray(0, data.length >> 1));
          throw new Error('ENOSPC: no space left on device (simulated)');
        },
        sync: () => handle.sync(),
        close: () => handle.close(),
      };
      return broken as unknown as FileHandle;
    },
    rename: async (...args: Parameters<typeof fs.rename>): Promise<void> => {
      if (faults.rename) throw new Error('EIO: rename failed (simulated)');
      return fs.rename(...args);
    },
  };
});

const dir = mkdtempSync(join(tmpdir(), 'dl-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  faults.write = false;
  faults.rename = false;
});

const bytes = (n: number, seed: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

describe('writeFileAtomic', () => {
  it('creates and replaces a file, leaving no temporary file behind', async () => {
    const path = join(dir, 'model.safetensors');
    await writeFileAtomic(path, bytes(1000, 1));
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes(1000, 1));
    await writeFileAtomic(path, bytes(10, 2));
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes(10, 2));
    expect(readdirSync(dir).filter((f) => f.includes('model'))).toEqual(['model.safetensors']);
  });

  it.each([
    ['dies half way through the write', 'write', /ENOSPC/],
    ['cannot rename', 'rename', /EIO/],
  ] as const)('leaves the old file intact when it %s', async (_, fault, error) => {
    const path = join(dir, `old-${fault}.bin`);
    writeFileSync(path, bytes(64, 3));
    faults[fault] = true;
    await expect(writeFileAtomic(path, bytes(4096, 4))).rejects.toThrow(error);
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes(64, 3));
    expect(readdirSync(dir).filter((f) => f.includes(`old-${fault}`))).toEqual([`old-${fault}.bin`]);
  });

  it('fails, creating nothing, when the directory does not exist', async () => {
    await expect(writeFileAtomic(join(dir, 'missing', 'x.bin'), bytes(8, 5))).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).not.toContain('missing');
  });
});

describe('readFileBytes', () => {
  it('returns the file as a Uint8Array', async () => {
    const path = join(dir, 'read.bin');
    writeFileSync(path, bytes(300, 6));
    const read = await readFileBytes(path);
    expect(read).toBeInstanceOf(Uint8Array);
    expect(read).toEqual(bytes(300, 6));
  });
});
