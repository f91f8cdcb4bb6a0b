import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';
import { decodePng, ImageDecodeError } from './png-decode.js';
import { encodePng, type Image8 } from './png-encode.js';

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}

/** A PNG from raw filtered scanlines, for the cases the encoder does not write. */
function png(
  width: number,
  height: number,
  bitDepth: number,
  colorType: number,
  rows: number[][],
  extra: Buffer[] = [],
): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  const raw = Buffer.from(rows.flat());
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...extra,
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('PNG encode/decode', () => {
  it('round-trips gray, RGB and RGBA images', () => {
    for (const channels of [1, 3, 4] as const) {
      const width = 7;
      const height = 5;
      const data = Uint8Array.from({ length: width * height * channels }, (_, i) => (i * 37 + 11) & 0xff);
      const image: Image8 = { width, height, channels, data };
      const back = decodePng(encodePng(image));
      expect(back.width).toBe(width);
      expect(back.height).toBe(height);
      expect(back.channels).toBe(channels);
      expect([...back.data]).toEqual([...data]);
    }
  });

  it('undoes every row filter (Sub, Up, Average, Paeth)', () => {
    // Two gray pixels per row, one row per filter type; expected values worked out by hand.
    const rows = [
      [0, 10, 20],
      [1, 5, 5], // Sub: 5, 10
      [2, 1, 1], // Up: 6, 11
      [3, 4, 4], // Average: 4 + (0 + 6) >> 1 = 7, 4 + (7 + 11) >> 1 = 13
      [4, 1, 1], // Paeth: 1 + paeth(0, 7, 0) = 8, 1 + paeth(8, 13, 7) = 14
    ];
    const image = decodePng(png(2, 5, 8, 0, rows));
    expect([...image.data]).toEqual([10, 20, 5, 10, 6, 11, 7, 13, 8, 14]);
  });

  it('reads palettes, low bit depths and 16-bit samples', () => {
    const palette = chunk('PLTE', Buffer.from([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]));
    const indexed = decodePng(png(4, 1, 2, 3, [[0, 0b00011011]], [palette]));
    expect(indexed.channels).toBe(3);
    expect([...indexed.data]).toEqual([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255]);
    const oneBit = decodePng(png(3, 1, 1, 0, [[0, 0b10100000]]));
    expect([...oneBit.data]).toEqual([255, 0, 255]);
    const sixteen = decodePng(png(1, 1, 16, 2, [[0, 0x12, 0x34, 0xab, 0xcd, 0xff, 0xff]]));
    expect([...sixteen.data]).toEqual([0x12, 0xab, 0xff]);
  });

  it('refuses files that are not PNG, corrupt or truncated, with the file name', () => {
    const good = encodePng({ width: 2, height: 2, channels: 1, data: Uint8Array.of(1, 2, 3, 4) });
    expect(() => decodePng(Uint8Array.of(1, 2, 3), 'x.png')).toThrow(/x\.png: not a PNG/);
    const corrupt = Uint8Array.from(good);
    corrupt[40] = corrupt[40]! ^ 0xff;
    expect(() => decodePng(corrupt, 'c.png')).toThrow(ImageDecodeError);
    expect(() => decodePng(good.subarray(0, good.length - 15), 't.png')).toThrow(/t\.png: truncated/);
  });
});
