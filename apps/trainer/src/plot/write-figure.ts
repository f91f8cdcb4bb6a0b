import { encodePng } from '../image/png-encode.js';
import { writeFileAtomicSync } from '@dl/layers/node';
import { layoutFigure, type Figure } from './figure.js';
import { rasterize } from './raster.js';
import { toSvg } from './svg.js';

/** Writes `<base>.svg` and `<base>.png` (twice the SVG's pixel size); returns both paths. */
export function writeFigure(base: string, figure: Figure): { svg: string; png: string } {
  const drawing = layoutFigure(figure);
  const svg = `${base}.svg`;
  const png = `${base}.png`;
  writeFileAtomicSync(svg, toSvg(drawing));
  writeFileAtomicSync(png, encodePng(rasterize(drawing)));
  return { svg, png };
}
