import type { DeepWorkerClient } from '../../lib/deep-client.js';
import { formatNumber, h, labelled, select, selectedValue } from '../../lib/dom.js';
import { mnistDataUrl } from '../../lib/public-url.js';

// The chapter 8 page's precision table: test accuracy with the weights rounded to float16 and
// bfloat16 beside float32 (book 8.3.4: 16 bits are enough for deep learning), measured in the worker.

const IMAGES = ['1000', '10000'] as const;

export interface PrecisionView {
  readonly elements: readonly HTMLElement[];
  readonly button: HTMLButtonElement;
  measure(model: Uint8Array): Promise<void>;
}

export function createPrecisionView(client: DeepWorkerClient): PrecisionView {
  const images = select(
    IMAGES.map((v) => ({ value: v, label: `${Number(v).toLocaleString('en')} test images` })),
    '1000',
    'deep-precision-images',
  );
  const button = h('button', {
    attrs: { type: 'button' },
    text: 'Measure',
    data: { testid: 'deep-precision-run' },
  });
  const status = h('p', {
    class: 'status',
    attrs: { role: 'status' },
    data: { testid: 'deep-precision-status' },
  });
  const body = h('tbody', {});
  const table = h(
    'table',
    { class: 'data', data: { testid: 'deep-precision-table' } },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['weights', 'bytes', 'largest rounding error', 'accuracy', 'change'].map((t, i) =>
          h('th', { class: i === 0 ? 'name' : '', text: t }),
        ),
      ),
    ),
    body,
  );

  async function measure(model: Uint8Array): Promise<void> {
    const n = Number(selectedValue(images, IMAGES));
    const result = await client.precision({ model, images: n, dataUrl: mnistDataUrl() }, (text) => {
      status.textContent = text;
    });
    const exact = result.rows.find((r) => r.precision === 'float32')!.accuracy;
    body.replaceChildren(
      ...result.rows.map((r) =>
        h(
          'tr',
          { data: { precision: r.precision, accuracy: String(r.accuracy) } },
          h('td', { class: 'name', text: r.precision }),
          h('td', { text: r.bytes.toLocaleString('en') }),
          h('td', { text: r.maxError === 0 ? '0' : formatNumber(r.maxError, 2) }),
          h('td', { text: `${(r.accuracy * 100).toFixed(2)}%` }),
          h('td', {
            text: r.precision === 'float32' ? '–' : `${((r.accuracy - exact) * 100).toFixed(2)} points`,
          }),
        ),
      ),
    );
    status.textContent = `Accuracy on the first ${result.images.toLocaleString('en')} test images (${result.ran}); the arithmetic stays float32, only the stored weights are rounded.`;
  }

  return {
    elements: [
      h('h2', { text: 'Accuracy against weight precision' }),
      h(
        'p',
        { class: 'note' },
        'Each weight rounded to the nearest float16 (5 exponent bits, 10 of mantissa) or bfloat16 (8 and 7), as if saved in that format and loaded back. ' +
          'Half the bytes; the book (8.3.4) notes that deep learning needs no more than 16 bits.',
      ),
      h('div', { class: 'controls' }, labelled('images', images), button),
      status,
      table,
    ],
    button,
    measure,
  };
}
