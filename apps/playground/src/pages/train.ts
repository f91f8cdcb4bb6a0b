import { LineChart } from '../lib/chart.js';
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
import { getModel } from '../lib/model-store.js';
import { downsample } from '../lib/scale.js';
import { countParameters, specFromForm, type NetworkForm } from '../lib/train-form.js';
import { trainingSession as session } from '../lib/training-session.js';
import type { Cleanup } from '../routes.js';
import type { BackendChoice, ThreadsChoice, TrainConfig, TrainOptimizer } from '../worker/protocol.js';

const OPTIMIZERS: readonly { value: TrainOptimizer; label: string; lr: number }[] = [
  { value: 'sgd', label: 'SGD', lr: 0.1 },
  { value: 'momentum', label: 'Momentum', lr: 0.1 },
  { value: 'adagrad', label: 'AdaGrad', lr: 0.01 },
  { value: 'rmsprop', label: 'RMSprop', lr: 0.001 },
  { value: 'adam', label: 'Adam', lr: 0.001 },
];

const TRAIN_SIZES = ['1000', '5000', '10000', '30000', '60000'] as const;
const TEST_SIZES = ['1000', '10000'] as const;
const BACKENDS: readonly { value: BackendChoice; label: string }[] = [
  { value: 'auto', label: 'auto (WebAssembly if available)' },
  { value: 'wasm', label: 'WebAssembly' },
  { value: 'js', label: 'JavaScript (reference)' },
];
const THREADS: readonly { value: ThreadsChoice; label: string }[] = [
  { value: 'auto', label: 'auto (one per core)' },
  { value: '1', label: '1' },
  { value: '2', label: '2' },
  { value: '4', label: '4' },
];

