import { describe, expect, it } from 'vitest';
import { resizeArea, toMnistDigit } from './mnist-like.js';
import { decodePgm } from './pgm.js';

describe('MNIST-like preprocessing', () => {
  it('averages areas when shrinking', () => {
    const src = { width: 4, height: 2, data: Float32Array.of(0, 1, 1, 1, 0, 0, 1, 1) };
    expect(Array.from(resizeArea(src, 2, 1).data)).toEqual([0.25, 1]);
  });

  it('inverts dark-on-light images, fits the ink into 20x20 and centres it by mass', () => {
    const w = 40;
    const h = 80;
    const data = new Uint8Array(w * h).fill(255);
    for (let y = 10; y < 70; y++) for (let x = 5; x < 15; x++) data[y * w + x] = 0; // a 10x60 bar, off-centre
    const digit = toMnistDigit({ width: w, height: h, channels: 1, data });
    let mass = 0;
    let cx = 0;
    let cy = 0;
    let rows = 0;
    for (let y = 0; y < 28; y++) {
      let any = false;
      for (let x = 0; x < 28; x++) {
        const v = digit[y * 28 + x]!;
        mass += v;
        cx += v * (x + 0.5);
        cy += v * (y + 0.5);
        any ||= v > 0.5;
      }
      if (any) rows++;
    }
    expect(rows).toBe(20); // the long side scaled to 20
    // Centred to the nearest pixel.
    expect(Math.abs(cx / mass - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(cy / mass - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.max(...digit)).toBeCloseTo(1, 5); // white ink
  });

  it('keeps a 28x28 white-on-black image as it is', () => {
    const data = new Uint8Array(784);
    data[100] = 255;
    data[101] = 128;
    const digit = toMnistDigit({ width: 28, height: 28, channels: 1, data });
    expect(digit[100]).toBe(1);
    expect(digit[101]).toBeCloseTo(128 / 255, 6);
  });
});

describe('PGM', () => {
  it('reads binary and plain PGM with comments and 16-bit values', () => {
    const p5 = decodePgm(Buffer.concat([Buffer.from('P5 # c\n2 1\n255\n'), Buffer.from([0, 200])]));
    expect([...p5.data]).toEqual([0, 200]);
    const p2 = decodePgm(Buffer.from('P2\n2 2\n# max\n15\n0 15\n5 10\n'));
    expect([...p2.data]).toEqual([0, 255, 85, 170]);
    const wide = decodePgm(Buffer.concat([Buffer.from('P5\n1 1\n65535\n'), Buffer.from([0xff, 0xff])]));
    expect([...wide.data]).toEqual([255]);
    expect(() => decodePgm(Buffer.from('P5\n4 4\n255\n'), 'short.pgm')).toThrow(/short\.pgm: truncated/);
  });
});
