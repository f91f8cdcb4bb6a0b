import { softmax, specInputShape as inputShapeOf } from '@dl/layers';
import { argmax, Tensor } from '@dl/tensor';
import { barChart } from '../lib/chart.js';
import { preprocessStrokes, type StrokePoint } from '@dl/data-mnist/digit';
import { h, labelled, numberInput, pageHeader, readNumber } from '../lib/dom.js';
import { IMAGE_COLS, IMAGE_ROWS, IMAGE_SIZE } from '../lib/mnist-asset.js';
import {
  getModel,
  loadShippedModel,
  modelFromBytes,
  onModelsChange,
  setModel,
  type ModelSource,
  type StoredModel,
} from '../lib/model-store.js';
import { loadTestImages } from '../lib/test-images.js';
import type { Cleanup } from '../routes.js';

const CANVAS = 280;
const PREVIEW_SCALE = 6;
const SOURCES: readonly ModelSource[] = [
  'trained',
  'file',
  'shipped:two-layer-net',
  'shipped:simple-conv-net',
];
const SOURCE_LABEL: Readonly<Record<ModelSource, string>> = {
  trained: 'trained on the training page',
  file: 'dropped file',
  'shipped:two-layer-net': 'shipped with the app',
  'shipped:simple-conv-net': 'shipped with the app',
};

function drawPreview(ctx: CanvasRenderingContext2D, image: Float32Array | null): void {
  const data = ctx.createImageData(IMAGE_COLS, IMAGE_ROWS);
  for (let i = 0; i < IMAGE_SIZE; i++) {
    const v = Math.round((image?.[i] ?? 0) * 255);
    data.data[4 * i] = v;
    data.data[4 * i + 1] = v;
    data.data[4 * i + 2] = v;
    data.data[4 * i + 3] = 255;
  }
  ctx.putImageData(data, 0, 0);
}

