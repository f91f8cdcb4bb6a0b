import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePng } from '../image/png-encode.js';
import { readCheckpoint } from '../run/checkpoint.js';
import { runDl, tempDir, writeTinyMnist } from '../testing/fixtures.js';

// `dl train --backend webgpu` on the machine's WebGPU adapter (in CI Mesa's llvmpipe, a software
// adapter: small runs). Where none opens, these tests FAIL with the reason, as the webgpu kernel
// tests do; DL_WEBGPU=off skips them on purpose (and is how the no-WebGPU error is tested below).
const enabled = process.env.DL_WEBGPU !== 'off';

let tmp: { path: string; cleanup: () => void };
let data: string;
const out = (name: string): string => join(tmp.path, name);
// 200 training images in batches of 20: 10 steps per epoch.
const small = (): string[] => ['--data', data, '--batch-size', '20', '--lr', '0.5'];
const summary = (stdout: string): Record<string, unknown> =>
  JSON.parse(stdout.trimEnd().split('\n').at(-1)!) as Record<string, unknown>;
/** The tensor bytes of a safetensors file (weights and optimizer slots), after its header. */
const body = (path: string): Buffer => {
  const bytes = readFileSync(path);
  return bytes.subarray(8 + Number(bytes.readBigUInt64LE(0)));
};

beforeAll(() => {
  tmp = tempDir();
  data = writeTinyMnist(join(tmp.path, 'data'));
});
afterAll(() => tmp.cleanup());

