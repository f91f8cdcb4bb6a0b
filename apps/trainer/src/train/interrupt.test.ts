import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureIo } from '../cli/io.js';
import { interruptSignal } from './interrupt.js';

const wait = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

describe('interruptSignal', () => {
  afterEach(() => vi.restoreAllMocks());

  it('one interrupt for a signal and its echoes; the same signal later exits at once', async () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const io = captureIo();
    const listeners = process.listenerCount('SIGINT');
    const interrupt = interruptSignal(io);
    try {
      expect(interrupt.signal.aborted).toBe(false);
      process.emit('SIGINT', 'SIGINT');
      expect(interrupt.signal.aborted).toBe(true);
      // The terminal's SIGINT passed on by pnpm, as SIGTERM or as SIGINT: the same interrupt.
      process.emit('SIGTERM', 'SIGTERM');
      process.emit('SIGINT', 'SIGINT');
      expect(exit).not.toHaveBeenCalled();
      await wait(300);
      // Another kind, however late, is still the same interrupt; Ctrl-C again is not.
      process.emit('SIGTERM', 'SIGTERM');
      expect(exit).not.toHaveBeenCalled();
      process.emit('SIGINT', 'SIGINT');
      expect(exit).toHaveBeenCalledWith(130);
      expect(io.stderr()).toMatch(/SIGINT: stopping after this step \(Ctrl-C again to exit at once\)/);
      expect(io.stderr()).toMatch(/SIGINT again: exiting without waiting/);
    } finally {
      interrupt.dispose();
    }
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });
});