export function mount(root: HTMLElement): Cleanup {
  const canvas = h('canvas', {
    class: 'draw-area',
    attrs: {
      width: CANVAS,
      height: CANVAS,
      'aria-label': 'Drawing area: draw one digit with the mouse, a pen or a finger',
    },
    data: { testid: 'draw-canvas' },
  });
  const ctx = canvas.getContext('2d')!;
  const preview = h('canvas', {
    class: 'pixels',
    attrs: { width: IMAGE_COLS, height: IMAGE_ROWS, 'aria-label': 'The 28×28 image the network sees' },
    data: { testid: 'draw-preview' },
  });
  preview.style.width = `${IMAGE_COLS * PREVIEW_SCALE}px`;
  preview.style.height = `${IMAGE_ROWS * PREVIEW_SCALE}px`;
  const previewCtx = preview.getContext('2d')!;

  const clear = h('button', {
    class: 'secondary',
    attrs: { type: 'button' },
    text: 'Clear',
    data: { testid: 'draw-clear' },
  });
  const undo = h('button', { class: 'secondary', attrs: { type: 'button' }, text: 'Undo stroke' });
  const testIndex = numberInput({ value: 0, step: 1, min: 0, max: 9999, testid: 'draw-test-index' });
  const showTest = h('button', {
    class: 'secondary',
    attrs: { type: 'button' },
    text: 'Show this test image',
    data: { testid: 'draw-show-test' },
  });

  const modelSelect = h('select', { data: { testid: 'draw-model' } });
  const modelInfo = h('p', { class: 'note', data: { testid: 'draw-model-info' } });
  const prediction = h('p', {
    class: 'status',
    attrs: { 'aria-live': 'polite' },
    data: { testid: 'draw-prediction' },
  });
  const bars = h('div', { data: { testid: 'draw-bars' } });
  const fileInput = h('input', {
    attrs: { type: 'file', accept: '.safetensors' },
    data: { testid: 'draw-file' },
  });
  const drop = h(
    'div',
    { class: 'drop-zone', data: { testid: 'draw-drop' } },
    h('p', {
      text: 'Drop a dl .safetensors model here (one written by `dl train` or the training page), or choose one: ',
    }),
    fileInput,
  );
  const dropMessage = h('p', { attrs: { role: 'status' }, data: { testid: 'draw-drop-message' } });

  let strokes: StrokePoint[][] = [];
  /** A test image shown instead of strokes (already 28×28 in [0, 1]), with its label. */
  let shownImage: { image: Float32Array; label: number } | null = null;
  let selected: ModelSource | null = null;
  let userChose = false;

  function paintCanvas(): void {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, CANVAS, CANVAS);
    if (shownImage) {
      // The test image, upscaled, so the canvas shows what is being classified.
      const cell = CANVAS / IMAGE_COLS;
      for (let i = 0; i < IMAGE_SIZE; i++) {
        const v = Math.round(shownImage.image[i]! * 255);
        if (v === 0) continue;
        ctx.fillStyle = `rgb(${v},${v},${v})`;
        ctx.fillRect((i % IMAGE_COLS) * cell, Math.floor(i / IMAGE_COLS) * cell, cell, cell);
      }
      return;
    }
    ctx.strokeStyle = '#fff';
    ctx.fillStyle = '#fff';
    ctx.lineWidth = 18;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    for (const s of strokes) {
      if (s.length === 1) {
        ctx.beginPath();
        ctx.arc(s[0]![0], s[0]![1], ctx.lineWidth / 2, 0, 2 * Math.PI);
        ctx.fill();
        continue;
      }
      ctx.beginPath();
      s.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y)));
      ctx.stroke();
    }
  }

  function currentModel(): StoredModel | undefined {
    return selected ? getModel(selected) : undefined;
  }

  function classify(): void {
    const input = shownImage ? shownImage.image : preprocessStrokes(strokes);
    drawPreview(previewCtx, input);
    const model = currentModel();
    if (!input) {
      prediction.textContent = 'Draw a digit (0–9) in the black square.';
      delete prediction.dataset.digit;
      bars.replaceChildren();
      return;
    }
    if (!model) {
      prediction.textContent = 'No model yet: the shipped model is loading.';
      return;
    }
    const shape = inputShapeOf(model.spec);
    const scores = model.network.predict(new Tensor(input, [1, ...shape], 'float32'), { train: false });
    const probs = softmax(scores.reshape(1, scores.size));
    const digit = argmax(probs, { axis: 1 }).data[0]!;
    const p = probs.data[digit]!;
    prediction.textContent =
      `It is a ${digit} (${(p * 100).toFixed(1)}%)` +
      (shownImage ? `; the test image's label is ${shownImage.label}.` : '.');
    prediction.dataset.digit = String(digit);
    bars.replaceChildren(
      barChart(
        Array.from(probs.data, (v, i) => ({ label: String(i), value: v, highlight: i === digit })),
        { title: 'Probability of each digit', max: 1, width: 420, height: 200 },
      ),
    );
  }

  let pending = 0;
  const scheduleClassify = (): void => {
    pending ||= requestAnimationFrame(() => {
      pending = 0;
      classify();
    });
  };

  function refreshModels(): void {
    const available = SOURCES.filter((s) => getModel(s) !== undefined);
    // Until the user picks one: the best available, in the order of SOURCES (models load in any order).
    if (!userChose || selected === null || getModel(selected) === undefined) selected = available[0] ?? null;
    modelSelect.replaceChildren(
      ...available.map((s) => {
        const o = h('option', { text: `${SOURCE_LABEL[s]}: ${getModel(s)!.name}`, attrs: { value: s } });
        o.selected = s === selected;
        return o;
      }),
    );
    modelSelect.disabled = available.length === 0;
    const m = currentModel();
    modelInfo.textContent = m ? `${m.spec.kind}${m.note ? `, ${m.note}` : ''}` : 'Loading the shipped model…';
    scheduleClassify();
  }

  // Drawing with pointer events: mouse, pen and touch alike.
  let drawing: StrokePoint[] | null = null;
  const point = (e: PointerEvent): StrokePoint => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * CANVAS, ((e.clientY - r.top) / r.height) * CANVAS];
  };
  canvas.addEventListener('pointerdown', (e) => {
    if (shownImage) {
      shownImage = null;
      strokes = [];
    }
    canvas.setPointerCapture(e.pointerId);
    drawing = [point(e)];
    strokes.push(drawing);
    paintCanvas();
    scheduleClassify();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    drawing.push(point(e));
    paintCanvas();
    scheduleClassify();
  });
  const end = (): void => {
    drawing = null;
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  clear.addEventListener('click', () => {
    strokes = [];
    shownImage = null;
    paintCanvas();
    scheduleClassify();
  });
  undo.addEventListener('click', () => {
    strokes.pop();
    paintCanvas();
    scheduleClassify();
  });
  showTest.addEventListener('click', () => {
    const index = Math.max(0, Math.min(9999, Math.round(readNumber(testIndex, 0))));
    loadTestImages()
      .then((images) => {
        shownImage = { image: images.image(index), label: images.label(index) };
        strokes = [];
        paintCanvas();
        scheduleClassify();
      })
      .catch((e: unknown) => {
        prediction.textContent = `The test images could not be loaded: ${String(e)}`;
      });
  });
  modelSelect.addEventListener('change', () => {
    selected = modelSelect.value as ModelSource;
    userChose = true;
    refreshModels();
  });

  async function loadFile(file: File): Promise<void> {
    dropMessage.className = '';
    dropMessage.textContent = `Reading ${file.name}…`;
    try {
      const model = modelFromBytes(new Uint8Array(await file.arrayBuffer()), 'file', file.name);
      setModel(model);
      selected = 'file';
      userChose = true;
      refreshModels();
      dropMessage.textContent = `Loaded ${file.name}: ${model.spec.kind}, ${model.network
        .params()
        .reduce((n, p) => n + p.value.size, 0)
        .toLocaleString('en')} parameters.`;
      dropMessage.className = 'ok';
    } catch (e) {
      dropMessage.textContent = `${file.name} is not a model this page can use: ${(e as Error).message}`;
      dropMessage.className = 'error';
    }
  }
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const file = e.dataTransfer?.files[0];
    if (file) void loadFile(file);
  });
  fileInput.addEventListener('change', () => {
    const file = fileInput.files?.[0];
    if (file) void loadFile(file);
  });

  const unsubscribe = onModelsChange(refreshModels);
  for (const name of ['two-layer-net', 'simple-conv-net'] as const) {
    loadShippedModel(name).catch((e: unknown) => {
      modelInfo.textContent = `The shipped ${name} could not be loaded: ${String(e)}`;
    });
  }
  paintCanvas();
  refreshModels();

  root.append(
    pageHeader(
      'Chapter 3: Neural networks',
      'Draw a digit',
      'Draw a digit with the mouse. Like MNIST, the drawing is scaled into a 20×20 box and centred by its centre of mass in a 28×28 image, ' +
        'which a trained network classifies as you draw (the book’s neuralnet_mnist.py, with your handwriting).',
    ),
    h(
      'section',
      { class: 'panel' },
      h(
        'div',
        { class: 'row' },
        h(
          'div',
          {},
          canvas,
          h('div', { class: 'controls' }, clear, undo),
          h('div', { class: 'controls' }, labelled('MNIST test image', testIndex), showTest),
        ),
        h('div', {}, h('p', { class: 'note', text: 'What the network sees (28×28):' }), preview),
        h('div', {}, labelled('model', modelSelect), modelInfo, prediction, bars),
      ),
    ),
    h('section', { class: 'panel' }, h('h2', { text: 'Use another model' }), drop, dropMessage),
  );
  return () => {
    unsubscribe();
    cancelAnimationFrame(pending);
  };
}
