import { LineChart } from '../../lib/chart.js';
import { formatNumber, h } from '../../lib/dom.js';
import { downsample } from '../../lib/scale.js';
import type { TrainingSession } from '../../lib/training-session.js';

// The training page's progress: the status line, the numbers and the two charts of a session.

export interface ProgressView {
  readonly elements: readonly HTMLElement[];
  /** Shows the session as it is now. */
  render(session: TrainingSession): void;
  /** Shows the page's own frame rate (it stays near the display's while the worker trains). */
  showFrameRate(framesPerSecond: number): void;
}

const stat = (testid: string): HTMLElement => h('dd', { data: { testid } });

function createStats() {
  return {
    backend: stat('stat-backend'),
    step: stat('stat-step'),
    epoch: stat('stat-epoch'),
    loss: stat('stat-loss'),
    rate: stat('stat-rate'),
    elapsed: stat('stat-elapsed'),
    accuracy: stat('stat-accuracy'),
    ui: stat('stat-ui'),
  };
}
type Stats = ReturnType<typeof createStats>;

const STAT_LABELS: readonly (readonly [keyof Stats, string])[] = [
  ['backend', 'backend'],
  ['step', 'step'],
  ['epoch', 'epoch'],
  ['loss', 'loss'],
  ['rate', 'images/s'],
  ['elapsed', 'training time'],
  ['accuracy', 'test accuracy'],
  ['ui', 'page frames/s'],
];

function backendText(s: TrainingSession): string {
  const b = s.ready?.backend;
  if (!b) return '–';
  if (b.name === 'webgpu') return `webgpu on ${b.adapter ?? 'an unnamed adapter'}`;
  return (
    `${b.variant}, ${b.threads} thread${b.threads === 1 ? '' : 's'}` +
    ` (${navigator.hardwareConcurrency} cores, cross-origin isolated: ${s.ready?.crossOriginIsolated ? 'yes' : 'no'})` +
    (b.fallback ? `; ${b.fallback}` : '') +
    (b.threadsNote ? `; ${b.threadsNote}` : '')
  );
}

function renderStats(stats: Stats, s: TrainingSession): void {
  stats.backend.textContent = backendText(s);
  stats.step.textContent = s.totalSteps > 0 ? `${s.losses.length} / ${s.totalSteps}` : '–';
  stats.epoch.textContent = s.currentEpoch > 0 ? String(s.currentEpoch) : '–';
  stats.loss.textContent = s.losses.length > 0 ? formatNumber(s.losses.at(-1)!, 4) : '–';
  // The first and the latest loss exactly, for whoever checks that it fell (the e2e tests).
  if (s.losses.length > 0) {
    stats.loss.dataset.first = String(s.losses[0]);
    stats.loss.dataset.last = String(s.losses.at(-1));
  } else {
    delete stats.loss.dataset.first;
    delete stats.loss.dataset.last;
  }
  stats.rate.textContent = s.imagesPerSecond > 0 ? Math.round(s.imagesPerSecond).toLocaleString('en') : '–';
  stats.elapsed.textContent =
    s.startedAt > 0
      ? `${formatNumber(((s.summary ? s.startedAt + s.summary.seconds * 1000 : performance.now()) - s.startedAt) / 1000, 3)} s`
      : '–';
  const acc = s.summary?.testAcc ?? s.epochs.at(-1)?.testAcc;
  stats.accuracy.textContent =
    acc !== undefined && Number.isFinite(acc)
      ? `${(acc * 100).toFixed(1)}%${s.summary ? '' : ' (so far, 1000 images)'}`
      : '–';
  if (s.summary && !s.summary.aborted) stats.accuracy.dataset.final = String(s.summary.testAcc);
  else delete stats.accuracy.dataset.final;
}

export function createProgressView(): ProgressView {
  const status = h('p', { class: 'status', attrs: { role: 'status' }, data: { testid: 'train-status' } });
  const stats = createStats();
  const statList = h(
    'dl',
    { class: 'stats' },
    ...STAT_LABELS.map(([key, label]) => h('div', {}, h('dt', { text: label }), stats[key])),
  );
  const errorLine = h('p', { class: 'error', attrs: { role: 'alert' }, data: { testid: 'train-error' } });
  // The backend's own warning (a software WebGPU adapter is slow), shown while its run is on screen.
  const warningLine = h('p', { class: 'note warning', data: { testid: 'train-backend-warning' } });
  const lossChart = new LineChart({
    title: 'Training loss per step',
    xLabel: 'step',
    yLabel: 'loss',
    width: 520,
    height: 260,
  });
  const accChart = new LineChart({
    title: 'Accuracy after each epoch',
    xLabel: 'epoch',
    yLabel: 'accuracy',
    yDomain: [0, 1],
    width: 520,
    height: 260,
    legend: 'bottom-right',
    integerX: true,
  });

  function render(s: TrainingSession): void {
    status.textContent = s.statusText || 'Choose a network and press Start.';
    status.dataset.state = s.state;
    renderStats(stats, s);
    errorLine.textContent = s.error ?? '';
    warningLine.textContent = s.ready?.backend.warning ?? '';
    warningLine.hidden = warningLine.textContent === '';
    const { xs, ys } = downsample(s.losses, 300);
    lossChart.update([{ label: 'loss', xs: xs.map((x) => x + 1), ys, color: 'var(--series-1)' }], {
      xDomain: [0, Math.max(s.totalSteps, s.losses.length, 1)],
    });
    const epochsX = s.epochs.map((e) => e.epoch);
    accChart.update([
      { label: 'train', xs: epochsX, ys: s.epochs.map((e) => e.trainAcc), color: 'var(--series-1)' },
      {
        label: 'test',
        xs: epochsX,
        ys: s.epochs.map((e) => e.testAcc),
        color: 'var(--series-2)',
        dashed: true,
      },
    ]);
  }

  return {
    elements: [
      h('h2', { id: 'train-run-title', text: 'Progress' }),
      status,
      statList,
      warningLine,
      errorLine,
      h('div', { class: 'grid-2' }, lossChart.element, accChart.element),
      h('p', {
        class: 'note',
        text:
          'Accuracy after each epoch is measured on the first 1000 images of each set; the final test accuracy on the whole held-out test set. ' +
          'Batches are drawn with replacement, as the book does.',
      }),
    ],
    render,
    showFrameRate: (fps) => {
      stats.ui.textContent = String(Math.round(fps));
    },
  };
}
