import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// `@dl/data-mnist/digit` is the browser-safe entry (the playground imports it): its modules may
// import only each other, never `node:` modules or the package's file-reading parts.
describe('@dl/data-mnist/digit', () => {
  const dir = import.meta.dirname;
  const sources = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));

  it.each(sources)('%s imports only modules of its own folder', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const specifiers = [...text.matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1]!);
    for (const s of specifiers) expect(s, `${file} imports ${s}`).toMatch(/^\.\/[\w-]+\.js$/);
  });
});
