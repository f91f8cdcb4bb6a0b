import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pngSize, readCsv, svgText } from '../testing/files.js';
import { runDl, tempDir, writeTinyMnist, writeSmallConvSpec } from '../testing/fixtures.js';

// The experiments on trained networks (filters, misclassified, precision), end to end through the
// CLI on a tiny generated MNIST: a few steps, a hundred images.
let tmp: { path: string; cleanup: () => void };
let data: string;
let checkpoint: string;

beforeAll(async () => {
  tmp = tempDir();
  data = writeTinyMnist(join(tmp.path, 'data'), { train: 200, test: 60 });
  // A small convolutional network, trained by dl train from a spec, for --checkpoint.
  const spec = join(tmp.path, 'conv.json');
  writeSmallConvSpec(spec);
  const r = await runDl([
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
    '20',
    '--out',
    join(tmp.path, 'run'),
    '--json',
  ]);
  expect(r.code).toBe(0);
  checkpoint = join(tmp.path, 'run', 'last.safetensors');
});
afterAll(() => tmp.cleanup());

async function experiment(
  name: string,
  args: string[],
): Promise<{ dir: string; summary: Record<string, unknown>; files: string[] }> {
  const dir = join(tmp.path, `${name}-${args.includes('--checkpoint') ? 'ckpt' : 'trained'}`);
  const r = await runDl(['experiment', name, '--data', data, '--out', dir, '--json', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const out = JSON.parse(r.stdout) as { name: string; files: string[]; summary: Record<string, unknown> };
  expect(out.name).toBe(name);
  for (const f of out.files) {
    expect(existsSync(join(dir, f))).toBe(true);
    if (f.endsWith('.png')) expect(pngSize(join(dir, f)).width).toBeGreaterThan(100);
    if (f.endsWith('.svg')) svgText(join(dir, f));
  }
  return { dir, summary: out.summary, files: out.files };
}

const quick = ['--iters', '4', '--train-size', '100'];

describe('dl experiment filters', () => {
  it("writes SimpleConvNet's 30 first-layer filters before and after training: grid PNG/SVG and CSV", async () => {
    const { dir, files, summary } = await experiment('filters', [...quick, '--test-size', '40']);
    expect(files).toEqual([
      'filters.csv',
      'filters.svg',
      'filters.png',
      'filters-before.png',
      'filters-after.png',
    ]);
    const { header, rows } = readCsv(join(dir, 'filters.csv'));
    expect(header).toEqual(['stage', 'filter', 'channel', 'row', 'col', 'weight']);
    expect(rows).toHaveLength(2 * 30 * 25);
    // Training moved the weights: the same entry differs before and after.
    const before = rows.filter((r) => r[0] === 'before').map((r) => Number(r[5]));
    const after = rows.filter((r) => r[0] === 'after').map((r) => Number(r[5]));
    expect(before.some((w, i) => w !== after[i])).toBe(true);
    // 8 filters per row, 4 rows of 5×5 tiles, 8 pixels per weight, 2 between tiles.
    expect(pngSize(join(dir, 'filters-after.png'))).toEqual({
      width: 8 * 40 + 9 * 2,
      height: 4 * 40 + 5 * 2,
    });
    expect(summary).toMatchObject({ filters: 30, steps: 4, 'train images': 100, 'test images': 40 });
    expect(svgText(join(dir, 'filters.svg'))).toMatch(/after 4 steps/);
    // Deterministic: the same seed gives the same filters.
    const again = await runDl([
      'experiment',
      'filters',
      '--data',
      data,
      '--out',
      join(tmp.path, 'f2'),
      '--json',
      ...quick,
      '--test-size',
      '40',
    ]);
    expect(again.code).toBe(0);
    expect(readCsv(join(tmp.path, 'f2', 'filters.csv')).rows).toEqual(rows);
  });
});

describe('dl experiment misclassified', () => {
  it('trains a small SimpleConvNet when given no checkpoint and lists its errors', async () => {
    const { dir, summary } = await experiment('misclassified', [...quick, '--show', '12']);
    const { header, rows } = readCsv(join(dir, 'misclassified.csv'));
    expect(header).toEqual(['index', 'label', 'prediction', 'probability', 'label_probability']);
    expect(summary.errors).toBe(rows.length);
    expect(summary['test images']).toBe(60);
    expect(summary.accuracy).toBeCloseTo(1 - rows.length / 60, 12);
    expect(summary.shown).toBe(Math.min(12, rows.length));
    for (const r of rows) {
      expect(r[1]).not.toBe(r[2]);
      expect(Number(r[3])).toBeGreaterThanOrEqual(Number(r[4]));
    }
  });

  it('--checkpoint: the errors of a saved model, as a grid of digits with label>guess captions', async () => {
    const { dir, summary, files } = await experiment('misclassified', ['--checkpoint', checkpoint]);
    expect(String(summary.model)).toContain(checkpoint);
    const { rows } = readCsv(join(dir, 'misclassified.csv'));
    // dl eval agrees on how many it gets wrong.
    const e = await runDl(['eval', '--checkpoint', checkpoint, '--data', data, '--json']);
    const accuracy = (JSON.parse(e.stdout) as { accuracy: number }).accuracy;
    expect(rows.length).toBe(Math.round((1 - accuracy) * 60));
    if (rows.length > 0) {
      expect(files).toContain('misclassified.png');
      const svg = svgText(join(dir, 'misclassified.svg'));
      expect(svg).toContain(`>${rows[0]![1]}&gt;${rows[0]![2]} `);
    }
  });

  it('one-line errors for a missing checkpoint and for training flags with --checkpoint', async () => {
    const missing = await runDl([
      'experiment',
      'misclassified',
      '--data',
      data,
      '--checkpoint',
      join(tmp.path, 'nope.safetensors'),
      '--out',
      join(tmp.path, 'x'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^dl: cannot read the checkpoint .*nope\.safetensors: no such file or directory \(ENOENT\)\n$/,
    );
    const both = await runDl([
      'experiment',
      'precision',
      '--data',
      data,
      '--checkpoint',
      checkpoint,
      '--iters',
      '3',
      '--out',
      join(tmp.path, 'x'),
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe(
      'dl: --iters set how the model is trained; with --checkpoint nothing is trained\n',
    );
  });
});

describe('dl experiment precision', () => {
  it('accuracy with the weights in float32, float16 and bfloat16: CSV and bar chart', async () => {
    const { dir, summary } = await experiment('precision', ['--checkpoint', checkpoint]);
    const { header, rows } = readCsv(join(dir, 'precision.csv'));
    expect(header).toEqual([
      'precision',
      'bits',
      'mantissa_bits',
      'accuracy',
      'errors',
      'changed_vs_float32',
    ]);
    expect(rows.map((r) => r[0])).toEqual(['float32', 'float16', 'bfloat16']);
    expect(rows[0]![5]).toBe('0');
    expect(summary['test images']).toBe(60);
    for (const r of rows) {
      expect(Number(r[3])).toBe(summary[`${r[0]} acc`]);
      expect(Number(r[4])).toBe(Math.round((1 - Number(r[3])) * 60));
      // dl eval --precision rounds the weights the same way.
      const e = await runDl([
        'eval',
        '--checkpoint',
        checkpoint,
        '--data',
        data,
        '--precision',
        r[0]!,
        '--json',
      ]);
      expect(Number(r[3])).toBeCloseTo((JSON.parse(e.stdout) as { accuracy: number }).accuracy, 12);
    }
    expect(svgText(join(dir, 'precision.svg'))).toMatch(/>bfloat16 [\d.]+%</);
    const few = await experiment('precision', ['--checkpoint', checkpoint, '--test-size', '25']);
    expect(few.summary['test images']).toBe(25);
  });

  it('trains a small SimpleConvNet when given no checkpoint', async () => {
    const { summary } = await experiment('precision', [...quick, '--test-size', '30']);
    expect(summary.model).toBe('SimpleConvNet trained 4 steps on 100 images (seed 0)');
    for (const p of ['float32', 'float16', 'bfloat16']) expect(summary[`${p} acc`]).toBeGreaterThanOrEqual(0);
  });
});
