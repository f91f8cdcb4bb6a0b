import { measure, type MeasureOptions } from './measure.js';
import { runNumpy, type NumpyRun } from './numpy.js';
import {
  createWasmBackend,
  hasWasmRelaxedSimd,
  jsKernels,
  naiveGemm,
  Rng,
  type GemmArgs,
  type WasmKernels,
} from './tensor.js';
import { loadTfjs, type TfjsBackend } from './tfjs.js';
import { flops, WORKLOADS, type GemmWorkload } from './workloads.js';

/** The columns of the comparison, in print order. */
export const ENGINES = [
  'js naive',
  'js packed',
  'wasm simd',
  'wasm relaxed',
  'wasm threads',
  'tfjs wasm',
  'tfjs cpu',
  'numpy 1T',
  'numpy MT',
] as const;
export type Engine = (typeof ENGINES)[number];

/** Milliseconds per call, or why there is no figure. */
export type Cell = { ms: number } | { skipped: string };

export interface GemmBenchRow {
  workload: GemmWorkload;
  cells: Record<Engine, Cell>;
  /**
   * Largest |wasm − js| relative to max |js|: a sanity check that the fast paths compute the same
   * (undefined where the js kernel was skipped).
   */
  wasmError: number | undefined;
}

export interface GemmBenchOptions {
  quick: boolean;
  numpy: boolean;
  /** The wasm backend on every core (relaxed SIMD where the engine has it). */
  threaded: WasmKernels;
  /** Called after each workload, for progress lines. */
  onRow?: (row: GemmBenchRow) => void;
}

export interface GemmBenchReport {
  mode: 'quick' | 'full';
  wasm: { simd: string; relaxed: string; threads: string };
  tfjs: string;
  numpy: { single: string; multi: string };
  rows: GemmBenchRow[];
}

type GemmFn = (args: GemmArgs) => void;

function randomFloat32(n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.random() * 4 - 2;
  return out;
}

function maxRelativeDiff(actual: Float32Array, expected: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / (scale || 1);
}

function numpyCell(run: NumpyRun, name: string): Cell {
  if (!run.ok) return { skipped: 'n/a' };
  const ms = run.msPerCall.get(name);
  return ms === undefined ? { skipped: 'n/a' } : { ms };
}

function numpyLabel(run: NumpyRun): string {
  return run.ok ? `NumPy ${run.numpy}, ${run.blas}` : `n/a (${run.reason})`;
}

/** Runs every workload on every engine available here; NumPy runs in python3 children. */
export async function runGemmBench({
  quick,
  numpy,
  threaded,
  onRow,
}: GemmBenchOptions): Promise<GemmBenchReport> {
  const timing: MeasureOptions = quick ? { budgetMs: 50, batchMs: 5 } : { budgetMs: 400, batchMs: 10 };
  // The js loops are slow (docs/benchmarks.md): past these many FLOP per call they would dominate
  // the run.
  const naiveMaxFlops = quick ? 2e7 : 2e8;
  const packedMaxFlops = quick ? 2e7 : Infinity;
  // TF.js's cpu backend is plain JavaScript loops: big products would dominate a quick run.
  const tfjsCpuMaxFlops = quick ? 3e8 : Infinity;
  const workloads = WORKLOADS.filter((w) => !quick || w.quick);
  const tfjs = await loadTfjs();

  const simd = await createWasmBackend({ simd: 'plain' });
  const relaxed: WasmKernels | undefined = hasWasmRelaxedSimd()
    ? await createWasmBackend({ simd: 'relaxed' })
    : undefined;
  const single: NumpyRun = numpy
    ? runNumpy(workloads, 'single', timing)
    : { ok: false, reason: '--no-numpy' };
  const multi: NumpyRun = numpy
    ? runNumpy(workloads, 'default', timing)
    : { ok: false, reason: '--no-numpy' };

  const rng = new Rng(20240101);
  const rows: GemmBenchRow[] = [];
  for (const workload of workloads) {
    const { m, n, k, transA, transB } = workload;
    const a = randomFloat32(m * k, rng);
    const b = randomFloat32(k * n, rng);
    const outputs = new Map<Engine, Float32Array>();
    const time = (engine: Engine, gemm: GemmFn): Cell => {
      const c = new Float32Array(m * n);
      const args: GemmArgs = { m, n, k, transA, transB, alpha: 1, beta: 0, a, b, c };
      const ms = measure(() => gemm(args), timing);
      outputs.set(engine, c);
      return { ms };
    };
    // TF.js: tf.matMul with its transpose flags on tensors made once; dataSync() waits for the result.
    const tfjsCell = async (backend: TfjsBackend): Promise<Cell> => {
      if (backend === 'cpu' && flops(workload) > tfjsCpuMaxFlops) return { skipped: 'skipped' };
      if (!(await tfjs.use(backend))) return { skipped: 'n/a' };
      const { tf } = tfjs;
      const ta = tf.tensor2d(a, transA ? [k, m] : [m, k]);
      const tb = tf.tensor2d(b, transB ? [n, k] : [k, n]);
      const ms = measure(() => {
        const c = tf.matMul(ta, tb, transA, transB);
        c.dataSync();
        c.dispose();
      }, timing);
      tf.dispose([ta, tb]);
      return { ms };
    };
    const tfjsWasm = await tfjsCell('wasm');
    const tfjsCpu = await tfjsCell('cpu');
    const cells: Record<Engine, Cell> = {
      'js naive': flops(workload) <= naiveMaxFlops ? time('js naive', naiveGemm) : { skipped: 'skipped' },
      'js packed':
        flops(workload) <= packedMaxFlops ? time('js packed', jsKernels.gemm) : { skipped: 'skipped' },
      'wasm simd': time('wasm simd', simd.gemm),
      'wasm relaxed': relaxed ? time('wasm relaxed', relaxed.gemm) : { skipped: 'n/a' },
      'wasm threads': time('wasm threads', threaded.gemm),
      'tfjs wasm': tfjsWasm,
      'tfjs cpu': tfjsCpu,
      'numpy 1T': numpyCell(single, workload.name),
      'numpy MT': numpyCell(multi, workload.name),
    };
    // The wasm results against the js kernel's (float64 sums), where it ran.
    const reference = outputs.get('js packed');
    let wasmError: number | undefined;
    for (const engine of ['wasm simd', 'wasm relaxed', 'wasm threads'] as const) {
      const out = outputs.get(engine);
      if (out && reference) wasmError = Math.max(wasmError ?? 0, maxRelativeDiff(out, reference));
    }
    const row = { workload, cells, wasmError };
    rows.push(row);
    onRow?.(row);
  }
  return {
    mode: quick ? 'quick' : 'full',
    wasm: {
      simd: simd.features.variant,
      relaxed: relaxed?.features.variant ?? 'n/a (this engine has no relaxed SIMD)',
      threads: `${threaded.features.variant}, ${threaded.features.threads} threads${threaded.features.threadsNote ? ` (${threaded.features.threadsNote})` : ''}`,
    },
    tfjs: `TF.js ${tfjs.version}: ${tfjs.wasmNote}; cpu: plain JavaScript`,
    numpy: { single: numpyLabel(single), multi: numpyLabel(multi) },
    rows,
  };
}
