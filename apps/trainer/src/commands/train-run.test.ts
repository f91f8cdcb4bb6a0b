import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_DEFAULTS, MODEL_NAMES } from '../models.js';
import { readCheckpoint } from '../run/checkpoint.js';
import { readJsonLines, svgText } from '../testing/files.js';
import { runDl, tempDir, writeTinyMnist } from '../testing/fixtures.js';

let tmp: { path: string; cleanup: () => void };
let data: string;
const out = (name: string): string => join(tmp.path, name);
// 200 training images in batches of 20: 10 steps per epoch.
const small = (): string[] => ['--data', data, '--batch-size', '20', '--lr', '0.5'];
const json = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const lastLine = (stdout: string): Record<string, unknown> =>
  JSON.parse(stdout.trimEnd().split('\n').at(-1)!) as Record<string, unknown>;

beforeAll(() => {
  tmp = tempDir();
  data = writeTinyMnist(join(tmp.path, 'data'));
});
afterAll(() => tmp.cleanup());

describe('best.safetensors: chosen over every evaluation, the last step included', () => {
  it('a run shorter than an epoch evaluates at its last step, and best is the best evaluation', async () => {
    const dir = out('short');
    // Evaluations: after step 1 (the book's first of each epoch), then at the last step.
    const r = await runDl(['train', ...small(), '--iters', '8', '--eval-samples', '60', '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    const metrics = readJsonLines(join(dir, 'metrics.jsonl'));
    const evals = metrics.filter((m) => m.type === 'epoch' || m.type === 'eval');
    expect(evals.map((m) => [m.type, m.step])).toEqual([
      ['epoch', 1],
      ['eval', 8],
    ]);
    const run = json(join(dir, 'run.json')) as { best: { step: number; testAcc: number } };
    expect(metrics.find((m) => m.type === 'eval')).toMatchObject({ images: 60, epoch: 1 });
    const top = Math.max(...evals.map((m) => m.testAcc as number));
    const winner = evals.find((m) => m.testAcc === top)!;
    expect(run.best).toMatchObject({ step: winner.step, testAcc: top });
    expect(r.stdout).toContain(`; best.safetensors: step ${run.best.step} (${(100 * top).toFixed(2)}%)`);
    expect(r.stdout).toMatch(/^step 8: train acc [\d.]+% +test acc [\d.]+% \(60 images\); best/m);
    const best = readCheckpoint(join(dir, 'best.safetensors'));
    expect(best.info).toMatchObject({ step: winner.step, testAcc: top });
    // The last checkpoint holds the last evaluation too.
    const last = readCheckpoint(join(dir, 'last.safetensors'));
    expect(last.info).toMatchObject({ step: 8, testAcc: evals.at(-1)!.testAcc });
    // The plot: the x axis is the step (0 to the run's 8), the last evaluation one of its points.
    const svg = svgText(join(dir, 'accuracy.svg'));
    expect(svg).toMatch(/>iteration</);
    expect(svg).toMatch(/>8</);
  });

  it('with every test image evaluated, dl eval of best gives the accuracy best was chosen by', async () => {
    const dir = out('like-with-like');
    const r = await runDl(['train', ...small(), '--iters', '25', '--out', dir, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const run = json(join(dir, 'run.json')) as { best: { testAcc: number }; data: { test: number } };
    const evals = readJsonLines(join(dir, 'metrics.jsonl')).filter((m) => m.type === 'eval');
    expect(evals).toHaveLength(1);
    expect(evals[0]).toMatchObject({ step: 25, images: run.data.test });
    const e = await runDl(['eval', '--checkpoint', join(dir, 'best.safetensors'), '--data', data, '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect((JSON.parse(e.stdout) as { accuracy: number }).accuracy).toBe(run.best.testAcc);
  });

  it('--resume drops the last evaluation of the part before: the log reads as one run', async () => {
    const dir = out('resumed');
    expect((await runDl(['train', ...small(), '--iters', '15', '--out', dir, '--json'])).code).toBe(0);
    expect((await runDl(['train', '--resume', dir, '--iters', '27', '--json'])).code).toBe(0);
    const metrics = readJsonLines(join(dir, 'metrics.jsonl'));
    expect(metrics.filter((m) => m.type === 'eval').map((m) => m.step)).toEqual([27]);
    expect(metrics.filter((m) => m.type === 'end').map((m) => m.step)).toEqual([27]);
  });
});

describe('--eval-samples: what each evaluation used, said', () => {
  it('the epoch line prints how many test images it evaluated', async () => {
    const r = await runDl(['train', ...small(), '--iters', '12', '--eval-samples', '40', '--out', out('n')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^epoch +1 +step +1 +loss [\d.]+ +train acc [\d.]+% +test acc [\d.]+% \(40 images\)/m,
    );
    // More than the test set: the whole test set.
    const all = await runDl([
      'train',
      ...small(),
      '--iters',
      '2',
      '--eval-samples',
      '5000',
      '--out',
      out('all'),
    ]);
    const test = (json(join(out('all'), 'run.json')) as { data: { test: number } }).data.test;
    expect(all.stdout).toContain(`(${test} images)`);
  });

  it("the help states each model's default", async () => {
    const r = await runDl(['train', '--help']);
    const help = r.stdout.replace(/\s+/g, ' ');
    for (const name of MODEL_NAMES) {
      const n = MODEL_DEFAULTS[name].evalSamples;
      expect(help).toMatch(
        new RegExp(`--eval-samples N .*${n === undefined ? 'all' : n} for [a-z-, ]*${name}`),
      );
    }
    expect(help).not.toMatch(/--eval-samples N [^\n]*\(default all\)/);
  });
});

describe('how a run ends: interrupted, diverged', () => {
  it('Ctrl-C: the summary measures the whole test set where it stopped (no NaN loss)', async () => {
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), 300);
    const r = await runDl(['train', ...small(), '--iters', '100000', '--out', out('ctrl-c'), '--json'], {
      interrupt: stop.signal,
    });
    clearTimeout(timer);
    expect(r.code).toBe(130);
    const summary = lastLine(r.stdout);
    expect(summary).toMatchObject({ type: 'summary', aborted: true, status: 'interrupted' });
    expect(Number.isFinite(summary.testLoss)).toBe(true);
    expect(Number.isFinite(summary.testAcc)).toBe(true);
    const end = readJsonLines(join(out('ctrl-c'), 'metrics.jsonl')).at(-1)!;
    expect(end).toMatchObject({ type: 'end', status: 'interrupted', step: summary.steps });
    expect(end.testLoss).toBe(summary.testLoss);
  });

  it('a NaN loss prints the --json summary the help promises, and exits 3', async () => {
    const r = await runDl([
      'train',
      ...small(),
      '--lr',
      '1e30',
      '--iters',
      '50',
      '--out',
      out('nan'),
      '--json',
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/loss became (NaN|Infinity) at step \d+/);
    const summary = lastLine(r.stdout);
    expect(summary).toMatchObject({ type: 'summary', status: 'diverged', aborted: false });
    const run = json(join(out('nan'), 'run.json')) as { status: string; step: number };
    expect(run.status).toBe('diverged');
    expect(summary.steps).toBe(run.step);
  });
});

describe('pnpm dl train: Ctrl-C, then the SIGTERM pnpm sends', () => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

  it(
    'SIGINT then SIGTERM within 50 ms: the interrupt checkpoint, the end record, the hint, exit 130',
    { timeout: 300_000 },
    async () => {
      const dir = out('pnpm');
      // Its own process group, as a terminal's foreground job: the signals reach pnpm and dl alike.
      const child = spawn(
        'pnpm',
        ['dl', 'train', '--data', data, '--batch-size', '20', '--iters', '1000000', '--out', dir],
        { cwd: root, detached: true, env: { ...process.env, FORCE_COLOR: '0' } },
      );
      let stdout = '';
      let stderr = '';
      let sent = false;
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString();
        if (sent || !/^epoch +3 /m.test(stdout)) return;
        sent = true;
        process.kill(-child.pid!, 'SIGINT');
        setTimeout(() => process.kill(-child.pid!, 'SIGTERM'), 20);
      });
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const guard = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 280_000);
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) =>
        child.on('close', (c, s) => done([c, s])),
      );
      clearTimeout(guard);
      expect(sent, stderr).toBe(true);
      // pnpm ends as its child did: exit 130, or (as a shell does) by the SIGINT itself, which a shell reports as 130.
      expect(code === 130 || signal === 'SIGINT', `code ${code}, signal ${signal}\n${stderr}`).toBe(true);
      expect(stderr).toMatch(/SIGINT: stopping after this step/);
      expect(stderr).not.toMatch(/exiting without waiting/);
      expect(stdout).toMatch(/^stopped after \d+ steps$/m);
      expect(stdout).toMatch(/^test accuracy: [\d.]+% +test loss: [\d.]+ /m);
      expect(stdout).toContain(`checkpoint written; continue with: dl train --resume ${dir}`);
      const run = json(join(dir, 'run.json')) as { status: string; step: number };
      expect(run.status).toBe('interrupted');
      expect(readCheckpoint(join(dir, 'last.safetensors')).info!.step).toBe(run.step);
      expect(readJsonLines(join(dir, 'metrics.jsonl')).at(-1)).toMatchObject({
        type: 'end',
        status: 'interrupted',
        step: run.step,
      });
    },
  );
});

