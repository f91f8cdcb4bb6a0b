import { h } from '../../lib/dom.js';
import { mnistDataUrl } from '../../lib/public-url.js';
import { trainingSession as session } from '../../lib/training-session.js';
import type { TrainConfig } from '../../worker/protocol.js';
import { BOOK_SPEC } from './conv-model.js';

// "Train here": the book's SimpleConvNet trained in the app's training session (the Web Worker).

/**
 * The run of `dl experiment filters` (apps/trainer/src/experiments/study-model.ts, STUDY_DEFAULTS):
 * 300 Adam steps, lr 0.001, batches of 100 drawn with replacement from the first 5 000 training
 * images, accuracy on 1 000 test images. Enough to turn the noise into strokes and edges (the book
 * trains 20 epochs on 60 000).
 */
export const QUICK_TRAINING = {
  steps: 300,
  trainSize: 5000,
  batchSize: 100,
  lr: 0.001,
  testSize: 1000,
} as const;

/** The run's config; `seed` is that of the fresh network the page shows, so training starts from those filters. */
export function quickTrainingConfig(seed: number): TrainConfig {
  return {
    spec: BOOK_SPEC,
    optimizer: 'adam',
    lr: QUICK_TRAINING.lr,
    batchSize: QUICK_TRAINING.batchSize,
    // The worker counts in epochs: 300 steps of 100 are 6 passes over 5 000 images.
    epochs: (QUICK_TRAINING.steps * QUICK_TRAINING.batchSize) / QUICK_TRAINING.trainSize,
    trainSize: QUICK_TRAINING.trainSize,
    testSize: QUICK_TRAINING.testSize,
    evalSamples: QUICK_TRAINING.testSize,
    seed,
    backend: 'auto',
    threads: 'auto',
    dataUrl: mnistDataUrl(),
  };
}

/** True when the session's run is (or was) this page's: its trained model started from `freshNetwork(seed)`. */
export function isQuickRun(config: TrainConfig | null): config is TrainConfig {
  return config?.spec === BOOK_SPEC;
}

export interface TrainHere {
  readonly button: HTMLButtonElement;
  readonly status: HTMLElement;
  /** Shows the session's state (a run of another page shows only while it runs). */
  readonly render: () => void;
}

export function createTrainHere(seed: () => number, started: () => void): TrainHere {
  const { steps, trainSize } = QUICK_TRAINING;
  const button = h('button', {
    attrs: { type: 'button' },
    text: `Train a SimpleConvNet here (${steps} Adam steps on ${trainSize.toLocaleString('en')} images)`,
    data: { testid: 'conv-train' },
  });
  const status = h('p', {
    class: 'status',
    attrs: { role: 'status' },
    data: { testid: 'conv-train-status' },
  });
  button.addEventListener('click', () => {
    session.start(quickTrainingConfig(seed()));
    started();
  });
  return {
    button,
    status,
    render: () => {
      const running = session.running;
      button.disabled = running;
      const isConv = session.config?.spec.kind === 'simple-conv-net';
      status.textContent =
        isConv || running
          ? session.statusText +
            (running && session.totalSteps > 0
              ? ` step ${session.losses.length} / ${session.totalSteps}`
              : '')
          : '';
      status.dataset.state = isConv ? session.state : 'idle';
    },
  };
}
