import { describe, expect, it } from 'vitest';
import { AddLayer } from './add-layer.js';
import { MulLayer } from './mul-layer.js';
import { expectClose, f64, loadCases, scalar } from '../testing/fixtures.js';

const [apple, appleOrange] = [
  loadCases('layers.json', 'buy_apple')[0]!,
  loadCases('layers.json', 'buy_apple_orange')[0]!,
];

describe('MulLayer and AddLayer (ch05/layer_naive.py)', () => {
  it('buy_apple: price 220, gradients 2.2, 110, 200 (and the fixture)', () => {
    const mulApple = new MulLayer();
    const mulTax = new MulLayer();
    const applePrice = mulApple.forward(100, 2);
    const price = mulTax.forward(applePrice, 1.1);
    const [dApplePrice, dTax] = mulTax.backward(1);
    const [dApple, dAppleNum] = mulApple.backward(dApplePrice);
    expect(price).toBeCloseTo(220, 12);
    // The book prints 2.2 110.00000000000001 200: 1.1 * 100 rounds.
    expect(dApple).toBe(2.2);
    expect(dAppleNum).toBeCloseTo(110, 12);
    expect(dTax).toBe(200);

    const i = apple.inputs;
    const o = apple.outputs;
    const ap = mulApple.forward(scalar(i.apple), scalar(i.apple_num));
    const p = mulTax.forward(ap, scalar(i.tax));
    const [dap, dt] = mulTax.backward(scalar(i.dprice));
    const [da, dan] = mulApple.backward(dap);
    expectClose(
      [ap, p, dap, dt, da, dan],
      [o.apple_price, o.price, o.dapple_price, o.dtax, o.dapple, o.dapple_num].map(scalar),
    );
  });

  it('buy_apple_orange: price 715, gradients 2.2, 110, 3.3, 165, 650 (and the fixture)', () => {
    const i = appleOrange.inputs;
    const o = appleOrange.outputs;
    const mulApple = new MulLayer();
    const mulOrange = new MulLayer();
    const addFruit = new AddLayer();
    const mulTax = new MulLayer();
    const applePrice = mulApple.forward(scalar(i.apple), scalar(i.apple_num));
    const orangePrice = mulOrange.forward(scalar(i.orange), scalar(i.orange_num));
    const allPrice = addFruit.forward(applePrice, orangePrice);
    const price = mulTax.forward(allPrice, scalar(i.tax));
    const [dAllPrice, dTax] = mulTax.backward(scalar(i.dprice));
    const [dApplePrice, dOrangePrice] = addFruit.backward(dAllPrice);
    const [dOrange, dOrangeNum] = mulOrange.backward(dOrangePrice);
    const [dApple, dAppleNum] = mulApple.backward(dApplePrice);
    expect(price).toBeCloseTo(715, 10);
    expect(dApple).toBeCloseTo(2.2, 12);
    expect(dAppleNum).toBeCloseTo(110, 12);
    expect(dOrange).toBeCloseTo(3.3, 12);
    expect(dOrangeNum).toBeCloseTo(165, 12);
    expect(dTax).toBe(650);
    const names = [
      'apple_price',
      'orange_price',
      'all_price',
      'price',
      'dall_price',
      'dtax',
      'dapple_price',
      'dorange_price',
      'dapple',
      'dapple_num',
      'dorange',
      'dorange_num',
    ];
    const got = [
      applePrice,
      orangePrice,
      allPrice,
      price,
      dAllPrice,
      dTax,
      dApplePrice,
      dOrangePrice,
      dApple,
      dAppleNum,
      dOrange,
      dOrangeNum,
    ];
    names.forEach((name, k) => expectClose(got[k]!, o[name], undefined, name));
  });

  it.each([['MulLayer'], ['AddLayer']])('%s on arrays matches the book', (kind) => {
    const c = loadCases('layers.json', kind)[0]!;
    const layer = kind === 'MulLayer' ? new MulLayer() : new AddLayer();
    const out = layer.forward(f64(c.inputs.x), f64(c.inputs.y));
    const [dx, dy] = layer.backward(f64(c.inputs.dout));
    expectClose(out, c.outputs.out);
    expectClose(dx, c.outputs.dx);
    expectClose(dy, c.outputs.dy);
  });

  it('MulLayer.backward needs a forward first', () => {
    expect(() => new MulLayer().backward(1)).toThrow('MulLayer.backward: call forward first');
  });
});
