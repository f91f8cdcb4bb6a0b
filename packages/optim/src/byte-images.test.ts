import { describe, expect, it } from 'vitest';
import { createWasmBackend, Rng, Tensor, gatherRows, rowsBuffer, withBackend } from '@dl/tensor';
import { LogisticModel } from '../test/logistic-model.js';
import { byteScaleTable, gatherScaledRows, scaledRows, scaledRowsBuffer } from './byte-images.js';
import { createOptimizer } from './create-optimizer.js';
import type { ByteTrainData, TrainData } from './dataset.js';
import { Trainer } from './trainer.js';
import type { TrainerData, TrainerOptions } from './trainer-options.js';

/** Seeded bytes shaped [n, 2, 3] with labels 0..2 that depend on them (so a model can learn). */
function byteSet(n: number, seed: number): { x: Tensor<'uint8'>; t: Tensor<'int32'> } {
  const rng = new Rng(seed);
  const x = Uint8Array.from({ length: n * 6 }, () => rng.int(256));
  const t = Int32Array.from({ length: n }, (_, i) => {
    // The largest of the first three bytes: linearly separable.
    const [a, b, c] = [x[i * 6]!, x[i * 6 + 1]!, x[i * 6 + 2]!];
    return a >= b && a >= c ? 0 : b >= c ? 1 : 2;
  });
  return { x: new Tensor(x, [n, 2, 3]), t: new Tensor(t, [n]) };
}

/** The float32 values of `x` as a loader stores them: each byte divided in float64, rounded once. */
function toFloat(x: Tensor<'uint8'>, scale: number): Tensor<'float32'> {
  return new Tensor(
    Float32Array.from(x.data, (b) => b / scale),
    x.shape,
    'float32',
  );
}

const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

describe('byteScaleTable', () => {
  it.each([255, 1, 127.5])('holds Math.fround(b / %s) for every byte', (scale) => {
    const table = byteScaleTable(scale);
    for (let b = 0; b < 256; b++) expect(table[b]).toBe(Math.fround(b / scale));
  });

  it('refuses a scale that is not a positive finite number', () => {
    for (const scale of [0, -1, Number.NaN, Infinity])
      expect(() => byteScaleTable(scale)).toThrow(/pixelScale/);
  });
});

describe('gatherScaledRows and scaledRows', () => {
  const { x } = byteSet(40, 3);
  const floats = toFloat(x, 255);

  it('gathers the rows gatherRows gathers from the float32 set, bit for bit', () => {
    const indices = Int32Array.from([5, 0, 39, 5, 17]);
    const out = gatherScaledRows(x, indices, 255, scaledRowsBuffer(x, indices.length));
    const want = gatherRows(floats, indices, rowsBuffer(floats, indices.length));
    expect(out.shape).toEqual(want.shape);
    expect(bits(out.data)).toEqual(bits(want.data));
  });

  it('scales a range of rows into a reused buffer', () => {
    const buffer = new Float32Array(10 * 6);
    const rows = scaledRows(x, 30, 40, 255, buffer);
    expect(rows.data.buffer).toBe(buffer.buffer);
    expect(rows.shape).toEqual([10, 2, 3]);
    expect(bits(rows.data)).toEqual(bits(floats.data.subarray(30 * 6, 40 * 6)));
    expect(scaledRows(x, 38, 99, 255).shape).toEqual([2, 2, 3]);
  });

  it('refuses an index out of range and an output of the wrong size', () => {
    const out = scaledRowsBuffer(x, 2);
    expect(() => gatherScaledRows(x, Int32Array.from([0, 40]), 255, out)).toThrow(/out of bounds/);
    expect(() => gatherScaledRows(x, Int32Array.from([0]), 255, out)).toThrow(/does not hold/);
  });
});

describe('the wasm backend scales bytes as the reference does', () => {
  it('every byte value, whole vectors and tails, bit for bit; a scale float32 cannot hold is declined', async () => {
    const wasm = await createWasmBackend();
    const scaleBytes = wasm.fused.scaleBytes;
    const rng = new Rng(21);
    for (const scale of [255, 1, 3]) {
      const bits = (a: Float32Array): number[] => [...new Uint32Array(a.buffer, a.byteOffset, a.length)];
      const table = byteScaleTable(scale);
      for (const n of [0, 1, 15, 16, 17, 256, 1000]) {
        const bytes = Uint8Array.from({ length: n }, (_, i) => (n === 256 ? i : rng.int(256)));
        const out = new Float32Array(n).fill(NaN);
        expect(scaleBytes(bytes, scale, out)).toBe(true);
        expect(bits(out)).toEqual(bits(Float32Array.from(bytes, (b) => table[b]!)));
      }
    }
    expect(scaleBytes(new Uint8Array(4), 0.1, new Float32Array(4))).toBe(false);
    // Through the Trainer's gather on that backend: the float32 set's rows, bit for bit.
    const { x } = byteSet(40, 22);
    const indices = Int32Array.from({ length: 12 }, () => rng.int(40));
    const onWasm = withBackend(wasm, () => gatherScaledRows(x, indices, 255, scaledRowsBuffer(x, 12)));
    const want = gatherRows(toFloat(x, 255), indices, rowsBuffer(toFloat(x, 255), 12));
    expect([...onWasm.data]).toEqual([...want.data]);
  });
});

describe('Trainer on ByteTrainData', () => {
  const train = byteSet(500, 1);
  const test = byteSet(230, 2);
  const bytes: ByteTrainData = {
    xTrain: train.x,
    tTrain: train.t,
    xTest: test.x,
    tTest: test.t,
    pixelScale: 255,
  };
  const floats: TrainData = {
    xTrain: toFloat(train.x, 255).reshape([500, 6]),
    tTrain: train.t,
    xTest: toFloat(test.x, 255).reshape([230, 6]),
    tTest: test.t,
  };
  // The logistic model takes flat rows: the byte sets flattened (views of the same bytes).
  const flat: ByteTrainData = {
    ...bytes,
    xTrain: bytes.xTrain.reshape([500, 6]),
    xTest: bytes.xTest.reshape([230, 6]),
  };

  async function run<D extends TrainerData>(data: D, extra: Partial<TrainerOptions<D>> = {}) {
    const trainer = new Trainer<D>({
      model: new LogisticModel(6, 3, new Rng(4), 'float32'),
      optimizer: createOptimizer('adam', { lr: 0.05 }),
      data,
      batchSize: 50,
      epochs: 3,
      yieldEvery: 0,
      computeTestLoss: true,
      ...extra,
    } as TrainerOptions<D>);
    const result = await trainer.train();
    return { ...result, seconds: 0, evaluated: trainer.evaluate() };
  }

  it.each([{}, { evalBatchSize: 64 }, { evaluateSampleNumPerEpoch: 100 }, { sampling: 'shuffle' as const }])(
    'gives the numbers of the same run on the float32 set (%o)',
    async (extra) => {
      const fromBytes = await run(flat, extra);
      expect(fromBytes).toEqual(await run(floats, extra));
      expect(fromBytes.testAcc).toBeGreaterThan(0.4);
    },
  );

  it('refuses float images with a pixelScale, and a bad pixelScale', () => {
    const base = {
      model: new LogisticModel(6, 3, new Rng(4)),
      optimizer: createOptimizer('sgd'),
      iterations: 1,
    };
    expect(
      () => new Trainer({ ...base, data: { ...floats, pixelScale: 255 } as unknown as ByteTrainData }),
    ).toThrow(/must be uint8/);
    expect(() => new Trainer({ ...base, data: { ...flat, pixelScale: 0 } })).toThrow(/pixelScale/);
  });
});
