import { dtypeOfArray, type DType, type TypedArrayOf } from './dtype.js';
import { allocate, allocateFilled, allocateOutput } from './allocate.js';
import {
  ShapeError,
  assertValidShape,
  resolveReshape,
  shapeToString,
  sizeOf,
  stridesOf,
  type Shape,
} from './shape.js';
import * as ew from './ops/elementwise.js';
import * as red from './ops/reduce.js';
import * as lin from './ops/matmul.js';
import * as man from './ops/manipulate.js';
import { boundBackend } from './backend/index.js';
import type { Kernels } from './backend/kernels.js';
import { blockOf, STORAGE_BLOCK, type StorageBlock } from './storage.js';

/** Nested JavaScript arrays of numbers, as `toArray()` returns and `tensor()` accepts. */
export type NestedArray = number | readonly NestedArray[];

/**
 * An n-dimensional array: a shape, a dtype and contiguous row-major storage owned by its backend (a
 * typed array on `js`; a block of WebAssembly memory on `wasm`). `reshape` returns a view over the
 * same storage; every other op returns a new tensor unless an `out` tensor is passed. Methods are
 * thin wrappers over the free functions in `ops/`.
 */
export class Tensor<D extends DType = DType> {
  readonly shape: readonly number[];
  readonly dtype: D;
  readonly size: number;
  /** The array given, when the storage is a plain typed array. */
  readonly #array: TypedArrayOf<D>;
  /** The backend's block, when the storage belongs to a backend with memory of its own. */
  readonly #block: StorageBlock | undefined;
  /**
   * The backend this tensor is tied to: given, else the explicit backend of the running `onBackend`
   * (a network, optimizer or Trainer made with `{ backend }`); `undefined` when created outside one,
   * and then ops on it run on the process default (`getBackend()`). Views keep it. An op whose
   * operands are tied to two different backends throws; `to(backend)` copies explicitly.
   */
  readonly backend: Kernels | undefined;

  constructor(data: TypedArrayOf<D>, shape: Shape, dtype?: D, backend?: Kernels) {
    assertValidShape('Tensor', shape);
    const actual = dtypeOfArray(data);
    if (actual === undefined)
      throw new TypeError('Tensor: data must be a Float32Array, Float64Array, Int32Array or Uint8Array');
    if (dtype !== undefined && dtype !== actual) {
      throw new TypeError(`Tensor: dtype '${dtype}' does not match its data (${actual})`);
    }
    const size = sizeOf(shape);
    if (data.length !== size) {
      throw new ShapeError(
        `Tensor: shape ${shapeToString(shape)} needs ${size} elements, data has ${data.length}`,
      );
    }
    this.#array = data;
    this.#block = blockOf(data);
    this.shape = Object.freeze([...shape]);
    this.dtype = actual as D;
    this.size = size;
    this.backend = backend ?? boundBackend();
  }

  /**
   * The elements, row-major, as a typed array: on CPU backends a live view of the storage, made
   * anew when the backend's memory has grown (writes go through; read it again after other ops
   * rather than holding it). Throws once a step scope has released the tensor.
   */
  get data(): TypedArrayOf<D> {
    const block = this.#block;
    return block === undefined ? this.#array : (block.view() as TypedArrayOf<D>);
  }

  /**
   * The storage as kernels take it, for code that calls kernels (ops, layers, optimizers): on CPU
   * backends the same live view as `data`; on a backend whose memory the CPU cannot address
   * (`webgpu`) a stand-in array of the right type and length, registered to the GPU buffer, whose
   * elements throw when touched. Everyone else reads `data` or `await read()`.
   */
  get operand(): TypedArrayOf<D> {
    const block = this.#block;
    return block === undefined ? this.#array : (block.operand() as TypedArrayOf<D>);
  }

  /** The backend block behind this tensor (for step scopes; undefined for plain arrays). */
  get [STORAGE_BLOCK](): StorageBlock | undefined {
    return this.#block;
  }

  /** A copy of the elements in a plain typed array: the read that works on every backend. */
  read(): Promise<TypedArrayOf<D>> {
    const block = this.#block;
    if (block?.read !== undefined) return block.read() as Promise<TypedArrayOf<D>>;
    return Promise.resolve(this.data.slice() as TypedArrayOf<D>);
  }

