/**
 * The webgpu rows for a GPU machine (`tooling/bench/gpu-run.sh` runs this):
 * `node --conditions=source --import tsx tooling/bench/src/gpu-run.ts [--tiles 16x4,8x4] [--gemm 4096]
 *  [--batch 100] [--steps 20] [--epochs 0] [--no-tfjs] [--no-f16] [--out FILE]`.
 *
 * For each tile (T×T invocations of R×R results; `default` is the backend's own choice): one
 * square float32 GEMM (median of 5 runs, each recorded, submitted and waited for) and DeepConvNet's
 * training step at `batch` (median of `steps` after a first one, one-step lag as in training), then
 * the same step with float16 storage (`precision: 'float16'`, book 8.3; `--no-f16` skips it), its
 * arithmetic as the backend states it (`compute`); then TF.js's webgpu backend on the same step; with `--epochs N`, DeepConvNet trained N book
 * epochs on MNIST (Adam lr 0.001, batch 100) with the first tile. Prints each row as it finishes
 * and writes everything as JSON to `--out`. Software adapters are labelled so; no time target
 * applies to them.
 */
import { writeFileSync } from 'node:fs';
import type * as NetworksModule from './networks.js';
import { loadTfjs, loadTfjsWebGpu, tfjsAsyncTrainer } from './tfjs.js';
import { randint, randn, Rng } from './tensor.js';
import { openOurGpu, ourGpuStep, timeAwaitedSteps, timeGpuSteps, type Tile } from './webgpu.js';

interface Args {
  tiles: (Tile | undefined)[];
  gemm: number;
  batch: number;
  steps: number;
  epochs: number;
  tfjs: boolean;
  f16: boolean;
  out: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const value = (name: string, fallback: string): string => {
    const at = argv.indexOf(name);
    return at >= 0 && argv[at + 1] !== undefined ? argv[at + 1]! : fallback;
  };
  const tiles = value('--tiles', 'default')
    .split(',')
    .map((spec): Tile | undefined => {
      if (spec === 'default') return undefined;
      const m = /^(\d+)x(\d+)$/.exec(spec);
      if (!m) throw new Error(`gpu-run: a tile is TxR (e.g. 16x4) or default, got ${spec}`);
      return { T: Number(m[1]), R: Number(m[2]) };
    });
  const out = argv.includes('--out') ? value('--out', '') : undefined;
  return {
    tiles,
    gemm: Number(value('--gemm', '4096')),
    batch: Number(value('--batch', '100')),
    steps: Number(value('--steps', '20')),
    epochs: Number(value('--epochs', '0')),
    tfjs: !argv.includes('--no-tfjs'),
    f16: !argv.includes('--no-f16'),
    out: out || undefined,
  };
}

