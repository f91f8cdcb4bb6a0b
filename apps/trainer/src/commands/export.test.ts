import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledMnistDir, MNIST_FILE_NAMES, readIdxFile } from '@dl/data-mnist';
import { buildModel, loadModel, writeSafetensors, type LayerNetwork, type ModelSpec } from '@dl/layers';
import { decodeOnnxModel } from '@dl/layers/export';
import { saveModelFile } from '@dl/layers/node';
import { createOptimizer, OPTIMIZER_NAMES, type OptimizerName } from '@dl/optim';
import type { Tensor } from '@dl/tensor';
import { randint, Rng, uniform } from '@dl/tensor';
import { encodePng } from '../image/png-encode.js';
import { runDl, tempDir, writeTinyMnist } from '../testing/fixtures.js';

// The generated PyTorch code runs on Debian's torch (python3-torch, installed by
// tooling/scripts/setup.mjs) through /usr/bin/python3; ranks are launched with the env://
// variables (Debian's torchrun 1.13 crashes on Python 3.11), on gloo, one thread each.
const PYTHON = process.env.DL_PYTHON ?? '/usr/bin/python3';
/** |dl − PyTorch| ≤ TOL·max(1, |dl|). */
const TOL = 1e-5;

let tmp: { path: string; cleanup: () => void };
const at = (...names: string[]): string => join(tmp.path, ...names);

beforeAll(() => {
  tmp = tempDir('dl-export-');
});
afterAll(() => tmp.cleanup());

