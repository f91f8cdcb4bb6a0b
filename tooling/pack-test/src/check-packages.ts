// `pnpm check:packages`: packs every package under packages/ the way `pnpm publish` does and checks
// each tarball with publint (exports map, files, formats; suggestions count as failures), with
// @arethetypeswrong/cli (type resolution, `--profile esm-only`) and with `checkTarball` (ranges, files,
// maps, wasm assets). Needs `pnpm build` first. Exits non-zero when any check finds anything.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { checkTarball } from './tarball-checks.js';
import { packAll, publishedPackages, ROOT, run, unpack, type RunResult } from './workspace.js';

// The CLI's own bin script, run with this Node (no `pnpm exec` start-up per tarball).
const ATTW = join(
  dirname(createRequire(import.meta.url).resolve('@arethetypeswrong/cli/package.json')),
  'dist',
  'index.js',
);

const work = await mkdtemp(join(tmpdir(), 'dl-check-packages-'));
let failures = 0;
try {
  const tarballs = await packAll(join(work, 'tarballs'));
  const versions = new Map(publishedPackages().map((p) => [p.manifest.name, p.manifest.version]));

  // attw loads TypeScript once per run (seconds each): start them all, two at a time.
  const attwRuns = new Map<string, Promise<RunResult>>();
  const queue = [...tarballs];
  const next = async (): Promise<void> => {
    const item = queue.shift();
    if (item === undefined) return;
    const [name, tarball] = item;
    // ESM-only packages: `esm-only` leaves out node10 and require-from-CJS (which cannot load ESM
    // without a dynamic import) and checks node16 import and bundler resolution.
    const result = run(
      process.execPath,
      [
        ATTW,
        tarball,
        '--profile',
        'esm-only',
        '--no-definitely-typed',
        '--format',
        'table-flipped',
        '--no-color',
      ],
      { cwd: ROOT },
    );
    attwRuns.set(name, result);
    await result;
    await next();
  };
  const attwDone = Promise.all([next(), next()]);

  for (const [name, tarball] of tarballs) {
    console.log(`\n${name} (${tarball.slice(work.length + 1)})`);

    const bytes = await readFile(tarball);
    const lint = await publint({
      pack: { tarball: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) },
      level: 'suggestion',
      strict: true,
    });
    for (const m of lint.messages)
      console.log(`  publint ${m.type}: ${formatMessage(m, lint.pkg) ?? m.code}`);
    console.log(`  publint: ${lint.messages.length === 0 ? 'ok' : `${lint.messages.length} messages`}`);

    const problems = await checkTarball(await unpack(tarball, join(work, name)), versions);
    for (const p of problems) console.log(`  tarball: ${p}`);
    console.log(`  tarball contents: ${problems.length === 0 ? 'ok' : `${problems.length} problems`}`);

    failures += lint.messages.length + problems.length;
  }

  await attwDone;
  console.log('\nattw --profile esm-only (types for node16 import and bundlers)');
  for (const [name, result] of attwRuns) {
    const attw = await result;
    console.log(`  ${name}: ${attw.code === 0 ? 'ok' : `failed (exit ${attw.code})`}`);
    if (attw.code !== 0) {
      console.log(attw.stdout + attw.stderr);
      failures++;
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
console.log(failures === 0 ? '\ncheck:packages: all packages ok' : `\ncheck:packages: ${failures} problems`);
process.exitCode = failures === 0 ? 0 : 1;
