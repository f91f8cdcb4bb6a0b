import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngSize, readCsv, svgText } from '../testing/files.js';
import { runDl, tempDir, writeTinyMnist } from '../testing/fixtures.js';

let tmp: { path: string; cleanup: () => void };
let data: string;

beforeAll(() => {
  tmp = tempDir();
  data = writeTinyMnist(join(tmp.path, 'data'), { train: 150, test: 60 });
});
afterAll(() => tmp.cleanup());

/** Runs `dl experiment NAME ...` into a fresh directory; checks the exit code and that every listed file is well formed. */
async function experiment(
  name: string,
  args: string[] = [],
): Promise<{ dir: string; summary: Record<string, unknown>; files: string[] }> {
  const dir = join(tmp.path, name);
  const r = await runDl(['experiment', name, '--out', dir, '--json', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  const out = JSON.parse(lines[0]!) as { name: string; files: string[]; summary: Record<string, unknown> };
  expect(out.name).toBe(name);
  for (const f of out.files) {
    const path = join(dir, f);
    expect(existsSync(path)).toBe(true);
    if (f.endsWith('.png')) expect(pngSize(path).width).toBeGreaterThan(400);
    if (f.endsWith('.svg')) svgText(path);
  }
  return { dir, summary: out.summary, files: out.files };
}

const mnist = (): string[] => ['--data', data];

describe('dl experiment', () => {
  it('activations: step, sigmoid, ReLU and tanh on [-5, 5)', async () => {
    const { dir, files, summary } = await experiment('activations');
    expect(files).toEqual(['activations.csv', 'activations.svg', 'activations.png']);
    const { header, rows } = readCsv(join(dir, 'activations.csv'));
    expect(header).toEqual(['x', 'step', 'sigmoid', 'relu', 'tanh']);
    expect(rows).toHaveLength(100);
    const at = rows.find((r) => Math.abs(Number(r[0])) < 1e-9)!;
    expect(at.slice(1).map(Number)).toEqual([0, 0.5, 0, 0]);
    expect(summary['sigmoid(1)']).toBeCloseTo(0.7310585786, 9);
    expect(svgText(join(dir, 'activations.svg'))).toMatch(/>sigmoid</);
  });

  it("gradient-descent: the book's path from (-3, 4), and its divergence at lr 10", async () => {
    const { dir, summary } = await experiment('gradient-descent');
    const { header, rows } = readCsv(join(dir, 'gradient-descent.csv'));
    expect(header).toEqual(['step', 'x0', 'x1', 'f']);
    expect(rows).toHaveLength(21);
    expect(rows[0]!.slice(1, 3).map(Number)).toEqual([-3, 4]);
    expect(Number(rows[20]![3])).toBeLessThan(0.01);
    // The book's numbers for lr = 10 (gradient_method.py): [-2.58983747e+13, -1.29524862e+12].
    expect(summary['lr 10, 100 steps: x0']).toBeCloseTo(-2.58983747e13, -6);
    expect(summary['lr 10, 100 steps: x1']).toBeCloseTo(-1.29524862e12, -5);
  });

  it('optimizers: four paths on x²/20 + y² and four MNIST loss curves', async () => {
    const { dir, summary } = await experiment('optimizers', [
      ...mnist(),
      '--iters',
      '4',
      '--batch-size',
      '10',
      '--hidden',
      '12,12',
    ]);
    const paths = readCsv(join(dir, 'optimizer-paths.csv'));
    expect(paths.header).toEqual(['optimizer', 'step', 'x', 'y', 'f']);
    expect(new Set(paths.rows.map((r) => r[0]))).toEqual(new Set(['sgd', 'momentum', 'adagrad', 'adam']));
    expect(paths.rows).toHaveLength(4 * 31);
    // Every optimizer gets closer to the minimum (0, 0) than the start's f = 6.45.
    for (const name of ['sgd', 'momentum', 'adagrad', 'adam'])
      expect(summary[`${name} final f`]).toBeLessThan(1);
    const loss = readCsv(join(dir, 'optimizers-mnist.csv'));
    expect(loss.header).toEqual(['iteration', 'sgd', 'momentum', 'adagrad', 'adam']);
    expect(loss.rows).toHaveLength(4);
    expect(loss.rows.every((r) => r.slice(1).every((v) => Number(v) > 0))).toBe(true);
    expect(svgText(join(dir, 'optimizers-mnist.svg'))).toMatch(/>AdaGrad</);
  });

  it('weight-init: activation histograms per layer and MNIST loss per initialisation', async () => {
    const { dir, files } = await experiment('weight-init', [
      ...mnist(),
      '--iters',
      '3',
      '--hidden',
      '12',
      '--samples',
      '200',
    ]);
    expect(files).toContain('weight-init-histograms-relu.png');
    const h = readCsv(join(dir, 'weight-init-histograms.csv'));
    expect(h.header).toEqual(['activation', 'init', 'layer', 'bin_start', 'bin_end', 'count']);
    expect(h.rows).toHaveLength(2 * 4 * 5 * 30);
    // With std 1 and sigmoid, activations pile up at 0 and 1 (figure 6-10); with std 0.01, around 0.5 (figure 6-11).
    const counts = (init: string, bin: number): number =>
      Number(
        h.rows.find(
          (r) => r[0] === 'sigmoid' && r[1] === init && r[2] === '5' && Number(r[3]) === bin / 30,
        )![5],
      );
    expect(counts('std 1', 0) + counts('std 1', 29)).toBeGreaterThan(6000);
    expect(counts('std 0.01', 14) + counts('std 0.01', 15)).toBe(20_000);
    const m = readCsv(join(dir, 'weight-init-mnist.csv'));
    expect(m.header).toEqual(['iteration', 'std=0.01', 'Xavier', 'He']);
    expect(m.rows).toHaveLength(3);
  });

  it('batch-norm: train accuracy with and without BN per weight scale', async () => {
    const { dir, summary } = await experiment('batch-norm', [
      ...mnist(),
      '--scales',
      '2',
      '--epochs',
      '2',
      '--train-size',
      '100',
    ]);
    const { header, rows } = readCsv(join(dir, 'batch-norm.csv'));
    expect(header).toEqual(['weight_scale', 'epoch', 'train_acc_batchnorm', 'train_acc_plain']);
    expect(rows.map((r) => [Number(r[0]), Number(r[1])])).toEqual([
      [1, 0],
      [1, 1],
      [1e-4, 0],
      [1e-4, 1],
    ]);
    expect(summary.scales).toBe(2);
  });

  it('overfit, weight-decay, dropout: train and test accuracy per epoch', async () => {
    const sizes = [...mnist(), '--epochs', '3', '--train-size', '100', '--test-size', '40'];
    const o = await experiment('overfit', sizes);
    expect(readCsv(join(o.dir, 'overfit.csv')).header).toEqual([
      'epoch',
      'plain_train_acc',
      'plain_test_acc',
    ]);
    expect(readCsv(join(o.dir, 'overfit.csv')).rows).toHaveLength(3);
    const w = await experiment('weight-decay', [...sizes, '--lambda', '0.2']);
    expect(readCsv(join(w.dir, 'weight-decay.csv')).header).toEqual([
      'epoch',
      'no_decay_train_acc',
      'no_decay_test_acc',
      'decay_train_acc',
      'decay_test_acc',
    ]);
    expect(w.summary.lambda).toBe(0.2);
    const d = await experiment('dropout', sizes);
    expect(readCsv(join(d.dir, 'dropout.csv')).header).toEqual([
      'epoch',
      'no_dropout_train_acc',
      'no_dropout_test_acc',
      'dropout_train_acc',
      'dropout_test_acc',
    ]);
  });

  it('hyperparams: trials ranked by validation accuracy', async () => {
    const { dir, summary } = await experiment('hyperparams', [
      ...mnist(),
      '--trials',
      '3',
      '--epochs',
      '2',
      '--train-size',
      '100',
    ]);
    const { header, rows } = readCsv(join(dir, 'hyperparams.csv'));
    expect(header).toEqual(['rank', 'trial', 'lr', 'weight_decay', 'val_acc', 'train_acc']);
    expect(rows.map((r) => r[0])).toEqual(['1', '2', '3']);
    const val = rows.map((r) => Number(r[4]));
    expect(val).toEqual([...val].sort((a, b) => b - a));
    for (const r of rows) {
      expect(Number(r[2])).toBeGreaterThanOrEqual(1e-6);
      expect(Number(r[2])).toBeLessThan(1e-2);
    }
    expect(summary['best val acc']).toBe(val[0]);
  });

  it('lists the experiments, explains each, and rejects unknown ones', async () => {
    const list = await runDl(['experiment', '--help']);
    expect(list.code).toBe(0);
    for (const name of ['activations', 'optimizers', 'batch-norm', 'hyperparams'])
      expect(list.stdout).toContain(`  ${name} `);
    const one = await runDl(['experiment', 'optimizers', '--help']);
    expect(one.stdout).toMatch(/--iters X +MNIST iterations/);
    const bad = await runDl(['experiment', 'telepathy']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^dl: experiment: unknown experiment 'telepathy' \(known: activations/);
    const flag = await runDl(['experiment', 'activations', '--iters', '3']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--iters'/);
  });
});
