import { OPTIMIZER_DEFAULTS } from '@dl/optim';
import { h, labelled, numberInput, readNumber, select, selectedValue } from '../../lib/dom.js';
import { mnistDataUrl } from '../../lib/public-url.js';
import { countParameters, specFromForm, type NetworkForm } from '../../lib/train-form.js';
import { webGpuProbe, type WebGpuProbe } from '../../lib/webgpu-probe.js';
import type { BackendChoice, ThreadsChoice, TrainConfig, TrainOptimizer } from '../../worker/protocol.js';

// The training page's form: the network, the optimizer and the run, read into a `TrainConfig`.

// Picking an optimizer sets the learning rate to the book's default for it (`OPTIMIZER_DEFAULTS`, as
// `dl train --optimizer NAME` does); the form opens at 0.1, the book's rate for TwoLayerNet.
const OPTIMIZERS: readonly { value: TrainOptimizer; label: string; lr: number }[] = (
  [
    ['sgd', 'SGD'],
    ['momentum', 'Momentum'],
    ['adagrad', 'AdaGrad'],
    ['rmsprop', 'RMSprop'],
    ['adam', 'Adam'],
  ] as const
).map(([value, label]) => ({ value, label, lr: OPTIMIZER_DEFAULTS[value].lr }));

const TRAIN_SIZES = ['1000', '5000', '10000', '30000', '60000'] as const;
const TEST_SIZES = ['1000', '10000'] as const;
const BACKENDS: readonly { value: BackendChoice; label: string }[] = [
  { value: 'auto', label: 'auto (WebAssembly if available)' },
  { value: 'wasm', label: 'WebAssembly' },
  { value: 'js', label: 'JavaScript (reference)' },
  // Offered once the probe finds an adapter (`offerWebGpu`); never the default.
  { value: 'webgpu', label: 'WebGPU (looking for an adapter…)' },
];
const THREADS: readonly { value: ThreadsChoice; label: string }[] = [
  { value: 'auto', label: 'auto (one per core)' },
  { value: '1', label: '1' },
  { value: '2', label: '2' },
  { value: '4', label: '4' },
];

const imagesOption = (v: string): { value: string; label: string } => ({
  value: v,
  label: `${Number(v).toLocaleString('en')} images`,
});

