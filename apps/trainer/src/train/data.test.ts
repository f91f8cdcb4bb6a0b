import { gatherRows, gatherScaledRows, rowsBuffer, scaledRows, scaledRowsBuffer } from '@dl/optim';
import { Rng } from '@dl/tensor';
import { describe, expect, it } from 'vitest';
import { loadByteData, loadData } from './data.js';

/** The first index where the float32 arrays differ bit for bit, -1 when none. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  const [x, y] = [a, b].map((f) => new Uint32Array(f.buffer, f.byteOffset, f.length)) as [
    Uint32Array,
    Uint32Array,
  ];
  if (x.length !== y.length) return Math.min(x.length, y.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

describe('loadByteData (what dl train trains on)', () => {
  it.each([true, false])(
    'scales each batch into the float32 values of loadData, bit for bit (flatten %s)',
    (flatten) => {
      const floats = loadData({ dir: null, trainSize: null, flatten });
      const bytes = loadByteData({ dir: null, trainSize: null, flatten });
      expect(bytes.inputShape).toEqual(floats.inputShape);
      expect(bytes.xTrain.shape).toEqual(floats.xTrain.shape);
      const n = bytes.xTrain.shape[0]!;
      const rng = new Rng(15);
      const batch = 100;
      const x = scaledRowsBuffer(bytes.xTrain, batch);
      const want = rowsBuffer(floats.xTrain, batch);
      for (let step = 0; step < 50; step++) {
        const indices = Int32Array.from({ length: batch }, () => rng.int(n));
        gatherScaledRows(bytes.xTrain, indices, bytes.pixelScale, x);
        gatherRows(floats.xTrain, indices, want);
        expect(firstDifference(x.data, want.data as Float32Array)).toBe(-1);
      }
      // The whole test set, as the evaluations read it.
      const test = scaledRows(bytes.xTest, 0, bytes.xTest.shape[0]!, bytes.pixelScale);
      expect(firstDifference(test.data, floats.xTest.data as Float32Array)).toBe(-1);
    },
  );

  it('cuts the training rows to --train-size as loadData does', () => {
    const bytes = loadByteData({ dir: null, trainSize: 1234, flatten: true });
    expect(bytes.xTrain.shape).toEqual([1234, 784]);
    expect(bytes.tTrain.shape).toEqual([1234]);
  });
});
