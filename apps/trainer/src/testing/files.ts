import { readFileSync } from 'node:fs';
import { decodePng } from '../image/png-decode.js';

/** Decodes a PNG file fully (signature, CRCs, deflate); returns its size. */
export function pngSize(path: string): { width: number; height: number } {
  const image = decodePng(readFileSync(path), path);
  return { width: image.width, height: image.height };
}

/** The SVG's text, after checking it is one well-formed-looking `<svg>` document. */
export function svgText(path: string): string {
  const text = readFileSync(path, 'utf8');
  if (!text.startsWith('<svg') || !text.trimEnd().endsWith('</svg>'))
    throw new Error(`${path}: not an SVG document`);
  return text;
}

/** A CSV file as its header and rows of cells (no quoting: our CSVs hold names and numbers). */
export function readCsv(path: string): { header: string[]; rows: string[][] } {
  const [head, ...lines] = readFileSync(path, 'utf8').trimEnd().split('\n');
  return { header: head!.split(','), rows: lines.map((l) => l.split(',')) };
}

export function readJsonLines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
