/**
 * A broadcast binary op as few, long loops: axes of size 1 are dropped, and neighbouring axes merge
 * where both operands continue contiguously (or both repeat) across them. `[100, 50] + [50]` becomes
 * 100 rows of 50 (b repeats each row), a same-shape op one run of 5000, `x + scalar` one run with b
 * repeated. The WebAssembly kernel takes up to two axes; more are walked from JavaScript.
 */
export interface BroadcastView {
  shape: number[];
  aStrides: number[];
  bStrides: number[];
}

export function collapseBroadcast(
  outShape: readonly number[],
  aStrides: readonly number[],
  bStrides: readonly number[],
): BroadcastView {
  const shape: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let axis = 0; axis < outShape.length; axis++) {
    const n = outShape[axis]!;
    if (n === 1) continue;
    const sa = aStrides[axis]!;
    const sb = bStrides[axis]!;
    const last = shape.length - 1;
    if (last >= 0 && as[last] === sa * n && bs[last] === sb * n) {
      shape[last]! *= n;
      as[last] = sa;
      bs[last] = sb;
    } else {
      shape.push(n);
      as.push(sa);
      bs.push(sb);
    }
  }
  return { shape, aStrides: as, bStrides: bs };
}
