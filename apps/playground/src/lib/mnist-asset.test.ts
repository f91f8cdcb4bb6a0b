import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  checkAsset,
  chunksFor,
  fetchAsset,
  imagesFile,
  isGzip,
  labelsFile,
  normalizePixels,
} from './mnist-asset.js';

describe('the MNIST asset layout', () => {
  it('names files and counts chunks of 10 000 images', () => {
    expect(labelsFile('train')).toBe('train-labels.u8.gz');
    expect(imagesFile('test', 0)).toBe('test-images-0.u8.gz');
    expect(chunksFor(1)).toBe(1);
    expect(chunksFor(10_000)).toBe(1);
    expect(chunksFor(10_001)).toBe(2);
    expect(chunksFor(60_000)).toBe(6);
  });

  it('normalises pixels to [0, 1] like load_mnist(normalize=True)', () => {
    expect(Array.from(normalizePixels(Uint8Array.from([0, 51, 255])))).toEqual([0, Math.fround(0.2), 1]);
  });

  it('refuses labels that are not digits and partial images', () => {
    expect(() => checkAsset('l', Uint8Array.from([1, 10]), 'labels')).toThrow(/label 10 at index 1/);
    expect(() => checkAsset('i', new Uint8Array(785), 'images')).toThrow(/785 bytes/);
    expect(() => checkAsset('i', new Uint8Array(784 * 2), 'images')).not.toThrow();
  });
});

describe('fetchAsset', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });
  const data = Uint8Array.from([0, 7, 3, 9]);

  it('unpacks gzip bytes the server sent as they are', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(gzipSync(data))));
    expect(isGzip(gzipSync(data))).toBe(true);
    expect(Array.from(await fetchAsset('x'))).toEqual([0, 7, 3, 9]);
  });

  it('takes bytes the browser already unpacked (Content-Encoding: gzip)', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response(data)));
    expect(Array.from(await fetchAsset('x'))).toEqual([0, 7, 3, 9]);
  });

  it('names the URL and the fix when the file is missing', async () => {
    vi.stubGlobal('fetch', () => Promise.resolve(new Response('nope', { status: 404 })));
    await expect(fetchAsset('/data/mnist/x.u8.gz')).rejects.toThrow(/x\.u8\.gz: HTTP 404.*run data/);
  });
});
