import { Tensor } from '@dl/tensor';
import type { FloatTensor } from '@dl/layers';
import { h } from '../../lib/dom.js';
import { grayCanvas, minMax } from '../../lib/gray-image.js';
import { IMAGE_COLS, IMAGE_ROWS } from '../../lib/mnist-asset.js';
import type { TestImages } from '../../lib/test-images.js';
import type { ConvView } from './conv-model.js';

// The convolution page's pictures: the first layer's filters, and the feature maps they make of a
// test image.

/** One figure per filter (channel 0), each scaled to its own range, dark = positive, as the book's gray_r. */
export function filterFigures(filters: FloatTensor): HTMLElement[] {
  const [fn, c, fh, fw] = filters.shape as [number, number, number, number];
  const size = c * fh * fw;
  return Array.from({ length: fn }, (_, k) => {
    const values = filters.data.subarray(k * size, k * size + fh * fw);
    const [lo, hi] = minMax(values);
    return h(
      'figure',
      {},
      grayCanvas(values, fh, fw, {
        lo,
        hi,
        invert: true,
        scale: Math.max(4, Math.floor(48 / fw)),
        label: `filter ${k + 1}`,
      }),
      h('figcaption', { text: String(k + 1) }),
    );
  });
}

/** Test image `index`, and the feature maps the view's first layers make of it. */
export function featureMaps(
  view: ConvView,
  images: TestImages,
  index: number,
): { input: HTMLElement; maps: HTMLElement[]; info: string } {
  const pixels = images.image(index);
  const input = h(
    'figure',
    {},
    grayCanvas(pixels, IMAGE_ROWS, IMAGE_COLS, { lo: 0, hi: 1, scale: 4, label: `test image ${index}` }),
    h('figcaption', { text: `test image ${index} (a ${images.label(index)})` }),
  );
  let y: FloatTensor = new Tensor(pixels, [1, 1, IMAGE_ROWS, IMAGE_COLS], 'float32');
  for (const layer of view.layers) y = layer.forward(y, { train: false });
  const [, channels, rows, cols] = y.shape as [number, number, number, number];
  // One scale for all maps, so their brightness compares: white is the strongest response.
  const [, hi] = minMax(y.data);
  const plane = rows * cols;
  const maps = Array.from({ length: channels }, (_, k) =>
    h(
      'figure',
      {},
      grayCanvas(y.data.subarray(k * plane, (k + 1) * plane), rows, cols, {
        lo: 0,
        hi: Math.max(hi, 1e-12),
        scale: 2,
        label: `feature map ${k + 1}`,
      }),
      h('figcaption', { text: String(k + 1) }),
    ),
  );
  const info = `${channels} maps of ${rows}×${cols}: ${view.layers.map((l) => l.kind).join(' → ')} applied to the image; white is the strongest response.`;
  return { input, maps, info };
}
