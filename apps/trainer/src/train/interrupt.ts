import type { Io } from '../cli/io.js';

/**
 * Signals this soon after the first are the same interrupt delivered twice, not a second request:
 * a terminal's Ctrl-C reaches the whole process group, and `pnpm dl train` (or `timeout`) passes
 * one on to its child as well: SIGINT then SIGTERM, or the same signal twice, milliseconds apart.
 */
const ECHO_MS = 250;

/**
 * Ctrl-C (SIGINT) or SIGTERM stops training after the current step, so a checkpoint can be written.
 * The same signal again, later than an echo, exits at once; a different signal is part of the same
 * interrupt (pnpm sends SIGTERM right after the terminal's SIGINT, and that must not cut the
 * interrupt checkpoint short). Returns the signal and a function that removes the handlers (call it
 * after the last write).
 */
export function interruptSignal(io: Io): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  let first: { name: NodeJS.Signals; at: number } | undefined;
  const onSignal = (name: NodeJS.Signals): void => {
    const now = performance.now();
    if (first === undefined) {
      first = { name, at: now };
      controller.abort();
      // Said once the signals already pending are handled: a SIGINT and a SIGTERM that arrive while
      // a step holds the event loop come out in either order, and the interrupt is the Ctrl-C.
      setImmediate(() => {
        const said = first!.name;
        const again = said === 'SIGINT' ? 'Ctrl-C' : said;
        io.error(`\ndl: ${said}: stopping after this step (${again} again to exit at once)\n`);
      });
      return;
    }
    if (now - first.at < ECHO_MS) {
      // The echo of one interrupt: it counts as the terminal's Ctrl-C when it carries a SIGINT, so
      // that the next Ctrl-C, not the next SIGTERM, is the one that exits at once.
      if (name === 'SIGINT') first.name = name;
      return;
    }
    if (name !== first.name) return;
    io.error(`\ndl: ${name} again: exiting without waiting\n`);
    process.exit(130);
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
