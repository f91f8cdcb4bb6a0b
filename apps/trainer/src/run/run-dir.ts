import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RunError, describeFsError } from '../run-error.js';
import { writeFileAtomicSync } from '@dl/layers/node';

/** One line of `metrics.jsonl`. */
export type MetricRecord =
  | { type: 'step'; step: number; epoch: number; loss: number; imagesPerSecond: number; seconds: number }
  | {
      type: 'epoch';
      epoch: number;
      step: number;
      trainAcc: number;
      testAcc: number;
      loss: number;
      imagesPerSecond: number;
      seconds: number;
    }
  | { type: 'checkpoint'; step: number; epoch: number; file: string }
  /** The evaluation at the run's last step, on the per-epoch images (`images` of the test set). */
  | {
      type: 'eval';
      step: number;
      epoch: number;
      trainAcc: number;
      testAcc: number;
      images: number;
      seconds: number;
    }
  | { type: 'end'; step: number; testAcc: number; testLoss: number; seconds: number; status: string };

/**
 * A training run's directory: `run.json` (settings, environment, status, result), `metrics.jsonl`,
 * plots, checkpoints. Every file but the metrics log is replaced atomically.
 */
export class RunDir {
  private constructor(
    readonly path: string,
    /** Whether `open` made the directory (so a run that fails before starting can remove it). */
    private readonly created: boolean,
  ) {}

  /** Creates (or opens, when `existing`) the directory; fails early, with one line, when it cannot be written. */
  static open(dir: string, options: { existing: boolean }): RunDir {
    const path = resolve(dir);
    const run = new RunDir(path, !existsSync(path));
    if (options.existing) {
      if (!existsSync(run.file('run.json'))) {
        throw new RunError(`${path} is not a run directory of dl train (no run.json)`);
      }
    } else {
      try {
        mkdirSync(path, { recursive: true });
      } catch (e) {
        throw new RunError(describeFsError(e, 'cannot create the output directory') ?? String(e), 1, {
          cause: e,
        });
      }
      if (existsSync(run.file('run.json'))) {
        throw new RunError(
          `${path} already holds a run: continue it with --resume ${dir}, or choose another --out`,
        );
      }
    }
    try {
      // Probe: every later write is then expected to work.
      writeFileAtomicSync(run.file('.write-test'), '');
      rmSync(run.file('.write-test'));
    } catch (e) {
      throw new RunError(describeFsError(e, 'cannot write to the output directory') ?? String(e), 1, {
        cause: e,
      });
    }
    return run;
  }

  /** Removes the directory if this run made it and nothing was written yet (data failed to load, ...). */
  discardIfUnused(): void {
    if (this.created && readdirSync(this.path).length === 0)
      rmSync(this.path, { recursive: true, force: true });
  }

  file(name: string): string {
    return join(this.path, name);
  }

  writeJson(name: string, value: unknown): void {
    writeFileAtomicSync(this.file(name), `${JSON.stringify(value, null, 2)}\n`);
  }

  readJson(name: string): unknown {
    try {
      return JSON.parse(readFileSync(this.file(name), 'utf8'));
    } catch (e) {
      throw new RunError(`${this.file(name)}: ${describeFsError(e, 'cannot read') ?? (e as Error).message}`);
    }
  }

  appendMetric(record: MetricRecord): void {
    appendFileSync(this.file('metrics.jsonl'), `${JSON.stringify(record)}\n`);
  }

  /** The metric records written so far (empty when there is no log yet). */
  readMetrics(): MetricRecord[] {
    const path = this.file('metrics.jsonl');
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as MetricRecord);
  }

  /** Rewrites the log with `records` only (a resumed run drops what came after its checkpoint). */
  rewriteMetrics(records: readonly MetricRecord[]): void {
    writeFileAtomicSync(this.file('metrics.jsonl'), records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }
}

/** `runs/<model>-<YYYYMMDD-HHMMSS>` (with `-2`, `-3`, ... if taken): the default `--out`. */
export function defaultRunDir(model: string, now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp =
    `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-` +
    `${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  const base = join('runs', `${model}-${stamp}`);
  let dir = base;
  for (let k = 2; existsSync(dir); k++) dir = `${base}-${k}`;
  return dir;
}
