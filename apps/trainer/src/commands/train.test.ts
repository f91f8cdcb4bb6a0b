import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_FILE_NAMES } from '@dl/data-mnist';
import { readJsonLines, pngSize, svgText } from '../testing/files.js';
import { runDl, tempDir, writeTinyMnist } from '../testing/fixtures.js';

let tmp: { path: string; cleanup: () => void };
let data: string;
const out = (name: string): string => join(tmp.path, name);
// Small and quick: 200 training images, batches of 20 (10 steps per epoch).
const small = (): string[] => ['--data', data, '--batch-size', '20', '--lr', '0.5'];

beforeAll(() => {
  tmp = tempDir();
  data = writeTinyMnist(join(tmp.path, 'data'));
});
afterAll(() => tmp.cleanup());

describe('dl train', () => {
  it('--json prints one object per epoch and a summary, and nothing else', async () => {
    const r = await runDl(['train', ...small(), '--iters', '40', '--out', out('json'), '--json']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.slice(0, -1).every((o) => o.type === 'epoch')).toBe(true);
    expect(records.length).toBe(5); // the book evaluates after the first step of each of 4 epochs
    const summary = records.at(-1)!;
    expect(summary).toMatchObject({
      type: 'summary',
      epochs: 4,
      steps: 40,
      backend: 'wasm',
      threads: 1,
      aborted: false,
    });
    for (const key of ['testAcc', 'testLoss', 'seconds']) expect(typeof summary[key]).toBe('number');
    // The patterns are easy: 40 steps learn them.
    expect(summary.testAcc).toBeGreaterThan(0.5);
  });

  it('--threads runs the wasm backend on worker threads and learns the same', async () => {
    const threads = Math.min(2, availableParallelism());
    const r = await runDl([
      'train',
      ...small(),
      '--iters',
      '40',
      '--threads',
      String(threads),
      '--out',
      out('t2'),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trimEnd().split('\n').at(-1)!) as Record<string, unknown>;
    expect(summary).toMatchObject({ type: 'summary', backend: 'wasm', threads, steps: 40 });
    expect(summary.testAcc).toBeGreaterThan(0.5);
  });

  it('writes run.json, metrics.jsonl and loss/accuracy plots', async () => {
    const dir = out('files');
    const r = await runDl([
      'train',
      ...small(),
      '--iters',
      '30',
      '--log-every',
      '5',
      '--seed',
      '7',
      '--out',
      dir,
    ]);
    expect(r.code).toBe(0);
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as Record<string, unknown>;
    expect(run).toMatchObject({
      command: ['dl', 'train', ...small(), '--iters', '30', '--log-every', '5', '--seed', '7', '--out', dir],
      status: 'completed',
      settings: {
        model: 'two-layer-net',
        optimizer: 'sgd',
        lr: 0.5,
        batchSize: 20,
        iterations: 30,
        seed: 7,
        data,
      },
      backend: { name: 'wasm', threads: 1 },
      model: { shape: '784-50-10', params: 784 * 50 + 50 + 50 * 10 + 10 },
      data: { train: 200, test: 100 },
      result: { steps: 30 },
    });
    const env = run.environment as { node: string; versions: Record<string, string>; cpuFeatures: unknown };
    expect(env.node).toBe(process.version);
    expect(env.versions['@dl/tensor']).toMatch(/^\d+\.\d+\.\d+/);
    expect(Array.isArray(env.cpuFeatures)).toBe(true);

    const metrics = readJsonLines(join(dir, 'metrics.jsonl'));
    expect(metrics.filter((m) => m.type === 'step').map((m) => m.step)).toEqual([5, 10, 15, 20, 25, 30]);
    expect(metrics.filter((m) => m.type === 'epoch').map((m) => m.epoch)).toEqual([1, 2, 3]);
    expect(metrics.at(-1)).toMatchObject({ type: 'end', step: 30, status: 'completed' });

    for (const name of ['loss', 'accuracy']) {
      expect(svgText(join(dir, `${name}.svg`))).toContain('<polyline');
      const size = pngSize(join(dir, `${name}.png`));
      expect(size.width).toBeGreaterThan(600);
      expect(size.height).toBeGreaterThan(400);
    }
    expect(svgText(join(dir, 'accuracy.svg'))).toMatch(/>test</);
  });

  it('prints plain epoch lines when not on a terminal, a redrawn progress bar when on one', async () => {
    const plain = await runDl(['train', ...small(), '--iters', '20', '--out', out('plain')]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^data: .* 200 training and 100 test images/m);
    expect(plain.stdout).toMatch(/^epoch +2 +step +11 +loss [\d.]+ +train acc [\d.]+% +test acc [\d.]+%/m);
    expect(plain.stdout).toMatch(
      /^test accuracy: [\d.]+% +test loss: [\d.]+ +\(20 steps, .*backend wasm, 1 thread\)$/m,
    );
    expect(plain.stdout).not.toContain('\r');

    const tty = await runDl(['train', ...small(), '--iters', '20', '--out', out('tty')], {
      isTTY: true,
      columns: 120,
    });
    expect(tty.code).toBe(0);
    const redraws = tty.stdout.split('\r\u001b[K');
    expect(
      redraws.some((l) => /^epoch 1\/2 [━╸─]+ +\d+% +step \d+\/20 +loss [\d.]+ .* img\/s +ETA /.test(l)),
    ).toBe(true);
  });

  it('trains each model with its flags', async () => {
    const r = await runDl([
      'train',
      ...small(),
      '--model',
      'multi-layer-net-extend',
      '--hidden',
      '30,20',
      '--dropout',
      '0.1',
      '--weight-decay',
      '0.001',
      '--optimizer',
      'adam',
      '--lr',
      '0.01',
      '--init',
      'he',
      '--sampling',
      'shuffle',
      '--epochs',
      '2',
      '--out',
      out('extend'),
      '--json',
    ]);
    expect(r.code).toBe(0);
    const run = JSON.parse(readFileSync(join(out('extend'), 'run.json'), 'utf8')) as {
      model: { shape: string };
      settings: object;
    };
    expect(run.model.shape).toBe('784-30-20-10');
    expect(run.settings).toMatchObject({
      batchNorm: true,
      dropout: 0.1,
      weightDecay: 0.001,
      optimizer: 'adam',
      epochs: 2,
    });
    const m = await runDl([
      'train',
      ...small(),
      '--model',
      'multi-layer-net',
      '--hidden',
      '20',
      '--activation',
      'sigmoid',
      '--iters',
      '10',
      '--out',
      out('mln'),
      '--json',
    ]);
    expect(m.code).toBe(0);
  });

  it('trains the convolutional networks on [1, 28, 28] images, with checkpoints', async () => {
    const r = await runDl([
      'train',
      '--data',
      data,
      '--model',
      'simple-conv-net',
      '--batch-size',
      '10',
      '--iters',
      '3',
      '--eval-samples',
      '10',
      '--out',
      out('conv'),
      '--json',
    ]);
    expect(r.code).toBe(0);
    const run = JSON.parse(readFileSync(join(out('conv'), 'run.json'), 'utf8')) as {
      data: { inputShape: number[] };
      model: { spec: { kind: string } };
      settings: { optimizer: string; lr: number; evalSamples: number };
    };
    expect(run.data.inputShape).toEqual([1, 28, 28]);
    expect(run.model.spec.kind).toBe('simple-conv-net');
    expect(run.settings).toMatchObject({ optimizer: 'adam', lr: 0.001, evalSamples: 10 });
    expect(existsSync(join(out('conv'), 'last.safetensors'))).toBe(true);
  });

  it('shows help with examples', async () => {
    const r = await runDl(['train', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: dl train/);
    expect(r.stdout).toContain('Examples:');
    expect((await runDl(['help', 'train'])).stdout).toBe(r.stdout);
    const top = await runDl(['--help']);
    expect(top.stdout).toMatch(/Commands:\n {2}train /);
  });
});

describe('dl train errors: one line, no stack, an exit code', () => {
  const expectError = (
    r: { code: number; stdout: string; stderr: string },
    code: number,
    message: RegExp,
  ): void => {
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  };

  it('rejects unknown options, models and commands', async () => {
    expectError(await runDl(['train', '--lrr', '1']), 2, /^dl: train: unknown option '--lrr'/);
    expectError(await runDl(['train', '--model', 'resnet']), 2, /--model must be one of two-layer-net/);
    expectError(await runDl(['fly']), 2, /^dl: unknown command 'fly'/);
    expectError(await runDl(['train', '--optimizer', 'lbfgs']), 2, /--optimizer must be one of sgd/);
  });

  it('rejects bad numbers', async () => {
    expectError(await runDl(['train', '--lr', '-1']), 2, /--lr must be a number > 0, got '-1'/);
    expectError(await runDl(['train', '--lr', 'fast']), 2, /--lr must be a number > 0, got 'fast'/);
    expectError(
      await runDl(['train', '--batch-size', '0']),
      2,
      /--batch-size must be a positive integer, got '0'/,
    );
    expectError(await runDl(['train', '--iters', '1.5']), 2, /--iters must be a positive integer/);
    expectError(await runDl(['train', '--iters', '5', '--epochs', '1']), 2, /--iters or --epochs, not both/);
    expectError(await runDl(['train', '--dropout', '1']), 2, /--dropout must be below 1/);
    expectError(
      await runDl(['train', '--dropout', '0.5']),
      2,
      /--dropout needs --model multi-layer-net-extend/,
    );
    expectError(
      await runDl(['train', '--backend', 'js', '--threads', '4', '--out', out('threads')]),
      2,
      /--threads 4: the js backend runs on one thread/,
    );
    expect(existsSync(out('threads'))).toBe(false);
    expectError(
      await runDl(['train', '--threads', '999', '--out', out('threads-999')]),
      2,
      /--threads 999: the wasm backend runs on (one thread|at most \d+ threads) \(this machine has \d+ cores?\)/,
    );
    expectError(await runDl(['train', '--backend', 'cuda']), 2, /--backend must be one of wasm, js/);
  });

  it('names a missing or corrupt data file', async () => {
    expectError(
      await runDl(['train', '--data', out('nowhere'), '--out', out('e1')]),
      1,
      /nowhere: no such directory/,
    );
    expect(existsSync(out('e1'))).toBe(false);
    const bad = writeTinyMnist(out('bad-data'), { train: 20, test: 10 });
    writeFileSync(join(bad, MNIST_FILE_NAMES.trainImages), Uint8Array.of(0, 0, 8, 3, 0, 0));
    expectError(
      await runDl(['train', '--data', bad, '--out', out('e2')]),
      1,
      new RegExp(`${MNIST_FILE_NAMES.trainImages}`),
    );
    expectError(
      await runDl(['train', '--data', data, '--train-size', '500', '--out', out('e3')]),
      2,
      /only 200 training images/,
    );
  });

  it('refuses an output directory that cannot be written or already holds a run', async () => {
    const file = out('a-file');
    writeFileSync(file, 'x');
    expectError(
      await runDl(['train', '--data', data, '--out', join(file, 'run')]),
      1,
      /cannot create the output directory .*a-file\/run: a part of the path is not a directory/,
    );
    await runDl(['train', ...small(), '--iters', '2', '--out', out('taken')]);
    expectError(
      await runDl(['train', ...small(), '--iters', '2', '--out', out('taken')]),
      1,
      /already holds a run: continue it with --resume/,
    );
  });

  it('stops on a non-finite loss, naming the step, exit code 3', async () => {
    const r = await runDl(['train', ...small(), '--lr', '1e30', '--iters', '50', '--out', out('nan')]);
    expectError(r, 3, /loss became (NaN|Infinity) at step \d+ \(epoch \d+\).*Training stopped/);
    const run = JSON.parse(readFileSync(join(out('nan'), 'run.json'), 'utf8')) as { status: string };
    expect(run.status).toBe('diverged');
  });

  it('shows the stack with --debug', async () => {
    const r = await runDl(['train', '--lrr', '1', '--debug']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/CliError: train: unknown option[\s\S]*\n\s+at /);
  });
});
