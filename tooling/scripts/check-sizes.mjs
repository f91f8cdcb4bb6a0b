#!/usr/bin/env node
// The size rules of the developers' guide, checked: no non-test source file over 400 lines outside
// packages/tensor/assembly/, and no function in apps/ over 120 lines (functions, methods, arrow
// functions and function expressions, counted from their first line to their last). Uses the
// TypeScript compiler's parser, so a function is what the language says it is.
// `node tooling/scripts/check-sizes.mjs` lists every breach and exits 1 if there is one.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 120;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'wasm', '.turbo', 'coverage', 'public', 'fixtures']);
const SOURCE = /\.(ts|tsx|mts|cts|js|mjs)$/;
const NOT_SOURCE = /(\.test\.|\.e2e\.|\.bench\.|\.d\.ts$|\.d\.mts$)/;

function* sources(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (!SKIP_DIRS.has(entry) && !entry.startsWith('.')) yield* sources(path);
    } else if (SOURCE.test(entry) && !NOT_SOURCE.test(entry)) {
      yield path;
    }
  }
}

/** A readable name for a function node: its own, or the variable, property or class member it is. */
function nameOf(node, source) {
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if (
    parent &&
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
  )
    return parent.name.getText(source);
  return '(anonymous)';
}

function longFunctions(path, text) {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines > MAX_FUNCTION_LINES) found.push({ line: first + 1, name: nameOf(node, source), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const breaches = [];
for (const group of ['packages', 'apps', 'tooling']) {
  for (const path of sources(join(root, group))) {
    const rel = relative(root, path);
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > MAX_FILE_LINES && !rel.startsWith(join('packages', 'tensor', 'assembly')))
      breaches.push(`${rel}: ${lines} lines (files at most ${MAX_FILE_LINES})`);
    if (group === 'apps') {
      for (const f of longFunctions(path, text))
        breaches.push(
          `${rel}:${f.line}: ${f.name} is ${f.lines} lines (functions in apps/ at most ${MAX_FUNCTION_LINES})`,
        );
    }
  }
}
for (const b of breaches) console.log(b);
console.log(breaches.length === 0 ? 'check-sizes: ok' : `check-sizes: ${breaches.length} over the limits`);
process.exitCode = breaches.length === 0 ? 0 : 1;
