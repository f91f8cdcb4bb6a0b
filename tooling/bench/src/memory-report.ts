import { readFileSync } from 'node:fs';

/**
 * What a memory-bench child prints (ours, memory-child.ts, and the book's NumPy code,
 * python/memory.py) and how the parent reads it: one JSON object on the last line of stdout.
 */

/** One child's last line: its peak resident set and the run that made it. */
export interface MemoryChildReport {
  /** Peak resident set of the whole process, in KiB (`VmHWM` on Linux; see `peakRssKiB`). */
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

/**
 * This process's peak resident set in KiB: Linux's `VmHWM` from /proc/self/status, else Node's
 * `maxRSS`. Not `maxRSS` (`ru_maxrss`) on Linux: a child starts with its parent's resident set at
 * the fork as its own peak (measured: a child of a 300 MiB node reads 311 304 KiB there, VmHWM
 * 40 416), so in a full bench run, whose process holds ~400 MiB by then, every child read 412 MiB.
 * memory-child.mjs and python/memory.py read it the same way.
 */
export function peakRssKiB(): number {
  try {
    const match = /^VmHWM:\s*(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]);
  } catch {
    // Not Linux: no /proc.
  }
  return process.resourceUsage().maxRSS;
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
