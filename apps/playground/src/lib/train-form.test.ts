import { buildModel } from '@dl/layers';
import { describe, expect, it } from 'vitest';
import { countParameters, parseSizes, specFromForm, type NetworkForm } from './train-form.js';

const FORM: NetworkForm = {
  kind: 'two-layer-net',
  hidden: '50',
  filterNum: 30,
  filterSize: 5,
  activation: 'relu',
  init: 'book',
  batchNorm: false,
  dropout: false,
  dropoutRatio: 0.2,
  weightDecay: 0,
};

describe('parseSizes', () => {
  it('reads comma- or space-separated positive integers', () => {
    expect(parseSizes('100, 50 25')).toEqual([100, 50, 25]);
  });

  it('names the entry it cannot use', () => {
    expect(() => parseSizes('')).toThrow(/at least one/);
    expect(() => parseSizes('100, x')).toThrow(/'x'/);
    expect(() => parseSizes('0')).toThrow(/'0'/);
    expect(() => parseSizes('2.5')).toThrow(/'2.5'/);
  });
});

describe('specFromForm', () => {
  it("builds the book's TwoLayerNet with std 0.01 by default", () => {
    expect(specFromForm(FORM)).toEqual({
      kind: 'two-layer-net',
      inputSize: 784,
      hiddenSize: 50,
      outputSize: 10,
      weightInitStd: 0.01,
    });
  });

  it('builds MultiLayerNetExtend with its options, He by default', () => {
    const spec = specFromForm({
      ...FORM,
      kind: 'multi-layer-net-extend',
      hidden: '100,100',
      batchNorm: true,
      dropout: true,
      weightDecay: 0.1,
    });
    expect(spec).toMatchObject({
      kind: 'multi-layer-net-extend',
      hiddenSizeList: [100, 100],
      weightInitStd: 'relu',
      useBatchnorm: true,
      useDropout: true,
      dropoutRatio: 0.2,
      weightDecayLambda: 0.1,
    });
  });

  it("builds the book's SimpleConvNet: 30 filters of 5×5, hidden 100", () => {
    expect(specFromForm({ ...FORM, kind: 'simple-conv-net', hidden: '100' })).toEqual({
      kind: 'simple-conv-net',
      inputDim: [1, 28, 28],
      convParam: { filterNum: 30, filterSize: 5, pad: 0, stride: 1 },
      hiddenSize: 100,
      outputSize: 10,
      weightInitStd: 0.01,
    });
    expect(() => specFromForm({ ...FORM, kind: 'simple-conv-net', filterSize: 40 })).toThrow(/filter size/);
  });

  it('refuses a dropout ratio outside [0, 1)', () => {
    expect(() => specFromForm({ ...FORM, kind: 'multi-layer-net-extend', dropoutRatio: 1 })).toThrow(
      /dropout ratio/,
    );
  });

  it('counts parameters as the built network has them', () => {
    for (const form of [
      FORM,
      { ...FORM, kind: 'multi-layer-net-extend' as const, hidden: '30, 20', batchNorm: true },
    ]) {
      const spec = specFromForm(form);
      const built = buildModel(spec)
        .params()
        .reduce((n, p) => n + p.value.size, 0);
      expect(countParameters(spec)).toBe(built);
    }
  });
});
