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

  it('rejects models it cannot check and bad flags', async () => {
    const conv = await runDl(['gradcheck', '--model', 'deep-conv-net']);
    expect(conv.code).toBe(2);
    expect(conv.stderr).toMatch(
      /--model must be one of two-layer-net, multi-layer-net, multi-layer-net-extend/,
    );
    const bn = await runDl(['gradcheck', '--batch-norm']);
    expect(bn.code).toBe(2);
  });
});
