import type { GradientCheckable } from '@dl/gradcheck';
import type { FloatTensor, LayerNetwork } from '@dl/layers';
import type { Tensor } from '@dl/tensor';
import type { Io } from '../cli/io.js';

/** Below this many loss evaluations a check ends before progress lines would help: none on a log. */
export const PROGRESS_MIN_EVALUATIONS = 2000;

/**
 * Progress of a gradient check on stderr, counted in loss evaluations (two per checked entry):
 * on a terminal one line redrawn in place and cleared at the end; otherwise a line at every tenth,
 * for checks of at least `PROGRESS_MIN_EVALUATIONS`. Stdout (the table, or --json) is untouched.
 */
export class CheckProgress {
  private done = 0;
  private shown = -1;

  constructor(
    private readonly io: Io,
    private readonly total: number,
  ) {}

  private get tty(): boolean {
    return this.io.errorIsTTY === true;
  }

  /** One more loss evaluation, while checking `param`. */
  tick(param: string): void {
    this.done++;
    const fraction = Math.min(1, this.done / this.total);
    if (this.tty) {
      const percent = Math.floor(fraction * 100);
      if (percent === this.shown) return;
      this.shown = percent;
      this.io.error(
        `\rgradcheck: ${percent}% (${param}, ${this.done} of ${this.total} loss evaluations)\u001b[K`,
      );
    } else if (this.total >= PROGRESS_MIN_EVALUATIONS) {
      const tenth = Math.floor(fraction * 10);
      if (tenth === this.shown || tenth === 0) return;
      this.shown = tenth;
      this.io.error(`gradcheck: ${tenth * 10}% (${param}, ${this.done} of ${this.total} loss evaluations)\n`);
    }
  }

  /** Clears the redrawn line on a terminal. */
  end(): void {
    if (this.tty && this.shown >= 0) this.io.error('\r\u001b[K');
  }
}

/**
 * `network` as the gradient check sees it, with every `loss` call counted by `progress`: the
 * numerical gradient is two losses per entry, in the order of `params()`, so the parameter being
 * checked is the one whose entries the count has reached.
 */
export function withProgress(
  network: LayerNetwork,
  entries: readonly { name: string; count: number }[],
  progress: CheckProgress,
): GradientCheckable<FloatTensor, Tensor> {
  let calls = 0;
  const ends: number[] = [];
  for (const e of entries) ends.push((ends.at(-1) ?? 0) + 2 * e.count);
  return {
    params: () => network.params(),
    buffers: () => network.buffers(),
    gradient: (x, t, ctx) => network.gradient(x, t, ctx),
    loss: (x, t, ctx) => {
      const at = ends.findIndex((end) => calls < end);
      calls++;
      progress.tick(entries[at === -1 ? entries.length - 1 : at]?.name ?? '');
      return network.loss(x, t, ctx);
    },
  };
}
