import { ImageDecodeError, checkImageSize } from './png-decode.js';
import type { Image8 } from './png-encode.js';

/**
 * Decodes a PGM (Netpbm gray map): binary `P5` or plain-text `P2`, any maxval up to 65535 (scaled to
 * 8 bits), `#` comments in the header.
 */
export function decodePgm(bytes: Uint8Array, file = '<pgm>'): Image8 {
  const magic = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0);
  if (magic !== 'P5' && magic !== 'P2')
    throw new ImageDecodeError(`${file}: not a PGM file (no P5/P2 magic number)`);
  let pos = 2;
  const token = (): number => {
    for (;;) {
      while (pos < bytes.length && /\s/.test(String.fromCharCode(bytes[pos]!))) pos++;
      if (bytes[pos] === 0x23) {
        while (pos < bytes.length && bytes[pos] !== 0x0a) pos++;
      } else break;
    }
    const from = pos;
    while (pos < bytes.length && bytes[pos]! >= 0x30 && bytes[pos]! <= 0x39) pos++;
    if (from === pos) throw new ImageDecodeError(`${file}: malformed PGM header or data`);
    return Number(String.fromCharCode(...bytes.subarray(from, pos)));
  };
  const width = token();
  const height = token();
  const maxval = token();
  if (width === 0 || height === 0 || maxval === 0 || maxval > 65535) {
    throw new ImageDecodeError(`${file}: bad PGM header (${width}x${height}, maxval ${maxval})`);
  }
  checkImageSize(width, height, file);
  const n = width * height;
  const out = new Uint8Array(n);
  const scale = (v: number): number => Math.round((Math.min(v, maxval) * 255) / maxval);
  if (magic === 'P2') {
    for (let i = 0; i < n; i++) out[i] = scale(token());
  } else {
    pos++; // the single whitespace after maxval
    const wide = maxval > 255;
    if (bytes.length - pos < n * (wide ? 2 : 1)) throw new ImageDecodeError(`${file}: truncated PGM data`);
    for (let i = 0; i < n; i++) {
      out[i] = scale(wide ? (bytes[pos + 2 * i]! << 8) | bytes[pos + 2 * i + 1]! : bytes[pos + i]!);
    }
  }
  return { width, height, channels: 1, data: out };
}
