import { describe, expect, it } from 'vitest';
import { centerOfMass, hasInk, resizeArea, toGray, toMnistDigit } from './digit-image.js';

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

  it('gives an all-zero image for a blank picture, and hasInk says so', () => {
    const blank = toMnistDigit({
      width: 50,
      height: 40,
      channels: 3,
      data: new Uint8Array(50 * 40 * 3).fill(255),
    });
    expect(blank).toHaveLength(784);
    expect(hasInk(blank)).toBe(false);
    const dot = new Uint8Array(50 * 40).fill(255);
    dot[20 * 50 + 25] = 0;
    expect(hasInk(toMnistDigit({ width: 50, height: 40, channels: 1, data: dot }))).toBe(true);
  });
});

describe('toGray', () => {
  it('weighs RGB by Rec. 601 luminance and puts transparent pixels on white paper', () => {
    const rgba = toGray({
      width: 3,
      height: 1,
      channels: 4,
      data: [255, 0, 0, 255, 0, 0, 0, 0, 0, 0, 255, 255],
    });
    expect(rgba.data[0]).toBeCloseTo(0.299, 6);
    expect(rgba.data[1]).toBe(1); // fully transparent: paper
    expect(rgba.data[2]).toBeCloseTo(0.114, 6);
    const grayAlpha = toGray({ width: 1, height: 1, channels: 2, data: [0, 51] });
    expect(grayAlpha.data[0]).toBeCloseTo(0.8, 6); // 20% black over white
  });
});

describe('centerOfMass', () => {
  it('is the intensity-weighted centre, pixel centres at i + 0.5', () => {
    const img = new Float32Array(4 * 4);
    img[1 * 4 + 2] = 1;
    img[3 * 4 + 2] = 1;
    expect(centerOfMass(img, 4)).toEqual([2.5, 2.5]);
    expect(centerOfMass(new Float32Array(16), 4)).toBeNull();
    // Not square: 3 wide, 2 high.
    expect(centerOfMass(Float32Array.of(0, 0, 1, 0, 0, 1), 3, 2)).toEqual([2.5, 1]);
  });
});
