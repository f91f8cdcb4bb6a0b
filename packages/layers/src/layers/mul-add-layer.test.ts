import { describe, expect, it } from 'vitest';
import { AddLayer } from './add-layer.js';
import { MulLayer } from './mul-layer.js';
import { expectClose, f64, loadCases, named, scalar } from '../testing/fixtures.js';

describe('MulLayer and AddLayer (ch05/layer_naive.py)', () => {
  it("buy_apple: the book's printed price 220 and gradients 2.2, 110, 200", () => {
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
  });

  it.each(named(loadCases('layers.json', 'buy_apple')))('buy_apple matches the book: %s', (_, c) => {
    const i = c.inputs;
    const o = c.outputs;
    const mulApple = new MulLayer();
    const mulTax = new MulLayer();
    const ap = mulApple.forward(scalar(i.apple), scalar(i.apple_num));
    const p = mulTax.forward(ap, scalar(i.tax));
    const [dap, dt] = mulTax.backward(scalar(i.dprice));
    const [da, dan] = mulApple.backward(dap);
    const got: Record<string, number> = {
      apple_price: ap,
      price: p,
      dapple_price: dap,
      dtax: dt,
      dapple: da,
      dapple_num: dan,
    };
    expect(Object.keys(o).sort()).toEqual(Object.keys(got).sort());
    for (const [name, value] of Object.entries(got)) expectClose(value, o[name], undefined, name);
  });

  it("buy_apple_orange: the book's printed price 715 and gradients 2.2, 110, 3.3, 165, 650", () => {
    const mulApple = new MulLayer();
    const mulOrange = new MulLayer();
    const addFruit = new AddLayer();
    const mulTax = new MulLayer();
    const allPrice = addFruit.forward(mulApple.forward(100, 2), mulOrange.forward(150, 3));
    const price = mulTax.forward(allPrice, 1.1);
    const [dAllPrice, dTax] = mulTax.backward(1);
    const [dApplePrice, dOrangePrice] = addFruit.backward(dAllPrice);
    const [dOrange, dOrangeNum] = mulOrange.backward(dOrangePrice);
    const [dApple, dAppleNum] = mulApple.backward(dApplePrice);
    expect(price).toBeCloseTo(715, 10);
    expect(dApple).toBeCloseTo(2.2, 12);
    expect(dAppleNum).toBeCloseTo(110, 12);
    expect(dOrange).toBeCloseTo(3.3, 12);
    expect(dOrangeNum).toBeCloseTo(165, 12);
    expect(dTax).toBe(650);
  });

  it.each(named(loadCases('layers.json', 'buy_apple_orange')))(
    'buy_apple_orange matches the book: %s',
    (_, c) => {
      const i = c.inputs;
      const o = c.outputs;
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
      const got: Record<string, number> = {
        apple_price: applePrice,
        orange_price: orangePrice,
        all_price: allPrice,
        price,
        dall_price: dAllPrice,
        dtax: dTax,
        dapple_price: dApplePrice,
        dorange_price: dOrangePrice,
        dapple: dApple,
        dapple_num: dAppleNum,
        dorange: dOrange,
        dorange_num: dOrangeNum,
      };
      expect(Object.keys(o).sort()).toEqual(Object.keys(got).sort());
      for (const [name, value] of Object.entries(got)) expectClose(value, o[name], undefined, name);
    },
  );

  it.each(named(loadCases('layers.json', /^(MulLayer|AddLayer)$/)))(
    'on arrays matches the book: %s',
    (_, c) => {
      const layer = c.attrs.kind === 'MulLayer' ? new MulLayer() : new AddLayer();
      const out = layer.forward(f64(c.inputs.x), f64(c.inputs.y));
      const [dx, dy] = layer.backward(f64(c.inputs.dout));
      expectClose(out, c.outputs.out, undefined, 'out');
      expectClose(dx, c.outputs.dx, undefined, 'dx');
      expectClose(dy, c.outputs.dy, undefined, 'dy');
    },
  );

  it('MulLayer.backward needs a forward first', () => {
    expect(() => new MulLayer().backward(1)).toThrow('MulLayer.backward: call forward first');
  });
});
