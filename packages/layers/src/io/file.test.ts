import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type * as Fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { readFileBytes, removeStaleTempFiles, writeFileAtomic, writeFileAtomicSync } from './file.js';

// Fault injection: a write that dies half way (a crash or a full disk), or a rename that fails.
const faults = vi.hoisted(() => ({ write: false, rename: false }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof Fs>();
  return {
    ...fs,
    writeSync: (fd: number, data: Uint8Array, offset = 0, length = data.length - offset): number => {
      if (!faults.write) return fs.writeSync(fd, data, offset, length);
      fs.writeSync(fd, data, offset, length >> 1);
      throw new Error('ENOSPC: no space left on device (simulated)');
    },
    renameSync: (from: Fs.PathLike, to: Fs.PathLike): void => {
      if (faults.rename) throw new Error('EIO: rename failed (simulated)');
      fs.renameSync(from, to);
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

describe('stale temporary files (a writer killed mid-write)', () => {
  // A pid that runs no process: far above any pid_max.
  const deadPid = 2 ** 30 + 7;

  it("the next write of the same file removes them; a live writer's file is left alone", () => {
    const path = join(dir, 'last.safetensors');
    const stale = [`.last.safetensors.${deadPid}.0a1b2c.tmp`, `last.safetensors.${deadPid}.tmp`];
    const live = `.last.safetensors.${process.ppid}.ffee00.tmp`;
    const other = `.other.bin.${deadPid}.0a1b2c.tmp`;
    for (const name of [...stale, live, other]) writeFileSync(join(dir, name), 'partial');
    writeFileAtomicSync(path, 'whole');
    expect(readFileSync(path, 'utf8')).toBe('whole');
    for (const name of stale) expect(existsSync(join(dir, name)), name).toBe(false);
    expect(existsSync(join(dir, live))).toBe(true);
    expect(existsSync(join(dir, other))).toBe(true);
    expect(removeStaleTempFiles(join(dir, 'other.bin'))).toEqual([other]);
    rmSync(join(dir, live));
  });

  it('a missing directory has none', () => {
    expect(removeStaleTempFiles(join(dir, 'missing', 'x.bin'))).toEqual([]);
  });
});

describe('writeFileAtomicSync', () => {
  it('writes text and bytes, leaving no temporary file behind', () => {
    const path = join(dir, 'run.json');
    writeFileAtomicSync(path, '{"a": 1}\n');
    expect(readFileSync(path, 'utf8')).toBe('{"a": 1}\n');
    writeFileAtomicSync(path, bytes(5, 9));
    expect(new Uint8Array(readFileSync(path))).toEqual(bytes(5, 9));
    expect(readdirSync(dir).filter((f) => f.includes('run.json'))).toEqual(['run.json']);
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
