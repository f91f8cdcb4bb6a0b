/**
 * What a memory-bench child prints (ours, memory-child.ts, and the book's NumPy code,
 * python/memory.py) and how the parent reads it: one JSON object on the last line of stdout.
 */

/** One child's last line: its peak resident set and the run that made it. */
export interface MemoryChildReport {
  /** Peak resident set of the whole process, in KiB (Node's `maxRSS`, Python's `ru_maxrss`). */
  maxRssKiB: number;
  /**
   * The same, read before the library and the data load: the runtime alone (node with tsx's module
   * loader; python3 with NumPy imported).
   */
  startKiB: number;
  /** Training steps run. */
  steps: number;
  /** The loss of the last step: a check that the run trained (about the same for ours and NumPy's). */
  loss: number;
  /** What ran: our wasm build and threads, or NumPy's version. */
  engine: string;
}

/** `value` if it is a positive integer, else a one-line error naming the field. */
function positiveInt(value: unknown, field: string, who: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${who}: ${field} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * The report on the last non-empty line of a child's stdout; throws a one-line error naming `who`
 * when that line is not such a report.
 */
export function parseChildReport(stdout: string, who: string): MemoryChildReport {
  const last = stdout.trim().split('\n').pop()?.trim() ?? '';
  let value: unknown;
  try {
    value = JSON.parse(last);
  } catch {
    throw new Error(
      `${who}: expected a JSON report on the last line of its output, got '${last.slice(0, 80)}'`,
    );
  }
  if (typeof value !== 'object' || value === null) {
    throw new Error(
      `${who}: expected a JSON object on the last line of its output, got '${last.slice(0, 80)}'`,
    );
  }
  const report = value as Partial<Record<keyof MemoryChildReport, unknown>>;
  const { loss, engine } = report;
  if (typeof loss !== 'number' || typeof engine !== 'string') {
    throw new Error(`${who}: the report needs a number loss and a string engine, got '${last.slice(0, 80)}'`);
  }
  return {
    maxRssKiB: positiveInt(report.maxRssKiB, 'maxRssKiB (KiB)', who),
    startKiB: positiveInt(report.startKiB, 'startKiB (KiB)', who),
    steps: positiveInt(report.steps, 'steps', who),
    loss,
    engine,
  };
}
