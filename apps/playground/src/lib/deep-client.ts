import type { BenchResult, FromDeepWorker, PrecisionRow, ToDeepWorker } from '../worker/deep-protocol.js';

type Request = ToDeepWorker extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

interface Pending {
  resolve: (message: FromDeepWorker) => void;
  reject: (error: Error) => void;
  progress: (text: string) => void;
}

/**
 * The chapter 8 page's worker (`worker/deep-worker.ts`), one request answered at a time. The page
 * makes one when it mounts and ends it when the user leaves (`terminate`), GPU device and all.
 */
export class DeepWorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  constructor() {
    this.worker = new Worker(new URL('../worker/deep-worker.ts', import.meta.url), {
      type: 'module',
      name: 'dl-deep-learning',
    });
    this.worker.addEventListener('message', (e: MessageEvent<FromDeepWorker>) => this.receive(e.data));
    this.worker.addEventListener('error', (e) => {
      const error = new Error(`the worker failed: ${e.message || 'unknown error'}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    });
  }

  /** Inference speed on one backend (`bench`). */
  async bench(
    request: Omit<Extract<ToDeepWorker, { type: 'bench' }>, 'id' | 'type'>,
    progress: (text: string) => void,
  ): Promise<BenchResult> {
    const answer = await this.send({ type: 'bench', ...request }, progress);
    if (answer.type !== 'bench') throw new Error(`unexpected answer '${answer.type}'`);
    return answer.result;
  }

  /** Accuracy with the weights in each precision (`precision`). */
  async precision(
    request: Omit<Extract<ToDeepWorker, { type: 'precision' }>, 'id' | 'type'>,
    progress: (text: string) => void,
  ): Promise<{ rows: PrecisionRow[]; images: number; ran: string }> {
    const answer = await this.send({ type: 'precision', ...request }, progress);
    if (answer.type !== 'precision') throw new Error(`unexpected answer '${answer.type}'`);
    return answer;
  }

  terminate(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new Error('the page was left'));
    this.pending.clear();
  }

  private send(request: Request, progress: (text: string) => void): Promise<FromDeepWorker> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, progress });
      // The model's bytes are copied, not transferred: the page keeps its own.
      this.worker.postMessage({ ...request, id });
    });
  }

  private receive(message: FromDeepWorker): void {
    const p = this.pending.get(message.id);
    if (!p) return;
    if (message.type === 'progress') {
      p.progress(message.text);
      return;
    }
    this.pending.delete(message.id);
    if (message.type === 'error') p.reject(new Error(message.message));
    else p.resolve(message);
  }
}
