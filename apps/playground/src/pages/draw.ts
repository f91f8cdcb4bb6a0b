import { h, pageHeader } from '../lib/dom.js';
import type { Cleanup } from '../page.js';
import { createModelPicker } from './draw/model-picker.js';
import { createPredictionView } from './draw/prediction.js';
import { createSketchPad } from './draw/sketch-pad.js';

// The draw page: what is drawn (`draw/sketch-pad.ts`), classified by the chosen model
// (`draw/model-picker.ts`), as a digit and ten probabilities (`draw/prediction.ts`).

export function mount(root: HTMLElement): Cleanup {
  const prediction = createPredictionView();
  // Classifies at most once a frame, however fast the pointer moves.
  let pending = 0;
  const scheduleClassify = (): void => {
    pending ||= requestAnimationFrame(() => {
      pending = 0;
      prediction.show(sketch.read(), picker.current());
    });
  };
  const sketch = createSketchPad(scheduleClassify, (message) => prediction.say(message));
  const picker = createModelPicker(scheduleClassify);

  root.append(
    pageHeader(
      'Chapter 3: Neural networks',
      'Draw a digit',
      'Draw a digit with the mouse. Like MNIST, the drawing is scaled into a 20×20 box and centred by its centre of mass in a 28×28 image, ' +
        'which a trained network classifies as you draw (the book’s neuralnet_mnist.py, with your handwriting).',
    ),
    h(
      'section',
      { class: 'panel' },
      h(
        'div',
        { class: 'row' },
        sketch.drawing,
        sketch.preview,
        h('div', {}, picker.chooser, ...prediction.elements),
      ),
    ),
    h('section', { class: 'panel' }, h('h2', { text: 'Use another model' }), ...picker.dropZone),
  );
  return () => {
    picker.dispose();
    cancelAnimationFrame(pending);
  };
}
