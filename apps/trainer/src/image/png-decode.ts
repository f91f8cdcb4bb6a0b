import { inflateSync } from 'node:zlib';
import { crc32 } from './crc32.js';
import type { Image8 } from './png-encode.js';

/** A file that is not a PNG this decoder reads; the message names the file and the reason. */
export class ImageDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageDecodeError';
  }
}

/** The largest image `dl predict` decodes: a digit needs far less, and a header can claim far more. */
export const MAX_IMAGE_SIDE = 8192;
export const MAX_IMAGE_PIXELS = 16 * 1024 * 1024;

/**
 * Refuses, from the header alone and so before any pixel is decoded, an image over
 * `MAX_IMAGE_SIDE` pixels a side or `MAX_IMAGE_PIXELS` in all: a small file can declare a huge image
 * (a PNG of one colour compresses about a thousandfold) and decoding it would take minutes and gigabytes.
 */
export function checkImageSize(width: number, height: number, file: string): void {
  if (width <= MAX_IMAGE_SIDE && height <= MAX_IMAGE_SIDE && width * height <= MAX_IMAGE_PIXELS) return;
  const mp = ((width * height) / 1e6).toFixed(1);
  throw new ImageDecodeError(
    `${file}: the image is ${width}×${height} (${mp} megapixels); images up to ${MAX_IMAGE_SIDE} pixels ` +
      `a side and ${MAX_IMAGE_PIXELS / (1024 * 1024)} megapixels (${MAX_IMAGE_PIXELS} pixels) are read: scale it down first`,
  );
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
// Samples per pixel of each colour type: gray, RGB, palette, gray+alpha, RGBA.
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export interface PngInfo {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Undoes the per-row filters (PNG spec 9.2) in place; returns the raw scanlines without filter bytes. */
function unfilter(data: Uint8Array, height: number, stride: number, bpp: number, file: string): Uint8Array {
  if (data.length < height * (stride + 1)) throw new ImageDecodeError(`${file}: image data is truncated`);
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = data[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let i = 0; i < stride; i++) {
      const x = data[src + i]!;
      const a = i >= bpp ? out[row + i - bpp]! : 0;
      const b = y > 0 ? out[row - stride + i]! : 0;
      const c = i >= bpp && y > 0 ? out[row - stride + i - bpp]! : 0;
      let v: number;
      switch (filter) {
        case 0:
          v = x;
          break;
        case 1:
          v = x + a;
          break;
        case 2:
          v = x + b;
          break;
        case 3:
          v = x + ((a + b) >> 1);
          break;
        case 4:
          v = x + paeth(a, b, c);
          break;
        default:
          throw new ImageDecodeError(`${file}: unknown PNG row filter ${filter} in row ${y}`);
      }
      out[row + i] = v & 0xff;
    }
  }
  return out;
}

/**
 * Decodes a PNG into 8-bit gray, RGB or RGBA pixels: every colour type, bit depths 1–16 (16-bit
 * samples keep their high byte), palettes with transparency. Interlaced (Adam7) files are refused
 * with a message saying so. Chunk CRCs are checked, so a corrupt file is an error, not noise.
 */
export function decodePng(bytes: Uint8Array, file = '<png>'): Image8 & { info: PngInfo } {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new ImageDecodeError(`${file}: not a PNG file (no PNG signature)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let info: PngInfo | undefined;
  let palette: Uint8Array | undefined;
  let alpha: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let offset = 8;
  let ended = false;
  while (offset + 12 <= bytes.length && !ended) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const end = offset + 12 + length;
    if (end > bytes.length)
      throw new ImageDecodeError(`${file}: truncated (chunk ${type} runs past the end)`);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== view.getUint32(offset + 8 + length)) {
      throw new ImageDecodeError(`${file}: corrupt (CRC mismatch in chunk ${type})`);
    }
    if (type === 'IHDR') {
      const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
      info = {
        width: v.getUint32(0),
        height: v.getUint32(4),
        bitDepth: body[8]!,
        colorType: body[9]!,
        interlaced: body[12] === 1,
      };
      checkImageSize(info.width, info.height, file);
    } else if (type === 'PLTE') palette = body;
    else if (type === 'tRNS') alpha = body;
    else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') ended = true;
    offset = end;
  }
  if (!info) throw new ImageDecodeError(`${file}: no IHDR chunk`);
  if (!ended) throw new ImageDecodeError(`${file}: truncated (no IEND chunk)`);
  const { width, height, bitDepth, colorType } = info;
  const samples = CHANNELS[colorType];
  if (samples === undefined || ![1, 2, 4, 8, 16].includes(bitDepth) || width === 0 || height === 0) {
    throw new ImageDecodeError(`${file}: unsupported PNG (colour type ${colorType}, bit depth ${bitDepth})`);
  }
  if (info.interlaced)
    throw new ImageDecodeError(`${file}: interlaced PNGs are not supported; save it without interlacing`);
  if (colorType === 3 && !palette) throw new ImageDecodeError(`${file}: palette image without a PLTE chunk`);
  const bitsPerPixel = samples * bitDepth;
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  let compressed: Uint8Array;
  try {
    // Inflating stops once past the scanlines the header declares (each with its filter byte).
    compressed = inflateSync(Buffer.concat(idat), { maxOutputLength: height * (stride + 1) });
  } catch (e) {
    if (e instanceof RangeError)
      throw new ImageDecodeError(
        `${file}: corrupt image data (more than the ${width}×${height} its header declares)`,
      );
    throw new ImageDecodeError(`${file}: corrupt image data (deflate stream)`);
  }
  const raw = unfilter(compressed, height, stride, Math.max(1, bitsPerPixel >> 3), file);

  const sample = (y: number, k: number): number => {
    // The k-th sample of row y, as 8 bits.
    if (bitDepth === 8) return raw[y * stride + k]!;
    if (bitDepth === 16) return raw[y * stride + 2 * k]!;
    const bit = k * bitDepth;
    const v = (raw[y * stride + (bit >> 3)]! >> (8 - bitDepth - (bit & 7))) & ((1 << bitDepth) - 1);
    return colorType === 3 ? v : Math.round((v * 255) / ((1 << bitDepth) - 1));
  };
  const hasAlpha = colorType === 4 || colorType === 6 || (colorType === 3 && alpha !== undefined);
  const gray = colorType === 0 || colorType === 4;
  const channels: 1 | 3 | 4 = hasAlpha ? 4 : gray ? 1 : 3;
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * channels;
      let rgba: [number, number, number, number];
      if (colorType === 3) {
        const i = sample(y, x);
        if (3 * i + 2 >= palette!.length)
          throw new ImageDecodeError(`${file}: palette index ${i} out of range`);
        rgba = [palette![3 * i]!, palette![3 * i + 1]!, palette![3 * i + 2]!, alpha?.[i] ?? 255];
      } else {
        const s = (k: number): number => sample(y, x * samples + k);
        const g = s(0);
        rgba = gray ? [g, g, g, colorType === 4 ? s(1) : 255] : [g, s(1), s(2), colorType === 6 ? s(3) : 255];
      }
      if (channels === 1) out[o] = rgba[0];
      else {
        out[o] = rgba[0];
        out[o + 1] = rgba[1];
        out[o + 2] = rgba[2];
        if (channels === 4) out[o + 3] = rgba[3];
      }
    }
  }
  return { width, height, channels, data: out, info };
}
