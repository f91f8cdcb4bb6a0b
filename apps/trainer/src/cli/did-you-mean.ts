/** Edit distance (insertions, deletions, substitutions) between two strings. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + cost));
    }
    row = next;
  }
  return row[b.length]!;
}

// Case, `-` and `_` do not count: `SimpleConvNet` and `simple_conv_net` mean `simple-conv-net`.
const bare = (s: string): string => s.toLowerCase().replace(/[-_\s]/g, '');

/**
 * The known name closest to a misspelled `value` (`simple-convnet` → `simple-conv-net`), or undefined
 * when none is close: at most a third of the name's letters differ (and at least one may).
 */
export function closestName(value: string, names: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(bare(value), bare(name));
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  if (best === undefined) return undefined;
  return best.distance <= Math.max(1, Math.floor(bare(best.name).length / 3)) ? best.name : undefined;
}

/** ` (did you mean NAME?)` for a misspelled name, or nothing. */
export function didYouMean(value: string, names: readonly string[]): string {
  const name = closestName(value, names);
  return name === undefined ? '' : ` (did you mean ${name}?)`;
}
