/**
 * Why `pkg` (default `@dl/trainer`) and its workspace dependencies need a build, or `null` when
 * every build output is newer than its inputs. `first` is true when some output was never built.
 */
export function buildNeeded(root: string, pkg?: string): { first: boolean; reason: string } | null;

/** Where the launcher records that turbo last left every package up to date. */
export function stampPath(root: string): string;

/** Records a build that succeeded: every input older than now is built. */
export function writeStamp(root: string): void;
