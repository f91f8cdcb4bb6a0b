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
import { loadTfjs, loadTfjsWebGpu, tfjsGpuDone, type TfjsBackend } from './tfjs.js';
import { gpuDone, measureGpu, SOFTWARE_LABEL, webgpuEngines, type OurGpu } from './webgpu.js';
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

/** The webgpu columns, printed after ENGINES when the run has them. */
export const GPU_ENGINES = ['webgpu', 'tfjs webgpu'] as const;
export type GpuEngine = (typeof GPU_ENGINES)[number];

/** Milliseconds per call (`software`: on a software WebGPU adapter, no target), or why there is no figure. */
export type Cell = { ms: number; software?: boolean } | { skipped: string };

export interface GemmBenchRow {
  workload: GemmWorkload;
  cells: Record<Engine, Cell> & Partial<Record<GpuEngine, Cell>>;
  /**
   * Largest |wasm − js| relative to max |js|: a sanity check that the fast paths compute the same
   * (undefined where the js kernel was skipped).
   */
  wasmError: number | undefined;
  /** The same for our webgpu GEMM (undefined where either did not run). */
  webgpuError?: number | undefined;
}

export interface GemmBenchOptions {
  quick: boolean;
  numpy: boolean;
  /** The wasm backend on every core (relaxed SIMD where the engine has it). */
  threaded: WasmKernels;
  /** Our webgpu backend (or why it did not open): the webgpu columns; undefined: none. */
  webgpu?: OurGpu;
  /** Called after each workload, for progress lines. */
  onRow?: (row: GemmBenchRow) => void;
}

export interface GemmBenchReport {
  mode: 'quick' | 'full';
  wasm: { simd: string; relaxed: string; threads: string };
  tfjs: string;
  numpy: { single: string; multi: string };
  rows: GemmBenchRow[];
  /** The webgpu columns' engines and sizes; undefined when not run. */
  webgpu?: { ours: string; tfjs: string; software: boolean; note: string };
}

/**
 * On a software adapter (llvmpipe runs ~0.3 GFLOP/s) only the products up to this many FLOP are
 * timed on the webgpu columns (about a third of a second a call), and only this many calls.
 */
const SOFTWARE_MAX_FLOPS = { quick: 4e7, full: 1.1e8 } as const;
const GPU_RUNS = { software: 3, hardware: 10 } as const;

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
  webgpu,
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
  const tfjsGpu = webgpu ? await loadTfjsWebGpu(tfjs) : undefined;
  const software = webgpu?.ok === true && webgpu.software;
  const gpuMaxFlops = software ? SOFTWARE_MAX_FLOPS[quick ? 'quick' : 'full'] : Infinity;
  const gpuRuns = software ? GPU_RUNS.software : GPU_RUNS.hardware;

  const rng = new Rng(20240101);
  const rows: GemmBenchRow[] = [];
  for (const workload of workloads) {
    const { m, n, k, transA, transB } = workload;
    const a = randomFloat32(m * k, rng);
    const b = randomFloat32(k * n, rng);
    const outputs = new Map<Engine | 'webgpu', Float32Array>();
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
    const tooBig: Cell = { skipped: `skipped (${SOFTWARE_LABEL})` };
    // Ours: the operands uploaded once; a call records the GEMM, submits it and waits for the GPU
    // (no read back), TF.js's the same (tfjsGpuDone). The result is read once, for the check.
    const ourGpuCell = async (): Promise<Cell> => {
      if (!webgpu?.ok) return { skipped: `n/a (${webgpu?.reason ?? 'not run'})` };
      if (flops(workload) > gpuMaxFlops) return tooBig;
      const kernels = webgpu.kernels;
      const gpu = kernels.gpu;
      const [ga, gb, gc] = [gpu.upload(a), gpu.upload(b), gpu.alloc('float32', m * n)];
      const args = { m, n, k, transA, transB, alpha: 1, beta: 0, a: ga, b: gb, c: gc };
      const ms = await measureGpu(async () => {
        gpu.gemm(args);
        await gpuDone(kernels);
      }, gpuRuns);
      outputs.set('webgpu', await gpu.read(gc));
      for (const array of [ga, gb, gc]) gpu.release(array);
      return { ms, ...(software ? { software: true } : {}) };
    };
    const tfjsGpuCell = async (): Promise<Cell> => {
      if (!tfjsGpu) return { skipped: 'n/a' };
      if (!tfjsGpu.ok) return { skipped: `n/a (${tfjsGpu.reason})` };
      if (flops(workload) > gpuMaxFlops) return tooBig;
      if (!(await tfjs.use('webgpu'))) return { skipped: 'n/a (backend failed)' };
      const { tf } = tfjs;
      const ta = tf.tensor2d(a, transA ? [k, m] : [m, k]);
      const tb = tf.tensor2d(b, transB ? [n, k] : [k, n]);
      const ms = await measureGpu(async () => {
        const c = tf.matMul(ta, tb, transA, transB);
        await tfjsGpuDone(tfjs);
        c.dispose();
      }, gpuRuns);
      tf.dispose([ta, tb]);
      return { ms, ...(software ? { software: true } : {}) };
    };
    const gpuCells: Partial<Record<GpuEngine, Cell>> = webgpu
      ? { webgpu: await ourGpuCell(), 'tfjs webgpu': await tfjsGpuCell() }
      : {};
    const cells: GemmBenchRow['cells'] = {
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
      ...gpuCells,
    };
    // The wasm results against the js kernel's (float64 sums), where it ran.
    const reference = outputs.get('js packed');
    let wasmError: number | undefined;
    for (const engine of ['wasm simd', 'wasm relaxed', 'wasm threads'] as const) {
      const out = outputs.get(engine);
      if (out && reference) wasmError = Math.max(wasmError ?? 0, maxRelativeDiff(out, reference));
    }
    const gpuOut = outputs.get('webgpu');
    // The js kernel's result where it ran, else the wasm one's (itself checked against js above).
    const gpuReference = reference ?? outputs.get('wasm simd');
    const webgpuError = gpuOut && gpuReference ? maxRelativeDiff(gpuOut, gpuReference) : undefined;
    const row = { workload, cells, wasmError, ...(webgpu ? { webgpuError } : {}) };
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
    ...(webgpu
      ? {
          webgpu: {
            ...webgpuEngines(webgpu, tfjsGpu, tfjs.version),
            software,
            note:
              'operands on the GPU; a call records the product, submits it and waits for the GPU (nothing read back); ' +
              `fastest of ${gpuRuns} calls after one` +
              (software
                ? `; ${SOFTWARE_LABEL} (llvmpipe: ~0.3 GFLOP/s): only products up to ${gpuMaxFlops / 1e6} MFLOP, no time target`
                : ''),
          },
        }
      : {}),
  };
}
