import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  buildForMemory,
  bundledMnistFiles,
  runNumpyChild,
  runOurChild,
  type MemoryReport,
} from './memory-bench.js';
import { parseChildReport } from './memory-report.js';
import { checkTargets } from './targets.js';

// What a training run must hold at once, in KiB: the 70 000 MNIST images as float32 in NumPy (the
// book's load_mnist(normalize=True)), as bytes in ours (loadMnistBytes, as dl train loads them).
const IMAGES_KIB = ((60_000 + 10_000) * 784 * 4) / 1024;
const IMAGE_BYTES_KIB = IMAGES_KIB / 4;
// The loss of an untrained network whose logits are near zero (weights of std 0.01): -ln(1/10).
const UNTRAINED_LOSS = Math.log(10);

const PYTHON = process.env.PYTHON ?? 'python3';
const HAS_NUMPY = spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

describe('parseChildReport', () => {
  it('reads the JSON object on the last line, after anything printed before it', () => {
    const report = parseChildReport(
      'loading\n{"maxRssKiB": 270336, "startKiB": 28672, "steps": 50, "loss": 0.5, "engine": "NumPy 2.4.6"}\n\n',
      'child',
    );
    expect(report).toEqual({
      maxRssKiB: 270336,
      startKiB: 28672,
      steps: 50,
      loss: 0.5,
      engine: 'NumPy 2.4.6',
    });
  });

  it('rejects a last line that is no report, in one line naming the child', () => {
    expect(() => parseChildReport('Traceback (most recent call last)', 'python/memory.py two')).toThrow(
      /^python\/memory\.py two: expected a JSON report on the last line of its output, got 'Traceback/,
    );
    expect(() => parseChildReport('[1, 2]', 'c')).toThrow(/^c: the report needs a number loss/);
    expect(() => parseChildReport('null', 'c')).toThrow(/^c: expected a JSON object/);
    const line = (fields: object): string =>
      JSON.stringify({ maxRssKiB: 1024, startKiB: 512, steps: 1, loss: 2.3, engine: 'x', ...fields });
    expect(() => parseChildReport(line({ maxRssKiB: 0 }), 'c')).toThrow(
      /^c: maxRssKiB \(KiB\) must be a positive integer, got 0$/,
    );
    expect(() => parseChildReport(line({ startKiB: 1.5 }), 'c')).toThrow(/^c: startKiB \(KiB\) must be/);
    expect(() => parseChildReport(line({ steps: undefined }), 'c')).toThrow(/^c: steps must be/);
    expect(() => parseChildReport(line({ loss: null }), 'c')).toThrow(/^c: the report needs a number loss/);
  });
});

describe('one training run in a fresh process', () => {
  it.each(['dist', 'sources'] as const)(
    'ours (%s): the peak holds the image bytes on top of the runtime, and the first step has the untrained loss',
    (runtime) => {
      if (runtime === 'dist') buildForMemory();
      const run = runOurChild('two', 1, 1, runtime);
      expect(run.steps).toBe(1);
      expect(run.engine).toMatch(/^wasm-.*, 1 thread/);
      expect(run.maxRssKiB).toBeGreaterThan(run.startKiB + IMAGE_BYTES_KIB);
      expect(run.loss).toBeCloseTo(UNTRAINED_LOSS, 2);
    },
  );

  describe.skipIf(!HAS_NUMPY)("the book's NumPy code (needs python3 with NumPy)", () => {
    it('the same: the images on top of the runtime, and the untrained loss', async () => {
      const run = runNumpyChild('two', 1, 'single', await bundledMnistFiles());
      if (!('maxRssKiB' in run)) throw new Error(run.skipped);
      expect(run.steps).toBe(1);
      expect(run.engine).toMatch(/^NumPy \d/);
      expect(run.maxRssKiB).toBeGreaterThan(run.startKiB + IMAGES_KIB);
      expect(run.loss).toBeCloseTo(UNTRAINED_LOSS, 2);
    });
  });
});

describe('memory targets', () => {
  const cell = (maxRssKiB: number) => ({
    maxRssKiB,
    startKiB: 1,
    steps: 1,
    loss: 2.3,
    engine: 'x',
    seconds: 1,
  });
  const report: MemoryReport = {
    steps: 1,
    data: 'test',
    engines: {},
    rows: [
      {
        name: 'TwoLayerNet 784-50-10, SGD',
        kind: 'two',
        cells: {
          'wasm 1T': cell(300_000),
          'wasm threads': cell(250_000),
          'numpy 1T': cell(240_000),
          'numpy MT': cell(250_000),
        },
      },
      {
        name: 'DeepConvNet, Adam',
        kind: 'deep',
        cells: {
          'wasm 1T': cell(400_000),
          'wasm threads': cell(410_000),
          'numpy 1T': { skipped: 'n/a (--no-numpy)' },
          'numpy MT': cell(820_000),
        },
      },
    ],
  };

  it('one row per network and thread count: ours over NumPy, at most 1', () => {
    const targets = checkTargets(undefined, undefined, undefined, report);
    expect(targets.map((t) => [t.target, t.compared, t.ratio, t.verdict])).toEqual([
      [
        "TwoLayerNet peak RSS <= NumPy's",
        'wasm 1T / numpy 1T (one thread each)',
        1.25,
        'missed: needs 1.25× less memory',
      ],
      ["TwoLayerNet peak RSS <= NumPy's", 'wasm threads / numpy MT (all cores each)', 1, 'met'],
      [
        "DeepConvNet peak RSS <= NumPy's",
        'wasm 1T / numpy 1T (one thread each)',
        undefined,
        'n/a (no NumPy)',
      ],
      ["DeepConvNet peak RSS <= NumPy's", 'wasm threads / numpy MT (all cores each)', 0.5, 'met'],
    ]);
    expect(targets.every((t) => t.bound === 1 && t.kind === 'atMost')).toBe(true);
  });
});
