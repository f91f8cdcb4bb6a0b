/**
 * How to scale initial weights (chapter 6.2), as the book's networks accept it: a fixed standard
 * deviation (`0.01`), Xavier (`'xavier'` or `'sigmoid'`: `sqrt(1 / n)`) or He (`'he'` or `'relu'`:
 * `sqrt(2 / n)`), where `n` is the fan-in, the number of inputs of each unit.
 */
export type WeightInitStd = number | 'xavier' | 'he' | 'relu' | 'sigmoid';

/** The standard deviation for a layer with `fanIn` inputs. */
export function weightInitScale(std: WeightInitStd, fanIn: number): number {
  if (typeof std === 'number') return std;
  if (!(Number.isInteger(fanIn) && fanIn > 0))
    throw new RangeError(`weightInitScale: fan-in must be a positive integer, got ${fanIn}`);
  switch (std) {
    case 'he':
    case 'relu':
      return Math.sqrt(2.0 / fanIn);
    case 'xavier':
    case 'sigmoid':
      return Math.sqrt(1.0 / fanIn);
  }
  throw new RangeError(
    `weightInitScale: unknown weight init '${String(std)}' (use a number, 'xavier', 'he', 'relu' or 'sigmoid')`,
  );
}
