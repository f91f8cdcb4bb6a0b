import type { FloatDType } from '@dl/tensor';
import { formatNumber, h } from '../../lib/dom.js';
import { absoluteTolerance, passes, tolerance, type CheckRun } from '../../lib/gradcheck-setup.js';

// The gradient-check page's result: one row per parameter, the verdict and the pass criteria.

export interface CheckReportView {
  readonly elements: readonly HTMLElement[];
  show(run: CheckRun, dtype: FloatDType): void;
}

const HEADINGS = ['parameter', 'shape', 'size', 'mean |Δ| (book)', 'max |Δ|', 'max rel. error', 'agree?'];

export function createCheckReport(): CheckReportView {
  const status = h('p', { class: 'status', attrs: { role: 'status' }, data: { testid: 'check-status' } });
  const table = h('table', { class: 'data', data: { testid: 'check-table' } });
  const criteria = h('p', { class: 'note' });

  function show({ report, shapes, seconds }: CheckRun, dt: FloatDType): void {
    let failed = 0;
    table.replaceChildren(
      h('tr', {}, ...HEADINGS.map((t, i) => h('th', { text: t, ...(i === 0 ? { class: 'name' } : {}) }))),
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
      `A parameter passes when its relative error is under ${tolerance(dt).toExponential(0)} ` +
      `or its largest |Δ| is under ${absoluteTolerance(dt).toExponential(0)} (${dt}).`;
    status.textContent =
      (failed === 0
        ? `All ${report.params.length} parameters agree: backprop is right.`
        : `${failed} of ${report.params.length} parameters disagree.`) + ` (${formatNumber(seconds, 2)} s)`;
    status.className = `status ${failed === 0 ? 'ok' : 'bad'}`;
    status.dataset.failed = String(failed);
  }

  return {
    elements: [
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
    ],
    show,
  };
}
