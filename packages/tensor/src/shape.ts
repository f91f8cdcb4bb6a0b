/** A tensor's shape: one length per axis, outermost first (row-major, like NumPy's C order). */
export type Shape = readonly number[];

/** Thrown when shapes do not fit together; the message names the op and every shape involved. */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}

export function shapeToString(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides in elements: the last axis moves fastest. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function assertValidShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid shape ${shapeToString(shape)}: lengths must be integers >= 0`);
    }
  }
}

/**
 * NumPy broadcasting: align shapes at the right; each pair of lengths must be equal or one of them 1.
 * Throws naming the op and both shapes when they do not broadcast.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        `${op}: shapes ${shapeToString(a)} and ${shapeToString(b)} cannot be broadcast together (axis ${i - rank}: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides that read `shape` as if it had been broadcast to `target` (0 on broadcast axes).
 * `shape` must already be known to broadcast to `target`.
 */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const own = stridesOf(shape);
  const out = new Array<number>(target.length).fill(0);
  const offset = target.length - shape.length;
  for (let i = 0; i < shape.length; i++) {
    out[i + offset] = shape[i] === 1 && target[i + offset] !== 1 ? 0 : own[i]!;
  }
  return out;
}

/** Resolves a negative axis (-1 = last) and checks it is in range for `rank`. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new ShapeError(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return a;
}

/** Sorted, de-duplicated, non-negative axes; `undefined` means every axis. */
export function normalizeAxes(
  op: string,
  axis: number | readonly number[] | undefined,
  rank: number,
): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  const out = list.map((a) => normalizeAxis(op, a, rank));
  if (new Set(out).size !== out.length) {
    throw new ShapeError(`${op}: repeated axis in [${list.join(',')}]`);
  }
  return out.sort((x, y) => x - y);
}

/** Resolves one `-1` in a requested shape from the total size, as NumPy's reshape does. */
export function resolveReshape(op: string, from: Shape, requested: Shape): number[] {
  const size = sizeOf(from);
  let unknown = -1;
  let known = 1;
  requested.forEach((d, i) => {
    if (d === -1) {
      if (unknown !== -1) throw new ShapeError(`${op}: only one -1 allowed in ${shapeToString(requested)}`);
      unknown = i;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${op}: invalid length ${d} in ${shapeToString(requested)}`);
    } else {
      known *= d;
    }
  });
  const out = [...requested];
  if (unknown !== -1) {
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(
        `${op}: cannot reshape ${shapeToString(from)} (size ${size}) into ${shapeToString(requested)}`,
      );
    }
    out[unknown] = size / known;
  } else if (known !== size) {
    throw new ShapeError(
      `${op}: cannot reshape ${shapeToString(from)} (size ${size}) into ${shapeToString(requested)}`,
    );
  }
  return out;
}
