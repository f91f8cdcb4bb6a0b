// Bundled by Vite, with no configuration, from the packed tarballs. Loads the WebAssembly backend
// (Vite emits `wasm/kernels-*.wasm` as assets from @dl/tensor's `new URL(…, import.meta.url)`), runs a
// GEMM on it against the js reference and the conformance suite, and trains a small network a few
// steps. Writes the outcome as JSON into #result for the test to read.
/* global document */
import { Rng, createWasmBackend, jsKernels, matmul, randint, randn, withBackend } from '@dl/tensor';
import { runConformance } from '@dl/tensor/conformance';
import { TwoLayerNet } from '@dl/layers';
import { createOptimizer } from '@dl/optim';

async function main() {
  const wasm = await createWasmBackend();

  // The TwoLayerNet forward product, 100×784 · 784×50, on wasm against the js reference.
  const rng = new Rng(7);
  const a = randn([100, 784], rng);
  const b = randn([784, 50], rng);
  const expected = withBackend(jsKernels, () => matmul(a, b));
  const actual = withBackend(wasm, () => matmul(a, b));
  let gemmMaxRelDiff = 0;
  expected.data.forEach((e, i) => {
    gemmMaxRelDiff = Math.max(gemmMaxRelDiff, Math.abs(Number(actual.data[i]) - e) / (1 + Math.abs(e)));
  });

  const conformance = runConformance(wasm);

  const losses = withBackend(wasm, () => {
    const net = new TwoLayerNet(20, 16, 4, { rng: new Rng(1), weightInitStd: 0.1 });
    const optimizer = createOptimizer('adam', { lr: 0.01 });
    const x = randn([64, 20], rng);
    const t = randint([64], rng, 0, 4);
    const out = [];
    for (let step = 0; step < 50; step++) {
      out.push(net.gradient(x, t));
      optimizer.update(net.params());
    }
    return out;
  });

  return {
    ok: true,
    backend: wasm.name,
    variant: wasm.features.variant,
    gemmMaxRelDiff,
    conformanceCases: conformance.length,
    conformanceFailed: conformance.filter((r) => !r.passed).map((r) => `${r.name}: ${r.message ?? r.worst}`),
    firstLoss: losses[0],
    lastLoss: losses[losses.length - 1],
  };
}

const result = document.querySelector('#result');
main()
  .catch((error) => ({ ok: false, error: String(error?.stack ?? error) }))
  .then((outcome) => {
    result.textContent = JSON.stringify(outcome);
    result.dataset.done = 'true';
  });
