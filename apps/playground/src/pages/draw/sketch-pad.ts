import { preprocessStrokes, type StrokePoint } from '@dl/data-mnist/digit';
import { h, labelled, numberInput, readNumber } from '../../lib/dom.js';
import { IMAGE_COLS, IMAGE_ROWS, IMAGE_SIZE } from '../../lib/mnist-asset.js';
import { loadTestImages } from '../../lib/test-images.js';

// The draw page's input: a canvas drawn on with pointer events, or an MNIST test image shown on it,
// and the 28×28 preview of what the network sees.

const CANVAS = 280;
const PREVIEW_SCALE = 6;

/** What is being classified: the 28×28 image in [0, 1] (null when nothing is drawn) and, for a test image, its label. */
export interface SketchInput {
  image: Float32Array | null;
  label: number | null;
}

export interface SketchPad {
  /** The canvas with its buttons, and the preview. */
  readonly drawing: HTMLElement;
  readonly preview: HTMLElement;
  /** The current input; also draws it into the preview. */
  read(): SketchInput;
}

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

/** The test image, upscaled, so the canvas shows what is being classified. */
function paintImage(ctx: CanvasRenderingContext2D, image: Float32Array): void {
  const cell = CANVAS / IMAGE_COLS;
  for (let i = 0; i < IMAGE_SIZE; i++) {
    const v = Math.round(image[i]! * 255);
    if (v === 0) continue;
    ctx.fillStyle = `rgb(${v},${v},${v})`;
    ctx.fillRect((i % IMAGE_COLS) * cell, Math.floor(i / IMAGE_COLS) * cell, cell, cell);
  }
}

function paintStrokes(ctx: CanvasRenderingContext2D, strokes: readonly StrokePoint[][]): void {
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

function secondaryButton(text: string, testid?: string): HTMLButtonElement {
  return h('button', {
    class: 'secondary',
    attrs: { type: 'button' },
    text,
    ...(testid ? { data: { testid } } : {}),
  });
}

/** `changed` runs after every edit; `failed` says why the test images could not be shown. */
export function createSketchPad(changed: () => void, failed: (message: string) => void): SketchPad {
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
  const clear = secondaryButton('Clear', 'draw-clear');
  const undo = secondaryButton('Undo stroke');
  const testIndex = numberInput({ value: 0, step: 1, min: 0, max: 9999, testid: 'draw-test-index' });
  const showTest = secondaryButton('Show this test image', 'draw-show-test');

  let strokes: StrokePoint[][] = [];
  /** A test image shown instead of strokes (already 28×28 in [0, 1]), with its label. */
  let shownImage: { image: Float32Array; label: number } | null = null;

  const repaint = (): void => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, CANVAS, CANVAS);
    if (shownImage) paintImage(ctx, shownImage.image);
    else paintStrokes(ctx, strokes);
    changed();
  };

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
    repaint();
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    drawing.push(point(e));
    repaint();
  });
  const end = (): void => {
    drawing = null;
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);

  clear.addEventListener('click', () => {
    strokes = [];
    shownImage = null;
    repaint();
  });
  undo.addEventListener('click', () => {
    strokes.pop();
    repaint();
  });
  showTest.addEventListener('click', () => {
    const index = Math.max(0, Math.min(9999, Math.round(readNumber(testIndex, 0))));
    loadTestImages()
      .then((images) => {
        shownImage = { image: images.image(index), label: images.label(index) };
        strokes = [];
        repaint();
      })
      .catch((e: unknown) => failed(`The test images could not be loaded: ${String(e)}`));
  });
  repaint();

  return {
    drawing: h(
      'div',
      {},
      canvas,
      h('div', { class: 'controls' }, clear, undo),
      h('div', { class: 'controls' }, labelled('MNIST test image', testIndex), showTest),
    ),
    preview: h('div', {}, h('p', { class: 'note', text: 'What the network sees (28×28):' }), preview),
    read: () => {
      const image = shownImage ? shownImage.image : preprocessStrokes(strokes);
      drawPreview(previewCtx, image);
      return { image, label: shownImage?.label ?? null };
    },
  };
}
