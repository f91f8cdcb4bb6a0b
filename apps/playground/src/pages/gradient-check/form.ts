import type { ModelSpec } from '@dl/layers';
import type { FloatDType } from '@dl/tensor';
import { h, labelled, numberInput, readNumber, select, selectedValue } from '../../lib/dom.js';
import type { CheckSetup } from '../../lib/gradcheck-setup.js';
import { countParameters, parseSizes } from '../../lib/train-form.js';

// The gradient-check page's form: a small network, the batch, the dtype and the simulated bug.

type NetworkKind = 'two-layer-net' | 'multi-layer-net-extend';

/** Above this many parameters the numerical gradient (two forward passes each) would freeze the page. */
const MAX_PARAMS = 20_000;

export interface CheckForm {
  /** The network's, the batch's and the dtype's fields. */
  readonly elements: readonly HTMLElement[];
  /** The "simulate a bug" checkbox with its label. */
  readonly bugToggle: HTMLElement;
  /** The check the form describes. */
  setup(): CheckSetup;
  /** Re-reads the sizes: the parameter count, or why the check cannot run; true when it can. */
  refresh(): boolean;
  /** The parameter count, or why the check cannot run. */
  readonly info: HTMLElement;
}

function fields() {
  return {
    kind: select<NetworkKind>(
      [
        { value: 'two-layer-net', label: 'TwoLayerNet (ch05)' },
        { value: 'multi-layer-net-extend', label: 'MultiLayerNetExtend (ch06)' },
      ],
      'two-layer-net',
      'check-network',
    ),
    inputSize: numberInput({ value: 20, step: 1, min: 1, testid: 'check-input' }),
    hidden: h('input', { attrs: { type: 'text', value: '10', size: 10 }, data: { testid: 'check-hidden' } }),
    outputSize: numberInput({ value: 5, step: 1, min: 2, testid: 'check-output' }),
    batch: numberInput({ value: 3, step: 1, min: 1, max: 100, testid: 'check-batch' }),
    dtype: select<FloatDType>(
      [
        { value: 'float64', label: 'float64' },
        { value: 'float32', label: 'float32' },
      ],
      'float64',
      'check-dtype',
    ),
    seed: numberInput({ value: 0, step: 1, min: 0, testid: 'check-seed' }),
    batchnorm: h('input', { attrs: { type: 'checkbox' }, data: { testid: 'check-bn' } }),
    dropout: h('input', { attrs: { type: 'checkbox' }, data: { testid: 'check-dropout' } }),
    decay: numberInput({ value: 0, step: 0.01, min: 0, testid: 'check-decay' }),
    bug: h('input', { attrs: { type: 'checkbox' }, data: { testid: 'check-bug' } }),
  };
}
type Fields = ReturnType<typeof fields>;

// Weights drawn with He's scale: the book's 0.01 makes gradients so small that float32 differences
// drown in rounding, which hides the point of the comparison.
function network(f: Fields): ModelSpec {
  const sizes = parseSizes(f.hidden.value);
  const base = {
    inputSize: Math.max(1, Math.round(readNumber(f.inputSize, 20))),
    outputSize: Math.max(2, Math.round(readNumber(f.outputSize, 5))),
    weightInitStd: 'relu' as const,
  };
  if (selectedValue<NetworkKind>(f.kind, ['two-layer-net', 'multi-layer-net-extend']) === 'two-layer-net') {
    return { kind: 'two-layer-net', ...base, hiddenSize: sizes[0]! };
  }
  return {
    kind: 'multi-layer-net-extend',
    ...base,
    hiddenSizeList: sizes,
    useBatchnorm: f.batchnorm.checked,
    useDropout: f.dropout.checked,
    weightDecayLambda: Math.max(0, readNumber(f.decay, 0)),
  };
}

/** `changed` runs after an edit of the network's sizes. */
export function createCheckForm(changed: () => void): CheckForm {
  const f = fields();
  const info = h('p', { class: 'note', data: { testid: 'check-info' } });
  const extendOptions = h(
    'div',
    { class: 'controls' },
    h('label', { class: 'check' }, f.batchnorm, 'BatchNorm'),
    h('label', { class: 'check' }, f.dropout, 'Dropout (mask held fixed)'),
    labelled('weight decay λ', f.decay),
  );

  function refresh(): boolean {
    extendOptions.hidden = f.kind.value !== 'multi-layer-net-extend';
    try {
      const n = countParameters(network(f));
      info.textContent = `${n} parameters: ${2 * n} forward passes for the numerical gradient.`;
      if (n > MAX_PARAMS)
        info.textContent += ` That is over ${MAX_PARAMS}; choose smaller sizes so the page stays responsive.`;
      return n <= MAX_PARAMS;
    } catch (e) {
      info.textContent = (e as Error).message;
      return false;
    }
  }
  for (const el of [f.kind, f.inputSize, f.hidden, f.outputSize, f.batchnorm, f.dropout, f.decay]) {
    el.addEventListener('input', changed);
    el.addEventListener('change', changed);
  }

  const elements = [
    h(
      'div',
      { class: 'controls' },
      labelled('network', f.kind),
      labelled('input size', f.inputSize),
      labelled('hidden sizes', f.hidden, 'e.g. 10 or 10, 8'),
      labelled('output size', f.outputSize),
      labelled('batch', f.batch),
      labelled('dtype', f.dtype),
      labelled('seed', f.seed),
    ),
    extendOptions,
  ];
  return {
    elements,
    bugToggle: h('label', { class: 'check' }, f.bug, 'simulate a bug: backprop doubles the gradient of b1'),
    info,
    refresh,
    setup: () => ({
      spec: network(f),
      dtype: selectedValue<FloatDType>(f.dtype, ['float64', 'float32']),
      batchSize: Math.max(1, Math.round(readNumber(f.batch, 3))),
      seed: Math.round(readNumber(f.seed, 0)),
      breakParam: f.bug.checked ? 'b1' : undefined,
    }),
  };
}
