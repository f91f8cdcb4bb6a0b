import type { NamedTensor } from '../layer.js';
import type { LayerNetwork } from '../networks/layer-network.js';
import type { StoredTensor } from './safetensors-types.js';

/** Every tensor that makes a network what it is: parameters by book name, then buffers (`BatchNorm1.running_mean`). */
export function stateTensors(network: LayerNetwork): NamedTensor[] {
  return [...network.params().map((p) => ({ name: p.name, value: p.value })), ...network.buffers()];
}

/**
 * Lists, at once, every way `actual` differs from `expected` in names, dtypes and shapes
 * (empty when they agree). `storedAs` is the dtype every `actual` tensor must have, when it is not
 * the expected tensor's own (weights stored in a narrower precision).
 */
export function differences(
  expected: readonly NamedTensor[],
  actual: ReadonlyMap<string, StoredTensor>,
  storedAs?: StoredTensor['dtype'],
): string[] {
  const problems: string[] = [];
  const names = new Set(expected.map((t) => t.name));
  const missing = expected.filter((t) => !actual.has(t.name)).map((t) => t.name);
  const extra = [...actual.keys()].filter((name) => !names.has(name));
  if (missing.length > 0) problems.push(`missing ${missing.join(', ')}`);
  if (extra.length > 0) problems.push(`unexpected ${extra.join(', ')}`);
  for (const { name, value } of expected) {
    const t = actual.get(name);
    if (t === undefined) continue;
    const dtype = storedAs ?? value.dtype;
    if (t.dtype !== dtype) problems.push(`${name} is ${t.dtype}, expected ${dtype}`);
    if (t.shape.join(',') !== value.shape.join(','))
      problems.push(`${name} is [${t.shape.join(',')}], expected [${value.shape.join(',')}]`);
  }
  return problems;
}
