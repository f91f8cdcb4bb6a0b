import { basename } from 'node:path';
import type { Figure } from '../plot/figure.js';
import { writeFigure } from '../plot/write-figure.js';
import { writeCsv, type Cell } from './csv.js';
import type { ExperimentContext } from './context.js';

/** Writes `<name>.csv`; returns its file name. */
export function csv(
  ctx: ExperimentContext,
  name: string,
  header: readonly string[],
  rows: readonly (readonly Cell[])[],
): string {
  return basename(writeCsv(ctx.file(`${name}.csv`), header, rows));
}

/** Writes `<name>.svg` and `<name>.png`; returns their file names. */
export function figure(ctx: ExperimentContext, name: string, fig: Figure): string[] {
  const { svg, png } = writeFigure(ctx.file(name), fig);
  return [basename(svg), basename(png)];
}
