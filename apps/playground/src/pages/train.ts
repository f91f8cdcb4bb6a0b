import { h, pageHeader } from '../lib/dom.js';
import { getModel } from '../lib/model-store.js';
import { trainingSession as session } from '../lib/training-session.js';
import type { Cleanup } from '../page.js';
import { createTrainForm } from './train/form.js';
import { createProgressView } from './train/progress.js';

// The training page: the form (`train/form.ts`) starts a run of the app's one training session
// (`lib/training-session.ts`, a Web Worker), whose progress `train/progress.ts` draws.

function downloadBytes(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes.slice()], { type: 'application/octet-stream' }));
  const a = h('a', { attrs: { href: url, download: name } });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function button(text: string, testid: string, secondary = false): HTMLButtonElement {
  return h('button', {
    ...(secondary ? { class: 'secondary' } : {}),
    attrs: { type: 'button' },
    text,
    data: { testid },
  });
}

/** Calls `render` on the next animation frame, at most 5 times a second while a run goes on. */
function throttledRender(render: () => void): { schedule: () => void; cancel: () => void } {
  let timer = 0;
  let lastRender = 0;
  const run = (): void => {
    timer = 0;
    lastRender = performance.now();
    render();
  };
  return {
    schedule: () => {
      if (timer) return;
      const wait = session.running ? Math.max(0, 200 - (performance.now() - lastRender)) : 0;
      timer = window.setTimeout(() => requestAnimationFrame(run), wait);
    },
    cancel: () => clearTimeout(timer),
  };
}

/** Counts the page's animation frames and reports the rate once a second; returns the stop function. */
function countFrames(report: (framesPerSecond: number) => void): () => void {
  let frames = 0;
  let since = performance.now();
  let frame = 0;
  const tick = (now: number): void => {
    frames++;
    if (now - since >= 1000) {
      report((frames * 1000) / (now - since));
      frames = 0;
      since = now;
    }
    frame = requestAnimationFrame(tick);
  };
  frame = requestAnimationFrame(tick);
  return () => cancelAnimationFrame(frame);
}

export function mount(root: HTMLElement): Cleanup {
  const form = createTrainForm();
  const progress = createProgressView();
  const start = button('Start training', 'train-start');
  const stop = button('Stop', 'train-stop', true);
  const download = button('Download the trained model (.safetensors)', 'train-download', true);

  const render = (): void => {
    progress.render(session);
    stop.disabled = !session.running;
    start.disabled = session.running || form.hasError();
    download.hidden = getModel('trained') === undefined || session.running;
  };
  const redraw = throttledRender(render);
  const stopCounting = countFrames((fps) => {
    progress.showFrameRate(fps);
    if (session.running) redraw.schedule();
  });

  form.onChange(() => {
    start.disabled = session.running || form.hasError();
  });
  start.addEventListener('click', () => {
    try {
      session.start(form.config());
    } catch (e) {
      form.showError((e as Error).message);
    }
  });
  stop.addEventListener('click', () => session.stop());
  download.addEventListener('click', () => {
    const m = getModel('trained');
    if (m) downloadBytes(m.bytes, `${m.spec.kind}.safetensors`);
  });
  const unsubscribe = session.subscribe(redraw.schedule);
  form.refresh();
  render();

  root.append(
    pageHeader(
      'Chapters 4–6: training',
      'Train in the browser',
      'The book’s training loop (common/trainer.py) on MNIST, in a Web Worker: mini-batches, backprop, an optimizer step, repeated. ' +
        'The page stays responsive while it runs; the trained network is then available on the Draw a digit page.',
    ),
    h(
      'section',
      { class: 'panel', attrs: { 'aria-labelledby': 'train-net-title' } },
      ...form.elements,
      h('div', { class: 'controls' }, start, stop, download),
    ),
    h('section', { class: 'panel', attrs: { 'aria-labelledby': 'train-run-title' } }, ...progress.elements),
  );
  return () => {
    unsubscribe();
    redraw.cancel();
    stopCounting();
  };
}
