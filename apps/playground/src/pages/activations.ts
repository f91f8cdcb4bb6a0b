import { relu, sigmoid, softmax, stepFunction, tanh } from '@dl/layers';
import { fromArray, linspace, type Tensor } from '@dl/tensor';
import { barChart, LineChart, type Series } from '../lib/chart.js';
import { h, labelled, numberInput, pageHeader, readNumber } from '../lib/dom.js';
import type { Cleanup } from '../page.js';

type ActivationName = 'step' | 'sigmoid' | 'relu' | 'tanh';

const ACTIVATIONS: readonly {
  name: ActivationName;
  label: string;
  color: string;
  fn: (x: Tensor<'float64'>) => Tensor;
}[] = [
  { name: 'step', label: 'step', color: 'var(--series-4)', fn: (x) => stepFunction(x) },
  { name: 'sigmoid', label: 'sigmoid', color: 'var(--series-1)', fn: (x) => sigmoid(x) },
  { name: 'relu', label: 'ReLU', color: 'var(--series-2)', fn: (x) => relu(x) },
  { name: 'tanh', label: 'tanh', color: 'var(--series-3)', fn: (x) => tanh(x) },
];

function activationPanel(): HTMLElement {
  const chart = new LineChart({
    title: 'Activation functions on [-5, 5]',
    xDomain: [-5, 5],
    yDomain: [-1.2, 2.2],
    xLabel: 'x',
    yLabel: 'h(x)',
    width: 520,
    height: 300,
  });
  const x = linspace(-5, 5, 401, 'float64');
  const xs = Array.from(x.data);
  const shown = new Set<ActivationName>(['step', 'sigmoid', 'relu', 'tanh']);
  const probe = numberInput({ value: 0.5, step: 0.1, testid: 'probe-x' });
  const probeTable = h('table', { class: 'data', data: { testid: 'probe-table' } });

  function update(): void {
    const series: Series[] = ACTIVATIONS.filter((a) => shown.has(a.name)).map((a) => ({
      label: a.label,
      xs,
      ys: Array.from(a.fn(x).data),
      color: a.color,
    }));
    chart.update(series);
    const v = fromArray([readNumber(probe, 0)], [1], 'float64');
    probeTable.replaceChildren(
      h('tr', {}, ...ACTIVATIONS.map((a) => h('th', { text: `${a.label}(${v.data[0]})` }))),
      h('tr', {}, ...ACTIVATIONS.map((a) => h('td', { text: a.fn(v).data[0]!.toFixed(4) }))),
    );
  }

  const toggles = ACTIVATIONS.map((a) => {
    const box = h('input', { attrs: { type: 'checkbox', checked: true } });
    box.addEventListener('change', () => {
      if (box.checked) shown.add(a.name);
      else shown.delete(a.name);
      update();
    });
    return h('label', { class: 'check' }, box, a.label);
  });
  probe.addEventListener('input', update);
  update();

  return h(
    'section',
    { class: 'panel', attrs: { 'aria-labelledby': 'act-title' } },
    h('h2', { id: 'act-title', text: 'Activation functions' }),
    h('div', { class: 'controls' }, ...toggles, labelled('evaluate at x =', probe)),
    h('div', { class: 'row' }, chart.element, probeTable),
    h('p', {
      class: 'note',
      text:
        'The step function is the perceptron’s; sigmoid is its smooth version, whose gradient is never zero, so a network can learn by gradients. ' +
        'ReLU passes positive inputs unchanged; tanh is a sigmoid centred on zero.',
    }),
  );
}

function softmaxPanel(): HTMLElement {
  const list = h('div', { class: 'controls', data: { testid: 'logits' } });
  const inputs: HTMLInputElement[] = [];
  const chartHost = h('div', {});
  const sumLine = h('p', { class: 'status', data: { testid: 'softmax-sum' } });
  const shift = h('input', { attrs: { type: 'checkbox' }, data: { testid: 'shift-1000' } });

  function addLogit(value: number): void {
    const input = numberInput({ value, step: 0.1, testid: `logit-${inputs.length}` });
    input.addEventListener('input', update);
    inputs.push(input);
    list.append(labelled(`a${inputs.length - 1}`, input));
  }

  function update(): void {
    const offset = shift.checked ? 1000 : 0;
    const logits = inputs.map((i) => readNumber(i, 0) + offset);
    const y = softmax(fromArray(logits, [logits.length], 'float64'));
    const values = Array.from(y.data);
    const best = values.indexOf(Math.max(...values));
    chartHost.replaceChildren(
      barChart(
        values.map((v, i) => ({ label: `y${i}`, value: v, highlight: i === best })),
        {
          title: 'softmax of the logits',
          max: 1,
          digits: 3,
          width: 60 * Math.max(values.length, 4),
          height: 200,
        },
      ),
    );
    sumLine.textContent = `Σ y = ${values.reduce((a, b) => a + b, 0).toFixed(6)}; largest: y${best} = ${values[best]!.toFixed(4)}`;
  }

  const add = h('button', { class: 'secondary', attrs: { type: 'button' }, text: 'Add a logit' });
  const remove = h('button', { class: 'secondary', attrs: { type: 'button' }, text: 'Remove the last' });
  add.addEventListener('click', () => {
    if (inputs.length < 10) addLogit(0);
    update();
  });
  remove.addEventListener('click', () => {
    if (inputs.length > 2) {
      inputs.pop();
      list.lastElementChild?.remove();
    }
    update();
  });
  shift.addEventListener('change', update);
  // The book's example (ch03): a = [0.3, 2.9, 4.0].
  for (const v of [0.3, 2.9, 4.0]) addLogit(v);
  update();

  return h(
    'section',
    { class: 'panel', attrs: { 'aria-labelledby': 'softmax-title' } },
    h('h2', { id: 'softmax-title', text: 'Softmax: scores to probabilities' }),
    list,
    h(
      'div',
      { class: 'controls' },
      add,
      remove,
      h('label', { class: 'check' }, shift, 'add 1000 to every logit'),
    ),
    chartHost,
    sumLine,
    h('p', {
      class: 'note',
      text:
        'y_k = exp(a_k) / Σ exp(a_i). The outputs are positive and sum to 1, and their order is the order of the logits. ' +
        'Adding a constant to every logit changes nothing: that is how softmax avoids overflow (exp(1000) is Infinity).',
    }),
  );
}

export function mount(root: HTMLElement): Cleanup {
  root.append(
    pageHeader(
      'Chapter 3: Neural networks',
      'Activation functions',
      'A neuron applies an activation function to its weighted sum. The output layer of a classifier turns scores into probabilities with softmax.',
    ),
    activationPanel(),
    softmaxPanel(),
  );
  return () => undefined;
}
