import { AND, NAND, OR, Perceptron } from '@dl/layers';
import { h, labelled, numberInput, pageHeader, readNumber, select, selectedValue } from '../lib/dom.js';
import { clipPolygon, firingRegion } from '../lib/half-plane.js';
import { createPlane } from '../lib/plane.js';
import { GATE_NAMES, truthTable, type GateName } from '../lib/truth-table.js';
import type { Cleanup } from '../page.js';
import { BOX, drawPerceptron, drawPoints, shadeRegion } from './perceptron/unit-square.js';

/** The book's weights (ch02/and_gate.py, nand_gate.py, or_gate.py); XOR has none. */
const PRESETS: Readonly<Record<Exclude<GateName, 'XOR'>, { w1: number; w2: number; b: number }>> = {
  AND: { w1: 0.5, w2: 0.5, b: -0.7 },
  NAND: { w1: -0.5, w2: -0.5, b: 0.7 },
  OR: { w1: 0.5, w2: 0.5, b: -0.2 },
};

/** A toggle button for one binary input (aria-pressed carries the state for assistive technology). */
function bitToggle(
  name: string,
  testid: string,
  onChange: () => void,
): { button: HTMLButtonElement; value: () => 0 | 1 } {
  const button = h('button', { attrs: { type: 'button', 'aria-pressed': 'false' }, data: { testid } });
  const render = (): void => {
    button.textContent = `${name} = ${button.getAttribute('aria-pressed') === 'true' ? 1 : 0}`;
  };
  button.addEventListener('click', () => {
    button.setAttribute('aria-pressed', button.getAttribute('aria-pressed') === 'true' ? 'false' : 'true');
    render();
    onChange();
  });
  render();
  return { button, value: () => (button.getAttribute('aria-pressed') === 'true' ? 1 : 0) };
}

function singlePerceptronPanel(): HTMLElement {
  const w1 = numberInput({ value: PRESETS.AND.w1, step: 0.1, testid: 'w1' });
  const w2 = numberInput({ value: PRESETS.AND.w2, step: 0.1, testid: 'w2' });
  const b = numberInput({ value: PRESETS.AND.b, step: 0.1, testid: 'bias' });
  const target = select(
    GATE_NAMES.map((g) => ({ value: g, label: g })),
    'AND',
    'target',
  );
  const output = h('output', { class: 'status', data: { testid: 'single-output' } });
  const score = h('p', { class: 'status', data: { testid: 'single-score' } });
  const table = h('table', { class: 'data' });
  const plane = createPlane({
    xDomain: [BOX.x0, BOX.x1],
    yDomain: [BOX.y0, BOX.y1],
    title: 'Decision line of the perceptron on the unit square',
    xLabel: 'x1',
    yLabel: 'x2',
    testid: 'single-plane',
  });
  const x1 = bitToggle('x1', 'single-x1', () => update());
  const x2 = bitToggle('x2', 'single-x2', () => update());

  const presetButtons = (Object.keys(PRESETS) as (keyof typeof PRESETS)[]).map((name) => {
    const button = h('button', {
      class: 'secondary',
      attrs: { type: 'button' },
      text: `${name} weights`,
      data: { testid: `preset-${name}` },
    });
    button.addEventListener('click', () => {
      const p = PRESETS[name];
      w1.value = String(p.w1);
      w2.value = String(p.w2);
      b.value = String(p.b);
      target.value = name;
      update();
    });
    return button;
  });

  function update(): void {
    const p = new Perceptron([readNumber(w1, 0), readNumber(w2, 0)], readNumber(b, 0));
    const gate = selectedValue(target, GATE_NAMES);
    const expected = truthTable(gate);
    const inputs: [number, number] = [x1.value(), x2.value()];
    output.textContent = `y = ${p.output(inputs)}`;
    let correct = 0;
    table.replaceChildren(
      h(
        'tr',
        {},
        h('th', { text: 'x1' }),
        h('th', { text: 'x2' }),
        h('th', { text: 'perceptron' }),
        h('th', { text: gate }),
        h('th', { text: '' }),
      ),
      ...expected.map((row) => {
        const y = p.output([row.x1, row.x2]);
        const ok = y === row.y;
        if (ok) correct++;
        return h(
          'tr',
          {},
          h('td', { text: String(row.x1) }),
          h('td', { text: String(row.x2) }),
          h('td', { text: String(y) }),
          h('td', { text: String(row.y) }),
          h('td', { class: ok ? 'ok' : 'bad', text: ok ? '✓' : '✗' }),
        );
      }),
    );
    score.textContent =
      correct === 4
        ? `This perceptron is ${gate}: 4 of 4 rows agree.`
        : `${correct} of 4 rows agree with ${gate}.` +
          (gate === 'XOR' ? ' No single line separates XOR: at most 3 of 4 can agree.' : '');
    score.className = correct === 4 ? 'status ok' : 'status bad';
    plane.content.replaceChildren();
    drawPerceptron(plane, p.weights[0]!, p.weights[1]!, p.bias, 'var(--series-1)', true);
    const gateFn = (a: number, c: number): 0 | 1 => expected.find((r) => r.x1 === a && r.x2 === c)!.y;
    drawPoints(plane, gateFn, inputs);
  }

  for (const el of [w1, w2, b]) el.addEventListener('input', update);
  target.addEventListener('change', update);
  update();

  return h(
    'section',
    { class: 'panel', attrs: { 'aria-labelledby': 'single-title' } },
    h('h2', { id: 'single-title', text: 'One perceptron: y = 1 when w1·x1 + w2·x2 + b > 0' }),
    h(
      'div',
      { class: 'row' },
      h(
        'div',
        {},
        h('div', { class: 'controls' }, ...presetButtons),
        h(
          'div',
          { class: 'controls' },
          labelled('w1', w1),
          labelled('w2', w2),
          labelled('bias b', b),
          labelled('compare with', target),
        ),
        h('div', { class: 'controls' }, x1.button, x2.button, output),
        table,
        score,
        h('p', {
          class: 'note',
          text: 'The shaded side of the line is where the perceptron outputs 1. Filled dots are the inputs the chosen gate maps to 1.',
        }),
      ),
      plane.element,
    ),
  );
}

