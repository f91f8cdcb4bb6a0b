import { h, labelled, numberInput, pageHeader, readNumber } from '../lib/dom.js';
import { getModel, loadShippedModel, onModelsChange } from '../lib/model-store.js';
import { loadTestImages, type TestImages } from '../lib/test-images.js';
import { trainingSession as session } from '../lib/training-session.js';
import type { Cleanup } from '../page.js';
import {
  availableChoices,
  firstConvolution,
  freshNetwork,
  meanAbs,
  viewOf,
  type Choice,
  type ConvView,
} from './convolution/conv-model.js';
import { featureMaps, filterFigures } from './convolution/images.js';
import { createTrainHere, isQuickRun, type TrainHere } from './convolution/train-here.js';

// The convolution page: the chosen network (`convolution/conv-model.ts`), its filters and feature
// maps (`convolution/images.ts`), and a SimpleConvNet trained here (`convolution/train-here.ts`).

/** How large the filters are, and for a network trained here how far they moved from where training started. */
function filterStats(view: ConvView, choice: Choice): string {
  const now = meanAbs(view.filters);
  let text = `Mean |w| of the filters: ${now.toFixed(4)}`;
  const config = session.config;
  if (choice === 'trained' && isQuickRun(config) && session.summary) {
    const start = firstConvolution(freshNetwork(config.seed))!.filters;
    text +=
      `; at initialisation (seed ${config.seed}): ${meanAbs(start).toFixed(4)}` +
      `; mean |change| in training: ${meanAbs(view.filters, start).toFixed(4)}`;
  }
  return `${text}.`;
}

/** The page's controls and the places its pictures go. */
function createElements() {
  const source = h('select', { data: { testid: 'conv-model' } });
  const seed = numberInput({ value: 0, step: 1, min: 0, testid: 'conv-seed' });
  const modelInfo = h('p', { class: 'note', data: { testid: 'conv-model-info' } });
  const filterInfo = h('p', { class: 'note', data: { testid: 'conv-filter-stats' } });
  const filtersGrid = h('div', { class: 'image-grid', data: { testid: 'conv-filters' } });
  const index = numberInput({ value: 0, step: 1, min: 0, max: 9999, testid: 'conv-test-index' });
  const inputView = h('div', {});
  const mapsGrid = h('div', { class: 'image-grid', data: { testid: 'conv-maps' } });
  const mapsInfo = h('p', { class: 'note', data: { testid: 'conv-maps-info' } });

  return { source, seed, modelInfo, filterInfo, filtersGrid, index, inputView, mapsGrid, mapsInfo };
}
type Elements = ReturnType<typeof createElements>;

function layout(
  { source, seed, modelInfo, filterInfo, filtersGrid, index, inputView, mapsGrid, mapsInfo }: Elements,
  trainHere: TrainHere,
): HTMLElement[] {
  return [
    pageHeader(
      'Chapter 7: Convolutional neural networks',
      'Convolution',
      'A convolution layer slides small filters over the image; each filter answers "is my pattern here?" at every position, giving one feature map per filter. ' +
        'Untrained filters are noise; training turns them into detectors of edges and blobs (the book’s figure 7-24).',
    ),
    h(
      'section',
      { class: 'panel' },
      h(
        'div',
        { class: 'controls' },
        labelled('network', source),
        labelled('seed (untrained)', seed),
        trainHere.button,
      ),
      trainHere.status,
      modelInfo,
    ),
    h('section', { class: 'panel' }, h('h2', { text: 'First-layer filters' }), filtersGrid, filterInfo),
    h(
      'section',
      { class: 'panel' },
      h('h2', { text: 'Feature maps of a test image' }),
      h('div', { class: 'controls' }, labelled('MNIST test image', index)),
      h('div', { class: 'row' }, inputView, h('div', {}, mapsGrid, mapsInfo)),
    ),
  ];
}

export function mount(root: HTMLElement): Cleanup {
  const { source, seed, modelInfo, filterInfo, filtersGrid, index, inputView, mapsGrid, mapsInfo } =
    createElements();
  let choice: Choice = 'fresh';
  let images: TestImages | null = null;
  /** Set by the train button: show the trained network as soon as it arrives. */
  let awaitingTrained = false;
  let userChose = false;
  const freshSeed = (): number => Math.round(readNumber(seed, 0));
  const trainHere = createTrainHere(freshSeed, () => {
    awaitingTrained = true;
  });

  function currentView(): ConvView {
    const view = viewOf(choice, freshSeed());
    if (view) return view;
    choice = 'fresh';
    return viewOf('fresh', freshSeed())!;
  }

  function renderMaps(view: ConvView): void {
    if (!images) return;
    const i = Math.max(0, Math.min(images.count - 1, Math.round(readNumber(index, 0))));
    const shown = featureMaps(view, images, i);
    inputView.replaceChildren(shown.input);
    mapsGrid.replaceChildren(...shown.maps);
    mapsInfo.textContent = shown.info;
  }

  function render(): void {
    const options = availableChoices();
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
    filterInfo.textContent = filterStats(view, choice);
    filtersGrid.replaceChildren(...filterFigures(view.filters));
    renderMaps(view);
  }

  source.addEventListener('change', () => {
    choice = source.value as Choice;
    userChose = true;
    render();
  });
  seed.addEventListener('input', render);
  index.addEventListener('input', () => renderMaps(currentView()));

  /** The network just trained here, or else the shipped one once it has loaded, unless the user chose. */
  function preferLoaded(): void {
    const trained = getModel('trained');
    if (awaitingTrained && trained && firstConvolution(trained.network)) {
      awaitingTrained = false;
      choice = 'trained';
    }
    // Also at mount: another page may have loaded the shipped network already.
    if (!userChose && choice === 'fresh' && getModel('shipped:simple-conv-net'))
      choice = 'shipped:simple-conv-net';
  }
  const unsubscribeModels = onModelsChange(() => {
    preferLoaded();
    render();
  });
  loadShippedModel('simple-conv-net').catch((e: unknown) => {
    modelInfo.textContent = `The shipped SimpleConvNet could not be loaded: ${String(e)}`;
  });
  const unsubscribeSession = session.subscribe(trainHere.render);
  loadTestImages()
    .then((loaded) => {
      images = loaded;
      renderMaps(currentView());
    })
    .catch((e: unknown) => {
      mapsInfo.textContent = `The test images could not be loaded: ${String(e)}`;
    });
  preferLoaded();
  render();
  trainHere.render();

  root.append(
    ...layout(
      { source, seed, modelInfo, filterInfo, filtersGrid, index, inputView, mapsGrid, mapsInfo },
      trainHere,
    ),
  );
  return () => {
    unsubscribeModels();
    unsubscribeSession();
  };
}
