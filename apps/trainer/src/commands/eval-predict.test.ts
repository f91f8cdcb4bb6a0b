import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_FILE_NAMES, readIdxFile } from '@dl/data-mnist';
import { BACKEND_NAMES } from '../backend.js';
import { encodePng } from '../image/png-encode.js';
import { runDl, tempDir, writeTinyMnist } from '../testing/fixtures.js';

let tmp: { path: string; cleanup: () => void };
let data: string;
let checkpoint: string;
const out = (name: string): string => join(tmp.path, name);

beforeAll(async () => {
  tmp = tempDir();
  data = writeTinyMnist(join(tmp.path, 'data'));
  const r = await runDl([
    'train',
    '--data',
    data,
    '--batch-size',
    '20',
    '--lr',
    '0.5',
    '--iters',
    '40',
    '--out',
    out('run'),
    '--json',
  ]);
  expect(r.code).toBe(0);
  checkpoint = join(out('run'), 'last.safetensors');
});
afterAll(() => tmp.cleanup());

/** Test image `i` of the tiny set and its label. */
function testImage(i: number): { pixels: Uint8Array; label: number } {
  const images = readIdxFile(join(data, MNIST_FILE_NAMES.testImages));
  const labels = readIdxFile(join(data, MNIST_FILE_NAMES.testLabels));
  return {
    pixels: (images.data as Uint8Array).slice(i * 784, (i + 1) * 784),
    label: (labels.data as Uint8Array)[i]!,
  };
}

describe('dl eval', () => {
  it('reports accuracy, loss, per-class accuracy and the confusion matrix', async () => {
    const r = await runDl(['eval', '--checkpoint', checkpoint, '--data', data, '--json']);
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout) as {
      samples: number;
      accuracy: number;
      loss: number;
      perClass: number[];
      confusion: number[][];
      step: number;
    };
    expect(e.samples).toBe(100);
    expect(e.step).toBe(40);
    expect(e.confusion).toHaveLength(10);
    expect(e.confusion.flat().reduce((a, b) => a + b, 0)).toBe(100);
    const correct = e.confusion.reduce((s, row, c) => s + row[c]!, 0);
    expect(e.accuracy).toBe(correct / 100);
    expect(e.accuracy).toBeGreaterThan(0.9);
    expect(e.perClass).toHaveLength(10);
    // The run's own final test accuracy, measured the same way.
    const run = JSON.parse(readFileSync(join(out('run'), 'run.json'), 'utf8')) as {
      result: { testAcc: number; testLoss: number };
    };
    expect(e.accuracy).toBe(run.result.testAcc);
    expect(e.loss).toBeCloseTo(run.result.testLoss, 10);

    const text = await runDl(['eval', '--checkpoint', checkpoint, '--data', data]);
    expect(text.stdout).toMatch(/^accuracy [\d.]+% +loss [\d.]+$/m);
    expect(text.stdout).toMatch(/^true\\pred +0 +1 +2/m);
  });

  it('rounds the weights to float16 or bfloat16 with --precision', async () => {
    for (const precision of ['float16', 'bfloat16']) {
      const r = await runDl([
        'eval',
        '--checkpoint',
        checkpoint,
        '--data',
        data,
        '--precision',
        precision,
        '--json',
      ]);
      expect(r.code).toBe(0);
      const e = JSON.parse(r.stdout) as { precision: string; accuracy: number };
      expect(e.precision).toBe(precision);
      expect(e.accuracy).toBeGreaterThan(0.85);
    }
    const bad = await runDl(['eval', '--checkpoint', checkpoint, '--precision', 'int4']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--precision must be one of float32, float16, bfloat16/);
  });

  it('evaluates on either backend (--backend, --threads) with the same accuracy', async () => {
    const run = async (...flags: string[]): Promise<{ accuracy: number; loss: number }> => {
      const r = await runDl(['eval', '--checkpoint', checkpoint, '--data', data, ...flags, '--json']);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { accuracy: number; loss: number };
    };
    const wasm = await run();
    const js = await run('--backend', 'js');
    const threaded = await run('--threads', String(Math.min(2, availableParallelism())));
    expect(js.accuracy).toBe(wasm.accuracy);
    expect(threaded.accuracy).toBe(wasm.accuracy);
    expect(Math.abs(js.loss - wasm.loss)).toBeLessThan(1e-5);
    const bad = await runDl(['eval', '--checkpoint', checkpoint, '--backend', 'cuda']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got 'cuda'`);
  });

  it('refuses data whose images do not fit the model', async () => {
    const small = out('small-data');
    writeTinyMnist(small, { train: 10, test: 10 });
    // Rewrite the test images as 14x14.
    const { writeIdxFile } = await import('@dl/data-mnist');
    for (const [imagesName] of [[MNIST_FILE_NAMES.trainImages], [MNIST_FILE_NAMES.testImages]] as const) {
      writeIdxFile(join(small, imagesName), {
        dtype: 'uint8',
        shape: [10, 14, 14],
        data: new Uint8Array(10 * 196).fill(9),
      });
    }
    const r = await runDl(['eval', '--checkpoint', checkpoint, '--data', small]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /two-layer-net 784-50-10 for 784 inputs per image, but .*small-data's images have 196/,
    );
  });
});

describe('dl predict', () => {
  it('classifies PNG and PGM digits like the network does on the test set', async () => {
    const files: string[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { pixels, label } = testImage(i);
      const png = out(`digit-${i}.png`);
      writeFileSync(png, encodePng({ width: 28, height: 28, channels: 1, data: pixels }));
      files.push(png);
      labels.push(label);
    }
    const { pixels, label } = testImage(4);
    const pgm = out('digit-4.pgm');
    writeFileSync(pgm, Buffer.concat([Buffer.from('P5\n# a test digit\n28 28\n255\n'), Buffer.from(pixels)]));
    files.push(pgm);
    labels.push(label);
    const r = await runDl(['predict', '--checkpoint', checkpoint, ...files, '--json']);
    expect(r.code).toBe(0);
    const results = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { image: string; class: number; probabilities: number[] });
    expect(results.map((x) => x.image)).toEqual(files);
    expect(results.map((x) => x.class)).toEqual(labels);
    for (const x of results) expect(x.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const text = await runDl(['predict', '--checkpoint', checkpoint, files[0]!]);
    expect(text.stdout).toMatch(new RegExp(`digit-0\\.png: ${labels[0]} \\([\\d.]+%\\) +0:[\\d.]+ 1:`));
  });

  it('turns a large dark-on-light image into a 28x28 white-on-black digit', async () => {
    // A black bar on white paper, 60x90, RGBA.
    const w = 60;
    const h = 90;
    const rgba = new Uint8Array(w * h * 4).fill(255);
    for (let y = 20; y < 70; y++)
      for (let x = 25; x < 35; x++) rgba.fill(0, (y * w + x) * 4, (y * w + x) * 4 + 3);
    const file = out('bar.png');
    writeFileSync(file, encodePng({ width: w, height: h, channels: 4, data: rgba }));
    const r = await runDl(['predict', '--checkpoint', checkpoint, file, '--json']);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout) as { class: number; probabilities: number[] };
    expect(p.probabilities).toHaveLength(10);
  });

  it('names an image it cannot read', async () => {
    const bad = out('bad.png');
    writeFileSync(bad, 'GIF89a');
    const r = await runDl(['predict', '--checkpoint', checkpoint, bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.png: not a PNG file/);
    const none = await runDl(['predict', '--checkpoint', checkpoint]);
    expect(none.code).toBe(2);
  });
});
