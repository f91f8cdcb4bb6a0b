import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { listFiles, type Manifest } from './workspace.js';

const DEPENDENCY_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'] as const;

/** Files a published package must not carry: tests, benchmarks, test fixtures and helpers. */
const NOT_PUBLISHED = [
  /\.test\.[cm]?[jt]s/,
  /\.bench\.[cm]?[jt]s/,
  /(^|\/)fixtures\//,
  /^(src|dist)\/testing\//,
];

function conditionsIn(value: unknown): string[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([k, v]) => [k, ...conditionsIn(v)]);
}

/**
 * What publint and attw do not look at, checked on an unpacked tarball: dependency ranges rewritten
 * from `workspace:`, no `source` condition, the files a user needs (README with its install line,
 * CHANGELOG, LICENSE) and nothing that is only for tests, every compiled file with its types, maps
 * and source (so no stale output of a deleted source file ships), and every asset a module loads
 * with `new URL('…', import.meta.url)` (the WebAssembly kernels). Returns the problems found.
 */
export async function checkTarball(
  packageDir: string,
  versions: ReadonlyMap<string, string>,
): Promise<string[]> {
  const problems: string[] = [];
  const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as Manifest;
  const files = await listFiles(packageDir);
  const has = new Set(files);

  for (const field of DEPENDENCY_FIELDS) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (/^(workspace|link|file|portal):/.test(range)) problems.push(`${field}.${dep} is '${range}'`);
      const sibling = versions.get(dep);
      if (sibling !== undefined && range !== `^${sibling}`) {
        problems.push(`${field}.${dep} is '${range}', expected '^${sibling}' (the workspace version)`);
      }
    }
  }
  if (conditionsIn(manifest.exports).includes('source')) {
    problems.push("exports has the workspace-only 'source' condition (publishConfig.exports should drop it)");
  }

  for (const required of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
    if (!has.has(required)) problems.push(`${required} is missing`);
  }
  if (has.has('README.md')) {
    const readme = await readFile(join(packageDir, 'README.md'), 'utf8');
    if (!readme.includes(`npm install ${manifest.name}`)) {
      problems.push(`README.md has no install line (npm install ${manifest.name})`);
    }
  }
  for (const file of files) {
    if (NOT_PUBLISHED.some((re) => re.test(file))) problems.push(`${file} is test-only and should not ship`);
  }

  for (const file of files.filter((f) => f.startsWith('dist/') && f.endsWith('.js'))) {
    const stem = file.slice(0, -'.js'.length);
    const source = `src/${stem.slice('dist/'.length)}.ts`;
    for (const companion of [`${stem}.d.ts`, `${file}.map`, `${stem}.d.ts.map`, source]) {
      if (!has.has(companion)) problems.push(`${file} has no ${companion}`);
    }
    // Comments out: a doc comment may show the `new URL` form with a placeholder path.
    const code = (await readFile(join(packageDir, file), 'utf8')).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const m of code.matchAll(/new URL\(\s*['"`]([^'"`]+)['"`]\s*,\s*import\.meta\.url\s*\)/g)) {
      const asset = posix.normalize(posix.join(posix.dirname(file), m[1]!));
      if (!has.has(asset)) problems.push(`${file} loads ${m[1]} (${asset}), which is not in the tarball`);
    }
  }
  for (const map of files.filter((f) => f.endsWith('.map'))) {
    const { sources } = JSON.parse(await readFile(join(packageDir, map), 'utf8')) as { sources: string[] };
    for (const s of sources) {
      const resolved = posix.normalize(posix.join(posix.dirname(map), s));
      if (!has.has(resolved)) problems.push(`${map} points at ${s}, which is not in the tarball`);
    }
  }
  return problems;
}
