import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCsv } from '../testing/files.js';
import { runDl, tempDir, writeTinyMnist, writeSmallConvSpec } from '../testing/fixtures.js';

// `dl experiment NAME --backend webgpu` against the same run on wasm, on the machine's WebGPU adapter
// (in CI Mesa's llvmpipe, a software adapter: tiny settings, a few steps each). Where none opens,
// these tests FAIL with the reason, as train-webgpu.test.ts does; DL_WEBGPU=off skips them on
// purpose (and is how the no-WebGPU error is tested below).
const enabled = process.env.DL_WEBGPU !== 'off';

let tmp: { path: string; cleanup: () => void };
let data: string;

beforeAll(() => {
  tmp = tempDir();
  data = writeTinyMnist(join(tmp.path, 'data'), { train: 150, test: 60 });
});
afterAll(() => tmp.cleanup());

interface Ran {
  dir: string;
  backend: unknown;
  summary: Record<string, unknown>;
  files: string[];
  stdout: string;
}

/** `dl experiment NAME --backend BACKEND ...args` into its own directory; exit 0 and one JSON line. */
async function run(name: string, backend: string, args: readonly string[], json = true): Promise<Ran> {
  const dir = join(tmp.path, `${name}-${backend}-${args.join('_').replace(/[^\w.-]/g, '')}`);
  const r = await runDl([
    'experiment',
    name,
    '--backend',
    backend,
    '--out',
    dir,
    ...(json ? ['--json'] : []),
    ...args,
  ]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  if (!json) return { dir, backend, summary: {}, files: [], stdout: r.stdout };
  const out = JSON.parse(r.stdout) as Omit<Ran, 'dir' | 'stdout'>;
  return { ...out, dir, stdout: r.stdout };
}

/** Every cell of two CSV files: text equal, numbers within `tol` (absolute, or relative to larger ones). */
function expectSameCsv(a: string, b: string, tol: number): void {
  const [x, y] = [readCsv(a), readCsv(b)];
  expect(y.header).toEqual(x.header);
  expect(y.rows).toHaveLength(x.rows.length);
  x.rows.forEach((row, i) =>
    row.forEach((cell, j) => {
      const other = y.rows[i]![j]!;
      const [u, v] = [Number(cell), Number(other)];
      if (cell === '' || Number.isNaN(u)) expect(other, `${a} row ${i} column ${j}`).toBe(cell);
      else
        expect(Math.abs(u - v), `${a} row ${i} ${x.header[j]}: ${u} vs ${v}`).toBeLessThanOrEqual(
          tol * Math.max(1, Math.abs(u)),
        );
    }),
  );
}

/** The experiment on wasm and on webgpu; the CSV files compared cell by cell. */
async function sideBySide(
  name: string,
  args: readonly string[],
  csvs: Record<string, number>,
): Promise<[Ran, Ran]> {
  const wasm = await run(name, 'wasm', args);
  const gpu = await run(name, 'webgpu', args);
  expect(gpu.backend).toBe('webgpu');
  expect(gpu.files).toEqual(wasm.files);
  for (const [file, tol] of Object.entries(csvs))
    expectSameCsv(join(wasm.dir, file), join(gpu.dir, file), tol);
  return [wasm, gpu];
}

/** Summary numbers within `tol`; everything else equal. */
function expectSameSummary(a: Ran, b: Ran, tol: number): void {
  expect(Object.keys(b.summary)).toEqual(Object.keys(a.summary));
  for (const [k, v] of Object.entries(a.summary)) {
    if (typeof v === 'number') expect(Math.abs(v - (b.summary[k] as number)), k).toBeLessThanOrEqual(tol);
    else expect(b.summary[k], k).toEqual(v);
  }
}

// Losses and weights: float32 on both, summed in other orders (1e-4). Accuracies: the same
// predictions, but one borderline image may go the other way (1 of the 40-100 measured).
const LOSS = 1e-4;
const ACC = 0.03;

describe.runIf(enabled)('dl experiment --backend webgpu gives the numbers of wasm', () => {
  it('optimizers and weight-init: the same loss curves', async () => {
    const mnist = ['--data', data, '--iters', '3', '--hidden', '12'];
    const [, gpu] = await sideBySide('optimizers', [...mnist, '--batch-size', '10'], {
      'optimizers-mnist.csv': LOSS,
      'optimizer-paths.csv': 0,
    });
    expect(gpu.summary.iterations).toBe(3);
    // The histograms are float64 on the CPU either way: the same counts.
    await sideBySide('weight-init', [...mnist, '--samples', '100'], {
      'weight-init-mnist.csv': LOSS,
      'weight-init-histograms.csv': 0,
    });
  }, 120_000);

  it('batch-norm, overfit, weight-decay, dropout, hyperparams: the same accuracies per epoch', async () => {
    const small = ['--data', data, '--train-size', '100'];
    await sideBySide('batch-norm', [...small, '--scales', '2', '--epochs', '2'], { 'batch-norm.csv': ACC });
    const sizes = [...small, '--epochs', '2', '--test-size', '40'];
    await sideBySide('overfit', sizes, { 'overfit.csv': ACC });
    await sideBySide('weight-decay', [...sizes, '--lambda', '0.2'], { 'weight-decay.csv': ACC });
    // Dropout's masks are drawn in JS from the seeded generator on every backend.
    await sideBySide('dropout', sizes, { 'dropout.csv': ACC });
    const [wasm, gpu] = await sideBySide('hyperparams', [...small, '--trials', '2', '--epochs', '2'], {
      'hyperparams.csv': ACC,
    });
    expectSameSummary(wasm, gpu, ACC);
  }, 120_000);

  it('filters, misclassified, precision: the SimpleConvNet trained on the GPU, read back', async () => {
    const quick = ['--data', data, '--iters', '2', '--train-size', '10', '--test-size', '20'];
    const [wasm, gpu] = await sideBySide('filters', quick, { 'filters.csv': 1e-5 });
    expectSameSummary(wasm, gpu, LOSS);
    expect(gpu.summary['mean |w| after']).not.toBe(gpu.summary['mean |w| before']);
    await sideBySide('misclassified', quick, { 'misclassified.csv': LOSS });
    const [pw, pg] = await sideBySide('precision', quick, { 'precision.csv': 0 });
    expectSameSummary(pw, pg, 0);
  }, 120_000);

  it('misclassified and precision of a --checkpoint: moved onto the GPU as dl eval does', async () => {
    const spec = join(tmp.path, 'conv.json');
    writeSmallConvSpec(spec);
    const runDir = join(tmp.path, 'run');
    const train = await runDl([
      'train',
      '--spec',
      spec,
      '--data',
      data,
      '--batch-size',
      '20',
      '--lr',
      '0.01',
      '--iters',
      '4',
      '--out',
      runDir,
      '--json',
    ]);
    expect(train.code, train.stderr).toBe(0);
    const args = ['--data', data, '--checkpoint', join(runDir, 'last.safetensors')];
    const [mw, mg] = await sideBySide('misclassified', args, { 'misclassified.csv': LOSS });
    expectSameSummary(mw, mg, 0);
    const [pw, pg] = await sideBySide('precision', args, { 'precision.csv': 0 });
    expectSameSummary(pw, pg, 0);
  }, 120_000);

  it('activations and gradient-descent train no network: they say so and compute on the CPU', async () => {
    const text = await run('activations', 'webgpu', [], false);
    expect(text.stdout).toMatch(
      /^backend webgpu: activations trains no network, so nothing runs on the GPU/m,
    );
    await sideBySide('gradient-descent', [], { 'gradient-descent.csv': 0 });
  }, 60_000);

  it('a GPU failure ends in one line, exit 1', async () => {
    // A hidden layer of 784 × 50 000 weights (150 MiB): more than a storage binding of llvmpipe
    // (128 MiB) binds; a larger GPU binds it, and then this check does not apply.
    const r = await runDl([
      'experiment',
      'optimizers',
      '--data',
      data,
      '--backend',
      'webgpu',
      '--iters',
      '1',
      '--hidden',
      '50000',
      '--out',
      join(tmp.path, 'big'),
      '--json',
    ]);
    if (r.code === 0) return;
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^dl: webgpu: .* needs [\d.]+ MiB, more than this device binds in one buffer/,
      ) as string,
    ]);
  }, 60_000);
});

describe('dl experiment --backend webgpu without WebGPU', () => {
  it('exits 1 with one line saying why, as dl train does', async () => {
    const before = process.env.DL_WEBGPU;
    process.env.DL_WEBGPU = 'off';
    try {
      const r = await runDl([
        'experiment',
        'optimizers',
        '--backend',
        'webgpu',
        '--out',
        join(tmp.path, 'x'),
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([
        'dl: --backend webgpu: WebGPU is turned off here (DL_WEBGPU=off)',
      ]);
    } finally {
      if (before === undefined) delete process.env.DL_WEBGPU;
      else process.env.DL_WEBGPU = before;
    }
  });

  it('the help says what runs on the GPU', async () => {
    const all = await runDl(['experiment', '--help']);
    expect(all.stdout).toMatch(/webgpu: the networks train and are evaluated on the GPU/);
    const one = await runDl(['experiment', 'activations', '--help']);
    expect(one.stdout).toMatch(/no network here: with webgpu it computes on the CPU/);
  });
});
