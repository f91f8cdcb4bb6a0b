import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCheckpoint } from '../run/checkpoint.js';
import { readJsonLines } from '../testing/files.js';
import { runDl, tempDir, writeTinyMnist } from '../testing/fixtures.js';

let tmp: { path: string; cleanup: () => void };
let data: string;
const out = (name: string): string => join(tmp.path, name);

beforeAll(() => {
  tmp = tempDir();
  data = writeTinyMnist(join(tmp.path, 'data'));
});
afterAll(() => tmp.cleanup());

/** Every parameter and buffer of a checkpoint, as plain arrays. */
function weights(file: string): Record<string, number[]> {
  const { network } = readCheckpoint(file);
  return Object.fromEntries([
    ...network.params().map((p): [string, number[]] => [p.name, Array.from(p.value.data)]),
    ...network.buffers().map((b): [string, number[]] => [b.name, Array.from(b.value.data)]),
  ]);
}

describe('dl train checkpoints and --resume', () => {
  // BatchNorm (running statistics), Dropout (masks from the RNG), Adam (slots and t), shuffled batches
  // (the sampler's permutation): everything a resumed run must restore.
  const everything = (): string[] => [
    '--data',
    data,
    '--model',
    'multi-layer-net-extend',
    '--hidden',
    '16,16',
    '--dropout',
    '0.2',
    '--optimizer',
    'adam',
    '--lr',
    '0.01',
    '--batch-size',
    '16',
    '--sampling',
    'shuffle',
    '--seed',
    '3',
  ];

  it('150 steps then --resume to 300 equals 300 in one go, bit for bit (here 15 then 37)', async () => {
    const a = out('resume-a');
    const b = out('resume-b');
    expect((await runDl(['train', ...everything(), '--iters', '15', '--out', a, '--json'])).code).toBe(0);
    const resumed = await runDl(['train', '--resume', a, '--iters', '37', '--json']);
    expect(resumed.code).toBe(0);
    expect((await runDl(['train', ...everything(), '--iters', '37', '--out', b, '--json'])).code).toBe(0);
    expect(weights(join(a, 'last.safetensors'))).toEqual(weights(join(b, 'last.safetensors')));
    // The whole file too: optimizer slots, RNG, progress and settings.
    expect(readFileSync(join(a, 'last.safetensors')).equals(readFileSync(join(b, 'last.safetensors')))).toBe(
      true,
    );
    const summaryA = JSON.parse(resumed.stdout.trimEnd().split('\n').at(-1)!) as {
      testAcc: number;
      steps: number;
    };
    const summaryB = JSON.parse(readFileSync(join(b, 'run.json'), 'utf8')) as {
      result: { testAcc: number; steps: number };
    };
    expect(summaryA.steps).toBe(37);
    expect(summaryA.testAcc).toBe(summaryB.result.testAcc);
    // The metrics log reads as one run: steps 10, 20, 30 once each.
    const steps = readJsonLines(join(a, 'metrics.jsonl'))
      .filter((m) => m.type === 'step')
      .map((m) => m.step);
    expect(steps).toEqual([10, 20, 30]);
    const run = JSON.parse(readFileSync(join(a, 'run.json'), 'utf8')) as {
      status: string;
      resumed: { fromStep: number }[];
    };
    expect(run.status).toBe('completed');
    expect(run.resumed.map((r) => r.fromStep)).toEqual([15]);
  });

  it('keeps last and best checkpoints with weights, optimizer state, RNG state and the step', async () => {
    const dir = out('ckpt');
    expect((await runDl(['train', ...everything(), '--iters', '25', '--out', dir, '--json'])).code).toBe(0);
    const last = readCheckpoint(join(dir, 'last.safetensors'));
    expect(last.info).toMatchObject({ step: 25, epoch: 2 }); // evaluations after steps 1 and 14
    expect(last.optimizer?.kind).toBe('adam');
    expect(last.optimizer?.getState().iter).toBe(25);
    expect(last.info!.trainer.rng.algorithm).toBe('xoshiro128**');
    const best = readCheckpoint(join(dir, 'best.safetensors'));
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as {
      best: { step: number; testAcc: number };
    };
    expect(best.info!.step).toBe(run.best.step);
    expect(best.info!.testAcc).toBe(run.best.testAcc);
  });

  it('an interrupted run writes a checkpoint, exits 130, and resumes to the same end', async () => {
    const dir = out('interrupted');
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 400);
    const r = await runDl(['train', ...everything(), '--iters', '5000', '--out', dir], {
      interrupt: stop.signal,
    });
    clearTimeout(timer);
    expect(r.code).toBe(130);
    expect(r.stdout).toMatch(/stopped after \d+ steps/);
    expect(r.stdout).toContain(`dl train --resume ${dir}`);
    const at = readCheckpoint(join(dir, 'last.safetensors')).info!.step;
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(5000);
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { status: string; step: number };
    expect(run).toMatchObject({ status: 'interrupted', step: at });
    const target = String(at + 7);
    expect((await runDl(['train', '--resume', dir, '--iters', target, '--json'])).code).toBe(0);
    const whole = out('uninterrupted');
    expect((await runDl(['train', ...everything(), '--iters', target, '--out', whole, '--json'])).code).toBe(
      0,
    );
    expect(weights(join(dir, 'last.safetensors'))).toEqual(weights(join(whole, 'last.safetensors')));
  });

  it('keeps the last good checkpoint when the loss becomes NaN', async () => {
    const dir = out('diverge');
    const r = await runDl([
      'train',
      '--data',
      data,
      '--batch-size',
      '20',
      '--lr',
      '1e30',
      '--iters',
      '50',
      '--out',
      dir,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`the last good checkpoint is ${join(dir, 'last.safetensors')}`);
    const w = weights(join(dir, 'last.safetensors'));
    expect(Object.values(w).flat().every(Number.isFinite)).toBe(true);
  });

  it('refuses to resume with other settings, past the end, or from another model', async () => {
    const dir = out('refuse');
    expect(
      (await runDl(['train', '--data', data, '--batch-size', '20', '--iters', '12', '--out', dir, '--json']))
        .code,
    ).toBe(0);
    const changed = await runDl(['train', '--resume', dir, '--lr', '0.3']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/--resume continues a run with its saved settings; --lr cannot change/);
    const done = await runDl(['train', '--resume', dir]);
    expect(done.code).toBe(2);
    expect(done.stderr).toMatch(/already at step 12 of 12; give --iters or --epochs beyond it/);
    const other = out('other-model');
    await runDl([
      'train',
      '--data',
      data,
      '--model',
      'multi-layer-net',
      '--hidden',
      '8',
      '--iters',
      '3',
      '--out',
      other,
      '--json',
    ]);
    copyFileSync(join(other, 'last.safetensors'), join(dir, 'last.safetensors'));
    const mixed = await runDl(['train', '--resume', dir, '--iters', '20']);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toMatch(
      /last\.safetensors holds a multi-layer-net 784-8-10, but the run's settings make a two-layer-net 784-50-10/,
    );
    const none = await runDl(['train', '--resume', out('no-such-run')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/is not a run directory of dl train/);
  });

  it('names a truncated checkpoint or a file that is not safetensors', async () => {
    const dir = out('corrupt');
    await runDl(['train', '--data', data, '--batch-size', '20', '--iters', '5', '--out', dir, '--json']);
    const bytes = readFileSync(join(dir, 'last.safetensors'));
    const truncated = out('truncated.safetensors');
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 1000));
    const t = await runDl(['eval', '--checkpoint', truncated, '--data', data]);
    expect(t.code).toBe(1);
    expect(t.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(t.stderr).toContain('truncated.safetensors');
    const text = out('notes.txt');
    writeFileSync(text, 'these are not weights');
    const n = await runDl(['eval', '--checkpoint', text, '--data', data]);
    expect(n.code).toBe(1);
    expect(n.stderr).toMatch(/notes\.txt/);
    expect(n.stderr).not.toMatch(/\n\s+at /);
    const missing = await runDl(['eval', '--checkpoint', out('nothing.safetensors')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/nothing\.safetensors: no such file/);
    expect(existsSync(join(dir, 'best.safetensors'))).toBe(true);
  });
});
