import { h, pageHeader } from '../lib/dom.js';
import { runGradientCheck } from '../lib/gradcheck-setup.js';
import type { Cleanup } from '../page.js';
import { createCheckForm } from './gradient-check/form.js';
import { createCheckReport } from './gradient-check/report.js';

// The gradient-check page: the form (`gradient-check/form.ts`) describes a small network and batch,
// `lib/gradcheck-setup.ts` runs the check, `gradient-check/report.ts` shows it.

export function mount(root: HTMLElement): Cleanup {
  const run = h('button', {
    attrs: { type: 'button' },
    text: 'Run the gradient check',
    data: { testid: 'check-run' },
  });
  const form = createCheckForm(() => {
    run.disabled = !form.refresh();
  });
  const report = createCheckReport();
  const check = (): void => {
    const setup = form.setup();
    report.show(runGradientCheck(setup), setup.dtype);
  };
  run.addEventListener('click', check);
  run.disabled = !form.refresh();
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
      ...form.elements,
      h('div', { class: 'controls' }, form.bugToggle, run),
      form.info,
      ...report.elements,
    ),
  );
  return () => undefined;
}