function downloadBytes(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes.slice()], { type: 'application/octet-stream' }));
  const a = h('a', { attrs: { href: url, download: name } });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function mount(root: HTMLElement): Cleanup {
  // The network.
  const kind = select<NetworkForm['kind']>(
    [
      { value: 'two-layer-net', label: 'TwoLayerNet (ch05)' },
      { value: 'multi-layer-net-extend', label: 'MultiLayerNetExtend (ch06)' },
      { value: 'simple-conv-net', label: 'SimpleConvNet (ch07)' },
    ],
    'two-layer-net',
    'train-network',
  );
  const filterNum = numberInput({ value: 30, step: 1, min: 1, max: 256, testid: 'train-filters' });
  const filterSize = numberInput({ value: 5, step: 1, min: 1, max: 28, testid: 'train-filter-size' });
  const convOnly = h(
    'div',
    { class: 'controls' },
    labelled('filters', filterNum),
    labelled('filter size', filterSize),
    h('p', {
      class: 'note',
      text: 'Conv (stride 1, no padding) → ReLU → 2×2 max pooling → Affine → ReLU → Affine.',
    }),
  );
  const hidden = h('input', {
    attrs: { type: 'text', value: '50', size: 12 },
    data: { testid: 'train-hidden' },
  });
  const activation = select<NetworkForm['activation']>(
    [
      { value: 'relu', label: 'ReLU' },
      { value: 'sigmoid', label: 'sigmoid' },
    ],
    'relu',
    'train-activation',
  );
  const init = select<NetworkForm['init']>(
    [
      { value: 'book', label: 'the book’s default' },
      { value: 'std-0.01', label: 'std 0.01' },
      { value: 'xavier', label: 'Xavier' },
      { value: 'he', label: 'He' },
    ],
    'book',
    'train-init',
  );
  const batchNorm = h('input', { attrs: { type: 'checkbox' }, data: { testid: 'train-bn' } });
  const dropout = h('input', { attrs: { type: 'checkbox' }, data: { testid: 'train-dropout' } });
  const dropoutRatio = numberInput({
    value: 0.2,
    step: 0.05,
    min: 0,
    max: 0.95,
    testid: 'train-dropout-ratio',
  });
  const weightDecay = numberInput({ value: 0, step: 0.01, min: 0, testid: 'train-decay' });
  const extendOnly = h(
    'div',
    { class: 'controls' },
    labelled('activation', activation),
    h('label', { class: 'check' }, batchNorm, 'BatchNorm'),
    h('label', { class: 'check' }, dropout, 'Dropout'),
    labelled('dropout ratio', dropoutRatio),
    labelled('weight decay λ', weightDecay),
  );

  // The optimizer and the run.
  const optimizer = select(OPTIMIZERS, 'momentum', 'train-optimizer');
  const lr = numberInput({ value: 0.1, step: 'any', min: 0, testid: 'train-lr' });
  const batchSize = numberInput({ value: 100, step: 1, min: 1, max: 1000, testid: 'train-batch' });
  const epochs = numberInput({ value: 2, step: 1, min: 1, max: 100, testid: 'train-epochs' });
  const trainSize = select(
    TRAIN_SIZES.map((v) => ({ value: v, label: `${Number(v).toLocaleString('en')} images` })),
    '10000',
    'train-size',
  );
  const testSize = select(
    TEST_SIZES.map((v) => ({ value: v, label: `${Number(v).toLocaleString('en')} images` })),
    '10000',
    'train-test-size',
  );
  const seed = numberInput({ value: 0, step: 1, min: 0, testid: 'train-seed' });
  const backend = select(BACKENDS, 'auto', 'train-backend');
  const threads = select(THREADS, 'auto', 'train-threads');

  const start = h('button', {
    attrs: { type: 'button' },
    text: 'Start training',
    data: { testid: 'train-start' },
  });
  const stop = h('button', {
    class: 'secondary',
    attrs: { type: 'button' },
    text: 'Stop',
    data: { testid: 'train-stop' },
  });
  const download = h('button', {
    class: 'secondary',
    attrs: { type: 'button' },
    text: 'Download the trained model (.safetensors)',
    data: { testid: 'train-download' },
  });
  const formError = h('p', {
    class: 'error',
    attrs: { role: 'alert' },
    data: { testid: 'train-form-error' },
  });
  const sizeInfo = h('p', { class: 'note', data: { testid: 'train-size-info' } });

  const status = h('p', { class: 'status', attrs: { role: 'status' }, data: { testid: 'train-status' } });
  const stat = (testid: string): HTMLElement => h('dd', { data: { testid } });
  const stats = {
    backend: stat('stat-backend'),
    step: stat('stat-step'),
    epoch: stat('stat-epoch'),
    loss: stat('stat-loss'),
    rate: stat('stat-rate'),
    elapsed: stat('stat-elapsed'),
    accuracy: stat('stat-accuracy'),
    ui: stat('stat-ui'),
  };
  const statList = h(
    'dl',
    { class: 'stats' },
    ...(
      [
        ['backend', stats.backend],
        ['step', stats.step],
        ['epoch', stats.epoch],
        ['loss', stats.loss],
        ['images/s', stats.rate],
        ['training time', stats.elapsed],
        ['test accuracy', stats.accuracy],
        ['page frames/s', stats.ui],
      ] as const
    ).map(([label, dd]) => h('div', {}, h('dt', { text: label }), dd)),
  );
  const errorLine = h('p', { class: 'error', attrs: { role: 'alert' }, data: { testid: 'train-error' } });
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

  function form(): NetworkForm {
    return {
      kind: selectedValue(kind, ['two-layer-net', 'multi-layer-net-extend', 'simple-conv-net']),
      hidden: hidden.value,
      filterNum: readNumber(filterNum, 30),
      filterSize: readNumber(filterSize, 5),
      activation: selectedValue(activation, ['relu', 'sigmoid']),
      init: selectedValue(init, ['book', 'std-0.01', 'xavier', 'he']),
      batchNorm: batchNorm.checked,
      dropout: dropout.checked,
      dropoutRatio: readNumber(dropoutRatio, 0.2),
      weightDecay: readNumber(weightDecay, 0),
    };
  }

  function config(): TrainConfig {
    const spec = specFromForm(form());
    const lrValue = readNumber(lr, Number.NaN);
    if (!(lrValue > 0)) throw new Error('the learning rate must be a number > 0');
    const batch = Math.round(readNumber(batchSize, 100));
    if (!(batch >= 1 && batch <= 1000)) throw new Error('the batch size must be from 1 to 1000');
    const epochCount = readNumber(epochs, 2);
    if (!(epochCount > 0 && epochCount <= 100)) throw new Error('epochs must be a number in (0, 100]');
    return {
      spec,
      optimizer: selectedValue(
        optimizer,
        OPTIMIZERS.map((o) => o.value),
      ),
      lr: lrValue,
      batchSize: batch,
      epochs: epochCount,
      trainSize: Number(selectedValue(trainSize, TRAIN_SIZES)),
      testSize: Number(selectedValue(testSize, TEST_SIZES)),
      evalSamples: 1000,
      seed: Math.round(readNumber(seed, 0)),
      backend: selectedValue(
        backend,
        BACKENDS.map((b) => b.value),
      ),
      threads: selectedValue(
        threads,
        THREADS.map((t) => t.value),
      ),
      dataUrl: new URL(`${import.meta.env.BASE_URL}data/mnist/`, location.href).href,
    };
  }

  function refreshForm(): void {
    extendOnly.hidden = kind.value !== 'multi-layer-net-extend';
    convOnly.hidden = kind.value !== 'simple-conv-net';
    try {
      const c = config();
      formError.textContent = '';
      const steps = Math.floor((c.epochs * c.trainSize) / c.batchSize);
      sizeInfo.textContent = `${countParameters(c.spec).toLocaleString('en')} parameters; ${steps.toLocaleString('en')} steps of ${c.batchSize} images.`;
      start.disabled = session.running;
    } catch (e) {
      formError.textContent = (e as Error).message;
      sizeInfo.textContent = '';
      start.disabled = true;
    }
  }

  // Redraws at most 5 times a second, however fast the worker reports.
  let frame = 0;
  let lastRender = 0;
  function render(): void {
    frame = 0;
    lastRender = performance.now();
    const s = session;
    status.textContent = s.statusText || 'Choose a network and press Start.';
    status.dataset.state = s.state;
    stop.disabled = !s.running;
    start.disabled = s.running || formError.textContent !== '';
    download.hidden = getModel('trained') === undefined || s.running;
    const b = s.ready?.backend;
    stats.backend.textContent = b
      ? `${b.variant}, ${b.threads} thread${b.threads === 1 ? '' : 's'}` +
        ` (${navigator.hardwareConcurrency} cores, cross-origin isolated: ${s.ready?.crossOriginIsolated ? 'yes' : 'no'})` +
        (b.fallback ? `; ${b.fallback}` : '') +
        (b.threadsNote ? `; ${b.threadsNote}` : '')
      : '–';
    stats.step.textContent = s.totalSteps > 0 ? `${s.losses.length} / ${s.totalSteps}` : '–';
    stats.epoch.textContent = s.currentEpoch > 0 ? String(s.currentEpoch) : '–';
    stats.loss.textContent = s.losses.length > 0 ? formatNumber(s.losses.at(-1)!, 4) : '–';
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
    errorLine.textContent = s.error ?? '';
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
  const schedule = (): void => {
    if (frame) return;
    const wait = session.running ? Math.max(0, 200 - (performance.now() - lastRender)) : 0;
    frame = window.setTimeout(() => requestAnimationFrame(render), wait);
  };

  // The page's own frame rate: it stays near the display's while the worker trains.
  let frames = 0;
  let since = performance.now();
  let uiFrame = 0;
  const countFrames = (now: number): void => {
    frames++;
    if (now - since >= 1000) {
      stats.ui.textContent = String(Math.round((frames * 1000) / (now - since)));
      frames = 0;
      since = now;
      if (session.running) schedule();
    }
    uiFrame = requestAnimationFrame(countFrames);
  };
  uiFrame = requestAnimationFrame(countFrames);

  optimizer.addEventListener('change', () => {
    lr.value = String(OPTIMIZERS.find((o) => o.value === optimizer.value)?.lr ?? 0.01);
    refreshForm();
  });
  for (const el of [
    kind,
    hidden,
    filterNum,
    filterSize,
    activation,
    init,
    batchNorm,
    dropout,
    dropoutRatio,
    weightDecay,
    lr,
    batchSize,
    epochs,
    trainSize,
    testSize,
    seed,
    backend,
    threads,
  ]) {
    el.addEventListener('input', refreshForm);
    el.addEventListener('change', refreshForm);
  }
  start.addEventListener('click', () => {
    try {
      session.start(config());
    } catch (e) {
      formError.textContent = (e as Error).message;
    }
  });
  stop.addEventListener('click', () => session.stop());
  download.addEventListener('click', () => {
    const m = getModel('trained');
    if (m) downloadBytes(m.bytes, `${m.spec.kind}.safetensors`);
  });
  const unsubscribe = session.subscribe(schedule);
  refreshForm();
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
      h('h2', { id: 'train-net-title', text: 'Network' }),
      h(
        'div',
        { class: 'controls' },
        labelled('network', kind),
        labelled('hidden sizes', hidden, 'e.g. 50 or 100, 100, 100'),
        labelled('initial weights', init),
      ),
      extendOnly,
      convOnly,
      h('h2', { text: 'Training' }),
      h(
        'div',
        { class: 'controls' },
        labelled('optimizer', optimizer),
        labelled('learning rate', lr),
        labelled('batch size', batchSize),
        labelled('epochs', epochs),
        labelled('training set', trainSize),
        labelled('test set (held out)', testSize),
        labelled('seed', seed),
        labelled('backend', backend),
        labelled('threads', threads),
      ),
      sizeInfo,
      formError,
      h('div', { class: 'controls' }, start, stop, download),
    ),
    h(
      'section',
      { class: 'panel', attrs: { 'aria-labelledby': 'train-run-title' } },
      h('h2', { id: 'train-run-title', text: 'Progress' }),
      status,
      statList,
      errorLine,
      h('div', { class: 'grid-2' }, lossChart.element, accChart.element),
      h('p', {
        class: 'note',
        text:
          'Accuracy after each epoch is measured on the first 1000 images of each set; the final test accuracy on the whole held-out test set. ' +
          'Batches are drawn with replacement, as the book does.',
      }),
    ),
  );
  return () => {
    unsubscribe();
    clearTimeout(frame);
    cancelAnimationFrame(uiFrame);
  };
}
