import { describe, expect, it } from 'vitest';
import { passes, runGradientCheck, tolerance } from './gradcheck-setup.js';

describe('the gradient-check page’s run', () => {
  it('passes for TwoLayerNet in float64', () => {
    const { report, shapes } = runGradientCheck({
      spec: { kind: 'two-layer-net', inputSize: 6, hiddenSize: 5, outputSize: 3, weightInitStd: 'relu' },
      dtype: 'float64',
      batchSize: 3,
      seed: 0,
    });
    expect(report.params.map((p) => p.name)).toEqual(['W1', 'b1', 'W2', 'b2']);
    expect(shapes.get('W1')).toEqual([6, 5]);
    for (const p of report.params) expect(p.maxRelError).toBeLessThan(tolerance('float64'));
  });

  it('passes for MultiLayerNetExtend with BatchNorm, Dropout and weight decay', () => {
    const { report } = runGradientCheck({
      spec: {
        kind: 'multi-layer-net-extend',
        inputSize: 5,
        hiddenSizeList: [10, 10],
        outputSize: 3,
        useBatchnorm: true,
        useDropout: true,
        dropoutRatio: 0.2,
        weightDecayLambda: 0.1,
      },
      dtype: 'float64',
      batchSize: 4,
      seed: 3,
    });
    expect(report.params.map((p) => p.name)).toContain('gamma1');
    // BatchNorm cancels the bias before it: b1's gradient is 0, and passes on its absolute error.
    const b1 = report.params.find((p) => p.name === 'b1')!;
    expect(b1.scale).toBeLessThan(1e-9);
    for (const p of report.params) expect(passes(p, 'float64'), p.name).toBe(true);
  });

  it('catches a deliberate bug in exactly the broken parameter', () => {
    const { report } = runGradientCheck({
      spec: { kind: 'two-layer-net', inputSize: 6, hiddenSize: 5, outputSize: 3, weightInitStd: 'relu' },
      dtype: 'float64',
      batchSize: 3,
      seed: 0,
      breakParam: 'b1',
    });
    const failed = report.params.filter((p) => !passes(p, 'float64')).map((p) => p.name);
    expect(failed).toEqual(['b1']);
  });
});
