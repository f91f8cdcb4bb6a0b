import { softmax, specInputShape } from '@dl/layers';
import { argmax, Tensor } from '@dl/tensor';
import { barChart } from '../../lib/chart.js';
import { h } from '../../lib/dom.js';
import type { StoredModel } from '../../lib/model-store.js';
import type { SketchInput } from './sketch-pad.js';

// The draw page's answer: the network's digit and the softmax probabilities of all ten as bars.

export interface PredictionView {
  readonly elements: readonly HTMLElement[];
  show(input: SketchInput, model: StoredModel | undefined): void;
  /** Shows a message in place of the prediction. */
  say(message: string): void;
}

export function createPredictionView(): PredictionView {
  const prediction = h('p', {
    class: 'status',
    attrs: { 'aria-live': 'polite' },
    data: { testid: 'draw-prediction' },
  });
  const bars = h('div', { data: { testid: 'draw-bars' } });

  function show({ image, label }: SketchInput, model: StoredModel | undefined): void {
    if (!image) {
      prediction.textContent = 'Draw a digit (0–9) in the black square.';
      delete prediction.dataset.digit;
      bars.replaceChildren();
      return;
    }
    if (!model) {
      prediction.textContent = 'No model yet: the shipped model is loading.';
      return;
    }
    const shape = specInputShape(model.spec);
    const scores = model.network.predict(new Tensor(image, [1, ...shape], 'float32'), { train: false });
    const probs = softmax(scores.reshape(1, scores.size));
    const digit = argmax(probs, { axis: 1 }).data[0]!;
    const p = probs.data[digit]!;
    prediction.textContent =
      `It is a ${digit} (${(p * 100).toFixed(1)}%)` +
      (label === null ? '.' : `; the test image's label is ${label}.`);
    prediction.dataset.digit = String(digit);
    bars.replaceChildren(
      barChart(
        Array.from(probs.data, (v, i) => ({ label: String(i), value: v, highlight: i === digit })),
        { title: 'Probability of each digit', max: 1, width: 420, height: 200 },
      ),
    );
  }

  return {
    elements: [prediction, bars],
    show,
    say: (message) => {
      prediction.textContent = message;
    },
  };
}
