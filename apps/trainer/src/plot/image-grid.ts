import type { DrawingItem } from './drawing.js';
import type { ImageGridPanel } from './figure.js';
import { FONT, INK, type Rect } from './style.js';
import { panelTitle } from './title.js';

/** An image panel in `r`: its title, then the images in a grid, each as large as its cell allows. */
export function imageGrid(panel: ImageGridPanel, r: Rect, out: DrawingItem[]): void {
  const top = panelTitle(panel.title, r, out, 6);
  const captioned = panel.images.some((i) => i.caption);
  const cols = Math.max(1, panel.columns);
  const rows = Math.max(1, Math.ceil(panel.images.length / cols));
  const cellW = (r.w - 12) / cols;
  const cellH = (r.y + r.h - top - 4) / rows;
  const boxW = Math.max(4, cellW - 4);
  const boxH = Math.max(4, cellH - 4 - (captioned ? FONT + 3 : 0));
  panel.images.forEach(({ image, caption, color }, k) => {
    const cx = r.x + 6 + (k % cols) * cellW + cellW / 2;
    const y = top + Math.floor(k / cols) * cellH;
    // As large as the cell allows, keeping the image's aspect ratio (square images fill a square).
    const fit = Math.min(boxW / image.width, boxH / image.height);
    const w = Math.max(4, image.width * fit);
    const h = Math.max(4, image.height * fit);
    out.push({ kind: 'image', x: cx - w / 2, y, w, h, image });
    if (caption) {
      out.push({
        kind: 'text',
        x: cx,
        y: y + h + FONT + 1,
        text: caption,
        size: FONT,
        anchor: 'middle',
        color: color ?? INK,
      });
    }
  });
}