function xorPanel(): HTMLElement {
  const x1 = bitToggle('x1', 'xor-x1', () => update());
  const x2 = bitToggle('x2', 'xor-x2', () => update());
  const out = h('p', { class: 'status', data: { testid: 'xor-output' } });
  const rows = truthTable('XOR').map((r) => ({ ...r, s1: NAND(r.x1, r.x2), s2: OR(r.x1, r.x2) }));
  const table = h(
    'table',
    { class: 'data', data: { testid: 'xor-table' } },
    h('tr', {}, ...['x1', 'x2', 's1 = NAND', 's2 = OR', 'y = AND(s1, s2)'].map((t) => h('th', { text: t }))),
    ...rows.map((r) =>
      h(
        'tr',
        {},
        ...[r.x1, r.x2, r.s1, r.s2, r.y].map((v, i) =>
          h('td', { text: String(v), ...(i === 4 ? { data: { testid: 'xor-y' } } : {}) }),
        ),
      ),
    ),
  );
  const plane = createPlane({
    xDomain: [BOX.x0, BOX.x1],
    yDomain: [BOX.y0, BOX.y1],
    title: 'XOR: the NAND and OR lines together separate the points',
    xLabel: 'x1',
    yLabel: 'x2',
  });

  function update(): void {
    const a = x1.value();
    const c = x2.value();
    const s1 = NAND(a, c);
    const s2 = OR(a, c);
    out.textContent = `s1 = NAND(${a}, ${c}) = ${s1}, s2 = OR(${a}, ${c}) = ${s2}, y = AND(${s1}, ${s2}) = ${AND(s1, s2)}`;
    plane.content.replaceChildren();
    // XOR fires where NAND and OR both do: the band between their lines.
    const { NAND: n, OR: o } = PRESETS;
    shadeRegion(plane, clipPolygon(firingRegion(n.w1, n.w2, n.b, BOX), o.w1, o.w2, o.b), 'var(--series-1)');
    drawPerceptron(plane, PRESETS.NAND.w1, PRESETS.NAND.w2, PRESETS.NAND.b, 'var(--series-2)', false);
    drawPerceptron(plane, PRESETS.OR.w1, PRESETS.OR.w2, PRESETS.OR.b, 'var(--series-3)', false);
    drawPoints(plane, (p, q) => AND(NAND(p, q), OR(p, q)), [a, c]);
  }
  update();

  return h(
    'section',
    { class: 'panel', attrs: { 'aria-labelledby': 'xor-title' } },
    h('h2', { id: 'xor-title', text: 'XOR needs two layers' }),
    h(
      'div',
      { class: 'row' },
      h(
        'div',
        {},
        h('p', {
          class: 'note',
          text:
            'XOR is 1 for (1,0) and (0,1) only; no straight line puts those two on one side and (0,0), (1,1) on the other. ' +
            'Stacking perceptrons does it: NAND and OR in the first layer, AND of their outputs in the second.',
        }),
        h('div', { class: 'controls' }, x1.button, x2.button),
        out,
        table,
        h('p', {
          class: 'note',
          text: 'Orange: the NAND line (s1 = 1 below it). Green: the OR line (s2 = 1 above it). Shaded: both fire, so y = 1.',
        }),
      ),
      plane.element,
    ),
  );
}

export function mount(root: HTMLElement): Cleanup {
  root.append(
    pageHeader(
      'Chapter 2: Perceptrons',
      'Perceptron',
      'A perceptron weighs its inputs, adds a bias and fires when the sum is positive: a line through the input plane. ' +
        'Edit the weights, toggle the inputs, and see which gates one line can make.',
    ),
    singlePerceptronPanel(),
    xorPanel(),
  );
  return () => undefined;
}
