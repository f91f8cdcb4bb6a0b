import { buildModel, type FloatTensor, type Layer, type LayerNetwork, type ModelSpec } from '@dl/layers';
import { Rng, Tensor } from '@dl/tensor';
import { h, labelled, numberInput, pageHeader, readNumber } from '../lib/dom.js';
import { grayCanvas, minMax } from '../lib/gray-image.js';
import { IMAGE_COLS, IMAGE_ROWS } from '../lib/mnist-asset.js';
import { getModel, loadShippedModel, onModelsChange, type ModelSource } from '../lib/model-store.js';
import { loadTestImages, type TestImages } from '../lib/test-images.js';
import { trainingSession as session } from '../lib/training-session.js';
import type { Cleanup } from '../page.js';
import type { TrainConfig } from '../worker/protocol.js';

/** The book's SimpleConvNet (ch07/simple_convnet.py): 30 filters of 5×5, hidden 100, std 0.01. */
const BOOK_SPEC: ModelSpec = {
  kind: 'simple-conv-net',
  inputDim: [1, 28, 28],
  convParam: { filterNum: 30, filterSize: 5, pad: 0, stride: 1 },
  hiddenSize: 100,
  outputSize: 10,
  weightInitStd: 0.01,
};

/** A short run that already turns noise into strokes and edges (the book trains 20 epochs on 60 000). */
const QUICK_TRAINING = { trainSize: 5000, epochs: 1, optimizer: 'adam', lr: 0.001 } as const;

type Choice = 'fresh' | ModelSource;

const SOURCE_LABEL = {
  trained: 'trained here',
  file: 'dropped file',
  'shipped:simple-conv-net': 'shipped with the app',
} as const;

interface ConvView {
  network: LayerNetwork;
  /** The first convolution and what follows it up to its activation. */
  layers: Layer[];
  filters: FloatTensor;
  description: string;
}

/** The first Convolution of a network (with the activation right after it), or null if it has none. */
function firstConvolution(network: LayerNetwork): { layers: Layer[]; filters: FloatTensor } | null {
  const all = [...network.layers.values()];
  const i = all.findIndex((l) => l.kind === 'Convolution');
  if (i < 0) return null;
  const conv = all[i]!;
  const next = all[i + 1];
  const layers = next && (next.kind === 'Relu' || next.kind === 'Sigmoid') ? [conv, next] : [conv];
  return { layers, filters: conv.params()[0]!.value };
}

