import type { ActiveBackend } from '../backend.js';
import type { Io } from '../cli/io.js';
import type { LoadedData } from '../train/data.js';

/** A flag an experiment takes besides the common ones. */
export interface ExperimentOption {
  readonly type: 'string' | 'boolean';
  /** What the value is, in the help (`--checkpoint FILE`); default `X`. */
  readonly value?: string;
  /** `--iters N   iterations per optimizer (default 500; the book 2000)`. */
  readonly help: string;
}

/** What every experiment gets: where to write, how to report, the data, its flags. */
export interface ExperimentContext {
  /** The output directory (created). */
  readonly out: string;
  readonly io: Io;
  readonly seed: number;
  /**
   * The backend `--backend` activated. Networks and optimizers are given its `kernels`
   * (`{ backend }`); on `webgpu` they live on the GPU, and only they do: data, labels and an
   * experiment's own float64 arithmetic stay on the CPU.
   */
  readonly backend: ActiveBackend;
  /** A progress line (hidden with --json). */
  log(line: string): void;
  /** MNIST (or `--data DIR`), flattened, loaded once on first use. */
  data(): LoadedData;
  /** The same data set as images `[N, 1, rows, cols]` (convolutional networks), loaded once on first use. */
  images(): LoadedData;
  /** The experiment's own flags, as given (`undefined` when absent). */
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  /** The path of an output file: `file('loss.csv')`. */
  file(name: string): string;
}

/** What an experiment reports when done. */
export interface ExperimentResult {
  /** Files written (CSV, SVG, PNG), relative to the output directory. */
  readonly files: readonly string[];
  /** Key numbers, printed as a table and in the --json summary. */
  readonly summary: Readonly<Record<string, number | string | boolean | null>>;
}

export interface Experiment {
  readonly name: string;
  /** One line for `dl experiment --help`. */
  readonly summary: string;
  /** Where in the book. */
  readonly book: string;
  /** Whether it reads MNIST (then --data applies). */
  readonly usesData: boolean;
  /**
   * Whether it trains or evaluates a network (then `--backend webgpu` runs that on the GPU). One
   * that does not (pure-math curves in float64, as NumPy computes them) runs on the CPU there.
   */
  readonly usesNetwork: boolean;
  readonly options: Readonly<Record<string, ExperimentOption>>;
  /** Command lines for its help (default: one with --out). */
  readonly examples?: readonly string[];
  run(ctx: ExperimentContext): Promise<ExperimentResult>;
}
