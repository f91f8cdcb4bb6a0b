import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDl, tempDir, writeTinyMnist } from '../testing/fixtures.js';

let tmp: { path: string; cleanup: () => void };
let data: string;

beforeAll(() => {
  tmp = tempDir();
  data = writeTinyMnist(join(tmp.path, 'data'), { train: 20, test: 10 });
});
afterAll(() => tmp.cleanup());

describe('dl gradcheck', () => {
  it('prints a table per parameter and passes for a correct backprop', async () => {
    const r = await runDl(['gradcheck', '--data', data, '--hidden', '6', '--batch', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^gradient check: two-layer-net 784-6-10, float64, 2 images, h = 1e-4/);
    expect(r.stdout).toMatch(/^param +shape +mean \|Δ\| +max \|Δ\| +max rel$/m);
    for (const [name, shape] of [
      ['W1', '784x6'],
      ['b1', '6'],
      ['W2', '6x10'],
      ['b2', '10'],
    ]) {
      expect(r.stdout).toMatch(
        new RegExp(`^${name} +${shape} +[\\d.e+-]+ +[\\d.e+-]+ +[\\d.e+-]+ +ok$`, 'm'),
      );
    }
    expect(r.stdout).toMatch(/all parameters within relative error 0\.00001/);
  });

  it('checks BatchNorm, Dropout and weight decay; zero gradients (biases before BatchNorm) pass as zero', async () => {
    const r = await runDl([
      'gradcheck',
      '--data',
      data,
      '--model',
      'multi-layer-net-extend',
      '--hidden',
      '5,4',
      '--batch-norm',
      '--dropout',
      '0.3',
      '--weight-decay',
      '0.1',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; params: { name: string }[] };
    expect(report.ok).toBe(true);
    expect(report.params.map((p) => p.name)).toEqual([
      'W1',
      'b1',
      'gamma1',
      'beta1',
      'W2',
      'b2',
      'gamma2',
      'beta2',
      'W3',
      'b3',
    ]);
  });

  it('checks the convolutional networks on sampled entries of each parameter, in seconds', async () => {
    const expected: Record<string, string[]> = {
      'simple-conv-net': ['W1', 'b1', 'W2', 'b2', 'W3', 'b3'],
      'deep-conv-net': Array.from({ length: 8 }, (_, k) => [`W${k + 1}`, `b${k + 1}`]).flat(),
      lenet: Array.from({ length: 5 }, (_, k) => [`W${k + 1}`, `b${k + 1}`]).flat(),
    };
    for (const [model, names] of Object.entries(expected)) {
      const r = await runDl(['gradcheck', '--model', model, '--samples', '8', '--batch', '2', '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as {
        ok: boolean;
        samples: number;
        seconds: number;
        params: { name: string; size: number; maxRelError: number }[];
      };
      expect(report.ok).toBe(true);
      expect(report.samples).toBe(8);
      expect(report.params.map((p) => p.name)).toEqual(names);
      // At most 8 entries of each (all of a smaller one).
      for (const p of report.params) expect(p.size).toBeLessThanOrEqual(8);
      expect(report.seconds).toBeGreaterThan(0);
    }
    const table = await runDl(['gradcheck', '--model', 'simple-conv-net']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^gradient check: simple-conv-net 1x10x10, hidden 6, float64, 3 random images, h = 1e-4, 30 sampled entries per parameter \(seed 0\)/,
    );
    expect(table.stdout).toMatch(/^W1 +3x1x3x3 +[\d.e+-]+ +[\d.e+-]+ +[\d.e+-]+ +ok$/m);
    expect(table.stdout).toMatch(/^W2 +48x6 +[\d.e+-]+ +[\d.e+-]+ +[\d.e+-]+ +ok$/m);
    expect(table.stdout).toMatch(/all parameters within relative error 0\.00001/);
  });

  it('shows progress on stderr: a line per tenth on a log, one redrawn line on a terminal', async () => {
    const args = ['gradcheck', '--data', data, '--hidden', '6', '--batch', '2', '--json'];
    // 784·6 + 6 + 6·10 + 10 entries, two loss evaluations each.
    const total = 2 * (784 * 6 + 6 + 6 * 10 + 10);
    const log = await runDl(args);
    expect(log.code).toBe(0);
    expect(JSON.parse(log.stdout)).toMatchObject({ ok: true });
    const lines = log.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(10);
    lines.forEach((line, k) =>
      expect(line).toMatch(
        new RegExp(`^gradcheck: ${(k + 1) * 10}% \\((W1|b1|W2|b2), \\d+ of ${total} loss evaluations\\)$`),
      ),
    );
    expect(lines.at(-1)).toBe(`gradcheck: 100% (b2, ${total} of ${total} loss evaluations)`);
    const tty = await runDl(args, { errorIsTTY: true });
    expect(tty.code).toBe(0);
    const seconds = (JSON.parse(tty.stdout) as { seconds: number }).seconds;
    expect(tty.stdout).toBe(log.stdout.replace(/"seconds":[^,]+,/, `"seconds":${seconds},`));
    const redraws = tty.stderr.split('\r').filter((l) => l !== '');
    expect(redraws[0]).toBe(`gradcheck: 0% (W1, 1 of ${total} loss evaluations)\u001b[K`);
    expect(redraws).toContain(`gradcheck: 100% (b2, ${total} of ${total} loss evaluations)\u001b[K`);
    expect(tty.stderr.endsWith('\r\u001b[K')).toBe(true);
    // A small check on a log prints nothing (the sampled conv checks above, too).
    const small = await runDl(['gradcheck', '--data', data, '--hidden', '4', '--samples', '5', '--json']);
    expect(small.stderr).toBe('');
  });

  it('--samples is seeded: the same seed checks the same entries, another seed others', async () => {
    const run = async (seed: string): Promise<number[]> => {
      const r = await runDl([
        'gradcheck',
        '--data',
        data,
        '--hidden',
        '4',
        '--samples',
        '5',
        '--seed',
        seed,
        '--json',
      ]);
      expect(r.code).toBe(0);
      return (JSON.parse(r.stdout) as { params: { maxAbsError: number }[] }).params.map((p) => p.maxAbsError);
    };
    const a = await run('1');
    expect(await run('1')).toEqual(a);
    expect(await run('2')).not.toEqual(a);
  });

  it('rejects bad flags', async () => {
    const bn = await runDl(['gradcheck', '--batch-norm']);
    expect(bn.code).toBe(2);
    const unknown = await runDl(['gradcheck', '--model', 'resnet']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /--model must be one of two-layer-net, .*, simple-conv-net, deep-conv-net, lenet/,
    );
    const data = await runDl(['gradcheck', '--model', 'lenet', '--data', 'x']);
    expect(data.stderr).toBe('dl: --model lenet is checked on small random images; --data does not apply\n');
    const hidden = await runDl(['gradcheck', '--model', 'lenet', '--hidden', '4']);
    expect(hidden.code).toBe(2);
    const samples = await runDl(['gradcheck', '--model', 'lenet', '--samples', '0']);
    expect(samples.stderr).toBe("dl: --samples must be a positive integer, got '0'\n");
  });
});
