/**
 * A failure the user can act on (missing data, a bad checkpoint, an unwritable directory): printed as
 * one line, without a stack, exit code 1 unless given.
 */
export class RunError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RunError';
  }
}

/** Exit codes of `dl`, as the help lists them. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  diverged: 3,
  interrupted: 130,
} as const;

const FS_REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  ENOSPC: 'no space left on the device',
  EEXIST: 'already exists',
};

/** A file-system error as `what PATH: reason`, or undefined for other errors. */
export function describeFsError(e: unknown, what: string): string | undefined {
  const { code, path } = e as { code?: unknown; path?: unknown };
  if (typeof code !== 'string' || !(code in FS_REASONS)) return undefined;
  return `${what}${typeof path === 'string' ? ` ${path}` : ''}: ${FS_REASONS[code]} (${code})`;
}

/**
 * The one line of a GPU failure (the device lost, a failed validation, a tensor too large to bind:
 * the webgpu backend's errors start with `webgpu`, also when wrapped as `...: webgpu: ...`), or
 * undefined for any other error. A fact about the machine, not a bug: callers end in it, exit 1.
 */
export function gpuFailureLine(e: unknown): string | undefined {
  if (!(e instanceof Error) || e instanceof RunError) return undefined;
  const at = e.message.indexOf('webgpu');
  if (at < 0 || !(at === 0 || e.message.slice(0, at).endsWith(': '))) return undefined;
  return e.message.slice(at).split('\n')[0];
}
