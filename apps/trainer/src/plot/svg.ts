import { encodePng } from '../image/png-encode.js';
import type { Drawing, DrawingItem } from './drawing.js';

const FONT = 'DejaVu Sans Mono, Menlo, Consolas, monospace';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** Two decimals are below a pixel and keep files small. */
const n = (v: number): string => String(Math.round(v * 100) / 100);

function item(d: DrawingItem): string {
  switch (d.kind) {
    case 'polyline': {
      const dash = d.dash ? ` stroke-dasharray="${d.dash.map(n).join(' ')}"` : '';
      const points = d.points.map(([x, y]) => `${n(x)},${n(y)}`).join(' ');
      return `<polyline points="${points}" fill="none" stroke="${d.color}" stroke-width="${n(d.width)}" stroke-linejoin="round" stroke-linecap="round"${dash}/>`;
    }
    case 'rect': {
      const fill = d.fill ?? 'none';
      const stroke = d.stroke ? ` stroke="${d.stroke}" stroke-width="${n(d.strokeWidth ?? 1)}"` : '';
      return `<rect x="${n(d.x)}" y="${n(d.y)}" width="${n(d.w)}" height="${n(d.h)}" fill="${fill}"${stroke}/>`;
    }
    case 'circle':
      return `<circle cx="${n(d.cx)}" cy="${n(d.cy)}" r="${n(d.r)}" fill="${d.fill}"/>`;
    case 'text': {
      const rotate = d.vertical ? ` transform="rotate(-90 ${n(d.x)} ${n(d.y)})"` : '';
      return `<text x="${n(d.x)}" y="${n(d.y)}" font-size="${n(d.size)}" text-anchor="${d.anchor}" fill="${d.color}"${rotate}>${esc(d.text)}</text>`;
    }
    case 'image': {
      const href = `data:image/png;base64,${Buffer.from(encodePng(d.image)).toString('base64')}`;
      return `<image x="${n(d.x)}" y="${n(d.y)}" width="${n(d.w)}" height="${n(d.h)}" preserveAspectRatio="none" style="image-rendering:pixelated" href="${href}"/>`;
    }
  }
}

/** The drawing as a standalone SVG document. */
export function toSvg(drawing: Drawing): string {
  const { width, height } = drawing;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...drawing.items.map(item),
    '</svg>',
    '',
  ].join('\n');
}
