import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '@dl/layers';
import { saveModelFile } from '@dl/layers/node';
import { Rng } from '@dl/tensor';
import { crc32 } from '../image/crc32.js';
import { checkImageSize, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE } from '../image/png-decode.js';
import { encodePng } from '../image/png-encode.js';
import { runDl, tempDir } from '../testing/fixtures.js';

// What `dl predict` refuses or warns about in the images it is given (the model's quality is not
// the point: an untrained network will do).

let tmp: { path: string; cleanup: () => void };
let model: string;
const out = (name: string): string => join(tmp.path, name);

beforeAll(async () => {
  tmp = tempDir();
  model = out('model.safetensors');
  const spec = { kind: 'two-layer-net', inputSize: 784, hiddenSize: 8, outputSize: 10 } as const;
  await saveModelFile(model, buildModel(spec, { rng: new Rng(1) }), spec);
});
afterAll(() => tmp.cleanup());

/**
 * A small PNG whose header declares `width × height`: a 2×2 image with its IHDR rewritten (and its
 * CRC recomputed), so the pixel data does not match. Decoding it would fail or take the declared size.
 */
function lyingPng(width: number, height: number): Uint8Array {
  const png = encodePng({ width: 2, height: 2, channels: 1, data: new Uint8Array(4) });
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  // IHDR is the first chunk: length at 8, type at 12, width and height at 16 and 20, CRC at 29.
  expect(String.fromCharCode(...png.subarray(12, 16))).toBe('IHDR');
  view.setUint32(16, width);
  view.setUint32(20, height);
  view.setUint32(29, crc32(png.subarray(12, 29)));
  return png;
}

describe('dl predict image limits', () => {
  it.each([
    [20_000, 20_000],
    [MAX_IMAGE_SIDE + 1, 1],
    [1, MAX_IMAGE_SIDE + 1],
    [MAX_IMAGE_SIDE, Math.floor(MAX_IMAGE_PIXELS / MAX_IMAGE_SIDE) + 1],
  ])('refuses a PNG declaring %i×%i from its header, before decoding (exit 1)', async (w, h) => {
    const file = out(`big-${w}x${h}.png`);
    writeFileSync(file, lyingPng(w, h));
    const r = await runDl(['predict', '--checkpoint', model, file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`${file}: the image is ${w}×${h} (`);
    expect(r.stderr).toContain(`up to ${MAX_IMAGE_SIDE} pixels a side and 16 megapixels`);
  });

  it('refuses a PGM declaring too many pixels the same way', async () => {
    const file = out('big.pgm');
    writeFileSync(file, 'P5\n9000 9000\n255\n');
    const r = await runDl(['predict', '--checkpoint', model, file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}: the image is 9000×9000 (`);
  });

  it('lets an image at the limits through (decoding one that large would make a slow test)', () => {
    expect(() => checkImageSize(4096, 4096, 'a.png')).not.toThrow(); // 16 megapixels exactly
    expect(() => checkImageSize(MAX_IMAGE_SIDE, MAX_IMAGE_PIXELS / MAX_IMAGE_SIDE, 'b.png')).not.toThrow();
    expect(() => checkImageSize(4096, 4097, 'c.png')).toThrow(/c\.png: the image is 4096×4097/);
  });

  it('refuses image data longer than the header declares', async () => {
    const png = lyingPng(1, 1); // the 2×2 image's data under a 1×1 header
    const file = out('long.png');
    writeFileSync(file, png);
    const r = await runDl(['predict', '--checkpoint', model, file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}: corrupt image data (more than the 1×1 its header declares)`);
  });
});

describe('dl predict on a blank image', () => {
  it('answers, with a warning on stderr naming the image', async () => {
    const blank = out('blank.png');
    writeFileSync(
      blank,
      encodePng({ width: 40, height: 30, channels: 3, data: new Uint8Array(3600).fill(255) }),
    );
    const ink = out('ink.png');
    const data = new Uint8Array(40 * 30).fill(255);
    for (let y = 5; y < 25; y++) data.fill(0, y * 40 + 18, y * 40 + 22);
    writeFileSync(ink, encodePng({ width: 40, height: 30, channels: 1, data }));
    const r = await runDl(['predict', '--checkpoint', model, blank, ink]);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(r.stderr).toBe(
      `warning: ${blank} is blank (no ink after preprocessing); its class means nothing\n`,
    );
  });
});

describe('dl predict on an image path that is not a file', () => {
  it('names the path (a directory, a missing file)', async () => {
    const dir = out('a-directory.png');
    mkdirSync(dir);
    const r = await runDl(['predict', '--checkpoint', model, dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`dl: ${dir}: cannot read the image: is a directory (EISDIR)\n`);
    const missing = out('missing.png');
    const m = await runDl(['predict', '--checkpoint', model, missing]);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain(missing);
  });
});
