import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_FILE_NAMES, readIdxFile } from '@dl/data-mnist';
import { encodePng } from '../image/png-encode.js';
import { readJsonLines } from '../testing/files.js';
import { runDl, tempDir, writeTinyMnist } from '../testing/fixtures.js';

let tmp: { path: string; cleanup: () => void };
let data: string;
const out = (name: string): string => join(tmp.path, name);
const small = (): string[] => ['--data', data, '--batch-size', '20'];

const MLP = {
  kind: 'sequential',
  input: [784],
  layers: [{ type: 'affine', units: 24 }, { type: 'relu' }, { type: 'affine', units: 10 }],
};
const CONV = {
  kind: 'simple-conv-net',
  convParam: { filterNum: 4, filterSize: 5 },
  hiddenSize: 12,
};

function specFile(name: string, content: unknown): string {
  const path = out(name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

beforeAll(() => {
  tmp = tempDir();
  data = writeTinyMnist(join(tmp.path, 'data'));
});
afterAll(() => tmp.cleanup());

describe('dl train --spec', () => {
  it('trains the network of a ModelSpec file and records the spec in run.json and the checkpoints', async () => {
    const spec = specFile('mlp.json', MLP);
    const dir = out('mlp');
    const r = await runDl([
      'train',
      '--spec',
      spec,
      ...small(),
      '--lr',
      '0.5',
      '--optimizer',
      'sgd',
      '--iters',
      '30',
      '--out',
      dir,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`train: 784 → sequential: affine 24, relu, affine 10 (${spec}), sgd lr 0.5`);
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as {
      settings: { model: string; spec: unknown; specFile: string };
      model: { spec: unknown; params: number };
      status: string;
    };
    expect(run.status).toBe('completed');
    expect(run.settings).toMatchObject({ model: 'sequential', spec: MLP, specFile: spec });
    expect(run.model.spec).toEqual(MLP);
    expect(run.model.params).toBe(784 * 24 + 24 + 24 * 10 + 10);

    // dl eval rebuilds the network from the checkpoint alone.
    const e = await runDl(['eval', '--checkpoint', join(dir, 'last.safetensors'), '--data', data, '--json']);
    expect(e.code).toBe(0);
    const evaluation = JSON.parse(e.stdout) as { accuracy: number; model: string; step: number };
    expect(evaluation).toMatchObject({ model: 'sequential', step: 30 });
    const final = readJsonLines(join(dir, 'metrics.jsonl')).find((m) => m.type === 'end')!;
    expect(evaluation.accuracy).toBe(final.testAcc);

    // --resume continues it from run.json's spec, even with the file gone.
    writeFileSync(spec, 'deleted');
    const resumed = await runDl(['train', '--resume', dir, '--iters', '50', '--json']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const summary = JSON.parse(resumed.stdout.trimEnd().split('\n').at(-1)!) as {
      steps: number;
      testAcc: number;
    };
    expect(summary.steps).toBe(50);
  });

  it('resumes bit-identically: 10 + 10 steps give the weights of 20', async () => {
    const spec = specFile('conv.json', CONV);
    const straight = await runDl([
      'train',
      '--spec',
      spec,
      ...small(),
      '--iters',
      '20',
      '--out',
      out('c20'),
      '--json',
    ]);
    expect(straight.code).toBe(0);
    const first = await runDl([
      'train',
      '--spec',
      spec,
      ...small(),
      '--iters',
      '10',
      '--out',
      out('c10'),
      '--json',
    ]);
    expect(first.code).toBe(0);
    const second = await runDl(['train', '--resume', out('c10'), '--iters', '20', '--json']);
    expect(second.code).toBe(0);
    const a = readFileSync(join(out('c20'), 'last.safetensors'));
    const b = readFileSync(join(out('c10'), 'last.safetensors'));
    // Same weights and optimizer state: compare the tensor bytes after the header.
    const body = (bytes: Buffer): Buffer => bytes.subarray(8 + Number(bytes.readBigUInt64LE(0)));
    expect(body(a).equals(body(b))).toBe(true);
  });

  it('dl predict classifies images with a spec-trained convolutional network', async () => {
    const spec = specFile('conv-predict.json', CONV);
    const dir = out('cp');
    const r = await runDl([
      'train',
      '--spec',
      spec,
      ...small(),
      '--lr',
      '0.01',
      '--iters',
      '30',
      '--out',
      dir,
      '--json',
    ]);
    expect(r.code).toBe(0);
    const images = readIdxFile(join(data, MNIST_FILE_NAMES.testImages));
    const png = out('digit.png');
    writeFileSync(
      png,
      encodePng({ width: 28, height: 28, channels: 1, data: (images.data as Uint8Array).slice(0, 784) }),
    );
    const p = await runDl(['predict', '--checkpoint', join(dir, 'last.safetensors'), png, '--json']);
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    const result = JSON.parse(p.stdout) as { class: number; probabilities: number[] };
    expect(result.probabilities).toHaveLength(10);
  });

  it('one-line errors: missing file, bad JSON, invalid spec, --spec with --model or model flags, wrong input size', async () => {
    const cases: [string[], number, RegExp][] = [
      [
        ['--spec', out('missing.json')],
        1,
        /^dl: cannot read the spec file .*missing\.json: no such file or directory \(ENOENT\)$/,
      ],
      [['--spec', specFile('bad.json', '{"kind": ')], 1, /^dl: .*bad\.json: not valid JSON \(.+\)$/],
      [
        ['--spec', specFile('typo.json', { ...MLP, layers: [{ type: 'affine', unit: 10 }] })],
        1,
        /^dl: .*typo\.json: ModelSpec: spec\.layers\[0\]\.unit: is not an option of 'affine'/,
      ],
      [
        [
          '--spec',
          specFile('geometry.json', {
            kind: 'sequential',
            input: [1, 4, 4],
            layers: [{ type: 'convolution', filters: 2, size: 7 }],
          }),
        ],
        1,
        /^dl: .*geometry\.json: ModelSpec: .*does not fit/,
      ],
      [
        [
          '--spec',
          specFile('three.json', { kind: 'two-layer-net', inputSize: 784, hiddenSize: 5, outputSize: 3 }),
        ],
        1,
        /^dl: .*three\.json: the network scores 3 classes, but MNIST-format data has 10/,
      ],
      [['--spec', specFile('ok.json', MLP), '--model', 'lenet'], 2, /^dl: give --spec or --model, not both$/],
      [
        ['--spec', out('ok.json'), '--hidden', '5', '--dropout', '0.1'],
        2,
        /^dl: --spec describes the whole network; --hidden, --dropout cannot be given with it/,
      ],
      [
        ['--spec', specFile('wide.json', { ...MLP, input: [100] }), ...small(), '--out', out('wide')],
        1,
        /^dl: .*wide\.json: the network takes 100 inputs \(100 values per sample\), but .*data's images have 784$/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const r = await runDl(['train', ...args]);
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.stderr.trimEnd()).toMatch(message);
      expect(r.code).toBe(code);
    }
    const resume = await runDl(['train', '--resume', out('mlp'), '--spec', out('ok.json')]);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toMatch(/--spec cannot change/);
  });

  it('documents --spec in dl train --help', async () => {
    const r = await runDl(['train', '--help']);
    expect(r.stdout).toMatch(/--spec FILE +instead of --model/);
    expect(r.stdout).toMatch(/dl train --spec mlp\.json/);
  });
});
