/**
 * Where a command's output goes. The real CLI writes to the process's streams; tests pass a
 * capture, so commands run in-process and their output can be read back.
 */
export interface Io {
  /** Standard output: results, progress, JSON records. */
  write(text: string): void;
  /** Standard error: notes and errors. */
  error(text: string): void;
  /** Whether standard output is a terminal (a progress bar redrawn in place, or plain lines). */
  readonly isTTY: boolean;
  /** Whether standard error is a terminal (progress there redrawn in place); absent: not one. */
  readonly errorIsTTY?: boolean;
  /** Terminal width in characters. */
  readonly columns: number;
  /** Stops a running command as Ctrl-C does (tests); the real CLI uses SIGINT/SIGTERM. */
  readonly interrupt?: AbortSignal;
}

export function processIo(): Io {
  return {
    write: (text) => void process.stdout.write(text),
    error: (text) => void process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    errorIsTTY: process.stderr.isTTY === true,
    // 0 where the terminal reports no size (script, some CI ptys).
    columns: process.stdout.columns || 100,
  };
}

/** An `Io` that keeps everything written, for tests. */
export function captureIo(
  options: { isTTY?: boolean; errorIsTTY?: boolean; columns?: number; interrupt?: AbortSignal } = {},
): Io & {
  stdout: () => string;
  stderr: () => string;
} {
  let out = '';
  let err = '';
  return {
    write: (text) => void (out += text),
    error: (text) => void (err += text),
    isTTY: options.isTTY ?? false,
    errorIsTTY: options.errorIsTTY ?? false,
    columns: options.columns ?? 100,
    ...(options.interrupt ? { interrupt: options.interrupt } : {}),
    stdout: () => out,
    stderr: () => err,
  };
}