type TrainerRng = ConstructorParameters<typeof NetworksModule.Trainer>[0]['rng'];

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const lib = await import('./networks.js');
  const result: Record<string, unknown> = { args: { ...args, tiles: args.tiles.map((t) => t ?? 'default') } };
  const rows: Record<string, unknown>[] = [];
  result.rows = rows;
  const save = (): void => {
    if (args.out) writeFileSync(args.out, `${JSON.stringify(result, null, 2)}\n`);
  };
  const rng = new Rng(1);
  const x = randn([args.batch, 1, 28, 28], rng);
  const t = randint([args.batch], rng, 0, 10);
  for (const tile of args.tiles) {
    const label = tile ? `${tile.T}x${tile.R}` : 'default';
    const gpu = await openOurGpu(tile ? { tile } : {});
    if (!gpu.ok) {
      console.log(`tile ${label}: n/a (${gpu.reason})`);
      rows.push({ tile: label, unavailable: gpu.reason });
      save();
      continue;
    }
    result.adapter = gpu.adapter;
    result.software = gpu.software;
    const backend = gpu.kernels.gpu;
    const n = args.gemm;
    const host = Float32Array.from({ length: n * n }, () => rng.random() * 2 - 1);
    const [a, b, c] = [backend.upload(host), backend.upload(host), backend.alloc('float32', n * n)];
    const gemmArgs = { m: n, n, k: n, transA: false, transB: false, alpha: 1, beta: 0, a, b, c };
    backend.gemm(gemmArgs);
    await backend.read(c); // the pipeline compiled, the buffers resident
    const times: number[] = [];
    for (let r = 0; r < 5; r++) {
      const start = performance.now();
      backend.gemm(gemmArgs);
      backend.flush();
      await backend.device.queue.onSubmittedWorkDone();
      times.push(performance.now() - start);
    }
    const gemmMs = median(times);
    const tflops = (2 * n * n * n) / gemmMs / 1e9;
    for (const array of [a, b, c]) backend.release(array);
    const { net, optimizer } = {
      net: new lib.DeepConvNet({ backend: gpu.kernels }),
      optimizer: new lib.Adam({ lr: 0.001, backend: gpu.kernels }),
    };
    const step = ourGpuStep(net, optimizer, x.to(gpu.kernels), t, { train: true, rng: new Rng(2) });
    const timing = await timeGpuSteps(step, args.steps);
    const row: Record<string, unknown> = {
      tile: label,
      effectiveTile: gpu.tile,
      software: gpu.software,
      gemm: { size: n, ms: gemmMs, tflops, runs: times.length },
      deepConvNetStep: { batch: args.batch, ...timing },
    };
    rows.push(row);
    console.log(
      `tile ${label} (${gpu.tile.T}x${gpu.tile.R})${gpu.software ? ' [software adapter]' : ''}: gemm ${n}^3 ` +
        `${gemmMs.toFixed(2)} ms = ${(tflops * 1000).toFixed(2)} GFLOP/s; DeepConvNet step (batch ${args.batch}) ` +
        `median ${timing.medianMs.toFixed(2)} ms (first ${timing.firstMs.toFixed(0)} ms, ${timing.steps} steps)`,
    );
    save();
    backend.destroy();
    if (args.f16) {
      // The same step with float16 storage, on a device of its own with the same tile.
      const half = await openOurGpu({ tile: gpu.tile, precision: 'float16' });
      if (!half.ok) {
        row.deepConvNetStepF16 = { unavailable: half.reason };
        console.log(`tile ${label} f16: n/a (${half.reason})`);
      } else {
        const f16Step = ourGpuStep(
          new lib.DeepConvNet({ backend: half.kernels }),
          new lib.Adam({ lr: 0.001, backend: half.kernels }),
          x.to(half.kernels),
          t,
          { train: true, rng: new Rng(2) },
        );
        const f16Timing = await timeGpuSteps(f16Step, args.steps);
        row.deepConvNetStepF16 = { batch: args.batch, compute: half.compute, ...f16Timing };
        console.log(
          `tile ${label} f16${half.software ? ' [software adapter]' : ''}: DeepConvNet step (batch ${args.batch}) ` +
            `median ${f16Timing.medianMs.toFixed(2)} ms (first ${f16Timing.firstMs.toFixed(0)} ms, ` +
            `${f16Timing.steps} steps); ${half.compute}`,
        );
        half.kernels.gpu.destroy();
      }
      save();
    }
  }
  if (args.tfjs) {
    const tfjs = await loadTfjs();
    const loaded = await loadTfjsWebGpu(tfjs);
    if (!loaded.ok || !(await tfjs.use('webgpu'))) {
      const reason = loaded.ok ? 'backend failed' : loaded.reason;
      console.log(`tfjs webgpu: n/a (${reason})`);
      result.tfjs = { unavailable: reason };
    } else {
      const trainer = await tfjsAsyncTrainer(
        tfjs,
        'deep',
        new Float32Array(x.data),
        new Int32Array(t.data),
        'adam',
      );
      if ('cannot' in trainer) {
        result.tfjs = { unavailable: trainer.cannot };
        console.log(`tfjs webgpu: ${trainer.cannot}`);
      } else {
        const timing = await timeAwaitedSteps(trainer.step, args.steps);
        result.tfjs = {
          adapter: loaded.adapter,
          deepConvNetStep: { batch: args.batch, ...timing, firstMs: trainer.firstMs },
        };
        console.log(
          `tfjs webgpu ${tfjs.version}: DeepConvNet step (batch ${args.batch}) median ${timing.medianMs.toFixed(2)} ms ` +
            `(first ${trainer.firstMs.toFixed(0)} ms, ${timing.steps} steps)`,
        );
        trainer.dispose();
      }
    }
    save();
  }
  if (args.epochs > 0) {
    const tile = args.tiles[0];
    const gpu = await openOurGpu(tile ? { tile } : {});
    if (!gpu.ok) {
      result.epochs = { unavailable: gpu.reason };
    } else {
      const { xTrain, tTrain, xTest, tTest } = lib.loadMnist({ flatten: false });
      const model = new lib.DeepConvNet({ backend: gpu.kernels });
      const trainer = new lib.Trainer({
        model,
        optimizer: new lib.Adam({ lr: 0.001, backend: gpu.kernels }),
        data: { xTrain, tTrain, xTest, tTest },
        epochs: args.epochs,
        batchSize: 100,
        // The layers' own Rng class at run time (one @dl/tensor source module); the type checker sees
        // it through their package's declarations, hence the cast.
        rng: new Rng(1) as unknown as TrainerRng,
        backend: gpu.kernels,
      });
      const start = performance.now();
      const trained = await trainer.train();
      const seconds = (performance.now() - start) / 1000;
      result.epochs = { epochs: args.epochs, seconds, testAcc: trained.testAcc, software: gpu.software };
      console.log(
        `DeepConvNet ${args.epochs} epochs on webgpu: ${seconds.toFixed(1)} s, test accuracy ${(100 * trained.testAcc).toFixed(2)}%`,
      );
      gpu.kernels.gpu.destroy();
    }
    save();
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
