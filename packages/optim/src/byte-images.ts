import { ShapeError, Tensor, allocate, getBackend, shapeToString } from '@dl/tensor';

/**
 * Images kept as bytes (0..255) and turned into float32 `byte / scale` a batch at a time: a quarter
 * of the memory of the float32 set (MNIST's 60 000 training images: 47 MB instead of 188), the
 * same numbers. `byte / scale` is divided in float64 and rounded once to float32, which is the
 * correctly rounded float32 quotient: the value `@dl/data-mnist`'s `loadMnist` stores and NumPy's
 * `x.astype(np.float32) / 255.0` gives, to the last bit.
 */

/** One float32 value per byte value, for each scale asked for (a lookup per pixel, no division). */
const tables = new Map<number, Float32Array>();

/** The float32 value of every byte `b`: `b / scale`, rounded once. */
export function byteScaleTable(scale: number): Float32Array {
  if (!(scale > 0 && Number.isFinite(scale))) {
    throw new RangeError(`pixelScale must be a finite number > 0, got ${scale}`);
  }
  let table = tables.get(scale);
  if (table === undefined) {
    table = new Float32Array(256);
    for (let b = 0; b < 256; b++) table[b] = b / scale;
    tables.set(scale, table);
  }
  return table;
}

/** A float32 tensor to hold `rows` rows shaped like those of `x`, on the bound backend (as `rowsBuffer`). */
export function scaledRowsBuffer(x: Tensor<'uint8'>, rows: number): Tensor<'float32'> {
  const row = x.shape[0] ? x.size / x.shape[0] : 0;
  return new Tensor(allocate('float32', rows * row), [rows, ...x.shape.slice(1)], 'float32');
}

/** Rows `indices` of the bytes `x`, each divided by `scale`, into `out` (`gatherRows` that also scales). */
export function gatherScaledRows(
  x: Tensor<'uint8'>,
  indices: Int32Array,
  scale: number,
  out: Tensor<'float32'>,
): Tensor<'float32'> {
  const n = x.shape[0]!;
  const row = x.size / n;
  if (out.shape[0] !== indices.length || out.size !== indices.length * row) {
    throw new ShapeError(
      `gatherScaledRows: out ${shapeToString(out.shape)} does not hold ${indices.length} rows of ${shapeToString(x.shape)}`,
    );
  }
  const src = x.data;
  const fused = getBackend().fused?.scaleBytes;
  if (fused !== undefined) {
    // The rows' bytes side by side (row copies), then one kernel scales them where `out` lives.
    const bytes = gatherBuffer(indices.length * row);
    for (let j = 0; j < indices.length; j++) {
      const k = indices[j]!;
      if (k < 0 || k >= n)
        throw new RangeError(`gatherScaledRows: index ${k} is out of bounds for ${n} rows`);
      bytes.set(src.subarray(k * row, (k + 1) * row), j * row);
    }
    if (fused(bytes, scale, out.operand)) return out;
  }
  const table = byteScaleTable(scale);
  // Read once: nothing below allocates, so the view stays live on a backend with its own memory.
  const dst = out.data;
  for (let j = 0; j < indices.length; j++) {
    const k = indices[j]!;
    if (k < 0 || k >= n) throw new RangeError(`gatherScaledRows: index ${k} is out of bounds for ${n} rows`);
    const from = k * row;
    const to = j * row;
    for (let i = 0; i < row; i++) dst[to + i] = table[src[from + i]!]!;
  }
  return out;
}

/**
 * Rows `[start, end)` of the bytes `x` divided by `scale`, as a float32 tensor over `into` (reused
 * across calls to keep one buffer; a fresh array when not given or too short).
 */
export function scaledRows(
  x: Tensor<'uint8'>,
  start: number,
  end: number,
  scale: number,
  into?: Float32Array,
): Tensor<'float32'> {
  const n = x.shape[0] ?? 0;
  const from = Math.max(0, Math.min(start, n));
  const to = Math.max(from, Math.min(end, n));
  const row = n === 0 ? 0 : x.size / n;
  const length = (to - from) * row;
  // `into` itself when the rows fill it: a buffer in a backend's storage stays one a kernel binds.
  const out =
    into !== undefined && into.length === length
      ? into
      : into !== undefined && into.length > length
        ? into.subarray(0, length)
        : new Float32Array(length);
  const src = x.data.subarray(from * row, to * row);
  // The tensor first: a kernel may grow the backend's memory, and the tensor's views follow it.
  const result = new Tensor(out, [to - from, ...x.shape.slice(1)], 'float32');
  if (!getBackend().fused?.scaleBytes?.(src, scale, result.operand)) {
    const table = byteScaleTable(scale);
    const dst = result.data;
    for (let i = 0; i < length; i++) dst[i] = table[src[i]!]!;
  }
  return result;
}

/** One byte buffer for the rows a gather copies, grown as needed (the Trainer gathers one batch at a time). */
let gathered = new Uint8Array(0);

function gatherBuffer(length: number): Uint8Array {
  if (gathered.length < length) gathered = new Uint8Array(length);
  return gathered.length === length ? gathered : gathered.subarray(0, length);
}
