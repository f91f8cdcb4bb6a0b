import { IdxFormatError } from './errors.js';

/**
 * The IDX format of MNIST (LeCun et al., http://yann.lecun.com/exdb/mnist/): two zero bytes, a type
 * code, the number of dimensions, one big-endian uint32 length per dimension, then the elements in
 * row-major order, big-endian. Pure functions on bytes: no file system, so they also run in a browser.
 */

/** The element types IDX defines, named as typed arrays name them. */
export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

export interface IdxArrayMap {
  uint8: Uint8Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  float32: Float32Array;
  float64: Float64Array;
}
export type IdxArrayOf<D extends IdxDType> = IdxArrayMap[D];

/** One IDX array: its element type, its shape (outermost first) and its elements. */
export interface IdxArray<D extends IdxDType = IdxDType> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: IdxArrayOf<D>;
}

/** `IdxArray` as a union discriminated by `dtype`: `if (a.dtype === 'uint8') a.data` is a `Uint8Array`. */
export type AnyIdxArray = { [D in IdxDType]: IdxArray<D> }[IdxDType];

/** The type code (third byte of the magic number) and element size of each dtype. */
export const IDX_TYPES: { readonly [D in IdxDType]: { readonly code: number; readonly bytes: number } } = {
  uint8: { code: 0x08, bytes: 1 },
  int8: { code: 0x09, bytes: 1 },
  int16: { code: 0x0b, bytes: 2 },
  int32: { code: 0x0c, bytes: 4 },
  float32: { code: 0x0d, bytes: 4 },
  float64: { code: 0x0e, bytes: 8 },
};

const DTYPE_OF_CODE = new Map<number, IdxDType>(
  (Object.keys(IDX_TYPES) as IdxDType[]).map((d) => [IDX_TYPES[d].code, d]),
);

const hex = (value: number, digits: number): string => `0x${value.toString(16).padStart(digits, '0')}`;
const shapeText = (shape: readonly number[]): string => `[${shape.join(',')}]`;

/**
 * Parses the bytes of one IDX file. Throws `IdxFormatError` naming `fileName` when the magic number
 * is wrong, the type code unknown, or the length is not exactly what the header promises.
 * NOTE: 1-byte types (uint8, int8) come back as a view over `bytes`, not a copy: 47 MB of MNIST
 * training images need no second buffer. Copy (`data.slice()`) before mutating if `bytes` is shared.
 */
export function readIdx(bytes: Uint8Array, fileName = '<bytes>'): AnyIdxArray {
  const file = fileName;
  if (bytes.length < 4) {
    throw new IdxFormatError(
      'truncated',
      `${file}: truncated IDX file: ${bytes.length} bytes, expected at least 4 (the magic number)`,
      { file },
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const gzip =
      bytes[0] === 0x1f && bytes[1] === 0x8b
        ? ' (these are gzip bytes: decompress first, or use readIdxFile on a .gz path)'
        : '';
    throw new IdxFormatError(
      'bad-magic',
      `${file}: not an IDX file: magic number ${hex(magic, 8)}, ` +
        `expected 0x0000TTNN (two zero bytes, a type code TT, a rank NN)${gzip}`,
      { file },
    );
  }
  const code = bytes[2]!;
  const dtype = DTYPE_OF_CODE.get(code);
  if (dtype === undefined) {
    throw new IdxFormatError(
      'bad-type',
      `${file}: unknown IDX type code ${hex(code, 2)} in magic number ${hex(magic, 8)}, expected one of ` +
        '0x08 (uint8), 0x09 (int8), 0x0b (int16), 0x0c (int32), 0x0d (float32), 0x0e (float64)',
      { file },
    );
  }
  const rank = bytes[3]!;
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new IdxFormatError(
      'truncated',
      `${file}: truncated IDX header: rank ${rank} needs ${headerBytes} header bytes, file has ${bytes.length}`,
      { file },
    );
  }
  const shape: number[] = [];
  let size = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    size *= d;
  }
  const { bytes: itemBytes } = IDX_TYPES[dtype];
  const expected = headerBytes + size * itemBytes;
  if (bytes.length !== expected) {
    const short = bytes.length < expected;
    throw new IdxFormatError(
      short ? 'truncated' : 'trailing-bytes',
      `${file}: ${short ? 'truncated IDX file' : 'IDX file longer than its header says'}: ` +
        `header says ${dtype} ${shapeText(shape)}, expected ${expected} bytes, file has ${bytes.length}`,
      { file },
    );
  }
  return { dtype, shape, data: decode(dtype, bytes, view, headerBytes, size) } as AnyIdxArray;
}

