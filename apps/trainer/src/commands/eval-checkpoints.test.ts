import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_FILE_NAMES, writeIdx } from '@dl/data-mnist';
import { buildModel, saveModel } from '@dl/layers';
import { saveModelFile } from '@dl/layers/node';
import { readCheckpoint } from '../run/checkpoint.js';
import { encodePng } from '../image/png-encode.js';
import { runDl, tempDir, writeTinyMnist } from '../testing/fixtures.js';

// What `dl eval` and `dl predict` accept as `--checkpoint` and what they refuse.

let tmp: { path: string; cleanup: () => void };
let data: string;
let run: string;
const out = (name: string): string => join(tmp.path, name);

beforeAll(async () => {
  tmp = tempDir();
  data = writeTinyMnist(join(tmp.path, 'data'));
  run = out('run');
  const r = await runDl(
    ['train', '--data', data, '--batch-size', '20', '--lr', '0.5', '--iters', '40'].concat([
      '--out',
      run,
      '--json',
    ]),
  );
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => tmp.cleanup());

type EvalJson = { checkpoint: string; accuracy: number; loss: number; samples: number };
const evalJson = async (...argv: string[]): Promise<EvalJson> => {
  const r = await runDl(['eval', ...argv, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as EvalJson;
};

/** A PNG of test digit-like pixels: a bright 5×5 patch on black, as the tiny data set's class 0. */
function digitPng(file: string): string {
  const pixels = new Uint8Array(784);
  for (let y = 2; y < 7; y++) pixels.fill(230, y * 28 + 2, y * 28 + 7);
  writeFileSync(file, encodePng({ width: 28, height: 28, channels: 1, data: pixels }));
  return file;
}

describe('float64 models', () => {
  it('are evaluated and predicted in float64, as saveModelFile wrote them', async () => {
    const { network, spec } = readCheckpoint(join(run, 'best.safetensors'));
    const wide = buildModel(spec, { dtype: 'float64' });
    const own = new Map(network.params().map((p) => [p.name, p.value]));
    for (const p of wide.params()) p.value.data.set(own.get(p.name)!.data);
    const file = out('float64.safetensors');
    await saveModelFile(file, wide, spec);

    const narrow = await evalJson('--checkpoint', join(run, 'best.safetensors'), '--data', data);
    const e = await evalJson('--checkpoint', file, '--data', data);
    expect(e.samples).toBe(narrow.samples);
    // The same weights computed in float64: at most a near tie may go the other way.
    expect(Math.abs(e.accuracy - narrow.accuracy)).toBeLessThanOrEqual(1 / e.samples);
    expect(e.loss).toBeCloseTo(narrow.loss, 4);
    // Without --precision the weights are used as stored, not rounded to float32.
    expect(
      (
        JSON.parse((await runDl(['eval', '--checkpoint', file, '--data', data, '--json'])).stdout) as {
          precision: string;
        }
      ).precision,
    ).toBe('float64');
    const text = await runDl(['eval', '--checkpoint', file, '--data', data]);
    expect(text.stdout).toContain('two-layer-net 784-50-10, weights in float64');

    const png = digitPng(out('digit.png'));
    const p = await runDl(['predict', '--checkpoint', file, png, '--json']);
    expect(p.code, p.stderr).toBe(0);
    const q = await runDl(['predict', '--checkpoint', join(run, 'best.safetensors'), png, '--json']);
    const cls = (s: string): number => (JSON.parse(s) as { class: number }).class;
    expect(cls(p.stdout)).toBe(cls(q.stdout));

    // The experiments that study a checkpoint give it its own dtype too.
    const m = await runDl(
      ['experiment', 'misclassified', '--checkpoint', file, '--data', data, '--test-size', '20'].concat([
        '--out',
        out('misclassified-f64'),
        '--json',
      ]),
    );
    expect(m.code, m.stderr).toBe(0);
  });
});

describe('checkpoints with non-finite weights', () => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY])(
    'are refused, naming the first such tensor (%s)',
    async (bad) => {
      const { network, spec } = readCheckpoint(join(run, 'last.safetensors'));
      network.param('W2').value.data[3] = bad;
      const file = out(`bad-${String(bad)}.safetensors`);
      writeFileSync(file, saveModel(network, spec));
      for (const argv of [
        ['eval', '--checkpoint', file, '--data', data],
        ['predict', '--checkpoint', file, digitPng(out('d.png'))],
      ]) {
        const r = await runDl(argv);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe('');
        expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(r.stderr).toContain(`${file}: tensor W2 [50,10] holds ${bad} at index 3`);
      }
    },
  );
});

describe('--checkpoint given a run directory', () => {
  it('uses the run’s best checkpoint, in dl eval and dl predict', async () => {
    const fromDir = await evalJson('--checkpoint', run, '--data', data);
    const fromFile = await evalJson('--checkpoint', join(run, 'best.safetensors'), '--data', data);
    expect(fromDir.checkpoint).toBe(join(run, 'best.safetensors'));
    expect(fromDir.accuracy).toBe(fromFile.accuracy);
    expect(fromDir.loss).toBe(fromFile.loss);
    const png = digitPng(out('digit-dir.png'));
    const a = await runDl(['predict', '--checkpoint', run, png, '--json']);
    const b = await runDl(['predict', '--checkpoint', join(run, 'best.safetensors'), png, '--json']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it('is accepted wherever --checkpoint is read: dl experiment precision', async () => {
    const r = await runDl(
      ['experiment', 'precision', '--checkpoint', run, '--data', data, '--test-size', '20'].concat([
        '--out',
        out('precision'),
        '--json',
      ]),
    );
    expect(r.code, r.stderr).toBe(0);
    const { summary } = JSON.parse(r.stdout) as { summary: { model: string } };
    expect(summary.model).toContain(join(run, 'best.safetensors'));
  });

  it('refuses a directory without checkpoints, naming it', async () => {
    const empty = out('empty-run');
    mkdirSync(empty);
    const r = await runDl(['eval', '--checkpoint', empty, '--data', data]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/empty-run is a directory without best\.safetensors or last\.safetensors/);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('dl eval without --data', () => {
  it('evaluates a checkpoint trained on other data on MNIST, with a warning on stderr', async () => {
    const r = await runDl(['eval', '--checkpoint', run, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: ${join(run, 'best.safetensors')} was trained on ${data}`);
    expect(r.stderr).toContain(`--data ${data}`);
    const e = JSON.parse(r.stdout) as EvalJson;
    expect(e.samples).toBeGreaterThan(0);
    const quiet = await runDl(['eval', '--checkpoint', run, '--data', data, '--json']);
    expect(quiet.stderr).not.toMatch(/warning/);
  });
});

describe('dl eval --data with a .gz file that inflates past its IDX header', () => {
  it('stops inflating at the declared size and names the file (exit 1)', async () => {
    const dir = writeTinyMnist(out('bomb-data'), { train: 20, test: 10 });
    const plain = join(dir, MNIST_FILE_NAMES.testImages);
    rmSync(plain);
    // The header declares 10 images of 28×28; the stream holds ten times as many bytes after it.
    const header = writeIdx({ dtype: 'uint8', shape: [10, 28, 28], data: new Uint8Array(7840) }).subarray(
      0,
      16,
    );
    const inflated = new Uint8Array(16 + 78_400);
    inflated.set(header);
    writeFileSync(`${plain}.gz`, gzipSync(inflated));
    const r = await runDl(['eval', '--checkpoint', run, '--data', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(
      `${plain}.gz: IDX file longer than its header says: the header declares 7856 bytes`,
    );
  });
});
