import type { Io } from '../cli/io.js';

/**
 * Ctrl-C (SIGINT) or SIGTERM stops training after the current step, so a checkpoint can be written;
 * a second Ctrl-C exits at once. Returns the signal and a function that removes the handlers.
 */
export function interruptSignal(io: Io): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      io.error(`\ndl: ${name} again: exiting without waiting\n`);
      process.exit(130);
    }
    io.error(`\ndl: ${name}: stopping after this step (again to exit at once)\n`);
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
