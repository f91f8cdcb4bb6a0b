import type { PageModule } from './page.js';

export type { Cleanup, PageModule } from './page.js';

export interface Route {
  /** The hash path, `#/perceptron`. */
  readonly path: string;
  readonly title: string;
  /** The book's chapter the idea comes from; the home page groups pages by it. */
  readonly chapter: ChapterNumber;
  readonly summary: string;
  /** Pages load on demand, so the home page does not pay for the training worker or the charts. */
  readonly load: () => Promise<PageModule>;
}

/** The pages in the book's order. */
export const ROUTES: readonly Route[] = [
  {
    path: 'perceptron',
    title: 'Perceptron',
    chapter: 2,
    summary: 'AND, NAND, OR as one neuron with a decision line; why XOR needs two layers.',
    load: () => import('./pages/perceptron.js'),
  },
  {
    path: 'activations',
    title: 'Activation functions',
    chapter: 3,
    summary: 'Step, sigmoid, ReLU and tanh plotted; softmax of logits you edit.',
    load: () => import('./pages/activations.js'),
  },
  {
    path: 'draw',
    title: 'Draw a digit',
    chapter: 3,
    summary: 'Your handwriting, preprocessed like MNIST, classified live.',
    load: () => import('./pages/draw.js'),
  },
  {
    path: 'gradient-descent',
    title: 'Gradient descent',
    chapter: 4,
    summary: 'The path down x₀² + x₁² and its gradient field: a learning rate too large diverges.',
    load: () => import('./pages/gradient-descent.js'),
  },
  {
    path: 'train',
    title: 'Train in the browser',
    chapter: 4,
    summary:
      'TwoLayerNet, MultiLayerNet (BatchNorm, Dropout) or SimpleConvNet on MNIST, in a Web Worker, with live charts.',
    load: () => import('./pages/train.js'),
  },
  {
    path: 'gradient-check',
    title: 'Gradient check',
    chapter: 5,
    summary: 'Backpropagation against numerical gradients, parameter by parameter.',
    load: () => import('./pages/gradient-check.js'),
  },
  {
    path: 'optimizers',
    title: 'Optimizers',
    chapter: 6,
    summary: 'SGD, Momentum, AdaGrad and Adam on x²/20 + y², side by side.',
    load: () => import('./pages/optimizers.js'),
  },
  {
    path: 'weight-init',
    title: 'Weight initialisation',
    chapter: 6,
    summary: 'Activation histograms of a 5-layer network for std 0.01, Xavier and He.',
    load: () => import('./pages/weight-init.js'),
  },
  {
    path: 'convolution',
    title: 'Convolution',
    chapter: 7,
    summary: 'The first-layer filters of a SimpleConvNet and the feature maps they make of a digit.',
    load: () => import('./pages/convolution.js'),
  },
  {
    path: 'deep-learning',
    title: 'Deep learning',
    chapter: 8,
    summary:
      'DeepConvNet in the browser: test digits, the backends side by side in images per second (WebGPU where the browser has it), accuracy with float16 and bfloat16 weights.',
    load: () => import('./pages/deep-learning.js'),
  },
];

export type ChapterNumber = 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** The book's chapter titles, for the home page and the page headers. */
export const CHAPTERS: { readonly [N in ChapterNumber]: string } = {
  2: 'Perceptrons',
  3: 'Neural networks',
  4: 'Neural network training',
  5: 'Backpropagation',
  6: 'Training techniques',
  7: 'Convolutional neural networks',
  8: 'Deep learning',
};

export const HOME_TITLE = 'Deep Learning from Scratch, interactive';

/** The route a location hash names: `''`, `'#'` and `'#/'` are the home page (null), unknown paths too. */
export function routeForHash(hash: string): Route | null {
  const path = hash.replace(/^#\/?/, '').replace(/\/+$/, '').split(/[?#]/)[0] ?? '';
  return ROUTES.find((r) => r.path === path) ?? null;
}

/** True when the hash names a page that does not exist (so the app can say so instead of showing home). */
export function isUnknownHash(hash: string): boolean {
  const path = hash.replace(/^#\/?/, '').replace(/\/+$/, '');
  return path !== '' && routeForHash(hash) === null;
}