describe('stale temporary files of a process killed mid-write', () => {
  it('--resume removes them', async () => {
    const dir = out('stale');
    expect((await runDl(['train', ...small(), '--iters', '4', '--out', dir, '--json'])).code).toBe(0);
    // What `kill -9` during a checkpoint write leaves: a pid that runs no process (above any pid_max).
    const dead = 2 ** 30 + 11;
    const stale = [
      `last.safetensors.${dead}.tmp`,
      `.last.safetensors.${dead}.5e1f0a.tmp`,
      `.best.safetensors.${dead}.77aa01.tmp`,
    ];
    for (const name of stale) writeFileSync(join(dir, name), 'half a checkpoint');
    expect((await runDl(['train', '--resume', dir, '--iters', '6', '--json'])).code).toBe(0);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('refused before the run starts: exit 2, no run directory left', () => {
  const expectUsage = (r: { code: number; stderr: string }, message: RegExp): void => {
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd()).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  };

  it('--batch-size larger than the training set', async () => {
    const r = await runDl(['train', '--data', data, '--batch-size', '1000000000', '--out', out('huge')]);
    expectUsage(
      r,
      /^dl: --batch-size 1000000000: a batch is at most the training set, and .* has 200 training images$/m,
    );
    expect(existsSync(out('huge'))).toBe(false);
    const cut = await runDl([
      'train',
      '--data',
      data,
      '--train-size',
      '30',
      '--batch-size',
      '40',
      '--out',
      out('cut'),
    ]);
    expectUsage(cut, /--batch-size 40: .* has 30 training images \(--train-size\)/);
    expect(existsSync(out('cut'))).toBe(false);
  });

  it('a misspelled model or optimizer: the closest name', async () => {
    expectUsage(
      await runDl(['train', '--model', 'simple-convnet', '--out', out('typo')]),
      /--model must be one of .*, got 'simple-convnet' \(did you mean simple-conv-net\?\)$/,
    );
    expectUsage(await runDl(['train', '--model', 'SimpleConvNet']), /\(did you mean simple-conv-net\?\)$/);
    expectUsage(await runDl(['train', '--optimizer', 'adamm']), /got 'adamm' \(did you mean adam\?\)$/);
    expectUsage(await runDl(['train', '--optimizer', 'rmsprob']), /\(did you mean rmsprop\?\)$/);
    // Nothing close: no guess.
    expectUsage(await runDl(['train', '--model', 'resnet']), /got 'resnet'$/);
    expect(existsSync(out('typo'))).toBe(false);
  });
});
