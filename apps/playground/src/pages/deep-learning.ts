import { DeepWorkerClient } from '../lib/deep-client.js';
import { h, pageHeader } from '../lib/dom.js';
import { getModel, loadShippedModel, onModelsChange, type StoredModel } from '../lib/model-store.js';
import { SHIPPED_MODELS } from '../lib/shipped-model.js';
import { loadTestImages, type TestImages } from '../lib/test-images.js';
import { webGpuProbe } from '../lib/webgpu-probe.js';
import type { Cleanup } from '../page.js';
import { createBackendsView } from './deep-learning/backends.js';
import { createDigitsView } from './deep-learning/digits.js';
import { createPrecisionView } from './deep-learning/precision.js';

// The chapter 8 page: the shipped DeepConvNet classifying test digits (`deep-learning/digits.ts`),
// its inference speed on each backend (`deep-learning/backends.ts`) and its accuracy with 16-bit
// weights (`deep-learning/precision.ts`); the measurements run in a worker (`worker/deep-worker.ts`).

const SHIPPED = SHIPPED_MODELS['deep-conv-net'];

/** What the shipped network is and how well it was trained, from its file. */
function modelText(model: StoredModel): string {
  const parameters = model.network.params().reduce((n, p) => n + p.value.size, 0);
  const { epochs, optimizer, lr, batchSize } = SHIPPED.training;
  return (
    `DeepConvNet: six 3×3 convolutions (16, 16, 32, 32, 64, 64 filters) with ReLU, a 2×2 max pooling after every second, ` +
    `Affine 50 → ReLU → Dropout → Affine 10 → Dropout; ${parameters.toLocaleString('en')} parameters ` +
    `(${((model.bytes.length / 1024) | 0).toLocaleString('en')} KiB file). ` +
    `Shipped trained for ${epochs} epochs (${optimizer}, lr ${lr}, batches of ${batchSize}) instead of the book’s 20: ` +
    `${model.note || 'accuracy not recorded'} on the 10 000 test images.`
  );
}

/** Runs `work` from `button`, disabling the page's buttons meanwhile and showing a failure on `status`. */
function runFrom(
  button: HTMLButtonElement,
  buttons: readonly HTMLButtonElement[],
  error: HTMLElement,
  work: () => Promise<void>,
): void {
  button.addEventListener('click', () => {
    for (const b of buttons) b.disabled = true;
    error.textContent = '';
    work()
      .catch((e: unknown) => {
        error.textContent = e instanceof Error ? e.message : String(e);
      })
      .finally(() => {
        for (const b of buttons) b.disabled = false;
      });
  });
}

export function mount(root: HTMLElement): Cleanup {
  const client = new DeepWorkerClient();
  const modelInfo = h('p', {
    class: 'note',
    data: { testid: 'deep-model-info' },
    text: 'Loading DeepConvNet…',
  });
  const error = h('p', { class: 'error', attrs: { role: 'alert' }, data: { testid: 'deep-error' } });
  const digits = createDigitsView();
  const backends = createBackendsView(client);
  const precision = createPrecisionView(client);
  const buttons = [backends.button, precision.button];
  let images: TestImages | null = null;
  const model = (): StoredModel | undefined => getModel('shipped:deep-conv-net');
  const render = (): void => {
    const m = model();
    if (m) modelInfo.textContent = modelText(m);
    for (const b of buttons) if (!m) b.disabled = true;
    digits.render(m, images);
  };
  const bytes = (): Uint8Array => {
    const m = model();
    if (!m) throw new Error('the network has not loaded yet');
    return m.bytes;
  };
  runFrom(backends.button, buttons, error, () => backends.measure(bytes()));
  runFrom(precision.button, buttons, error, () => precision.measure(bytes()));
  digits.onChange(render);

  const unsubscribe = onModelsChange(() => {
    for (const b of buttons) b.disabled = false;
    render();
  });
  loadShippedModel('deep-conv-net').catch((e: unknown) => {
    modelInfo.textContent = `The shipped DeepConvNet could not be loaded: ${String(e)}`;
  });
  loadTestImages()
    .then((loaded) => {
      images = loaded;
      render();
    })
    .catch((e: unknown) => {
      error.textContent = `The test images could not be loaded: ${String(e)}`;
    });
  void webGpuProbe().then((probe) => backends.setProbe(probe));
  render();

  root.append(
    pageHeader(
      'Chapter 8: Deep learning',
      'Deep learning',
      'Deeper networks learn better features: the book’s DeepConvNet, eight layers with weights, reaches 99.4% on MNIST after 20 epochs. ' +
        'Deep learning got fast on GPUs, and stays accurate with 16-bit weights; both are measured here, in your browser.',
    ),
    h('section', { class: 'panel' }, modelInfo, error, ...digits.elements),
    h('section', { class: 'panel' }, ...backends.elements),
    h('section', { class: 'panel' }, ...precision.elements),
  );
  return () => {
    unsubscribe();
    client.terminate();
  };
}
