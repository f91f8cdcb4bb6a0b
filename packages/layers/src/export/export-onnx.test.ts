import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession, Tensor as OrtTensor } from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng, type Tensor } from '@dl/tensor';
import { softmax } from '../activations.js';
import type { FloatTensor, Layer } from '../layer.js';
import { loadModel, saveModel } from '../io/save-load.js';
import { Relu } from '../layers/relu.js';
import { SoftmaxWithLoss } from '../layers/softmax-with-loss.js';
import { buildModel } from '../model-spec/build-model.js';
import type { ModelSpec } from '../model-spec/model-spec.js';
import { LayerNetwork } from '../networks/layer-network.js';
import { EXPORT_SPECS, exportInputs, randomizeBatchNorm } from '../testing/export-specs.js';
import { decodeOnnxModel, exportOnnx, ONNX_IR_VERSION, ONNX_OPSET, UnsupportedLayerError } from './index.js';

// The real engines: ONNX Runtime (npm onnxruntime-node) runs every export, and the `onnx` package's
// full checker (Debian python3-onnx, installed by tooling/scripts/setup.mjs) validates it.
const PYTHON = process.env.DL_PYTHON ?? '/usr/bin/python3';
const BATCHES = [1, 7, 100];
/** |ours − ONNX Runtime| ≤ TOL·max(1, |ours|): float32 sums in another order differ in the last bits. */
const TOL = 1e-5;

const dir = mkdtempSync(join(tmpdir(), 'dl-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runOnnx(
  session: InferenceSession,
  x: FloatTensor,
): Promise<{ logits: Float32Array; probabilities: Float32Array; dims: readonly number[] }> {
  const feed = { input: new OrtTensor('float32', Float32Array.from(x.data), [...x.shape]) };
  const out = await session.run(feed);
  return {
    logits: out.logits!.data as Float32Array,
    probabilities: out.probabilities!.data as Float32Array,
    dims: out.logits!.dims,
  };
}

function expectClose(actual: ArrayLike<number>, expected: Tensor, what: string): void {
  expect(actual.length, what).toBe(expected.size);
  let worst = 0;
  for (let i = 0; i < expected.size; i++) {
    const e = expected.data[i]!;
    worst = Math.max(worst, Math.abs(actual[i]! - e) / Math.max(1, Math.abs(e)));
  }
  expect(worst, `${what}: worst scaled difference`).toBeLessThanOrEqual(TOL);
}

/** Exports, runs ONNX Runtime at every batch size against `predict` and `softmax`; returns the file. */
async function checkExport(name: string, network: LayerNetwork, spec: ModelSpec): Promise<string> {
  const bytes = exportOnnx(network);
  const file = join(dir, `${name.replace(/[^a-z0-9-]+/gi, '_')}.onnx`);
  writeFileSync(file, bytes);
  const session = await InferenceSession.create(bytes);
  for (const n of BATCHES) {
    const x = exportInputs(spec, n, network.params()[0]!.value.dtype, 100 + n);
    const logits = network.predict(x, { train: false });
    const got = await runOnnx(session, x);
    expect(got.dims).toEqual(logits.shape);
    expectClose(got.logits, logits, `${name} logits, batch ${n}`);
    expectClose(got.probabilities, softmax(logits), `${name} probabilities, batch ${n}`);
  }
  await session.release();
  return file;
}

/** The `onnx` package's checker with `full_check` (shape inference included) on each file. */
function onnxCheck(files: readonly string[]): void {
  const script = [
    'import sys, onnx',
    'for f in sys.argv[1:]:',
    '    onnx.checker.check_model(onnx.load(f), full_check=True)',
    'print(onnx.__version__)',
  ].join('\n');
  const run = spawnSync(PYTHON, ['-c', script, ...files], { encoding: 'utf8' });
  expect(run.error, `${PYTHON} must run (tooling/scripts/setup.mjs installs python3-onnx)`).toBeUndefined();
  expect(run.stderr.trim(), 'onnx.checker').toBe('');
  expect(run.status).toBe(0);
}

describe('exportOnnx', () => {
  const files: string[] = [];

  for (const [name, spec] of Object.entries(EXPORT_SPECS)) {
    it(`${name}: ONNX Runtime gives our logits and probabilities at batch ${BATCHES.join(', ')}`, async () => {
      const network = buildModel(spec, { rng: new Rng(7) });
      randomizeBatchNorm(network, new Rng(8));
      files.push(await checkExport(name, network, spec));
    });
  }

  it('float64 networks and float16 checkpoints export as float32', async () => {
    const spec = EXPORT_SPECS['multi-layer-net-extend']!;
    const wide = buildModel(spec, { rng: new Rng(3), dtype: 'float64' });
    randomizeBatchNorm(wide, new Rng(4));
    files.push(await checkExport('float64', wide, spec));
    const half = loadModel(saveModel(wide, spec, { precision: 'float16' })).network;
    files.push(await checkExport('float16', half, spec));
    const model = decodeOnnxModel(exportOnnx(half));
    expect(model.graph.initializer.map((t) => t.dataType)).toEqual(model.graph.initializer.map(() => 1));
  });

  it('passes onnx.checker (full check) on every export', () => {
    expect(files.length).toBe(Object.keys(EXPORT_SPECS).length + 2);
    onnxCheck(files);
  });

  it('writes opset 17, IR 8, a dynamic batch, the spec and the book names', () => {
    const spec = EXPORT_SPECS['simple-conv-net']!;
    const model = decodeOnnxModel(exportOnnx(buildModel(spec)));
    expect(model.irVersion).toBe(ONNX_IR_VERSION);
    // The default domain '' is protobuf's default value, so it is absent on the wire.
    expect(model.opsetImport.map((o) => [o.domain ?? '', o.version])).toEqual([['', ONNX_OPSET]]);
    expect(ONNX_OPSET).toBe(17);
    expect(ONNX_IR_VERSION).toBe(8);
    const dims = model.graph.input[0]!.type.tensorType.shape.dim;
    expect(dims).toEqual([{ dimParam: 'N' }, { dimValue: 1 }, { dimValue: 28 }, { dimValue: 28 }]);
    expect(model.graph.output.map((o) => o.name)).toEqual(['logits', 'probabilities']);
    expect(model.graph.initializer.map((t) => t.name)).toEqual(['W1', 'b1', 'W2', 'b2', 'W3', 'b3']);
    expect(model.metadataProps).toEqual([{ key: 'dl.spec', value: JSON.stringify(spec) }]);
  });

  it('names a layer it cannot export', () => {
    class Tanh implements Layer {
      readonly kind = 'Tanh';
      forward = (x: FloatTensor): FloatTensor => x;
      backward = (d: FloatTensor): FloatTensor => d;
      params = (): [] => [];
      outputShape = (s: readonly number[]): number[] => [...s];
    }
    const network = new LayerNetwork(
      [
        ['Relu1', new Relu()],
        ['Tanh1', new Tanh()],
      ],
      new SoftmaxWithLoss(),
    );
    expect(() => exportOnnx(network, { inputShape: [4] })).toThrow(UnsupportedLayerError);
    expect(() => exportOnnx(network, { inputShape: [4] })).toThrow(
      /^layer 'Tanh1' \(Tanh\) cannot be exported to ONNX/,
    );
    expect(() => exportOnnx(network)).toThrow(/not built from a ModelSpec; give its per-sample input shape/);
  });
});
