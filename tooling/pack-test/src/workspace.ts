import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The parts of a package.json these checks read. */
export interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  exports?: Record<string, string | Record<string, string>>;
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  publishConfig?: { exports?: Manifest['exports'] };
}

export interface WorkspacePackage {
  /** The directory under `packages/` (`tensor`, `data-mnist`, ...). */
  dir: string;
  path: string;
  manifest: Manifest;
}

/** Every package under `packages/`: the published ones (apps and tooling are private). */
export function publishedPackages(): WorkspacePackage[] {
  const base = join(ROOT, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(base, d.name, 'package.json')))
    .map((d) => {
      const path = join(base, d.name);
      const manifest = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as Manifest;
      return { dir: d.name, path, manifest };
    });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (never through a shell); rejects only if it cannot start. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

/** Throws with the command's output unless it exited 0. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: Parameters<typeof run>[2],
): Promise<RunResult> {
  const r = await run(command, args, options);
  if (r.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${options.cwd}) exited with ${r.code}\n${r.stdout}\n${r.stderr}`,
    );
  }
  return r;
}

/**
 * `pnpm pack`s every package under `packages/` into `dest`, as `pnpm publish` would build the
 * tarball: `workspace:` ranges become versions and `publishConfig` overrides apply. Needs a build
 * (`pnpm build`); says so instead of packing a package without its `dist/`.
 */
export async function packAll(dest: string): Promise<Map<string, string>> {
  const packages = publishedPackages();
  const unbuilt = packages.filter(
    (p) => !existsSync(join(p.path, 'dist', 'index.js')) || !existsSync(join(p.path, 'dist', 'index.d.ts')),
  );
  if (unbuilt.length > 0) {
    throw new Error(
      `pack: ${unbuilt.map((p) => p.manifest.name).join(', ')} not built (no dist/index.js); run \`pnpm build\` first`,
    );
  }
  await mkdir(dest, { recursive: true });
  await runOk('pnpm', ['-r', '--filter', './packages/*', 'pack', '--pack-destination', dest], {
    cwd: ROOT,
  });
  const tarballs = new Map<string, string>();
  const made = await readdir(dest);
  for (const p of packages) {
    // pnpm names a tarball `<scope>-<name>-<version>.tgz`.
    const file = `${p.manifest.name.replace(/^@/, '').replace('/', '-')}-${p.manifest.version}.tgz`;
    if (!made.includes(file)) throw new Error(`pack: expected ${file} in ${dest}, found ${made.join(', ')}`);
    tarballs.set(p.manifest.name, join(dest, file));
  }
  return tarballs;
}

/** Unpacks a tarball into `dest` (its files end up under `dest/package/`). */
export async function unpack(tarball: string, dest: string): Promise<string> {
  await mkdir(dest, { recursive: true });
  await runOk('tar', ['-xzf', tarball, '-C', dest], { cwd: dest });
  return join(dest, 'package');
}

/** Every file under `dir`, as `/`-separated paths relative to it. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(dir.length + 1)
        .replaceAll('\\', '/'),
    )
    .sort();
}
