import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from '../cli-error.js';
import { didYouMean } from './did-you-mean.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `util.parseArgs` with its errors turned into one-line `CliError`s that name the command
 * (`dl train: unknown option '--lrr'`).
 */
/** What `parseArgs` returns for these options: typed `values` and the positionals. */
export type ParsedArgs<O extends Options> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>
>;

export function parseCommandArgs<const O extends Options>(
  command: string,
  argv: readonly string[],
  options: O,
  allowPositionals = false,
): ParsedArgs<O> {
  try {
    return parseArgs({
      args: joinNegativeValues(argv, options),
      options,
      strict: true,
      allowPositionals: allowPositionals as true,
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      const message = (e as Error).message
        .replace(/\. To specify a positional argument starting with a '-'.*$/s, '')
        .replace(/^Unknown option/, 'unknown option')
        .replace(/^Unexpected argument/, 'unexpected argument')
        .replace(/^Option '(.*)' argument missing$/, "option '$1' needs a value");
      throw new CliError(`${command}: ${message} (see 'dl ${command} --help')`);
    }
    throw e;
  }
}

/**
 * `--lr -1` as `--lr=-1`: parseArgs takes `-1` for an option, and its message then is three lines;
 * this way the value reaches the range check, which names the flag and the rule.
 */
function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    const name = a.startsWith('--') ? a.slice(2) : undefined;
    if (name && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

export function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n <= 0)
    throw new CliError(`--${name} must be a positive integer, got '${value}'`);
  return n;
}

export function nonNegativeInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0)
    throw new CliError(`--${name} must be an integer >= 0, got '${value}'`);
  return n;
}

export function nonNegative(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new CliError(`--${name} must be a number >= 0, got '${value}'`);
  return n;
}

export function positive(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new CliError(`--${name} must be a number > 0, got '${value}'`);
  return n;
}

export function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n))
    throw new CliError(`--${name} must be an integer, got '${value}'`);
  return n;
}

export function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new CliError(
      `--${name} must be one of ${allowed.join(', ')}, got '${value}'${didYouMean(value, allowed)}`,
    );
  }
  return value as T;
}

/** A comma-separated list of positive integers (`--hidden 100,100`). */
export function intList(name: string, value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((v) => positiveInt(name, v.trim())!);
}
