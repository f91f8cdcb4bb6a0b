import { argmax, fromArray, type Tensor } from '@dl/tensor';
import { must, type FixtureArray } from '@dl/book-fixtures';
import type { LayerNetwork } from '../networks/layer-network.js';

/**
 * The book-parity fixtures in `@dl/layers`'s tests: the shared loader (`@dl/book-fixtures`, one for
 * every package; its `data/README.md` is the format) plus the conversions to tensors and the network
 * helpers these tests need. Test helper only (excluded from the build and the package).
 */
export {
  DIFF_TOL,
  NUMGRAD_TOL,
  OUTPUT_TOL,
  expectClose,
  loadCases,
  must,
  named,
  numberAttr,
  scalar,
  type FixtureArray,
  type FixtureCase,
} from '@dl/book-fixtures';

/** A float64 tensor (labels and masks become float64 too). */
export function f64(a: FixtureArray | undefined): Tensor<'float64'> {
  const v = must(a, 'float array');
  return fromArray(v.data, v.shape, 'float64');
}

/** The tensor in its own kind: float64, int64 labels as int32, bool masks as uint8. */
export function toTensor(a: FixtureArray | undefined): Tensor {
  const v = must(a, 'array');
  if (v.dtype === 'int64') return fromArray(v.data, v.shape, 'int32');
  if (v.dtype === 'bool') return fromArray(v.data, v.shape, 'uint8');
  return fromArray(v.data, v.shape, 'float64');
}

/** Sets a network's parameters from a fixture's `params` (by book name; shapes must agree). */
export function setParams(net: LayerNetwork, params: Record<string, FixtureArray>): void {
  const names = net.params().map((p) => p.name);
  if (names.length !== Object.keys(params).length) {
    throw new Error(
      `setParams: network has [${names.join(', ')}], fixture [${Object.keys(params).join(', ')}]`,
    );
  }
  for (const [name, a] of Object.entries(params)) {
    const p = net.param(name);
    if (p.value.shape.join(',') !== a.shape.join(',')) {
      throw new Error(`setParams: ${name} is [${p.value.shape.join(',')}], fixture [${a.shape.join(',')}]`);
    }
    p.value.data.set(a.data);
  }
}

/**
 * Labels that the network already rates at least 1/classes likely: its own predictions. The loss's
 * `1e-7` inside the log makes backprop (which ignores it) differ from the numerical gradient by a
 * relative `1e-7 / p_target`, so gradient checks keep target probabilities well above 1e-7.
 */
export function confidentLabels(net: LayerNetwork, x: Tensor<'float64'>): Tensor<'int32'> {
  return argmax(net.predict(x, { train: false }), { axis: 1 });
}

/** Root mean square of the values (the empirical std of zero-mean weights). */
export function rms(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]! * values[i]!;
  return Math.sqrt(s / values.length);
}
