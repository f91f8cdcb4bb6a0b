import { gradientDescent } from '@dl/gradcheck';
import { fromArray, type Tensor } from '@dl/tensor';
import { LineChart } from '../lib/chart.js';
import {
  descentOutcome,
  LR_SLIDER,
  lrFromSlider,
  sliderFromLr,
  type DescentOutcome,
} from '../lib/descent.js';
import { formatNumber, h, labelled, numberInput, pageHeader, readNumber } from '../lib/dom.js';
import type { Cleanup } from '../page.js';
import { createDescentPlane, type Point } from './gradient-descent/descent-plane.js';

/** The book's `function_2` (ch04/gradient_2d.py): f(x0, x1) = x0² + x1², minimum 0 at the origin. */
function function2(x: Tensor<'float64'>): number {
  return x.data[0]! ** 2 + x.data[1]! ** 2;
}

const RANGE = 4.5;
const STEPS = 100;

const OUTCOME_TEXT: Readonly<Record<DescentOutcome, string>> = {
  converges: 'Converges: f reached the minimum.',
  diverges: 'Diverges: every step overshoots further, f grows.',
  stalls: 'Stalls: the steps are too small (or bounce back and forth) to reach the minimum.',
};

export function mount(root: HTMLElement): Cleanup {
  const slider = h('input', {
    attrs: {
      type: 'range',
      min: LR_SLIDER.min,
      max: LR_SLIDER.max,
      step: 1,
      value: sliderFromLr(0.1),
      'aria-label': 'learning rate',
    },
    data: { testid: 'lr-slider' },
  });
  const lrLabel = h('output', { class: 'stat', data: { testid: 'lr-value' } });
  const startX0 = numberInput({ value: -3, step: 0.1, min: -RANGE, max: RANGE, testid: 'start-x0' });
  const startX1 = numberInput({ value: 4, step: 0.1, min: -RANGE, max: RANGE, testid: 'start-x1' });
  const steps = numberInput({ value: STEPS, step: 1, min: 1, max: 1000, testid: 'steps' });
  const status = h('p', { class: 'status', attrs: { role: 'status' }, data: { testid: 'descent-status' } });
  const summary = h('p', { class: 'stat', data: { testid: 'descent-summary' } });

  const { plane, showPath } = createDescentPlane(function2, RANGE);

  const chart = new LineChart({
    title: 'log10 f(x) per step',
    xLabel: 'step',
    yLabel: 'log10 f',
    width: 440,
    height: 240,
  });

  function run(): void {
    const lr = lrFromSlider(Number(slider.value));
    lrLabel.textContent = `lr = ${lr}`;
    const n = Math.max(1, Math.min(1000, Math.round(readNumber(steps, STEPS))));
    const init = fromArray([readNumber(startX0, -3), readNumber(startX1, 4)], [2], 'float64');
    const { x, history } = gradientDescent(function2, init, { lr, steps: n });
    const points: Point[] = [];
    for (let k = 0; k < n; k++) points.push([history.data[2 * k]!, history.data[2 * k + 1]!]);
    points.push([x.data[0]!, x.data[1]!]);
    const fStart = function2(init);
    const fEnd = function2(x);
    const outcome = descentOutcome(fStart, fEnd);
    status.textContent = `${OUTCOME_TEXT[outcome]}`;
    status.dataset.outcome = outcome;
    status.className = `status ${outcome === 'converges' ? 'ok' : 'bad'}`;
    summary.textContent =
      `After ${n} steps: x = (${formatNumber(x.data[0]!)}, ${formatNumber(x.data[1]!)}), ` +
      `f = ${formatNumber(fEnd)} (started at ${formatNumber(fStart)}).`;

    showPath(points, [init.data[0]!, init.data[1]!]);

    const values = points.map(([a, b]) => Math.log10(a * a + b * b));
    chart.update([{ label: 'log10 f', xs: values.map((_, i) => i), ys: values, color: 'var(--series-2)' }]);
  }

  plane.element.addEventListener('click', (e) => {
    const [a, b] = plane.toMath(e);
    startX0.value = a.toFixed(2);
    startX1.value = b.toFixed(2);
    run();
  });
  slider.addEventListener('input', run);
  for (const el of [startX0, startX1, steps]) el.addEventListener('input', run);

  const presets = [
    { lr: 0.1, text: 'lr = 0.1 (the book)' },
    { lr: 10, text: 'lr = 10 (too large)' },
    { lr: 0.0001, text: 'lr = 1e-4 (too small)' },
  ].map(({ lr, text }) => {
    const b = h('button', { class: 'secondary', attrs: { type: 'button' }, text });
    b.addEventListener('click', () => {
      slider.value = String(sliderFromLr(lr));
      run();
    });
    return b;
  });

  run();
  root.append(
    pageHeader(
      'Chapter 4: Neural network training',
      'Gradient descent',
      'Start somewhere, step against the gradient, repeat: x ← x − lr·∇f(x). The gradient is computed numerically, as in the book. ' +
        'The arrows are −∇f: they point downhill, longer where the slope is steeper.',
    ),
    h(
      'section',
      { class: 'panel' },
      h('div', { class: 'controls' }, labelled('learning rate (log scale)', slider), lrLabel, ...presets),
      h(
        'div',
        { class: 'controls' },
        labelled('start x0', startX0),
        labelled('start x1', startX1),
        labelled('steps', steps),
      ),
      status,
      summary,
      h('div', { class: 'grid-2' }, plane.element, chart.element),
      h('p', {
        class: 'note',
        text: 'With f = x0² + x1² one step multiplies x by (1 − 2·lr): below lr = 1 the path shrinks toward the minimum, above it the path swings out further each step.',
      }),
    ),
  );
  return () => undefined;
}
