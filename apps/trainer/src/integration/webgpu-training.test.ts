import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsKernels, Rng, type Kernels } from '@dl/tensor';
import { createWebGpuKernels, type WebGpuKernels } from '@dl/tensor/webgpu';
import { MultiLayerNetExtend, SimpleConvNet, type LayerNetwork } from '@dl/layers';
import { Adam, createOptimizer, rowsView, Trainer } from '@dl/optim';
import { buildBookNetwork, CONV_MODELS, MODEL_DEFAULTS, MODEL_NAMES } from '../models.js';
import { patchImages } from '../testing/fixtures.js';

// Training on the webgpu backend (here on the machine's WebGPU adapter; in CI Mesa's llvmpipe, a
// software adapter, so the networks are small). Where no adapter can be opened these tests FAIL
// with the reason, as the kernel conformance tests do; DL_WEBGPU=off skips them on purpose.
const enabled = process.env.DL_WEBGPU !== 'off';

/** `steps` Adam steps of batch 20 over 200 images on `backend`: every step's loss. */
async function adamLosses(
  backend: Kernels,
  makeNet: (backend: Kernels) => LayerNetwork,
  sample: readonly number[],
  steps = 100,
): Promise<number[]> {
  const data = patchImages(200, new Rng(5));
  const x = data.x.reshape([200, ...sample]);
  const net = makeNet(backend);
  const adam = new Adam({ lr: 0.001, backend });
  const rng = new Rng(9); // Dropout's masks: drawn on the CPU, the same on both backends
  const losses: Promise<number>[] = [];
  for (let step = 0; step < steps; step++) {
    const at = (step % 10) * 20;
    const xb = rowsView(x, at, at + 20);
    const tb = rowsView(data.t, at, at + 20);
    losses.push(net.gradientAsync(xb, tb, { train: true, rng }));
    adam.update(net.params());
  }
  return Promise.all(losses);
}

