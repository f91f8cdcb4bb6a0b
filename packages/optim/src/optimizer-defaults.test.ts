import { describe, expect, it } from 'vitest';
import { createOptimizer } from './create-optimizer.js';
import { OPTIMIZER_NAMES } from './optimizer.js';
import { OPTIMIZER_DEFAULTS } from './optimizer-defaults.js';

describe('OPTIMIZER_DEFAULTS', () => {
  it.each(OPTIMIZER_NAMES)('%s: the table holds exactly what the constructor fills in', (name) => {
    expect(createOptimizer(name).getState().hyper).toEqual(OPTIMIZER_DEFAULTS[name]);
  });

  it('has one entry per optimizer', () => {
    expect(Object.keys(OPTIMIZER_DEFAULTS).sort()).toEqual([...OPTIMIZER_NAMES].sort());
  });
});
