import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '@dl/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { MnistDataError } from './errors.js';
import { clearVerificationCache, hashCount, sha256Hex, verifyDigest, verifyFileOnce } from './verify.js';

const dir = mkdtempSync(join(tmpdir(), 'dl-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rng = new Rng(99);
const bytes = Uint8Array.from({ length: 1000 }, () => rng.int(256));
const digest = { size: bytes.length, sha256: sha256Hex(bytes) };

describe('verification', () => {
  it('sha256Hex is SHA-256 (the FIPS 180-2 "abc" vector)', () => {
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('a mismatch names the file, the expected and the actual size and hash', () => {
    const damaged = bytes.slice(0, 999);
    try {
      verifyDigest('/data/train-images-idx3-ubyte', damaged, digest);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MnistDataError);
      const err = e as MnistDataError;
      expect(err.code).toBe('checksum');
      expect(err.file).toBe('/data/train-images-idx3-ubyte');
      expect(err.message).toContain('/data/train-images-idx3-ubyte');
      expect(err.message).toContain(`expected 1000 bytes with SHA-256 ${digest.sha256}`);
      expect(err.message).toContain(`found 999 bytes with SHA-256 ${sha256Hex(damaged)}`);
    }
  });

  it('same size, different contents: still caught', () => {
    const flipped = bytes.slice();
    flipped[500] = flipped[500]! ^ 1;
    expect(() => verifyDigest('f', flipped, digest)).toThrow(/failed verification/);
  });

  it('hashes an unchanged file once per process, and again once it changes', () => {
    clearVerificationCache();
    const path = join(dir, 'file');
    writeFileSync(path, bytes);
    const before = hashCount();
    expect(verifyFileOnce(path, bytes, digest)).toBe(true);
    expect(verifyFileOnce(path, bytes, digest)).toBe(false);
    expect(verifyFileOnce(path, bytes, digest)).toBe(false);
    expect(hashCount() - before).toBe(1);

    // A rewritten file (new mtime) is hashed again, and a bad one is still refused.
    const changed = bytes.slice();
    changed[0] = changed[0]! ^ 0xff;
    writeFileSync(path, changed);
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    expect(() => verifyFileOnce(path, changed, digest)).toThrow(/failed verification/);
    expect(hashCount() - before).toBe(2);
  });

  it('a failed verification is not cached', () => {
    clearVerificationCache();
    const path = join(dir, 'bad');
    const bad = bytes.slice(1);
    writeFileSync(path, bad);
    expect(() => verifyFileOnce(path, bad, digest)).toThrow(MnistDataError);
    expect(() => verifyFileOnce(path, bad, digest)).toThrow(MnistDataError);
  });
});
