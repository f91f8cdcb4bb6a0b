import type { Io } from '../cli/io.js';

/**
 * Ctrl-C (SIGINT) or SIGTERM stops training after the current step, so a checkpoint can be written;
 * the same signal again exits at once. A different signal after the first is part of the same
 * interrupt: `pnpm dl train` sends the trainer SIGTERM right after the terminal's SIGINT, and that
 * must not cut the interrupt checkpoint short. Returns the signal and a function that removes the
 * handlers (call it after the last write).
 */
export function interruptSignal(io: Io): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  let first: NodeJS.Signals | undefined;
  const onSignal = (name: NodeJS.Signals): void => {
    if (first === name) {
      io.error(`\ndl: ${name} again: exiting without waiting\n`);
      process.exit(130);
    }
    if (first !== undefined) return;
    first = name;
    io.error(
      `\ndl: ${name}: stopping after this step (${name === 'SIGINT' ? 'Ctrl-C' : name} again to exit at once)\n`,
    );
    controller.abort();
  };
  const onExternal = (): void => controller.abort();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  io.interrupt?.addEventListener('abort', onExternal);
  if (io.interrupt?.aborted) controller.abort();
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      io.interrupt?.removeEventListener('abort', onExternal);
    },
  };
}
