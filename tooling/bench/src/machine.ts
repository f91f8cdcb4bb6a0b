import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';

export interface MachineInfo {
  cpu: string;
  cores: number;
  node: string;
  v8: string;
  /** 1-minute load average when the run started: above the core count, figures are pessimistic. */
  load: number;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown (no /proc/cpuinfo)';
  }
}

export function machineInfo(): MachineInfo {
  return {
    cpu: cpuModel(),
    cores: availableParallelism(),
    node: process.version,
    v8: process.versions.v8,
    load: loadavg()[0] ?? 0,
  };
}
