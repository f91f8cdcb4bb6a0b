import type { ModelSpec } from '@dl/layers';
import type { FloatDType } from '@dl/tensor';
import {
  formatNumber,
  h,
  labelled,
  numberInput,
  pageHeader,
  readNumber,
  select,
  selectedValue,
} from '../lib/dom.js';
import { absoluteTolerance, passes, runGradientCheck, tolerance } from '../lib/gradcheck-setup.js';
import { countParameters, parseSizes } from '../lib/train-form.js';
import type { Cleanup } from '../page.js';

type NetworkKind = 'two-layer-net' | 'multi-layer-net-extend';

const MAX_PARAMS = 20_000;

export function mount(root: HTMLElement): Cleanup {
  const kind = select<NetworkKind>(
    [
      { value: 'two-layer-net', label: 'TwoLayerNet (ch05)' },
      { value: 'multi-layer-net-extend', label: 'MultiLayerNetExtend (ch06)' },
    ],
    'two-layer-net',
    'check-network',
  );
  const inputSize = numberInput({ value: 20, step: 1, min: 1, testid: 'check-input' });
  const hidden = h('input', {
    attrs: { type: 'text', value: '10', size: 10 },
    data: { testid: 'check-hidden' },
  });
  const outputSize = numberInput({ value: 5, step: 1, min: 2, testid: 'check-output' });
  const batch = numberInput({ value: 3, step: 1, min: 1, max: 100, testid: 'check-batch' });
  const dtype = select<FloatDType>(
    [
      { value: 'float64', label: 'float64' },
      { value: 'float32', label: 'float32' },
    ],
    'float64',
    'check-dtype',
  );
  const seed = numberInput({ value: 0, step: 1, min: 0, testid: 'check-seed' });
  const batchnorm = h('input', { attrs: { type: 'checkbox' }, data: { testid: 'check-bn' } });
  const dropout = h('input', { attrs: { type: 'checkbox' }, data: { testid: 'check-dropout' } });
  const decay = numberInput({ value: 0, step: 0.01, min: 0, testid: 'check-decay' });
  const bug = h('input', { attrs: { type: 'checkbox' }, data: { testid: 'check-bug' } });
  const extendOptions = h(
    'div',
    { class: 'controls' },
    h('label', { class: 'check' }, batchnorm, 'BatchNorm'),
    h('label', { class: 'check' }, dropout, 'Dropout (mask held fixed)'),
    labelled('weight decay λ', decay),
  );
  const run = h('button', {
    attrs: { type: 'button' },
    text: 'Run the gradient check',
    data: { testid: 'check-run' },
  });
  const info = h('p', { class: 'note', data: { testid: 'check-info' } });
  const status = h('p', { class: 'status', attrs: { role: 'status' }, data: { testid: 'check-status' } });
  const table = h('table', { class: 'data', data: { testid: 'check-table' } });
  const criteria = h('p', { class: 'note' });

  // Weights drawn with He's scale: the book's 0.01 makes gradients so small that float32 differences
  // drown in rounding, which hides the point of the comparison.
  function network(): ModelSpec {
    const sizes = parseSizes(hidden.value);
    const base = {
      inputSize: Math.max(1, Math.round(readNumber(inputSize, 20))),
      outputSize: Math.max(2, Math.round(readNumber(outputSize, 5))),
      weightInitStd: 'relu' as const,
    };
    if (selectedValue<NetworkKind>(kind, ['two-layer-net', 'multi-layer-net-extend']) === 'two-layer-net') {
      return { kind: 'two-layer-net', ...base, hiddenSize: sizes[0]! };
    }
    return {
      kind: 'multi-layer-net-extend',
      ...base,
      hiddenSizeList: sizes,
      useBatchnorm: batchnorm.checked,
      useDropout: dropout.checked,
      weightDecayLambda: Math.max(0, readNumber(decay, 0)),
    };
  }

  function refresh(): void {
    extendOptions.hidden = kind.value !== 'multi-layer-net-extend';
    try {
      const n = countParameters(network());
      info.textContent = `${n} parameters: ${2 * n} forward passes for the numerical gradient.`;
      run.disabled = n > MAX_PARAMS;
      if (n > MAX_PARAMS)
        info.textContent += ` That is over ${MAX_PARAMS}; choose smaller sizes so the page stays responsive.`;
    } catch (e) {
      info.textContent = (e as Error).message;
      run.disabled = true;
    }
  }

  function check(): void {
    const dt = selectedValue<FloatDType>(dtype, ['float64', 'float32']);
    const { report, shapes, seconds } = runGradientCheck({
      spec: network(),
      dtype: dt,
      batchSize: Math.max(1, Math.round(readNumber(batch, 3))),
      seed: Math.round(readNumber(seed, 0)),
      breakParam: bug.checked ? 'b1' : undefined,
    });
    const tol = tolerance(dt);
    let failed = 0;
    table.replaceChildren(
      h(
        'tr',
        {},
        ...['parameter', 'shape', 'size', 'mean |Δ| (book)', 'max |Δ|', 'max rel. error', 'agree?'].map(
          (t, i) => h('th', { text: t, ...(i === 0 ? { class: 'name' } : {}) }),
        ),
      ),
      ...report.params.map((p) => {
        const ok = passes(p, dt);
        const zero = p.scale < absoluteTolerance(dt);
        if (!ok) failed++;
        return h(
          'tr',
          { data: { param: p.name } },
          h('td', { class: 'name', text: p.name }),
          h('td', { text: `[${(shapes.get(p.name) ?? []).join(', ')}]` }),
          h('td', { text: String(p.size) }),
          h('td', { text: p.meanAbsError.toExponential(2) }),
          h('td', { text: p.maxAbsError.toExponential(2) }),
          h('td', { text: p.maxRelError.toExponential(2) }),
          h('td', { class: ok ? 'ok' : 'bad', text: ok ? (zero ? 'pass (zero gradient)' : 'pass') : 'FAIL' }),
        );
      }),
    );
    criteria.textContent =
      `A parameter passes when its relative error is under ${tol.toExponential(0)} ` +
      `or its largest |Δ| is under ${absoluteTolerance(dt).toExponential(0)} (${dt}).`;
    status.textContent =
      (failed === 0
        ? `All ${report.params.length} parameters agree: backprop is right.`
        : `${failed} of ${report.params.length} parameters disagree.`) + ` (${formatNumber(seconds, 2)} s)`;
    status.className = `status ${failed === 0 ? 'ok' : 'bad'}`;
    status.dataset.failed = String(failed);
  }

  for (const el of [kind, inputSize, hidden, outputSize, batchnorm, dropout, decay]) {
    el.addEventListener('input', refresh);
    el.addEventListener('change', refresh);
  }
  run.addEventListener('click', check);
  refresh();
  check();

  root.append(
    pageHeader(
      'Chapter 5: Backpropagation',
      'Gradient check',
      'Backpropagation is fast but easy to get wrong; numerical differentiation is slow but simple. ' +
        'The gradient check compares them on a small network and a random batch: they should agree to many digits.',
    ),
    h(
      'section',
      { class: 'panel' },
      h(
        'div',
        { class: 'controls' },
        labelled('network', kind),
        labelled('input size', inputSize),
        labelled('hidden sizes', hidden, 'e.g. 10 or 10, 8'),
        labelled('output size', outputSize),
        labelled('batch', batch),
        labelled('dtype', dtype),
        labelled('seed', seed),
      ),
      extendOptions,
      h(
        'div',
        { class: 'controls' },
        h('label', { class: 'check' }, bug, 'simulate a bug: backprop doubles the gradient of b1'),
        run,
      ),
      info,
      status,
      table,
      criteria,
      h('p', {
        class: 'note',
        text:
          'Δ = backprop − numerical. The relative error divides the largest |Δ| by the size of that gradient. ' +
          'In float64 the two agree to about 1e-6: the last digits differ because the loss adds 1e-7 inside its log (as the book’s cross_entropy_error does), which backprop’s y − t leaves out. ' +
          'In float32 the difference quotient (f(x+h) − f(x−h)) / 2h loses most of its digits, which is why the book checks in float64. ' +
          'With Dropout and tiny layers a sample can lose all its units, so the next layer’s ReLU sits exactly on its kink at 0; there the numerical gradient sees half a slope and that bias fails: a limit of numerical checks, not a bug in backprop.',
      }),
    ),
  );
  return () => undefined;
}
