import { bookOptimizerCompare, createOptimizer, optimizePath, type Optimizer } from '@dl/optim';
import { formatNumber, h, labelled, numberInput, pageHeader, readNumber, svg } from '../lib/dom.js';
import { createPlane } from '../lib/plane.js';
import type { Cleanup } from '../page.js';

type Compared = 'sgd' | 'momentum' | 'adagrad' | 'adam';

interface HyperField {
  key: string;
  label: string;
  value: number;
  step: number;
  min: number;
  max?: number;
}

interface Panel {
  name: Compared;
  title: string;
  color: string;
  fields: HyperField[];
  build(values: Readonly<Record<string, number>>): Optimizer;
}

const { f, grad, lr } = bookOptimizerCompare;

// The book's figure 6-8 settings (ch06/optimizer_compare_naive.py): same start, its learning rates.
const PANELS: readonly Panel[] = [
  {
    name: 'sgd',
    title: 'SGD',
    color: 'var(--series-1)',
    fields: [{ key: 'lr', label: 'lr', value: lr.sgd, step: 0.05, min: 0 }],
    build: (v) => createOptimizer('sgd', { lr: v.lr! }),
  },
  {
    name: 'momentum',
    title: 'Momentum',
    color: 'var(--series-2)',
    fields: [
      { key: 'lr', label: 'lr', value: lr.momentum, step: 0.01, min: 0 },
      { key: 'momentum', label: 'momentum', value: 0.9, step: 0.05, min: 0, max: 0.99 },
    ],
    build: (v) => createOptimizer('momentum', { lr: v.lr!, momentum: v.momentum! }),
  },
  {
    name: 'adagrad',
    title: 'AdaGrad',
    color: 'var(--series-3)',
    fields: [{ key: 'lr', label: 'lr', value: lr.adagrad, step: 0.1, min: 0 }],
    build: (v) => createOptimizer('adagrad', { lr: v.lr! }),
  },
  {
    name: 'adam',
    title: 'Adam',
    color: 'var(--series-4)',
    fields: [
      { key: 'lr', label: 'lr', value: lr.adam, step: 0.05, min: 0 },
      { key: 'beta1', label: 'β1', value: 0.9, step: 0.01, min: 0, max: 0.999 },
      { key: 'beta2', label: 'β2', value: 0.999, step: 0.001, min: 0, max: 0.9999 },
    ],
    build: (v) => createOptimizer('adam', { lr: v.lr!, beta1: v.beta1!, beta2: v.beta2! }),
  },
];

const X_RANGE = 10;
const Y_RANGE = 5;

