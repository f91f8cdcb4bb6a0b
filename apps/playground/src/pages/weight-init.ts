import { Rng } from '@dl/tensor';
import { formatNumber, h, labelled, pageHeader, select, selectedValue, svg } from '../lib/dom.js';
import { histogram, meanStd } from '../lib/histogram.js';
import {
  activationHealth,
  histogramRange,
  INIT_CHOICES,
  layerActivations,
  type ActivationHealth,
  type HiddenActivation,
  type InitChoice,
} from '../lib/weight-init-experiment.js';
import type { Cleanup } from '../page.js';

const ACTIVATIONS: readonly { value: HiddenActivation; label: string }[] = [
  { value: 'sigmoid', label: 'sigmoid' },
  { value: 'tanh', label: 'tanh' },
  { value: 'relu', label: 'ReLU' },
];

const BINS = 30;

const HEALTH_TEXT: Readonly<Record<ActivationHealth, string>> = {
  collapsed: 'the activations collapsed to nearly one value; the units all compute the same thing.',
  saturated: 'most activations sit where the function is flat, so gradients vanish.',
  spread: 'the activations stay spread out, layer after layer.',
};

function histogramSvg(values: Float32Array, range: [number, number], title: string): SVGSVGElement {
  const { counts, outside } = histogram(values, BINS, range);
  const width = 200;
  const height = 150;
  const bottom = height - 22;
  const max = Math.max(...counts, 1);
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart',
    role: 'img',
    'aria-label': title,
  });
  root.append(svg('title', {}, title));
  const barWidth = (width - 10) / BINS;
  counts.forEach((c, i) => {
    const bh = (c / max) * (bottom - 16);
    root.append(
      svg('rect', {
        x: 5 + i * barWidth,
        y: bottom - bh,
        width: barWidth - 1,
        height: bh,
        class: 'bar highlight',
      }),
    );
  });
  root.append(
    svg('line', { x1: 5, x2: width - 5, y1: bottom, y2: bottom, class: 'axis' }),
    svg('text', { x: 5, y: height - 6, class: 'tick x', 'text-anchor': 'start' }, String(range[0])),
    svg('text', { x: width - 5, y: height - 6, class: 'tick x', 'text-anchor': 'end' }, String(range[1])),
    svg(
      'text',
      { x: width / 2, y: 12, class: 'tick x' },
      `peak ${max}${outside > 0 ? `, ${outside} outside` : ''}`,
    ),
  );
  return root;
}

export function mount(root: HTMLElement): Cleanup {
  const activation = select(ACTIVATIONS, 'sigmoid', 'init-activation');
  const init = select(INIT_CHOICES, 'std-1', 'init-scale');
  const seed = h('input', {
    attrs: { type: 'number', value: 0, step: 1, min: 0 },
    data: { testid: 'init-seed' },
  });
  const redraw = h('button', { class: 'secondary', attrs: { type: 'button' }, text: 'New random weights' });
  const grid = h('div', { class: 'histograms', data: { testid: 'histograms' } });
  const verdict = h('p', { class: 'status', data: { testid: 'init-verdict' } });

  function update(): void {
    const act = selectedValue(
      activation,
      ACTIVATIONS.map((a) => a.value),
    );
    const choice: InitChoice = selectedValue(
      init,
      INIT_CHOICES.map((c) => c.value),
    );
    const rng = new Rng(Number(seed.value) || 0);
    const started = performance.now();
    const layers = layerActivations({ activation: act, init: choice, rng });
    const range = histogramRange(act);
    grid.replaceChildren(
      ...layers.map((a, i) => {
        const { mean, std } = meanStd(a);
        return h(
          'figure',
          { class: 'layer-hist' },
          histogramSvg(a, range, `Layer ${i + 1} activations`),
          h('figcaption', { text: `layer ${i + 1}: mean ${formatNumber(mean)}, std ${formatNumber(std)}` }),
        );
      }),
    );
    const health = activationHealth(layers.at(-1)!, act);
    verdict.textContent = `Layer 5: ${HEALTH_TEXT[health]} (computed in ${Math.round(performance.now() - started)} ms)`;
    verdict.dataset.health = health;
    verdict.className = `status ${health === 'spread' ? 'ok' : 'bad'}`;
  }

  for (const el of [activation, init]) el.addEventListener('change', update);
  seed.addEventListener('input', update);
  redraw.addEventListener('click', () => {
    seed.value = String((Number(seed.value) || 0) + 1);
    update();
  });
  update();

  root.append(
    pageHeader(
      'Chapter 6: Training techniques',
      'Weight initialisation',
      'Random inputs (1000 × 100) pass through 5 layers of 100 units. How spread out the activations stay depends on the scale of the initial weights. ' +
        'With std 1 sigmoid outputs pile up at 0 and 1 (vanishing gradients); with 0.01 they all sit at 0.5 (no diversity). ' +
        'Xavier suits sigmoid and tanh, He suits ReLU.',
    ),
    h(
      'section',
      { class: 'panel' },
      h(
        'div',
        { class: 'controls' },
        labelled('activation', activation),
        labelled('initial weights', init),
        labelled('seed', seed),
        redraw,
      ),
      verdict,
      grid,
    ),
  );
  return () => undefined;
}
