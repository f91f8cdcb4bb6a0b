// Whether the packages `dl` runs need building, decided from file times alone, so a built tree
// starts `dl` without spawning turbo (which prints its banner and costs seconds even when every
// task is cached). The same inputs as turbo.json's `build` and `build:wasm` tasks, per workspace
// package the trainer depends on: a build is needed when an output folder is missing or an input
// is newer than the newest file in it and than the stamp the launcher leaves after every build
// that succeeded (turbo may find an output up to date without rewriting it). Tests (`*.test.ts`)
// are inputs to no build output.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** Where the launcher records that turbo last left every package up to date. */
export function stampPath(root) {
  return join(root, 'node_modules', '.cache', 'dl', 'build-stamp');
}

/** Records a build that succeeded: every input older than now is built. */
export function writeStamp(root) {
  const path = stampPath(root);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${new Date().toISOString()}\n`);
}

/** Newest modification time (ms) under `path` (a file or a folder), skipping test files; 0 if none. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return path.endsWith('.test.ts') ? 0 : stat.mtimeMs;
  let latest = 0;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

/** Workspace package folders by name (`packages/*`, `apps/*`, `tooling/*`, as pnpm-workspace.yaml). */
function workspacePackages(root) {
  const byName = new Map();
  for (const group of ['packages', 'apps', 'tooling']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir)) {
      const manifest = join(dir, entry, 'package.json');
      if (existsSync(manifest)) byName.set(JSON.parse(readFileSync(manifest, 'utf8')).name, join(dir, entry));
    }
  }
  return byName;
}

/** `name` and every workspace package it depends on (dev dependencies too, as turbo's `name...`). */
function closure(name, byName, seen = new Set()) {
  const dir = byName.get(name);
  if (dir === undefined || seen.has(dir)) return seen;
  seen.add(dir);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const deps of [manifest.dependencies, manifest.devDependencies]) {
    for (const [dep, range] of Object.entries(deps ?? {})) {
      if (String(range).startsWith('workspace:')) closure(dep, byName, seen);
    }
  }
  return seen;
}

/**
 * Why `pkg` (the trainer, `@dl/trainer`) and its workspace dependencies need a build, or `null`
 * when every output is newer than its inputs. `first` is true when some output was never built.
 *
 * @param {string} root the monorepo root
 * @param {string} [pkg]
 * @returns {{ first: boolean, reason: string } | null}
 */
export function buildNeeded(root, pkg = '@dl/trainer') {
  const stamp = newest(stampPath(root));
  for (const dir of closure(pkg, workspacePackages(root))) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const scripts = manifest.scripts ?? {};
    const shared = ['package.json', 'tsconfig.json', 'tsconfig.build.json'].map((f) => join(dir, f));
    const tasks = [];
    if (scripts.build !== undefined) tasks.push({ inputs: [join(dir, 'src'), ...shared], output: 'dist' });
    if (scripts['build:wasm'] !== undefined) {
      const wasmInputs = ['assembly', 'asconfig.json', join('scripts', 'build-wasm.mjs')];
      tasks.push({
        inputs: [...wasmInputs.map((f) => join(dir, f)), join(dir, 'package.json')],
        output: 'wasm',
      });
    }
    for (const { inputs, output } of tasks) {
      const newestOutput = newest(join(dir, output));
      const where = relative(root, join(dir, output));
      if (newestOutput === 0) return { first: true, reason: `${where} is not built` };
      const built = Math.max(newestOutput, stamp);
      if (inputs.some((input) => newest(input) > built)) {
        return { first: false, reason: `${relative(root, dir)} changed since ${where} was built` };
      }
    }
  }
  return null;
}
