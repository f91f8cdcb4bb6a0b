import { type DType, type FloatDType } from './dtype.js';
import { allocate, allocateFilled } from './allocate.js';
import { assertValidShape, sizeOf, type Shape } from './shape.js';
import type { Rng } from './rng.js';
import { Tensor } from './tensor.js';

/** Random tensors. Every function takes the `Rng` to draw from: same seed, same numbers. */

/** Standard normal samples (`np.random.randn`), optionally scaled: `randn([784, 50], rng, { std: 0.01 })`. */
export function randn<D extends FloatDType = 'float32'>(
  shape: Shape,
  rng: Rng,
  options: { mean?: number; std?: number; dtype?: D } = {},
): Tensor<D> {
  assertValidShape('randn', shape);
  const { mean = 0, std = 1 } = options;
  const dt = (options.dtype ?? 'float32') as D;
  const data = allocateFilled(dt, sizeOf(shape), (a) => {
    for (let i = 0; i < a.length; i++) a[i] = mean + std * rng.normal();
  });
  return new Tensor(data, shape, dt);
}

/** Uniform samples in `[low, high)` (`np.random.uniform`; `np.random.rand` with the defaults). */
export function uniform<D extends FloatDType = 'float32'>(
  shape: Shape,
  rng: Rng,
  options: { low?: number; high?: number; dtype?: D } = {},
): Tensor<D> {
  assertValidShape('uniform', shape);
  const { low = 0, high = 1 } = options;
  const dt = (options.dtype ?? 'float32') as D;
  const data = allocateFilled(dt, sizeOf(shape), (a) => {
    for (let i = 0; i < a.length; i++) a[i] = low + (high - low) * rng.random();
    // float32 rounding can turn a value just below `high` into `high`; keep the interval half-open.
    if (dt === 'float32')
      for (let i = 0; i < a.length; i++)
        if (a[i]! >= high) a[i] = Math.fround(high - (high - low) * 2 ** -24);
  });
  return new Tensor(data, shape, dt);
}

/** Uniform integers in `[low, high)`. */
export function randint(shape: Shape, rng: Rng, low: number, high: number): Tensor<'int32'> {
  if (!(Number.isInteger(low) && Number.isInteger(high) && high > low)) {
    throw new RangeError(`randint: need integers low < high, got ${low}, ${high}`);
  }
  const data = allocateFilled('int32', sizeOf(shape), (a) => {
    for (let i = 0; i < a.length; i++) a[i] = low + rng.int(high - low);
  });
  return new Tensor(data, shape, 'int32');
}

/**
 * `size` indices drawn from `[0, n)` (`np.random.choice(n, size, replace)`). With replacement (the
 * book's mini-batches) indices may repeat; without, they are distinct (a partial Fisher-Yates shuffle).
 */
export function choice(
  n: number,
  size: number,
  rng: Rng,
  options: { replace?: boolean } = {},
): Tensor<'int32'> {
  const replace = options.replace ?? true;
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(size) || size < 0) {
    throw new RangeError(`choice: n and size must be integers >= 0, got ${n}, ${size}`);
  }
  if (size > 0 && n === 0) throw new RangeError('choice: cannot draw from an empty range');
  if (!replace && size > n)
    throw new RangeError(`choice: cannot take ${size} distinct samples from ${n} without replacement`);
  const out = allocateFilled('int32', size, (a) => {
    if (replace) {
      for (let i = 0; i < size; i++) a[i] = rng.int(n);
    } else {
      const pool = new Int32Array(n);
      for (let i = 0; i < n; i++) pool[i] = i;
      for (let i = 0; i < size; i++) {
        const j = i + rng.int(n - i);
        const t = pool[i]!;
        pool[i] = pool[j]!;
        pool[j] = t;
        a[i] = pool[i]!;
      }
    }
  });
  return new Tensor(out, [size], 'int32');
}

/** A random ordering of `0..n-1` (`np.random.permutation`). */
export function permutation(n: number, rng: Rng): Tensor<'int32'> {
  return choice(n, n, rng, { replace: false });
}

/** Shuffles a tensor's rows in place (first axis), Fisher-Yates. */
export function shuffleRows<D extends DType>(x: Tensor<D>, rng: Rng): Tensor<D> {
  const n = x.shape[0] ?? 0;
  const row = x.size / Math.max(n, 1);
  const tmp = allocate(x.dtype, row);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    if (j === i) continue;
    tmp.set(x.data.subarray(i * row, (i + 1) * row));
    x.data.copyWithin(i * row, j * row, (j + 1) * row);
    x.data.set(tmp, j * row);
  }
  return x;
}