describe.runIf(enabled)('training on the webgpu backend', () => {
  let gpu: WebGpuKernels;
  beforeAll(async () => {
    gpu = await createWebGpuKernels();
  });
  afterAll(() => gpu?.gpu.destroy());

  const expectParity = (js: number[], onGpu: number[]): void => {
    expect(onGpu).toHaveLength(js.length);
    expect(js.at(-1)!).toBeLessThan(0.8 * js[0]!); // it learned something
    for (let i = 0; i < js.length; i++) expect(Math.abs(onGpu[i]! - js[i]!)).toBeLessThan(1e-3);
  };

  it('SimpleConvNet (8 filters, hidden 32), 100 Adam steps: every loss within 1e-3 of js', async () => {
    const net = (backend: Kernels): SimpleConvNet =>
      new SimpleConvNet({
        convParam: { filterNum: 8, filterSize: 5, pad: 0, stride: 1 },
        hiddenSize: 32,
        weightInitStd: 0.01,
        rng: new Rng(1),
        backend,
      });
    expectParity(await adamLosses(jsKernels, net, [1, 28, 28]), await adamLosses(gpu, net, [1, 28, 28]));
  }, 300_000);

  it('a BatchNorm + Dropout net, 100 Adam steps: every loss within 1e-3 of js', async () => {
    const net = (backend: Kernels): MultiLayerNetExtend =>
      new MultiLayerNetExtend({
        inputSize: 784,
        hiddenSizeList: [64, 32],
        outputSize: 10,
        weightInitStd: 'relu',
        useBatchnorm: true,
        useDropout: true,
        dropoutRatio: 0.2,
        rng: new Rng(2),
        backend,
      });
    expectParity(await adamLosses(jsKernels, net, [784]), await adamLosses(gpu, net, [784]));
  }, 300_000);

  it.each(MODEL_NAMES)(
    '%s: 5 steps at batch 8 with its book optimizer, loss falling',
    async (model) => {
      const book = MODEL_DEFAULTS[model];
      const conv = CONV_MODELS.includes(model);
      const inputShape = conv ? [1, 28, 28] : [784];
      const data = patchImages(8, new Rng(3));
      const x = data.x.reshape([8, ...inputShape]);
      const settings = {
        model,
        hidden: book.hidden,
        init: undefined,
        weightDecay: 0,
        batchNorm: true,
        dropout: 0,
      };
      const net = buildBookNetwork(settings, inputShape, { rng: new Rng(4), backend: gpu });
      const optimizer = createOptimizer(book.optimizer, { lr: book.lr, backend: gpu });
      const losses: Promise<number>[] = [];
      const rng = new Rng(6);
      for (let step = 0; step < 5; step++) {
        losses.push(net.gradientAsync(x, data.t, { train: true, rng }));
        optimizer.update(net.params());
      }
      const got = await Promise.all(losses);
      expect(got.every(Number.isFinite)).toBe(true);
      expect(got.at(-1)!).toBeLessThan(got[0]!);
    },
    300_000,
  );

  it('the Trainer trains with a one-step lag, reading back only the loss each step', async () => {
    const data = patchImages(60, new Rng(7));
    const x = data.x.reshape([60, 784]);
    const run = async (backend: Kernels): Promise<{ losses: number[]; acc: number[]; test: number }> => {
      const model = new MultiLayerNetExtend({
        inputSize: 784,
        hiddenSizeList: [32],
        outputSize: 10,
        weightInitStd: 'relu',
        useBatchnorm: true,
        rng: new Rng(8),
        backend,
      });
      const trainer = new Trainer({
        model,
        optimizer: new Adam({ lr: 0.01, backend }),
        data: { xTrain: x, tTrain: data.t, xTest: x, tTest: data.t },
        epochs: 3,
        batchSize: 20,
        rng: new Rng(10),
        backend,
      });
      const result = await trainer.train();
      return { losses: result.trainLossList, acc: result.testAccList, test: result.testAcc };
    };
    const before = gpu.copies();
    const onGpu = await run(gpu);
    const after = gpu.copies();
    const js = await run(jsKernels);
    expect(onGpu.losses).toHaveLength(js.losses.length);
    for (let i = 0; i < js.losses.length; i++)
      expect(Math.abs(onGpu.losses[i]! - js.losses[i]!)).toBeLessThan(1e-3);
    expect(onGpu.acc).toEqual(js.acc);
    expect(onGpu.test).toBe(js.test);
    // Reads: one loss per step, one batch of predicted classes per accuracy batch (3 epochs × 2
    // sets, and the final test accuracy), nothing else.
    const steps = js.losses.length;
    const accuracyReads = js.acc.length * 2 + 1;
    expect(after.outCalls - before.outCalls).toBe(steps + accuracyReads);
  }, 300_000);

  it('steady state: no GPU buffer created, no tensor kept and one read per step after the first', async () => {
    const data = patchImages(20, new Rng(11));
    const net = new SimpleConvNet({
      convParam: { filterNum: 4, filterSize: 5, pad: 0, stride: 1 },
      hiddenSize: 16,
      weightInitStd: 0.01,
      rng: new Rng(12),
      backend: gpu,
    });
    const adam = new Adam({ lr: 0.001, backend: gpu });
    const rng = new Rng(13);
    const step = (): Promise<number> => {
      const loss = net.gradientAsync(data.x, data.t, { train: true, rng });
      adam.update(net.params());
      return loss;
    };
    await step();
    await step();
    const [created, live, copies] = [gpu.gpu.stats.buffersCreated, gpu.storage.liveBlocks, gpu.copies()];
    const losses = [];
    for (let i = 0; i < 20; i++) losses.push(step());
    await Promise.all(losses);
    const after = gpu.copies();
    expect(gpu.gpu.stats.buffersCreated).toBe(created);
    expect(gpu.storage.liveBlocks).toBe(live);
    expect(after.outCalls - copies.outCalls).toBe(20);
    expect(after.outBytes - copies.outBytes).toBe(20 * 4);
    // What goes up each step: the batch (once), what is made from its labels on the CPU (the
    // labels of SoftmaxWithLoss's backward, the loss's one-hot weights) and the loss's two scalars.
    expect(after.inCalls - copies.inCalls).toBe(20 * 5);
  }, 300_000);

  it('float16 storage: activations and weight copies in half precision, training as float32 does', async () => {
    const half = await createWebGpuKernels({ precision: 'float16' });
    try {
      expect(half.compute).toMatch(/float16 storage/);
      const net = (backend: Kernels): SimpleConvNet =>
        new SimpleConvNet({
          convParam: { filterNum: 8, filterSize: 5, pad: 0, stride: 1 },
          hiddenSize: 32,
          weightInitStd: 0.01,
          rng: new Rng(1),
          backend,
        });
      // 40 steps: float16 stores go through compare-exchange loops, slow on a software adapter.
      const full = await adamLosses(gpu, net, [1, 28, 28], 40);
      const reduced = await adamLosses(half, net, [1, 28, 28], 40);
      expect(reduced.at(-1)!).toBeLessThan(0.9 * reduced[0]!);
      // float16 keeps ~3 significant digits (a loss near 2.3 is read back to 2^-9): measured on
      // llvmpipe, 1.7e-3 apart at most over these 40 steps with the weights read as float16
      // copies of their float32 masters (2.1e-3 when only activations were float16).
      for (let i = 0; i < full.length; i++) expect(Math.abs(reduced[i]! - full[i]!)).toBeLessThan(5e-3);
    } finally {
      half.gpu.destroy();
    }
  }, 300_000);
});
