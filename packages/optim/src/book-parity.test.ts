import { describe, expect, it } from 'vitest';
import type { Param } from './model.js';
import { expectClose, loadFixture, toTensor } from '../test/book-fixture.js';
import { createOptimizer } from './create-optimizer.js';
import type { OptimizerName, OptimizerState } from './optimizer.js';

// The book's class names and snake_case hyper-parameters, as the fixture records them.
const NAMES: Record<string, OptimizerName> = {
  SGD: 'sgd',
  Momentum: 'momentum',
  Nesterov: 'nesterov',
  AdaGrad: 'adagrad',
  RMSprop: 'rmsprop',
  Adam: 'adam',
};
const HYPER: Record<string, string> = {
  lr: 'lr',
  momentum: 'momentum',
  decay_rate: 'decayRate',
  beta1: 'beta1',
  beta2: 'beta2',
};

const cases = loadFixture('optimizers.json');

describe('book parity: common/optimizer.py (optimizers.json)', () => {
  it('has the 12 cases', () => {
    expect(cases).toHaveLength(12);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const kind = NAMES[c.attrs.optimizer]!;
    const options = Object.fromEntries(Object.entries(c.attrs.hyper).map(([k, v]) => [HYPER[k]!, v]));
    const optimizer = createOptimizer(kind, options);
    const params: Param[] = c.attrs.keys.map((key) => {
      const value = toTensor(c.params[key]!);
      return { name: key, value, grad: value.clone().fill(0) };
    });
    for (let step = 1; step <= c.attrs.steps; step++) {
      for (const p of params) p.grad.data.set(c.inputs[`step${step}.grad.${p.name}`]!.data);
      optimizer.update(params);
      const state = optimizer.getState() as OptimizerState;
      const slots = state.slots as Record<string, Record<string, { data: ArrayLike<number> }>>;
      let checked = 0;
      for (const [key, expected] of Object.entries(c.outputs)) {
        const [s, group, a, b] = key.split('.');
        if (s !== `step${step}`) continue;
        checked++;
        if (group === 'params') expectClose(params.find((p) => p.name === a)!.value.data, expected.data);
        else if (a === 'iter') expect(state.iter).toBe(expected.data[0]);
        else expectClose(slots[a!]![b!]!.data, expected.data);
      }
      expect(checked).toBeGreaterThan(0);
    }
  });
});
