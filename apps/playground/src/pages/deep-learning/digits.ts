import { specInputShape } from '@dl/layers';
import { argmax, Tensor } from '@dl/tensor';
import { h, labelled, numberInput, readNumber } from '../../lib/dom.js';
import { grayCanvas } from '../../lib/gray-image.js';
import { IMAGE_COLS, IMAGE_ROWS, IMAGE_SIZE } from '../../lib/mnist-asset.js';
import type { StoredModel } from '../../lib/model-store.js';
import type { TestImages } from '../../lib/test-images.js';

// The chapter 8 page's test digits: a page of MNIST test images with DeepConvNet's answer under each,
// computed on the page's own backend (one forward pass for the page of images).

/** How many test images one view shows. */
export const DIGITS_SHOWN = 20;

export interface DigitsView {
  readonly elements: readonly HTMLElement[];
  /** Shows the images from the index field with `model`'s predictions. */
  render(model: StoredModel | undefined, images: TestImages | null): void;
  onChange(listener: () => void): void;
}

export function createDigitsView(): DigitsView {
  const start = numberInput({ value: 0, step: DIGITS_SHOWN, min: 0, max: 9999, testid: 'deep-digits-start' });
  const grid = h('div', { class: 'image-grid', data: { testid: 'deep-digits' } });
  const summary = h('p', { class: 'note', data: { testid: 'deep-digits-summary' } });

  function render(model: StoredModel | undefined, images: TestImages | null): void {
    if (!model || !images) {
      summary.textContent = model ? 'Loading the test images…' : 'Loading the network…';
      return;
    }
    const first = Math.max(0, Math.min(images.count - DIGITS_SHOWN, Math.round(readNumber(start, 0))));
    const pixels = new Float32Array(DIGITS_SHOWN * IMAGE_SIZE);
    for (let i = 0; i < DIGITS_SHOWN; i++) pixels.set(images.image(first + i), i * IMAGE_SIZE);
    const x = new Tensor(pixels, [DIGITS_SHOWN, ...specInputShape(model.spec)], 'float32');
    const predicted = argmax(model.network.predict(x, { train: false }), { axis: 1 }).data;
    let correct = 0;
    const figures = Array.from({ length: DIGITS_SHOWN }, (_, i) => {
      const label = images.label(first + i);
      const guess = predicted[i]!;
      if (guess === label) correct++;
      return h(
        'figure',
        { data: { digit: String(guess), label: String(label) } },
        grayCanvas(pixels.subarray(i * IMAGE_SIZE, (i + 1) * IMAGE_SIZE), IMAGE_ROWS, IMAGE_COLS, {
          lo: 0,
          hi: 1,
          scale: 2,
          label: `test image ${first + i}`,
        }),
        h('figcaption', {
          class: guess === label ? 'ok' : 'bad',
          text: guess === label ? `${guess}` : `${guess} (a ${label})`,
        }),
      );
    });
    grid.replaceChildren(...figures);
    summary.textContent = `Test images ${first}–${first + DIGITS_SHOWN - 1}: ${correct} of ${DIGITS_SHOWN} classified correctly (a wrong answer is red, with the label).`;
    summary.dataset.correct = String(correct);
  }

  return {
    elements: [
      h('h2', { text: 'Test digits' }),
      h('div', { class: 'controls' }, labelled('first test image', start)),
      grid,
      summary,
    ],
    render,
    onChange: (listener) => start.addEventListener('input', listener),
  };
}
