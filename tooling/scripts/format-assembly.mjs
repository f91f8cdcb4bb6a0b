#!/usr/bin/env node
// Prettier for packages/tensor/assembly/ (AssemblyScript), with the repository's Prettier settings.
// Prettier cannot parse `@inline` on a function (see assembly-syntax.mjs), so the root
// .prettierignore leaves the folder out and this script formats it with the decorators hidden.
// `--check` lists files that are not formatted and exits 1; `--write` formats them in place.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { hideDecorators, restoreDecorators } from './assembly-syntax.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = join(root, 'packages', 'tensor', 'assembly');
const write = process.argv.includes('--write');
if (!write && !process.argv.includes('--check')) {
  console.error('usage: node tooling/scripts/format-assembly.mjs --check | --write');
  process.exit(2);
}

let unformatted = 0;
for (const name of readdirSync(dir)
  .filter((f) => f.endsWith('.ts'))
  .sort()) {
  const file = join(dir, name);
  const text = readFileSync(file, 'utf8');
  const options = { ...(await prettier.resolveConfig(file)), filepath: file, parser: 'typescript' };
  const formatted = restoreDecorators(await prettier.format(hideDecorators(text, file), options));
  if (formatted === text) continue;
  unformatted++;
  if (write) writeFileSync(file, formatted);
  console.log(`${write ? 'formatted' : 'not formatted'}: ${relative(root, file)}`);
}
if (!write && unformatted > 0) {
  console.error(`format-assembly: ${unformatted} file(s) not formatted; run pnpm format`);
  process.exitCode = 1;
}