export function mount(root: HTMLElement): Cleanup {
  const source = h('select', { data: { testid: 'conv-model' } });
  const seed = numberInput({ value: 0, step: 1, min: 0, testid: 'conv-seed' });
  const train = h('button', {
    attrs: { type: 'button' },
    text: `Train a SimpleConvNet here (${QUICK_TRAINING.trainSize.toLocaleString('en')} images, ${QUICK_TRAINING.epochs} epoch, Adam)`,
    data: { testid: 'conv-train' },
  });
  const trainStatus = h('p', {
    class: 'status',
    attrs: { role: 'status' },
    data: { testid: 'conv-train-status' },
  });
  const modelInfo = h('p', { class: 'note', data: { testid: 'conv-model-info' } });
  const filtersGrid = h('div', { class: 'image-grid', data: { testid: 'conv-filters' } });
  const index = numberInput({ value: 0, step: 1, min: 0, max: 9999, testid: 'conv-test-index' });
  const inputView = h('div', {});
  const mapsGrid = h('div', { class: 'image-grid', data: { testid: 'conv-maps' } });
  const mapsInfo = h('p', { class: 'note', data: { testid: 'conv-maps-info' } });

  let choice: Choice = 'fresh';
  let images: TestImages | null = null;
  /** Set by the train button: show the trained network as soon as it arrives. */
  let awaitingTrained = false;
  let userChose = false;
  let fresh: { seed: number; network: LayerNetwork } | null = null;

  function available(): { value: Choice; label: string }[] {
    const list: { value: Choice; label: string }[] = [];
    for (const s of ['trained', 'file', 'shipped:simple-conv-net'] as const) {
      const m = getModel(s);
      if (m && firstConvolution(m.network)) list.push({ value: s, label: `${SOURCE_LABEL[s]}: ${m.name}` });
    }
    list.push({ value: 'fresh', label: 'freshly initialised SimpleConvNet (random filters)' });
    return list;
  }

  function currentView(): ConvView {
    if (choice !== 'fresh') {
      const m = getModel(choice);
      const conv = m ? firstConvolution(m.network) : null;
      if (m && conv)
        return { network: m.network, ...conv, description: `${m.spec.kind}${m.note ? `, ${m.note}` : ''}` };
      choice = 'fresh';
    }
    const s = Math.round(readNumber(seed, 0));
    if (fresh?.seed !== s) fresh = { seed: s, network: buildModel(BOOK_SPEC, { rng: new Rng(s) }) };
    const { network } = fresh;
    return {
      network,
      ...firstConvolution(network)!,
      description: 'untrained: weights drawn from N(0, 0.01²)',
    };
  }

  function renderFilters(view: ConvView): void {
    const [fn, c, fh, fw] = view.filters.shape as [number, number, number, number];
    const size = c * fh * fw;
    filtersGrid.replaceChildren(
      ...Array.from({ length: fn }, (_, k) => {
        // Channel 0 of each filter; each scaled to its own range, dark = positive, as the book's gray_r.
        const values = view.filters.data.subarray(k * size, k * size + fh * fw);
        const [lo, hi] = minMax(values);
        return h(
          'figure',
          {},
          grayCanvas(values, fh, fw, {
            lo,
            hi,
            invert: true,
            scale: Math.max(4, Math.floor(48 / fw)),
            label: `filter ${k + 1}`,
          }),
          h('figcaption', { text: String(k + 1) }),
        );
      }),
    );
  }

  function renderMaps(view: ConvView): void {
    if (!images) return;
    const i = Math.max(0, Math.min(images.count - 1, Math.round(readNumber(index, 0))));
    const pixels = images.image(i);
    inputView.replaceChildren(
      h(
        'figure',
        {},
        grayCanvas(pixels, IMAGE_ROWS, IMAGE_COLS, { lo: 0, hi: 1, scale: 4, label: `test image ${i}` }),
        h('figcaption', { text: `test image ${i} (a ${images.label(i)})` }),
      ),
    );
    let y: FloatTensor = new Tensor(pixels, [1, 1, IMAGE_ROWS, IMAGE_COLS], 'float32');
    for (const layer of view.layers) y = layer.forward(y, { train: false });
    const [, channels, rows, cols] = y.shape as [number, number, number, number];
    // One scale for all maps, so their brightness compares: white is the strongest response.
    const [, hi] = minMax(y.data);
    const plane = rows * cols;
    mapsGrid.replaceChildren(
      ...Array.from({ length: channels }, (_, k) =>
        h(
          'figure',
          {},
          grayCanvas(y.data.subarray(k * plane, (k + 1) * plane), rows, cols, {
            lo: 0,
            hi: Math.max(hi, 1e-12),
            scale: 2,
            label: `feature map ${k + 1}`,
          }),
          h('figcaption', { text: String(k + 1) }),
        ),
      ),
    );
    mapsInfo.textContent = `${channels} maps of ${rows}×${cols}: ${view.layers.map((l) => l.kind).join(' → ')} applied to the image; white is the strongest response.`;
  }

  function render(): void {
    const options = available();
    if (!options.some((o) => o.value === choice)) choice = options[0]!.value;
    source.replaceChildren(
      ...options.map((o) => {
        const el = h('option', { text: o.label, attrs: { value: o.value } });
        el.selected = o.value === choice;
        return el;
      }),
    );
    seed.disabled = choice !== 'fresh';
    const view = currentView();
    modelInfo.textContent = `${view.description}; first layer: ${view.filters.shape[0]} filters of ${view.filters.shape.slice(1).join('×')}.`;
    renderFilters(view);
    renderMaps(view);
  }

  function renderSession(): void {
    const running = session.running;
    train.disabled = running;
    const isConv = session.config?.spec.kind === 'simple-conv-net';
    trainStatus.textContent =
      isConv || running
        ? session.statusText +
          (running && session.totalSteps > 0 ? ` step ${session.losses.length} / ${session.totalSteps}` : '')
        : '';
    trainStatus.dataset.state = isConv ? session.state : 'idle';
  }

  source.addEventListener('change', () => {
    choice = source.value as Choice;
    userChose = true;
    render();
  });
  seed.addEventListener('input', render);
  index.addEventListener('input', () => renderMaps(currentView()));
  train.addEventListener('click', () => {
    const config: TrainConfig = {
      spec: BOOK_SPEC,
      optimizer: QUICK_TRAINING.optimizer,
      lr: QUICK_TRAINING.lr,
      batchSize: 100,
      epochs: QUICK_TRAINING.epochs,
      trainSize: QUICK_TRAINING.trainSize,
      testSize: 1000,
      evalSamples: 1000,
      seed: 0,
      backend: 'auto',
      threads: 'auto',
      dataUrl: new URL(`${import.meta.env.BASE_URL}data/mnist/`, location.href).href,
    };
    session.start(config);
    awaitingTrained = true;
  });

  const unsubscribeModels = onModelsChange(() => {
    const trained = getModel('trained');
    if (awaitingTrained && trained && firstConvolution(trained.network)) {
      awaitingTrained = false;
      choice = 'trained';
    }
    // The shipped trained network, once it has loaded, unless the user already chose.
    if (!userChose && choice === 'fresh' && getModel('shipped:simple-conv-net'))
      choice = 'shipped:simple-conv-net';
    render();
  });
  loadShippedModel('simple-conv-net').catch((e: unknown) => {
    modelInfo.textContent = `The shipped SimpleConvNet could not be loaded: ${String(e)}`;
  });
  const unsubscribeSession = session.subscribe(renderSession);
  loadTestImages()
    .then((loaded) => {
      images = loaded;
      renderMaps(currentView());
    })
    .catch((e: unknown) => {
      mapsInfo.textContent = `The test images could not be loaded: ${String(e)}`;
    });
  render();
  renderSession();

  root.append(
    pageHeader(
      'Chapter 7: Convolutional neural networks',
      'Convolution',
      'A convolution layer slides small filters over the image; each filter answers "is my pattern here?" at every position, giving one feature map per filter. ' +
        'Untrained filters are noise; training turns them into detectors of edges and blobs (the book’s figure 7-24).',
    ),
    h(
      'section',
      { class: 'panel' },
      h('div', { class: 'controls' }, labelled('network', source), labelled('seed (untrained)', seed), train),
      trainStatus,
      modelInfo,
    ),
    h('section', { class: 'panel' }, h('h2', { text: 'First-layer filters' }), filtersGrid),
    h(
      'section',
      { class: 'panel' },
      h('h2', { text: 'Feature maps of a test image' }),
      h('div', { class: 'controls' }, labelled('MNIST test image', index)),
      h('div', { class: 'row' }, inputView, h('div', {}, mapsGrid, mapsInfo)),
    ),
  );
  return () => {
    unsubscribeModels();
    unsubscribeSession();
  };
}
