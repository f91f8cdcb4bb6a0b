/**
 * The first key that appears twice in one object of a JSON text (at any depth), or undefined.
 * `JSON.parse` silently keeps the last of two equal keys, which would let a safetensors header name
 * two tensors alike and hide one of them. Call only on text that `JSON.parse` accepted.
 */
export function findDuplicateKey(json: string): string | undefined {
  // One frame per open object (its keys so far) or array (null); `expectKey` after `{` and `,`.
  const frames: { keys: Set<string> | null; expectKey: boolean }[] = [];
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      const top = frames.at(-1);
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = end;
    } else if (c === '{') {
      frames.push({ keys: new Set(), expectKey: true });
    } else if (c === '[') {
      frames.push({ keys: null, expectKey: false });
    } else if (c === '}' || c === ']') {
      frames.pop();
    } else if (c === ',') {
      const top = frames.at(-1);
      if (top?.keys) top.expectKey = true;
    }
  }
  return undefined;
}
