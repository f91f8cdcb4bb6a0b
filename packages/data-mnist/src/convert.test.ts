import { Rng } from '@dl/tensor';
import { describe, expect, it } from 'vitest';
import { labelsToInt32, pixelsToFloat32 } from './convert.js';
import { MnistDataError } from './errors.js';

describe('pixelsToFloat32', () => {
  it('normalises every byte value to the correctly rounded float32 of v / 255 (NumPy float32 parity)', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const out = pixelsToFloat32(all, true);
    for (let v = 0; v < 256; v++) expect(out[v]).toBe(Math.fround(v / 255));
    expect(out[0]).toBe(0);
    expect(out[255]).toBe(1);
  });

  it('keeps raw values when not normalising, into a given output array', () => {
    const rng = new Rng(3);
    const pixels = Uint8Array.from({ length: 1000 }, () => rng.int(256));
    const out = new Float32Array(1000);
    expect(pixelsToFloat32(pixels, false, out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(pixels));
    expect(() => pixelsToFloat32(pixels, false, new Float32Array(999))).toThrow(
      /out has 999 elements, pixels 1000/,
    );
  });
});

describe('labelsToInt32', () => {
  it('widens labels and refuses one outside [0, numClasses)', () => {
    expect(Array.from(labelsToInt32(new Uint8Array([5, 0, 4, 1, 9]), 10, 'f'))).toEqual([5, 0, 4, 1, 9]);
    expect(() => labelsToInt32(new Uint8Array([5, 0, 12]), 10, 'labels.idx')).toThrow(MnistDataError);
    expect(() => labelsToInt32(new Uint8Array([5, 0, 12]), 10, 'labels.idx')).toThrow(
      /labels.idx: label 12 at index 2 is outside \[0, 10\)/,
    );
  });
});
