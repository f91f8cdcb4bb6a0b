import { readFileSync } from 'node:fs';
import { arch, cpus, platform, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RunEnvironment {
  node: string;
  platform: string;
  arch: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  /** Instruction-set extensions that matter for the kernels (from /proc/cpuinfo where there is one). */
  cpuFeatures: string[];
  /** Versions of the trainer and the @dl packages it runs. */
  versions: Record<string, string>;
}

const INTERESTING = [
  'sse4_2',
  'avx',
  'avx2',
  'fma',
  'avx512f',
  'avx512bw',
  'avx512_vnni',
  'f16c',
  'asimd',
  'sve',
];

function cpuFeatures(): string[] {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const line = /^(?:flags|Features)\s*:\s*(.*)$/m.exec(info);
    const flags = new Set(line?.[1]?.split(/\s+/) ?? []);
    return INTERESTING.filter((f) => flags.has(f));
  } catch {
    return [];
  }
}

function packageVersion(specifier: string): string {
  try {
    // Walk up from the package's entry point to its package.json (exports maps hide the file itself).
    let dir = dirname(fileURLToPath(import.meta.resolve(specifier)));
    for (let i = 0; i < 4; i++) {
      try {
        const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (pkg.name === specifier) return pkg.version ?? 'unknown';
      } catch {
        // not here: one level up
      }
      dir = dirname(dir);
    }
  } catch {
    // not resolvable
  }
  return 'unknown';
}

/** Where a run ran: machine, Node, package versions. */
export function runEnvironment(): RunEnvironment {
  const cpuList = cpus();
  const self = JSON.parse(
    readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'), 'utf8'),
  ) as { version: string };
  return {
    node: process.version,
    platform: platform(),
    arch: arch(),
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    cpuFeatures: cpuFeatures(),
    versions: {
      '@dl/trainer': self.version,
      ...Object.fromEntries(
        ['@dl/tensor', '@dl/layers', '@dl/optim', '@dl/data-mnist', '@dl/gradcheck'].map((p) => [
          p,
          packageVersion(p),
        ]),
      ),
    },
  };
}