/** The network's fields: the kind, and the fields of MultiLayerNetExtend and SimpleConvNet. */
function networkFields() {
  const kind = select<NetworkForm['kind']>(
    [
      { value: 'two-layer-net', label: 'TwoLayerNet (ch05)' },
      { value: 'multi-layer-net-extend', label: 'MultiLayerNetExtend (ch06)' },
      { value: 'simple-conv-net', label: 'SimpleConvNet (ch07)' },
    ],
    'two-layer-net',
    'train-network',
  );
  const hidden = h('input', {
    attrs: { type: 'text', value: '50', size: 12 },
    data: { testid: 'train-hidden' },
  });
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
  const filterNum = numberInput({ value: 30, step: 1, min: 1, max: 256, testid: 'train-filters' });
  const filterSize = numberInput({ value: 5, step: 1, min: 1, max: 28, testid: 'train-filter-size' });
  const activation = select<NetworkForm['activation']>(
    [
      { value: 'relu', label: 'ReLU' },
      { value: 'sigmoid', label: 'sigmoid' },
    ],
    'relu',
    'train-activation',
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
  return {
    kind,
    hidden,
    init,
    filterNum,
    filterSize,
    activation,
    batchNorm,
    dropout,
    dropoutRatio,
    weightDecay,
  };
}

/** The backend select with its WebGPU option disabled until the probe answers. */
function disabledWebGpu(backend: HTMLSelectElement): HTMLSelectElement {
  const option = backend.querySelector<HTMLOptionElement>('option[value="webgpu"]');
  if (option) option.disabled = true;
  return backend;
}

/**
 * Enables the WebGPU option when the probe opened an adapter, else says why it is not offered; the
 * line under the form names the adapter and warns when it is a software one.
 */
function offerWebGpu(backend: HTMLSelectElement, note: HTMLElement, probe: WebGpuProbe): void {
  const option = backend.querySelector<HTMLOptionElement>('option[value="webgpu"]');
  if (!option) return;
  option.disabled = !probe.available;
  if (probe.available) {
    option.textContent = 'WebGPU';
    note.textContent =
      `WebGPU: ${probe.adapter}.` +
      (probe.software ? ' A software (CPU) adapter: correct but slow; WebAssembly is faster here.' : '');
  } else {
    option.textContent = 'WebGPU (not available)';
    note.textContent = `WebGPU is not offered: ${probe.reason}.`;
  }
  note.dataset.available = String(probe.available);
}

/** The optimizer's and the run's fields. */
function runFields() {
  return {
    optimizer: select(OPTIMIZERS, 'momentum', 'train-optimizer'),
    lr: numberInput({ value: 0.1, step: 'any', min: 0, testid: 'train-lr' }),
    batchSize: numberInput({ value: 100, step: 1, min: 1, max: 1000, testid: 'train-batch' }),
    epochs: numberInput({ value: 2, step: 1, min: 1, max: 100, testid: 'train-epochs' }),
    trainSize: select(TRAIN_SIZES.map(imagesOption), '10000', 'train-size'),
    testSize: select(TEST_SIZES.map(imagesOption), '10000', 'train-test-size'),
    seed: numberInput({ value: 0, step: 1, min: 0, testid: 'train-seed' }),
    backend: disabledWebGpu(select(BACKENDS, 'auto', 'train-backend')),
    threads: select(THREADS, 'auto', 'train-threads'),
  };
}

type NetworkFields = ReturnType<typeof networkFields>;
type RunFields = ReturnType<typeof runFields>;

function networkForm(net: NetworkFields): NetworkForm {
  return {
    kind: selectedValue(net.kind, ['two-layer-net', 'multi-layer-net-extend', 'simple-conv-net']),
    hidden: net.hidden.value,
    filterNum: readNumber(net.filterNum, 30),
    filterSize: readNumber(net.filterSize, 5),
    activation: selectedValue(net.activation, ['relu', 'sigmoid']),
    init: selectedValue(net.init, ['book', 'std-0.01', 'xavier', 'he']),
    batchNorm: net.batchNorm.checked,
    dropout: net.dropout.checked,
    dropoutRatio: readNumber(net.dropoutRatio, 0.2),
    weightDecay: readNumber(net.weightDecay, 0),
  };
}

/** The run the fields describe; throws a one-line Error when one is out of range. */
function readConfig(net: NetworkFields, run: RunFields): TrainConfig {
  const spec = specFromForm(networkForm(net));
  const lr = readNumber(run.lr, Number.NaN);
  if (!(lr > 0)) throw new Error('the learning rate must be a number > 0');
  const batch = Math.round(readNumber(run.batchSize, 100));
  if (!(batch >= 1 && batch <= 1000)) throw new Error('the batch size must be from 1 to 1000');
  const epochs = readNumber(run.epochs, 2);
  if (!(epochs > 0 && epochs <= 100)) throw new Error('epochs must be a number in (0, 100]');
  return {
    spec,
    optimizer: selectedValue(
      run.optimizer,
      OPTIMIZERS.map((o) => o.value),
    ),
    lr,
    batchSize: batch,
    epochs,
    trainSize: Number(selectedValue(run.trainSize, TRAIN_SIZES)),
    testSize: Number(selectedValue(run.testSize, TEST_SIZES)),
    evalSamples: 1000,
    seed: Math.round(readNumber(run.seed, 0)),
    backend: selectedValue(
      run.backend,
      BACKENDS.map((b) => b.value),
    ),
    threads: selectedValue(
      run.threads,
      THREADS.map((t) => t.value),
    ),
    dataUrl: mnistDataUrl(),
  };
}

/** The form in the page's order: the network, the fields of one kind of network, the run, the lines under it. */
function layout(
  net: NetworkFields,
  run: RunFields,
  networkOnly: HTMLElement[],
  lines: HTMLElement[],
): HTMLElement[] {
  return [
    h('h2', { id: 'train-net-title', text: 'Network' }),
    h(
      'div',
      { class: 'controls' },
      labelled('network', net.kind),
      labelled('hidden sizes', net.hidden, 'e.g. 50 or 100, 100, 100'),
      labelled('initial weights', net.init),
    ),
    ...networkOnly,
    h('h2', { text: 'Training' }),
    h(
      'div',
      { class: 'controls' },
      labelled('optimizer', run.optimizer),
      labelled('learning rate', run.lr),
      labelled('batch size', run.batchSize),
      labelled('epochs', run.epochs),
      labelled('training set', run.trainSize),
      labelled('test set (held out)', run.testSize),
      labelled('seed', run.seed),
      labelled('backend', run.backend),
      labelled('threads', run.threads),
    ),
    ...lines,
  ];
}

export interface TrainForm {
  /** The "Network" and "Training" controls, the size line and the form's error line. */
  readonly elements: readonly HTMLElement[];
  /** The run the form describes; throws a one-line Error when a field is out of range. */
  config(): TrainConfig;
  /** Shows the fields of the chosen network and the size line, or the error; true when the form is valid. */
  refresh(): boolean;
  showError(message: string): void;
  /** True while the form shows an error (from `refresh` or `showError`). */
  hasError(): boolean;
  /** Calls `listener` after every edit (after `refresh`). */
  onChange(listener: () => void): void;
}

export function createTrainForm(): TrainForm {
  const net = networkFields();
  const run = runFields();
  const formError = h('p', {
    class: 'error',
    attrs: { role: 'alert' },
    data: { testid: 'train-form-error' },
  });
  const sizeInfo = h('p', { class: 'note', data: { testid: 'train-size-info' } });
  const webGpuNote = h('p', { class: 'note', data: { testid: 'train-webgpu-note' } });
  void webGpuProbe().then((probe) => offerWebGpu(run.backend, webGpuNote, probe));
  const convOnly = h(
    'div',
    { class: 'controls' },
    labelled('filters', net.filterNum),
    labelled('filter size', net.filterSize),
    h('p', {
      class: 'note',
      text: 'Conv (stride 1, no padding) → ReLU → 2×2 max pooling → Affine → ReLU → Affine.',
    }),
  );
  const extendOnly = h(
    'div',
    { class: 'controls' },
    labelled('activation', net.activation),
    h('label', { class: 'check' }, net.batchNorm, 'BatchNorm'),
    h('label', { class: 'check' }, net.dropout, 'Dropout'),
    labelled('dropout ratio', net.dropoutRatio),
    labelled('weight decay λ', net.weightDecay),
  );

  function refresh(): boolean {
    extendOnly.hidden = net.kind.value !== 'multi-layer-net-extend';
    convOnly.hidden = net.kind.value !== 'simple-conv-net';
    try {
      const c = readConfig(net, run);
      formError.textContent = '';
      const steps = Math.floor((c.epochs * c.trainSize) / c.batchSize);
      sizeInfo.textContent = `${countParameters(c.spec).toLocaleString('en')} parameters; ${steps.toLocaleString('en')} steps of ${c.batchSize} images.`;
      return true;
    } catch (e) {
      formError.textContent = (e as Error).message;
      sizeInfo.textContent = '';
      return false;
    }
  }

  const listeners: (() => void)[] = [];
  const changed = (): void => {
    refresh();
    for (const l of listeners) l();
  };
  run.optimizer.addEventListener('change', () => {
    run.lr.value = String(OPTIMIZERS.find((o) => o.value === run.optimizer.value)?.lr ?? 0.01);
  });
  for (const el of [...Object.values(net), ...Object.values(run)]) {
    el.addEventListener('input', changed);
    el.addEventListener('change', changed);
  }

  return {
    elements: layout(net, run, [extendOnly, convOnly], [sizeInfo, webGpuNote, formError]),
    config: () => readConfig(net, run),
    refresh,
    showError: (message) => {
      formError.textContent = message;
    },
    hasError: () => formError.textContent !== '',
    onChange: (listener) => listeners.push(listener),
  };
}