describe.runIf(enabled)('dl train --backend webgpu', () => {
  it('trains, says the adapter is software, and ends where wasm ends', async () => {
    const gpu = await runDl([
      'train',
      ...small(),
      '--backend',
      'webgpu',
      '--iters',
      '25',
      '--out',
      out('g'),
      '--json',
    ]);
    expect(gpu.code, gpu.stderr).toBe(0);
    const wasm = await runDl([
      'train',
      ...small(),
      '--backend',
      'wasm',
      '--iters',
      '25',
      '--out',
      out('w'),
      '--json',
    ]);
    expect(wasm.code, wasm.stderr).toBe(0);
    const [g, w] = [summary(gpu.stdout), summary(wasm.stdout)];
    expect(g).toMatchObject({ backend: 'webgpu', steps: 25 });
    expect(Math.abs((g.testLoss as number) - (w.testLoss as number))).toBeLessThan(1e-3);
    expect(Math.abs((g.testAcc as number) - (w.testAcc as number))).toBeLessThanOrEqual(0.01);
    if (/software/.test(gpu.stderr)) expect(gpu.stderr).toMatch(/^webgpu: .* is a software \(CPU\) adapter/m);
    // The checkpoint was read back from the GPU: it loads, and holds the run's state.
    const last = readCheckpoint(join(out('g'), 'last.safetensors'));
    expect(last.info).toMatchObject({ step: 25 });
    expect(last.optimizer?.iter).toBe(25);
  }, 300_000);

  it('dl eval and dl predict on webgpu give the numbers of wasm', async () => {
    const checkpoint = join(out('g'), 'last.safetensors');
    const evaluate = async (backend: string): Promise<Record<string, unknown>> => {
      const r = await runDl([
        'eval',
        '--checkpoint',
        checkpoint,
        '--data',
        data,
        '--backend',
        backend,
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      return summary(r.stdout);
    };
    const [g, w] = [await evaluate('webgpu'), await evaluate('wasm')];
    expect(g.accuracy).toBe(w.accuracy);
    expect(g.confusion).toEqual(w.confusion);
    expect(Math.abs((g.loss as number) - (w.loss as number))).toBeLessThan(1e-5);
    const rounded = await runDl([
      'eval',
      '--checkpoint',
      checkpoint,
      '--data',
      data,
      '--backend',
      'webgpu',
      '--precision',
      'float16',
      '--json',
    ]);
    expect(rounded.code, rounded.stderr).toBe(0);
    expect(summary(rounded.stdout)).toMatchObject({ precision: 'float16' });
    const png = join(tmp.path, 'digit.png');
    const pixels = new Uint8Array(784);
    for (let y = 2; y < 7; y++) pixels.fill(230, y * 28 + 2, y * 28 + 7);
    writeFileSync(png, encodePng({ width: 28, height: 28, channels: 1, data: pixels }));
    const predict = async (backend: string): Promise<number[]> => {
      const r = await runDl(['predict', '--checkpoint', checkpoint, '--backend', backend, png, '--json']);
      expect(r.code, r.stderr).toBe(0);
      return summary(r.stdout).probabilities as number[];
    };
    const [pg, pw] = [await predict('webgpu'), await predict('wasm')];
    pg.forEach((p, c) => expect(Math.abs(p - pw[c]!)).toBeLessThan(1e-6));
  }, 300_000);

  it('--precision float16 stores a step in half precision and says so in --json', async () => {
    const r = await runDl([
      'train',
      ...small(),
      '--backend',
      'webgpu',
      '--precision',
      'float16',
      '--iters',
      '8',
      '--out',
      out('h'),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const s = summary(r.stdout);
    expect(s.compute).toMatch(/float16 storage/);
    expect(s.compute).toMatch(/weights: float16 copies of float32 masters/);
    const run = JSON.parse(readFileSync(join(out('h'), 'run.json'), 'utf8')) as {
      settings: { precision: string };
    };
    expect(run.settings.precision).toBe('float16');
    const full = summary(
      (await runDl(['train', ...small(), '--backend', 'webgpu', '--iters', '8', '--out', out('f'), '--json']))
        .stdout,
    );
    expect(full.compute).toMatch(/float32 storage/);
    expect(Math.abs((s.testLoss as number) - (full.testLoss as number))).toBeLessThan(1e-2);
  }, 300_000);

  it('Ctrl-C on webgpu writes the checkpoint at the step it stopped, exit 130', async () => {
    const dir = out('stopped');
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 1500);
    const r = await runDl(['train', ...small(), '--backend', 'webgpu', '--iters', '100000', '--out', dir], {
      interrupt: stop.signal,
    });
    clearTimeout(timer);
    expect(r.code, r.stderr).toBe(130);
    const at = readCheckpoint(join(dir, 'last.safetensors')).info!.step;
    expect(at).toBeGreaterThan(0);
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { status: string; step: number };
    expect(run).toMatchObject({ status: 'interrupted', step: at });
  }, 300_000);

  it('a NaN loss on webgpu exits 3 naming the step, the last good checkpoint kept', async () => {
    const dir = out('nan');
    const r = await runDl([
      'train',
      '--data',
      data,
      '--batch-size',
      '20',
      '--lr',
      '1e30',
      '--backend',
      'webgpu',
      '--iters',
      '50',
      '--out',
      dir,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/the loss became (NaN|-?Infinity) at step \d+/);
  }, 300_000);

  it('--resume on webgpu is exact: 12 + 13 steps give the bytes of 25', async () => {
    const model = ['--model', 'multi-layer-net-extend', '--hidden', '32', '--batch-norm', '--dropout', '0.2'];
    const straight = await runDl([
      'train',
      ...small(),
      ...model,
      '--optimizer',
      'adam',
      '--lr',
      '0.01',
      '--backend',
      'webgpu',
      '--iters',
      '25',
      '--out',
      out('s25'),
      '--json',
    ]);
    expect(straight.code, straight.stderr).toBe(0);
    const first = await runDl([
      'train',
      ...small(),
      ...model,
      '--optimizer',
      'adam',
      '--lr',
      '0.01',
      '--backend',
      'webgpu',
      '--iters',
      '12',
      '--out',
      out('s12'),
      '--json',
    ]);
    expect(first.code, first.stderr).toBe(0);
    const second = await runDl(['train', '--resume', out('s12'), '--iters', '25', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(
      body(join(out('s12'), 'last.safetensors')).equals(body(join(out('s25'), 'last.safetensors'))),
    ).toBe(true);
  }, 300_000);
});

describe('dl train --backend webgpu without WebGPU', () => {
  it('exits 1 with one line saying why', async () => {
    const before = process.env.DL_WEBGPU;
    process.env.DL_WEBGPU = 'off';
    try {
      const r = await runDl([
        'train',
        ...small(),
        '--backend',
        'webgpu',
        '--iters',
        '2',
        '--out',
        out('none'),
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
});

describe.runIf(enabled)('dl train --backend webgpu, a tensor too large for the device', () => {
  it('ends in one line, before any work, exit 1', async () => {
    // A hidden layer of 4320 × 100 000 weights (1.6 GiB): more than a storage binding of any adapter here.
    const r = await runDl([
      'train',
      ...small(),
      '--model',
      'simple-conv-net',
      '--hidden',
      '100000',
      '--backend',
      'webgpu',
      '--iters',
      '2',
      '--out',
      out('big'),
    ]);
    expect(r.code).toBe(1);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('dl:')),
    ).toEqual([
      expect.stringMatching(
        /^dl: webgpu: .* needs [\d.]+ MiB, more than this device binds in one buffer .*; use a smaller batch$/,
      ) as string,
    ]);
  }, 300_000);
});

describe('dl train --precision float16 elsewhere', () => {
  it('is a one-line usage error naming --backend webgpu', async () => {
    const r = await runDl([
      'train',
      ...small(),
      '--backend',
      'wasm',
      '--precision',
      'float16',
      '--iters',
      '2',
      '--out',
      out('p'),
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^dl: --precision float16 .* needs --backend webgpu \(got wasm\)/);
  });
});
