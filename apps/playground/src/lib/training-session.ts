import type { EpochEvent } from '@dl/optim';
import type { BackendInfo, FromWorker, ToWorker, TrainConfig, TrainSummary } from '../worker/protocol.js';
import { modelFromBytes, setModel } from './model-store.js';

export type SessionState = 'idle' | 'loading' | 'training' | 'done' | 'stopped' | 'error';

export interface ReadyInfo {
  backend: BackendInfo;
  trainSize: number;
  testSize: number;
  parameters: number;
  crossOriginIsolated: boolean;
}

/**
 * One training run in a Web Worker, and everything the page shows about it. Module-level (see
 * `trainingSession`), so training goes on while the user visits other pages and the page finds the
 * run where it left it.
 */
export class TrainingSession {
  state: SessionState = 'idle';
  config: TrainConfig | null = null;
  statusText = '';
  ready: ReadyInfo | null = null;
  losses: number[] = [];
  epochs: EpochEvent[] = [];
  totalSteps = 0;
  currentEpoch = 0;
  imagesPerSecond = 0;
  summary: TrainSummary | null = null;
  error: string | null = null;
  startedAt = 0;
  private worker: Worker | null = null;
  private readonly listeners = new Set<() => void>();

  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get running(): boolean {
    return this.state === 'loading' || this.state === 'training';
  }

  start(config: TrainConfig): void {
    if (this.running) throw new Error('TrainingSession: a run is already in progress; stop it first');
    this.config = config;
    this.state = 'loading';
    this.statusText = 'Starting the worker…';
    this.ready = null;
    this.losses = [];
    this.epochs = [];
    this.totalSteps = 0;
    this.currentEpoch = 0;
    this.imagesPerSecond = 0;
    this.summary = null;
    this.error = null;
    this.startedAt = performance.now();
    this.worker ??= this.createWorker();
    this.send({ type: 'start', config });
    this.changed();
  }

  stop(): void {
    if (!this.running) return;
    this.statusText = 'Stopping after this step…';
    this.send({ type: 'stop' });
    this.changed();
  }

  private createWorker(): Worker {
    const worker = new Worker(new URL('../worker/train-worker.ts', import.meta.url), {
      type: 'module',
      name: 'dl-training',
    });
    worker.addEventListener('message', (e: MessageEvent<FromWorker>) => this.receive(e.data));
    worker.addEventListener('error', (e) => {
      this.fail(`the training worker failed: ${e.message || 'unknown error'}`);
      worker.terminate();
      this.worker = null;
    });
    return worker;
  }

  private send(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private receive(m: FromWorker): void {
    switch (m.type) {
      case 'progress':
        this.statusText = m.text;
        break;
      case 'ready': {
        const { type: _, ...info } = m;
        this.ready = info;
        this.state = 'training';
        this.statusText = 'Training…';
        break;
      }
      case 'steps':
        for (const loss of m.losses) this.losses.push(loss);
        this.totalSteps = m.totalSteps;
        this.currentEpoch = m.epoch;
        this.imagesPerSecond = m.imagesPerSecond;
        break;
      case 'epoch':
        this.epochs.push(m.event);
        this.imagesPerSecond = m.event.imagesPerSecond;
        break;
      case 'done': {
        this.summary = m.summary;
        this.state = m.summary.aborted ? 'stopped' : 'done';
        const acc = (m.summary.testAcc * 100).toFixed(1);
        this.statusText = m.summary.aborted
          ? `Stopped after ${m.summary.steps} steps.`
          : `Done: ${acc}% of ${m.summary.testSize} held-out test images classified correctly.`;
        try {
          const model = modelFromBytes(
            m.model,
            'trained',
            `trained here (${this.config?.spec.kind ?? 'network'})`,
          );
          model.note = Number.isFinite(m.summary.testAcc)
            ? `test accuracy ${acc}%`
            : 'stopped before the first evaluation';
          setModel(model);
        } catch (e) {
          this.error = `the trained model could not be read back: ${(e as Error).message}`;
        }
        break;
      }
      case 'error':
        this.fail(m.message);
        return;
    }
    this.changed();
  }

  private fail(message: string): void {
    this.state = 'error';
    this.error = message;
    this.statusText = 'Training failed.';
    this.changed();
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

/** The app's one training session. */
export const trainingSession = new TrainingSession();
