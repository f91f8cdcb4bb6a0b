import type { GemmBenchReport } from './gemm-bench.js';
import type { InferenceReport } from './inference-bench.js';
import { peakKiB, type MemoryReport } from './memory-bench.js';
import {
  STEP_TFJS_WEBGPU,
  STEP_WEBGPU,
  type StepBenchReport,
  type StepCell,
  type StepCountRow,
} from './step-bench.js';

/** One of the speed issue's targets, checked on one run's figures. */
export interface TargetResult {
  target: string;
  /** What is compared: ours and the reference, columns of the tables. */
  compared: string;
  /** ours / reference, time over time (lower is faster); for `atLeast` targets reference / ours. */
  ratio: number | undefined;
  /** The bound on `ratio`. */
  bound: number;
  kind: 'atMost' | 'atLeast';
  /** met, missed (by how much), or why it could not be checked. */
  verdict: string;
}

/** What a missed target needs, after the factor: time and speed targets `faster`, memory ones `less memory`. */
type Needs = 'faster' | 'less memory';

function check(
  target: string,
  compared: string,
  ratio: number | undefined,
  bound: number,
  kind: 'atMost' | 'atLeast',
  missing: string,
  needs: Needs = 'faster',
): TargetResult {
  let verdict = missing;
  if (ratio !== undefined) {
    const met = kind === 'atMost' ? ratio <= bound : ratio >= bound;
    const factor = kind === 'atMost' ? ratio / bound : bound / ratio;
    verdict = met ? 'met' : `missed: needs ${factor.toFixed(2)}× ${needs}`;
  }
  return { target, compared, ratio, bound, kind, verdict };
}

function median(cell: StepCell | undefined): number | undefined {
  return cell && 'medianMs' in cell ? cell.medianMs : undefined;
}

function div(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a / b;
}

/** The one-thread wasm column of ours: relaxed SIMD where the engine has it, plain SIMD otherwise. */
function single(engines: readonly string[]): string {
  return engines.includes('wasm relaxed') ? 'wasm relaxed' : 'wasm simd';
}

/**
 * The memory targets: each network's peak resident set in a training run at most NumPy's, one thread
 * against one and every core against OpenBLAS's default threads.
 */
function memoryTargets(memory: MemoryReport): TargetResult[] {
  return memory.rows.flatMap(({ name, cells }) => {
    const target = `${name.replace(/[ ,].*$/, '')} peak RSS <= NumPy's`;
    const ratio = (ours: 'wasm 1T' | 'wasm threads', numpy: 'numpy 1T' | 'numpy MT'): number | undefined =>
      div(peakKiB(cells[ours]), peakKiB(cells[numpy]));
    return [
      check(
        target,
        'wasm 1T / numpy 1T (one thread each)',
        ratio('wasm 1T', 'numpy 1T'),
        1,
        'atMost',
        'n/a (no NumPy)',
        'less memory',
      ),
      check(
        target,
        'wasm threads / numpy MT (all cores each)',
        ratio('wasm threads', 'numpy MT'),
        1,
        'atMost',
        'n/a (no NumPy)',
        'less memory',
      ),
    ];
  });
}

/** A count target (no factor to need): met, or missed with the value found. */
function countCheck(
  target: string,
  compared: string,
  value: number | undefined,
  bound: number,
  met: (value: number) => boolean,
  kind: 'atMost' | 'atLeast' = 'atMost',
): TargetResult {
  const verdict = value === undefined ? 'n/a' : met(value) ? 'met' : `missed: ${+value.toFixed(2)}`;
  return { target, compared, ratio: value, bound, kind, verdict };
}

/**
 * The webgpu targets (issue 18): on any adapter, per training step in steady state no GPU buffer
 * created, one read of the loss alone (4 bytes), fewer dispatches than TF.js's webgpu backend; on
 * a hardware adapter only, DeepConvNet's step at batch 100 within 10 ms and 3× faster than TF.js's.
 */
export function webgpuTargets(steps: StepBenchReport): TargetResult[] {
  const gpu = steps.webgpu;
  if (!gpu) return [];
  const results: TargetResult[] = [];
  // The f16 column and the six book networks (float32 and float16 storage): the two count targets
  // that need no TF.js figure, one row each for a group of networks (the worst of them).
  const groupTargets = (group: string, counted: (StepCountRow['ours'] | undefined)[]): void => {
    const all = counted.filter((c): c is StepCountRow['ours'] => c !== undefined);
    if (all.length === 0) return;
    const found = all.filter((c): c is Exclude<typeof c, { skipped: string }> => !('skipped' in c));
    const complete = found.length === all.length;
    const buffers = complete ? Math.max(...found.map((c) => c.perStep.buffersCreated)) : undefined;
    const bytes = complete
      ? Math.max(...found.map((c) => (c.perStep.reads === 1 ? (c.hostBytes ?? Number.NaN) : Number.NaN)))
      : undefined;
    results.push(
      countCheck(
        `${group} webgpu: no buffer created per step`,
        'GPU buffers created per step (ours; the most of them)',
        buffers,
        0,
        (v) => v === 0,
      ),
      countCheck(
        `${group} webgpu: only the loss read back`,
        'bytes read to the host per step (ours; one read; the most)',
        bytes,
        4,
        (v) => v === 4,
      ),
    );
  };
  groupTargets(
    'step networks f16',
    gpu.counts.map((c) => c.oursF16),
  );
  if (gpu.models) {
    groupTargets(
      `${gpu.models.length} book networks`,
      gpu.models.map((m) => m.ours),
    );
    groupTargets(
      `${gpu.models.length} book networks f16`,
      gpu.models.map((m) => m.oursF16),
    );
  }
  for (const { network, ours, tfjs } of gpu.counts) {
    const net = network.split(',')[0]!;
    const o = 'skipped' in ours ? undefined : ours;
    const t = 'skipped' in tfjs ? undefined : tfjs;
    results.push(
      countCheck(
        `${net} webgpu: no buffer created per step`,
        'GPU buffers created per step (ours)',
        o?.perStep.buffersCreated,
        0,
        (v) => v === 0,
      ),
      countCheck(
        `${net} webgpu: only the loss read back`,
        'bytes read to the host per step (ours; one read)',
        o && o.perStep.reads === 1 ? o.hostBytes : o ? Number.NaN : undefined,
        4,
        (v) => v === 4,
      ),
      countCheck(
        `${net} webgpu: fewer dispatches than TF.js`,
        'dispatches per step: ours / tfjs webgpu',
        o && t ? o.perStep.dispatches / t.perStep.dispatches : undefined,
        1,
        (v) => v < 1,
      ),
    );
  }
  const deep = steps.rows.find((r) => r.workload.name.startsWith('DeepConvNet'));
  const target = 'DeepConvNet webgpu step (batch 100)';
  if (gpu.software) {
    results.push(check(target, '-', undefined, 10, 'atMost', `no time target (${'software adapter'})`));
  } else if (deep) {
    const ours = median(deep.cells[STEP_WEBGPU]);
    results.push(
      check(`${target} <= 10 ms`, 'webgpu median ms', ours, 10, 'atMost', 'n/a'),
      check(
        `${target} >= 3× TF.js webgpu`,
        'speed: tfjs webgpu time / webgpu time',
        div(median(deep.cells[STEP_TFJS_WEBGPU]), ours),
        3,
        'atLeast',
        'n/a',
      ),
    );
  }
  return results;
}

