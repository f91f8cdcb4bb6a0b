import { describe, expect, it } from 'vitest';
import { expectClose, loadCases, must, named, numberAttr, type FixtureCase } from '@dl/book-fixtures';
import type { Param } from './model.js';
import { fromArray } from '@dl/tensor';
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

function optimizerOf(c: FixtureCase) {
  const name = NAMES[String(c.attrs.optimizer)];
  if (!name) throw new Error(`${c.name}: no optimizer for attrs.optimizer = ${String(c.attrs.optimizer)}`);
  const hyper = c.attrs.hyper as Record<string, number>;
  const options = Object.fromEntries(
    Object.entries(hyper).map(([k, v]) => {
      if (!HYPER[k]) throw new Error(`${c.name}: unknown hyper-parameter ${k}`);
      return [HYPER[k], v];
    }),
  );
  return createOptimizer(name, options);
}

describe('book parity: common/optimizer.py (optimizers.json)', () => {
  it.each(named(loadCases('optimizers.json', 'optimizer')))('%s', (_, c) => {
    const optimizer = optimizerOf(c);
    const params: Param[] = (c.attrs.keys as string[]).map((key) => {
      const p = must(c.params[key], `params.${key}`);
      const value = fromArray(p.data, p.shape, 'float64');
      return { name: key, value, grad: value.clone().fill(0) };
    });
    const steps = numberAttr(c, 'steps');
    let checked = 0;
    for (let step = 1; step <= steps; step++) {
      for (const p of params) p.grad.data.set(must(c.inputs[`step${step}.grad.${p.name}`]).data);
      optimizer.update(params);
      const state = optimizer.getState() as OptimizerState;
      const slots = state.slots as Record<string, Record<string, { data: ArrayLike<number> }>>;
      for (const [key, expected] of Object.entries(c.outputs)) {
        const [s, group, a, b] = key.split('.');
        if (s !== `step${step}`) continue;
        checked++;
        if (group === 'params')
          expectClose(params.find((p) => p.name === a)!.value, expected, undefined, key);
        else if (a === 'iter') expect(state.iter, key).toBe(expected.data[0]);
        else expectClose(slots[a!]?.[b!] ?? [], expected, undefined, key);
      }
    }
    // Every recorded output belongs to one of the steps run.
    expect(checked).toBe(Object.keys(c.outputs).length);
  });
});