/** Saves a freshly built network as a dl checkpoint and exports it to PyTorch in `dir`. */
async function exported(name: string, spec: ModelSpec): Promise<{ checkpoint: string; dir: string }> {
  const checkpoint = at(`${name}.safetensors`);
  await saveModelFile(checkpoint, buildModel(spec, { rng: new Rng(5) }), spec);
  const dir = at(name);
  const r = await runDl(['export', '--checkpoint', checkpoint, '--format', 'pytorch', '--out', dir]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { checkpoint, dir };
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Runs train_ddp.py on `world` ranks (env:// launch, as torchrun does); returns rank 0's stdout. */
async function trainDdp(dir: string, world: number, args: readonly string[]): Promise<string> {
  const port = String(await freePort());
  const ranks = Array.from({ length: world }, (_, rank) => {
    const child = spawn(PYTHON, [join(dir, 'train_ddp.py'), ...args], {
      env: {
        ...process.env,
        MASTER_ADDR: '127.0.0.1',
        MASTER_PORT: port,
        WORLD_SIZE: String(world),
        RANK: String(rank),
        OMP_NUM_THREADS: '1',
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) =>
      child.on('close', (code) => done({ code, stdout, stderr })),
    );
  });
  const results = await Promise.all(ranks);
  results.forEach((r, rank) => expect(r.code, `rank ${rank}: ${r.stderr}`).toBe(0));
  return results[0]!.stdout;
}

/** The network and buffers of a dl checkpoint, by name. */
function stateOf(file: string): Map<string, Tensor> {
  const network = loadModel(readFileSync(file)).network;
  return stateMap(network);
}

function stateMap(network: LayerNetwork): Map<string, Tensor> {
  return new Map<string, Tensor>([
    ...network.params().map((p) => [p.name, p.value] as const),
    ...network.buffers().map((b) => [b.name, b.value] as const),
  ]);
}

/** The largest |a − b| / max(1, |a|) over every tensor, and the tensor where it is. */
function worstDifference(a: Map<string, Tensor>, b: Map<string, Tensor>): { worst: number; at: string } {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  let worst = 0;
  let where = '';
  for (const [name, x] of a) {
    const y = b.get(name)!;
    for (let i = 0; i < x.size; i++) {
      const d = Math.abs(x.data[i]! - y.data[i]!) / Math.max(1, Math.abs(x.data[i]!));
      if (d > worst) [worst, where] = [d, `${name}[${i}]`];
    }
  }
  return { worst, at: where };
}

describe('dl export --format onnx', () => {
  it('writes an ONNX file of the checkpoint; bad flags exit 2, an unreadable checkpoint 1', async () => {
    const spec: ModelSpec = { kind: 'two-layer-net', inputSize: 784, hiddenSize: 20, outputSize: 10 };
    const checkpoint = at('tln.safetensors');
    await saveModelFile(checkpoint, buildModel(spec), spec);
    const out = at('tln.onnx');
    const r = await runDl(['export', '--checkpoint', checkpoint, '--format', 'onnx', '--out', out, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'onnx', files: [out] });
    const model = decodeOnnxModel(readFileSync(out));
    expect(model.graph.initializer.map((t) => t.name)).toEqual(['W1', 'b1', 'W2', 'b2']);

    const usage = await runDl(['export', '--checkpoint', checkpoint, '--format', 'tflite', '--out', out]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^dl: --format must be one of onnx, pytorch/);
    const missing = await runDl(['export', '--format', 'onnx']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--checkpoint, --out required/);
    const broken = at('broken.safetensors');
    writeFileSync(broken, 'not a safetensors file');
    const bad = await runDl(['export', '--checkpoint', broken, '--format', 'onnx', '--out', at('x.onnx')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(at('x.onnx'))).toBe(false);
  });
});

describe('dl export --format pytorch', () => {
  it("trains as dl trains: each of the book's six optimizers, BatchNorm, weight decay", async () => {
    // Both BatchNorm modes in train mode (batch statistics, running averages) and L2 weight decay.
    // NOTE: no bias right before a BatchNorm: its gradient is 0 up to rounding, which AdaGrad's
    // g / (sqrt(h) + eps) turns into steps of any size, in either engine.
    const spec: ModelSpec = {
      kind: 'sequential',
      input: [1, 8, 8],
      layers: [
        { type: 'convolution', filters: 3, size: 3, pad: 1 },
        { type: 'relu' },
        { type: 'batchnorm' },
        { type: 'pooling', size: 2 },
        { type: 'batchnorm', mode: 'per-channel' },
        { type: 'affine', units: 12 },
        { type: 'sigmoid' },
        { type: 'affine', units: 4 },
      ],
      weightDecayLambda: 0.05,
    };
    const { checkpoint, dir } = await exported('optimizers', spec);
    const rng = new Rng(9);
    const steps = 3;
    const batches = Array.from({ length: steps }, () => ({
      x: uniform([16, 1, 8, 8], rng),
      t: randint([16], rng, 0, 4),
    }));
    const lr: Record<OptimizerName, number> = {
      sgd: 0.1,
      momentum: 0.1,
      nesterov: 0.1,
      adagrad: 0.05,
      rmsprop: 0.01,
      adam: 0.01,
    };
    writeFileSync(
      join(dir, 'batches.safetensors'),
      writeSafetensors(
        new Map<string, Tensor>(
          batches.flatMap((b, i) => [[`x${i}`, b.x] as const, [`t${i}`, b.t] as const]),
        ),
      ),
    );
    const script = `
import json, sys, numpy as np, torch
sys.path.insert(0, sys.argv[1])
import model, dl_torch
batches, _ = dl_torch.read_safetensors(sys.argv[1] + "/batches.safetensors")
for kind, lr in json.loads(sys.argv[2]).items():
    net = model.Net()
    dl_torch.load_state(net, sys.argv[1] + "/weights.safetensors", model.DL_NAMES)
    net.train()
    opt = dl_torch.BookOptimizer(kind, net.named_parameters(), lr=lr)
    decayed = [(n, p) for n, p in net.named_parameters() if n in model.DECAYED]
    for i in range(${steps}):
        x = torch.from_numpy(batches["x%d" % i])
        t = torch.from_numpy(batches["t%d" % i].astype(np.int64))
        dl_torch.softmax_with_loss(net(x), t).backward()
        dl_torch.add_weight_decay(decayed, model.WEIGHT_DECAY_LAMBDA)
        opt.step()
        opt.zero_grad()
    dl_torch.write_dl_checkpoint(sys.argv[1] + "/" + kind + ".safetensors", net, model.DL_NAMES, model.SPEC)
`;
    const run = spawnSync(PYTHON, ['-c', script, dir, JSON.stringify(lr)], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    for (const kind of OPTIMIZER_NAMES) {
      const network = loadModel(readFileSync(checkpoint)).network;
      const optimizer = createOptimizer(kind, { lr: lr[kind] });
      for (const { x, t } of batches) {
        network.gradient(x, t, { train: true });
        optimizer.update(network.params());
      }
      const torchState = stateOf(join(dir, `${kind}.safetensors`));
      const { worst, at: where } = worstDifference(stateMap(network), torchState);
      expect(worst, `${kind}, worst at ${where}`).toBeLessThanOrEqual(TOL);
    }
  }, 120_000);

  it('2 gloo ranks × batch 50 end where 1 process × batch 100 ends, on the same samples', async () => {
    const spec: ModelSpec = {
      kind: 'sequential',
      input: [1, 28, 28],
      layers: [
        { type: 'convolution', filters: 4, size: 5 },
        { type: 'relu' },
        { type: 'pooling', size: 2 },
        { type: 'affine', units: 20 },
        { type: 'relu' },
        { type: 'affine', units: 10 },
      ],
      weightDecayLambda: 0.01,
    };
    const { dir } = await exported('ddp', spec);
    const data = writeTinyMnist(at('tiny'), { train: 2000, test: 100 });
    const common = ['--data', data, '--iters', '20', '--batch-size', '100', '--optimizer', 'momentum'];
    await trainDdp(dir, 2, [...common, '--out', at('ddp-2')]);
    await trainDdp(dir, 1, [...common, '--out', at('ddp-1')]);
    const two = stateOf(at('ddp-2', 'last.safetensors'));
    const one = stateOf(at('ddp-1', 'last.safetensors'));
    const { worst, at: where } = worstDifference(one, two);
    expect(worst, `worst at ${where}`).toBeLessThanOrEqual(TOL);
    const start = stateOf(join(dir, '..', 'ddp.safetensors'));
    expect(worstDifference(one, start).worst, 'the weights moved').toBeGreaterThan(1e-3);
  }, 300_000);

  it('a 2-rank run comes back: dl eval gives its test accuracy, dl predict and --resume take it', async () => {
    const spec: ModelSpec = {
      kind: 'simple-conv-net',
      convParam: { filterNum: 8, filterSize: 5 },
      hiddenSize: 50,
    };
    const { dir } = await exported('simple', spec);
    const mnist = bundledMnistDir();
    const run = at('simple-run');
    const args = ['--data', mnist, '--train-size', '2000', '--iters', '200', '--batch-size', '100'];
    const stdout = await trainDdp(dir, 2, [
      ...args,
      '--optimizer',
      'sgd',
      '--lr',
      '0.1',
      '--eval-samples',
      '500',
      '--out',
      run,
    ]);
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { testAcc: number; steps: number };
    expect(result.steps).toBe(200);
    const record = JSON.parse(readFileSync(join(run, 'run.json'), 'utf8')) as {
      status: string;
      result: { testAcc: number };
    };
    expect(record.status).toBe('completed');
    expect(record.result.testAcc).toBe(result.testAcc);

    const evaluation = await runDl([
      'eval',
      '--checkpoint',
      join(run, 'last.safetensors'),
      '--data',
      mnist,
      '--json',
    ]);
    expect(evaluation.code).toBe(0);
    const { accuracy, step } = JSON.parse(evaluation.stdout) as { accuracy: number; step: number };
    expect(step).toBe(200);
    expect(Math.abs(accuracy - result.testAcc)).toBeLessThanOrEqual(0.001);

    const images = readIdxFile(join(mnist, MNIST_FILE_NAMES.testImages));
    const png = at('digit.png');
    writeFileSync(
      png,
      encodePng({ width: 28, height: 28, channels: 1, data: (images.data as Uint8Array).slice(0, 784) }),
    );
    const predicted = await runDl(['predict', '--checkpoint', join(run, 'best.safetensors'), png, '--json']);
    expect(predicted.stderr).toBe('');
    expect(predicted.code).toBe(0);

    const resumed = await runDl(['train', '--resume', run, '--iters', '205']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/dl's RNG restarts from the seed 0/);
    expect(resumed.stdout).toMatch(/resuming at step 200/);
  }, 600_000);
});