/** The targets, on the suites that ran (a target whose figures are missing says so). */
export function checkTargets(
  gemm: GemmBenchReport | undefined,
  steps: StepBenchReport | undefined,
  inference: InferenceReport | undefined,
  memory?: MemoryReport,
): TargetResult[] {
  const results: TargetResult[] = [];
  if (steps) {
    const one = single(steps.engines);
    // Issue 15's gates (all cores each, one thread each), then its stretch goals.
    const bounds: [net: string, allCores: number, oneThread: number, text: string][] = [
      ['TwoLayerNet', 0.7, 0.85, '0.7 (all cores) / 0.85 (one thread)'],
      ['SimpleConvNet', 0.15, 0.15, '0.15'],
      ['DeepConvNet', 0.15, 0.15, '0.15'],
      ['TwoLayerNet', Number.NaN, 0.7, '0.7 (stretch, one thread)'],
      ['SimpleConvNet', 1 / 12, 1 / 12, '1/12 (stretch)'],
      ['DeepConvNet', 1 / 12, 1 / 12, '1/12 (stretch)'],
    ];
    for (const [net, allCores, oneThread, text] of bounds) {
      const row = steps.rows.find((r) => r.workload.name.startsWith(net));
      const target = `${net} step <= ${text}× the NumPy book step`;
      if (!row) {
        results.push(check(target, '-', undefined, oneThread, 'atMost', 'not run (full run only)'));
        continue;
      }
      const c = row.cells;
      if (!Number.isNaN(allCores)) {
        results.push(
          check(
            target,
            'wasm threads / numpy MT (all cores each)',
            div(median(c['wasm threads']), median(c['numpy MT'])),
            allCores,
            'atMost',
            'n/a (no NumPy)',
          ),
        );
      }
      results.push(
        check(
          target,
          `${one} / numpy 1T (one thread each)`,
          div(median(c[one]), median(c['numpy 1T'])),
          oneThread,
          'atMost',
          'n/a (no NumPy)',
        ),
      );
    }
    // Threads: a step of 5 ms or more is faster on all threads than on one; a shorter one within 3%.
    for (const row of steps.rows) {
      const single1 = median(row.cells[one]);
      const all = median(row.cells['wasm threads']);
      const longStep = single1 !== undefined && single1 >= 5;
      results.push(
        check(
          `${row.workload.name.split(',')[0]}: threads ${longStep ? 'faster than one' : 'within 3% of one'}`,
          `wasm threads / ${one}`,
          div(all, single1),
          longStep ? 1 : 1.03,
          'atMost',
          'n/a',
        ),
      );
    }
  }
  if (gemm) {
    const row = gemm.rows.find((r) => r.workload.name === 'square 512³');
    const ms = (name: 'wasm threads' | 'tfjs wasm'): number | undefined => {
      const cell = row?.cells[name];
      return cell && 'ms' in cell ? cell.ms : undefined;
    };
    results.push(
      check(
        'GEMM 512³ on all threads >= 1.4× TF.js wasm',
        'speed: tfjs wasm time / wasm threads time',
        div(ms('tfjs wasm'), ms('wasm threads')),
        1.4,
        'atLeast',
        'n/a',
      ),
    );
  }
  if (inference) {
    const target = `DeepConvNet inference on ${inference.images} images <= 0.5× TF.js wasm`;
    const time = (name: string): number | undefined => {
      const cell = inference.cells[name];
      return cell && 'medianMs' in cell ? cell.medianMs : undefined;
    };
    const one = single(Object.keys(inference.cells));
    results.push(
      check(
        target,
        'wasm threads / tfjs wasm',
        div(time('wasm threads'), time('tfjs wasm')),
        0.5,
        'atMost',
        'n/a',
      ),
      check(
        target,
        `${one} / tfjs wasm (one thread each)`,
        div(time(one), time('tfjs wasm')),
        0.5,
        'atMost',
        'n/a',
      ),
    );
  }
  if (steps) results.push(...webgpuTargets(steps));
  if (memory) results.push(...memoryTargets(memory));
  return results;
}