function optimizerPanel(
  panel: Panel,
  shared: { steps: () => number; start: () => [number, number] },
): {
  element: HTMLElement;
  run: () => void;
} {
  const inputs = panel.fields.map((field) => ({
    field,
    input: numberInput({
      value: field.value,
      step: field.step,
      min: field.min,
      ...(field.max !== undefined ? { max: field.max } : {}),
      testid: `${panel.name}-${field.key}`,
    }),
  }));
  const plane = createPlane({
    xDomain: [-X_RANGE, X_RANGE],
    yDomain: [-Y_RANGE, Y_RANGE],
    title: `${panel.title} path on x²/20 + y²`,
    width: 420,
    height: 260,
    xLabel: 'x',
    yLabel: 'y',
    testid: `${panel.name}-plane`,
  });
  const contours = svg('g', {});
  for (const c of [0.5, 1, 2, 4, 8, 16]) {
    // x²/20 + y² = c is an ellipse with radii sqrt(20c) and sqrt(c).
    contours.append(
      svg('ellipse', {
        cx: plane.x(0),
        cy: plane.y(0),
        rx: plane.x(Math.sqrt(20 * c)) - plane.x(0),
        ry: plane.y(0) - plane.y(Math.sqrt(c)),
        fill: 'none',
        stroke: '#e3e7ed',
      }),
    );
  }
  const pathLayer = svg('g', {});
  plane.content.append(
    contours,
    pathLayer,
    svg('circle', { cx: plane.x(0), cy: plane.y(0), r: 3, fill: 'var(--fg)' }),
  );
  const result = h('p', { class: 'stat', data: { testid: `${panel.name}-result` } });
  const error = h('p', { class: 'error', attrs: { role: 'alert' } });

  function run(): void {
    const values: Record<string, number> = {};
    for (const { field, input } of inputs) values[field.key] = readNumber(input, field.value);
    let optimizer: Optimizer;
    try {
      optimizer = panel.build(values);
      error.textContent = '';
    } catch (e) {
      // createOptimizer names the bad hyper-parameter (e.g. momentum must be in [0, 1)).
      error.textContent = (e as Error).message;
      return;
    }
    const { points, values: fs } = optimizePath(optimizer, f, grad, shared.start(), shared.steps());
    const last = points.at(-1)!;
    result.textContent = `after ${points.length - 1} steps: (${formatNumber(last[0]!)}, ${formatNumber(last[1]!)}), f = ${formatNumber(fs.at(-1)!)}`;
    const drawn = points.filter((p) => p.every((v) => Number.isFinite(v) && Math.abs(v) < 1e6));
    pathLayer.replaceChildren(
      svg('polyline', {
        points: drawn.map(([a, b]) => `${plane.x(a!)},${plane.y(b!)}`).join(' '),
        fill: 'none',
        stroke: panel.color,
        'stroke-width': 1.6,
      }),
      ...drawn.map(([a, b]) =>
        svg('circle', { cx: plane.x(a!), cy: plane.y(b!), r: 2.4, fill: panel.color }),
      ),
    );
  }
  for (const { input } of inputs) input.addEventListener('input', run);

  const element = h(
    'section',
    { class: 'panel', attrs: { 'aria-labelledby': `${panel.name}-title` } },
    h('h2', { id: `${panel.name}-title`, text: panel.title }),
    h('div', { class: 'controls' }, ...inputs.map(({ field, input }) => labelled(field.label, input))),
    plane.element,
    result,
    error,
  );
  return { element, run };
}

export function mount(root: HTMLElement): Cleanup {
  const steps = numberInput({
    value: bookOptimizerCompare.steps,
    step: 1,
    min: 1,
    max: 500,
    testid: 'opt-steps',
  });
  const startX = numberInput({ value: bookOptimizerCompare.start[0]!, step: 0.5, testid: 'opt-start-x' });
  const startY = numberInput({ value: bookOptimizerCompare.start[1]!, step: 0.5, testid: 'opt-start-y' });
  const shared = {
    steps: () => Math.max(1, Math.min(500, Math.round(readNumber(steps, bookOptimizerCompare.steps)))),
    start: (): [number, number] => [readNumber(startX, -7), readNumber(startY, 2)],
  };
  const panels = PANELS.map((p) => optimizerPanel(p, shared));
  const runAll = (): void => panels.forEach((p) => p.run());
  for (const el of [steps, startX, startY]) el.addEventListener('input', runAll);
  runAll();

  root.append(
    pageHeader(
      'Chapter 6: Training techniques',
      'Optimizers',
      'f(x, y) = x²/20 + y² is a long, flat valley: its gradient points mostly across it, not along it toward the minimum. ' +
        'SGD zig-zags; Momentum rolls like a ball; AdaGrad shrinks the steps of the steep direction; Adam combines both ideas.',
    ),
    h(
      'div',
      { class: 'controls' },
      labelled('steps', steps),
      labelled('start x', startX),
      labelled('start y', startY),
    ),
    h('div', { class: 'grid-2' }, ...panels.map((p) => p.element)),
    h('p', {
      class: 'note',
      text: 'The defaults are the book’s (figure 6-8): start (−7, 2), 30 steps, lr 0.95 / 0.1 / 1.5 / 0.3. The minimum is the dot at (0, 0).',
    }),
  );
  return () => undefined;
}
