import { Rng } from '@dl/tensor';

/** `10 ** u` with `u` uniform in `[lowExp, highExp)`: the book's `10 ** np.random.uniform(-6, -2)`. */
export function logUniform(rng: Rng, lowExp: number, highExp: number): number {
  if (!(Number.isFinite(lowExp) && Number.isFinite(highExp) && lowExp <= highExp)) {
    throw new RangeError(`logUniform: need finite lowExp <= highExp, got ${lowExp}, ${highExp}`);
  }
  return 10 ** (lowExp + (highExp - lowExp) * rng.random());
}

/** The two hyper-parameters the book searches in `ch06/hyperparameter_optimization.py`. */
export interface BookHyper {
  lr: number;
  weightDecay: number;
}

/** The book's ranges, drawn in the book's order: weight decay in 10^[-8, -4), then lr in 10^[-6, -2). */
export function sampleBookHyper(rng: Rng): BookHyper {
  const weightDecay = logUniform(rng, -8, -4);
  const lr = logUniform(rng, -6, -2);
  return { lr, weightDecay };
}

/** What a trial's `run` reports: at least the validation accuracy, which ranks the trials. */
export interface TrialOutcome {
  valAcc: number;
}

export interface Trial<H, R extends TrialOutcome> {
  /** 0-based order in which the trial ran. */
  index: number;
  hyper: H;
  result: R;
}

export interface RandomSearchOptions<H, R extends TrialOutcome, D> {
  /** The book runs 100. */
  trials: number;
  /** Handed to every `run` (typically a `splitValidation` result). */
  data: D;
  /** Draws one trial's hyper-parameters (e.g. `sampleBookHyper`). */
  sample: (rng: Rng) => H;
  /** Builds a network, trains it with `hyper` and reports its validation accuracy. */
  run: (hyper: H, data: D, trial: { index: number; rng: Rng }) => R | Promise<R>;
  /** Seeds the search (default 0), or pass `rng`. */
  seed?: number;
  rng?: Rng;
  onTrial?: (trial: Trial<H, R>) => void;
  /** Stops before the next trial; the trials done so far are returned. */
  signal?: AbortSignal;
}

/**
 * The book's random search (6.5.3): `trials` times, draw hyper-parameters from `sample` and
 * train with them; returns the trials sorted best first by `valAcc` (NaN last, ties in run order).
 * Each trial's `run` gets its own `Rng`, seeded from the search's, so that a trial's training
 * randomness does not depend on how many numbers `sample` drew.
 */
export async function randomSearch<H, R extends TrialOutcome, D>(
  options: RandomSearchOptions<H, R, D>,
): Promise<Trial<H, R>[]> {
  const { trials, sample, run, data, signal } = options;
  if (!Number.isInteger(trials) || trials < 0)
    throw new RangeError(`randomSearch: trials must be an integer >= 0, got ${trials}`);
  if (options.seed !== undefined && options.rng !== undefined)
    throw new TypeError('randomSearch: give seed or rng, not both');
  const rng = options.rng ?? new Rng(options.seed ?? 0);
  const done: Trial<H, R>[] = [];
  for (let index = 0; index < trials && !signal?.aborted; index++) {
    const hyper = sample(rng);
    const trialRng = new Rng(rng.nextUint32());
    const result = await run(hyper, data, { index, rng: trialRng });
    const trial = { index, hyper, result };
    done.push(trial);
    options.onTrial?.(trial);
  }
  const score = (t: Trial<H, R>): number => (Number.isNaN(t.result.valAcc) ? -Infinity : t.result.valAcc);
  return done.sort((a, b) => score(b) - score(a) || a.index - b.index);
}