  /**
   * A copy on `backend`, in its storage. The explicit way to use a tensor with tensors of another
   * backend.
   */
  to(backend: Kernels): Tensor<D> {
    const label = `${this.dtype} ${shapeToString(this.shape)}`;
    const source = this.data;
    const data = allocateFilled(this.dtype, this.size, (a) => a.set(source), backend, label);
    return new Tensor(data, this.shape, this.dtype, backend);
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** Row-major strides in elements. */
  get strides(): number[] {
    return stridesOf(this.shape);
  }

  /** A view with a new shape over the same data; one length may be -1 (inferred). */
  reshape(...shape: number[] | [Shape]): Tensor<D> {
    const requested: Shape = Array.isArray(shape[0]) ? (shape[0] as Shape) : (shape as number[]);
    return new Tensor(
      this.operand,
      resolveReshape('reshape', this.shape, requested),
      this.dtype,
      this.backend,
    );
  }

  /** A 1-D view of all elements. */
  flatten(): Tensor<D> {
    return this.reshape(this.size);
  }

  /** The flat index of an element, with negative indices counted from the end. */
  private offset(op: string, index: readonly number[]): number {
    if (index.length !== this.shape.length) {
      throw new ShapeError(
        `${op}: ${index.length} indices for a tensor of shape ${shapeToString(this.shape)}`,
      );
    }
    let flat = 0;
    for (let i = 0; i < index.length; i++) {
      const d = this.shape[i]!;
      let v = index[i]!;
      if (v < 0) v += d;
      if (!Number.isInteger(v) || v < 0 || v >= d) {
        throw new RangeError(
          `${op}: index [${index.join(',')}] is out of bounds for shape ${shapeToString(this.shape)}`,
        );
      }
      flat = flat * d + v;
    }
    return flat;
  }

  /** One element by its indices (`t.get(1, 2)`). */
  get(...index: number[]): number {
    return this.data[this.offset('get', index)]!;
  }

  /** Sets one element: `t.set(value, 1, 2)`. */
  set(value: number, ...index: number[]): void {
    this.data[this.offset('set', index)] = value;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new ShapeError(
        `item: tensor of shape ${shapeToString(this.shape)} has ${this.size} elements, not 1`,
      );
    return this.data[0]!;
  }

  /** The values as nested arrays (a plain number for a 0-d tensor). */
  toArray(): NestedArray {
    const build = (axis: number, offset: number): NestedArray => {
      if (axis === this.shape.length) return this.data[offset]!;
      const stride = sizeOf(this.shape.slice(axis + 1));
      return Array.from({ length: this.shape[axis]! }, (_, i) => build(axis + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  clone(): Tensor<D> {
    const storage = this.backend?.storage;
    if (storage?.copy !== undefined) {
      const data = allocateOutput(this.dtype, this.size, this.backend);
      storage.copy(this.operand, data);
      return new Tensor(data, this.shape, this.dtype, this.backend);
    }
    const data = allocate(this.dtype, this.size, this.backend);
    data.set(this.data);
    return new Tensor(data, this.shape, this.dtype, this.backend);
  }

  /** A copy converted to another dtype (floats to integers truncate toward zero, as typed arrays do). */
  astype<E extends DType>(dtype: E): Tensor<E> {
    const out = allocate(dtype, this.size, this.backend);
    out.set(this.data);
    return new Tensor(out, this.shape, dtype, this.backend);
  }

  /** Copies `source` (same size) into this tensor's storage. */
  assign(source: Tensor): this {
    if (source.size !== this.size) {
      throw new ShapeError(
        `assign: shapes ${shapeToString(source.shape)} and ${shapeToString(this.shape)} differ in size`,
      );
    }
    const storage = this.backend?.storage;
    if (storage?.copy !== undefined && storage.deviceResident === true) {
      if (source.dtype !== this.dtype)
        throw new TypeError(`assign: dtype ${source.dtype} into ${this.dtype}`);
      storage.copy(source.operand, this.operand);
      return this;
    }
    this.data.set(source.data);
    return this;
  }

  fill(value: number): this {
    this.data.fill(value);
    return this;
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${shapeToString(this.shape)}) ${JSON.stringify(this.toArray())}`;
  }

  // Chainable forms of the free functions (see ops/ for their documentation).
  add(b: Tensor<D> | number): Tensor<D> {
    return ew.add(this, b);
  }
  sub(b: Tensor<D> | number): Tensor<D> {
    return ew.sub(this, b);
  }
  mul(b: Tensor<D> | number): Tensor<D> {
    return ew.mul(this, b);
  }
  div(b: Tensor<D> | number): Tensor<D> {
    return ew.div(this, b);
  }
  pow(b: Tensor<D> | number): Tensor<D> {
    return ew.pow(this, b);
  }
  neg(): Tensor<D> {
    return ew.neg(this);
  }
  exp(): Tensor<D> {
    return ew.exp(this);
  }
  log(): Tensor<D> {
    return ew.log(this);
  }
  sqrt(): Tensor<D> {
    return ew.sqrt(this);
  }
  square(): Tensor<D> {
    return ew.square(this);
  }
  abs(): Tensor<D> {
    return ew.abs(this);
  }
  tanh(): Tensor<D> {
    return ew.tanh(this);
  }
  sum(axis?: number | readonly number[], keepdims = false): Tensor<D> {
    return red.sum(this, { axis, keepdims });
  }
  mean(axis?: number | readonly number[], keepdims = false): Tensor<D> {
    return red.mean(this, { axis, keepdims });
  }
  max(axis?: number | readonly number[], keepdims = false): Tensor<D> {
    return red.max(this, { axis, keepdims });
  }
  min(axis?: number | readonly number[], keepdims = false): Tensor<D> {
    return red.min(this, { axis, keepdims });
  }
  argmax(axis?: number): Tensor<'int32'> {
    return red.argmax(this, { axis });
  }
  matmul(b: Tensor<D>): Tensor<D> {
    return lin.matmul(this, b);
  }
  dot(b: Tensor<D>): Tensor<D> {
    return lin.dot(this, b);
  }
  transpose(axes?: readonly number[]): Tensor<D> {
    return man.transpose(this, axes);
  }
  /** The transpose (all axes reversed), like NumPy's `.T`. */
  get T(): Tensor<D> {
    return man.transpose(this);
  }
}
