/** What one redraw of the progress line shows. */
export interface ProgressState {
  epoch: number;
  epochs: number;
  /** Progress through the current epoch, 0..1. */
  fraction: number;
  step: number;
  totalSteps: number;
  loss: number;
  /** Accuracies of the last evaluation, if any. */
  trainAcc: number | undefined;
  testAcc: number | undefined;
  imagesPerSecond: number;
  /** Seconds to the end of training; undefined before there is a rate to go by. */
  eta: number | undefined;
}

/** `42s`, `3:07`, `1:02:03`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/**
 * One line: `epoch 3/17 ━━━━━━━╸──────  54%  loss 0.2431  acc 93.1%/92.8%  8123 img/s  ETA 0:41`,
 * the bar shrinking to fit `columns` (and left out on very narrow terminals).
 */
export function renderProgress(p: ProgressState, columns: number): string {
  const head = `epoch ${p.epoch}/${p.epochs} `;
  const acc =
    p.trainAcc === undefined || p.testAcc === undefined ? '' : `  acc ${pct(p.trainAcc)}/${pct(p.testAcc)}`;
  const tail =
    ` ${String(Math.floor(p.fraction * 100)).padStart(3)}%  step ${p.step}/${p.totalSteps}` +
    `  loss ${p.loss.toFixed(4)}${acc}  ${Math.round(p.imagesPerSecond)} img/s` +
    `  ETA ${p.eta === undefined ? '--' : formatDuration(p.eta)}`;
  const room = Math.min(30, columns - 1 - head.length - tail.length);
  if (room < 8) return (head + tail.trimStart()).slice(0, Math.max(0, columns - 1));
  const filled = Math.max(0, Math.min(room, p.fraction * room));
  const whole = Math.floor(filled);
  const half = filled - whole >= 0.5 && whole < room;
  const bar = '━'.repeat(whole) + (half ? '╸' : '') + '─'.repeat(room - whole - (half ? 1 : 0));
  return head + bar + tail;
}