function decode(
  dtype: IdxDType,
  bytes: Uint8Array,
  view: DataView,
  offset: number,
  size: number,
): IdxArrayOf<IdxDType> {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(bytes.buffer, bytes.byteOffset + offset, size);
    case 'int8':
      return new Int8Array(bytes.buffer, bytes.byteOffset + offset, size);
    case 'int16': {
      const out = new Int16Array(size);
      for (let i = 0; i < size; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(size);
      for (let i = 0; i < size; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(size);
      for (let i = 0; i < size; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(size);
      for (let i = 0; i < size; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

const ARRAY_TYPES: { readonly [D in IdxDType]: new (length: number) => IdxArrayOf<D> } = {
  uint8: Uint8Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/**
 * The IDX bytes of an array: `writeIdx({ dtype: 'uint8', shape: [n, 28, 28], data })`. A `@dl/tensor`
 * tensor of dtype uint8, int32, float32 or float64 is accepted as it is.
 */
export function writeIdx<D extends IdxDType>(array: IdxArray<D>): Uint8Array {
  const { dtype, shape, data } = array;
  const type = (IDX_TYPES as Partial<Record<string, { code: number; bytes: number }>>)[dtype];
  if (type === undefined) {
    throw new TypeError(
      `writeIdx: unknown dtype '${String(dtype)}', expected one of ${Object.keys(IDX_TYPES).join(', ')}`,
    );
  }
  if (!(data instanceof ARRAY_TYPES[dtype])) {
    throw new TypeError(
      `writeIdx: dtype '${dtype}' needs its data in a ${ARRAY_TYPES[dtype].name}, got ${data.constructor.name}`,
    );
  }
  if (shape.length > 255)
    throw new RangeError(`writeIdx: IDX allows at most 255 dimensions, got ${shape.length}`);
  let size = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) {
      throw new RangeError(
        `writeIdx: shape ${shapeText(shape)} has a length that is not an integer in [0, 2^32)`,
      );
    }
    size *= d;
  }
  if (data.length !== size) {
    throw new RangeError(
      `writeIdx: shape ${shapeText(shape)} needs ${size} elements, data has ${data.length}`,
    );
  }
  const headerBytes = 4 + 4 * shape.length;
  const out = new Uint8Array(headerBytes + size * type.bytes);
  const view = new DataView(out.buffer);
  out[2] = type.code;
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  encode(dtype, data, out, view, headerBytes);
  return out;
}

function encode(
  dtype: IdxDType,
  data: IdxArrayOf<IdxDType>,
  out: Uint8Array,
  view: DataView,
  offset: number,
): void {
  const n = data.length;
  switch (dtype) {
    case 'uint8':
    case 'int8':
      out.set(new Uint8Array(data.buffer, data.byteOffset, n), offset);
      return;
    case 'int16':
      for (let i = 0; i < n; i++) view.setInt16(offset + 2 * i, data[i]!, false);
      return;
    case 'int32':
      for (let i = 0; i < n; i++) view.setInt32(offset + 4 * i, data[i]!, false);
      return;
    case 'float32':
      for (let i = 0; i < n; i++) view.setFloat32(offset + 4 * i, data[i]!, false);
      return;
    case 'float64':
      for (let i = 0; i < n; i++) view.setFloat64(offset + 8 * i, data[i]!, false);
      return;
  }
}
