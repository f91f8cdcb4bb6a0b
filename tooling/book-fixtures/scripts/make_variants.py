"""Variant book-parity fixtures: the format of data/README.md, other attrs, counts and shapes.

Runs the book's own code (deep-learning-from-scratch, imported unchanged from --book) on seeded random
inputs and writes one file per topic into --out. The canonical files in data/ were made the same way;
these exist so that a parity test which hard-codes a value of the canonical files (a momentum, a number
of steps or cases, a shape, a parameter name) fails. NumPy is the only requirement.

    python3 make_variants.py --book <checkout of deep-learning-from-scratch> --out ../variants
"""

import argparse
import importlib.util
import json
import os
import sys
import types
import zlib

import numpy as np

COMMIT = '07b11618cdb5d5f78ad45464de0730efc07b0a4a'


def stub_matplotlib():
    """The ch04 scripts plot at module level: a do-nothing stand-in lets them load unchanged."""

    class Anything(types.ModuleType):
        def __getattr__(self, name):
            return Anything(name)

        def __call__(self, *args, **kwargs):
            return Anything('result')

        def __iter__(self):  # fig, ax = plt.subplots()
            return iter((Anything('a'), Anything('b')))

    for name in ('matplotlib', 'matplotlib.pylab', 'matplotlib.pyplot', 'mpl_toolkits', 'mpl_toolkits.mplot3d'):
        sys.modules[name] = Anything(name)


def load(book, rel, name):
    """A module of the book by file, under a unique name (ch04 and ch05 both have two_layer_net.py)."""
    spec = importlib.util.spec_from_file_location(name, os.path.join(book, rel))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def arr(a):
    a = np.asarray(a)
    if a.dtype == bool:
        return {'shape': list(a.shape), 'dtype': 'bool', 'data': [int(v) for v in a.ravel()]}
    if np.issubdtype(a.dtype, np.integer):
        return {'shape': list(a.shape), 'dtype': 'int64', 'data': [int(v) for v in a.ravel()]}
    return {'shape': list(a.shape), 'dtype': 'float64', 'data': [float(v) for v in a.ravel()]}


def case(name, attrs, inputs=None, params=None, outputs=None):
    group = lambda d: {k: arr(v) for k, v in (d or {}).items()}
    return {'name': name, 'inputs': group(inputs), 'params': group(params), 'attrs': attrs,
            'outputs': group(outputs)}


def rng_for(topic):
    return np.random.default_rng([1, zlib.crc32(topic.encode())])


class RecordedRand:
    """Stands in for np.random.rand: returns the recorded uniforms, in turn (one per Dropout forward)."""

    def __init__(self, draws):
        self.draws, self.k = draws, 0

    def __call__(self, *shape):
        u = self.draws[self.k % len(self.draws)]
        self.k += 1
        assert u.shape == shape, (u.shape, shape)
        return u.copy()


def set_params(net, params):
    for k, v in params.items():
        net.params[k][...] = v  # in place: the layers hold the same arrays


# ---------------------------------------------------------------- topics


def batchnorm(book, rng):
    L = book['layers']
    cases = []
    for name, shape, momentum, given in [('train_2d_6x3_momentum0.5', (6, 3), 0.5, False),
                                         ('train_4d_2x3x2x2_momentum0.7_given_stats', (2, 3, 2, 2), 0.7, True),
                                         ('train_2d_3x5_no_momentum_attr', (3, 5), None, False)]:
        D = int(np.prod(shape[1:]))
        x, dout = rng.normal(1.5, 2, shape), rng.standard_normal(shape)
        gamma, beta = rng.normal(1, 0.3, D), rng.standard_normal(D)
        inputs = {'x': x, 'dout': dout}
        kwargs = {} if momentum is None else {'momentum': momentum}
        if given:
            inputs['running_mean'], inputs['running_var'] = rng.standard_normal(D), rng.uniform(0.5, 2, D)
            kwargs.update(running_mean=inputs['running_mean'].copy(), running_var=inputs['running_var'].copy())
        layer = L.BatchNormalization(gamma.copy(), beta.copy(), **kwargs)
        out = layer.forward(x.copy(), train_flg=True)
        dx = layer.backward(dout.copy())
        attrs = {'kind': 'BatchNormalization.train', 'book': 'common/layers.py:BatchNormalization'}
        if momentum is not None:
            attrs['momentum'] = momentum
        attrs['note'] = 'momentum 0.9 (the default) when attrs has none'
        cases.append(case('BatchNormalization_' + name, attrs, inputs, {'gamma': gamma, 'beta': beta},
                          {'out': out, 'running_mean': layer.running_mean, 'running_var': layer.running_var,
                           'xn': layer.xn, 'std': layer.std, 'dx': dx, 'dgamma': layer.dgamma,
                           'dbeta': layer.dbeta}))
    for name, shape, momentum, steps in [('train_then_test_2d_5x2_momentum0.8_2steps', (5, 2), 0.8, 2),
                                         ('train_then_test_4d_2x2x1x3_momentum0.6_4steps', (2, 2, 1, 3), 0.6, 4),
                                         ('train_then_test_2d_4x3_momentum0.95_1step', (4, 3), 0.95, 1)]:
        D = int(np.prod(shape[1:]))
        gamma, beta = rng.normal(1, 0.3, D), rng.standard_normal(D)
        layer = L.BatchNormalization(gamma.copy(), beta.copy(), momentum=momentum)
        inputs, outputs = {}, {}
        for k in range(1, steps + 1):
            x = rng.normal(k - 1, 1 + k, shape)
            inputs[f'step{k}.x'] = x
            outputs[f'step{k}.out'] = layer.forward(x.copy(), train_flg=True)
            outputs[f'step{k}.running_mean'] = layer.running_mean
            outputs[f'step{k}.running_var'] = layer.running_var
        inputs['test.x'] = rng.normal(0.5, 2, shape)
        outputs['test.out'] = layer.forward(inputs['test.x'].copy(), train_flg=False)
        cases.append(case('BatchNormalization_' + name,
                          {'kind': 'BatchNormalization.train_then_test',
                           'book': 'common/layers.py:BatchNormalization', 'momentum': momentum,
                           'train_steps': steps,
                           'note': 'train_steps train forwards, then one test forward'},
                          inputs, {'gamma': gamma, 'beta': beta}, outputs))
    return cases


def im2col(book, rng):
    U = book['util']
    cases = []
    for kind, (N, C, H, W, FH, FW, s, p) in [('im2col', (1, 4, 5, 6, 1, 1, 1, 0)),
                                              ('im2col', (2, 2, 7, 7, 3, 2, 3, 1)),
                                              ('im2col', (1, 1, 6, 4, 4, 2, 2, 2)),
                                              ('col2im', (2, 2, 7, 7, 3, 2, 3, 1)),
                                              ('col2im', (1, 2, 5, 5, 2, 2, 1, 1))]:
        oh, ow = (H + 2 * p - FH) // s + 1, (W + 2 * p - FW) // s + 1
        attrs = {'kind': kind, 'book': f'common/util.py:{kind}', 'filter_h': FH, 'filter_w': FW, 'stride': s,
                 'pad': p, 'out_h': oh, 'out_w': ow}
        geometry = f'N{N}C{C}H{H}W{W}_F{FH}x{FW}_s{s}_p{p}'
        if kind == 'im2col':
            x = rng.standard_normal((N, C, H, W))
            cases.append(case(f'im2col_{geometry}', attrs, {'x': x}, {},
                              {'col': U.im2col(x, FH, FW, s, p)}))
        else:
            col = rng.standard_normal((N * oh * ow, C * FH * FW))
            attrs['input_shape'] = [N, C, H, W]
            cases.append(case(f'col2im_{geometry}', attrs, {'col': col}, {},
                              {'img': U.col2im(col, (N, C, H, W), FH, FW, s, p)}))
    return cases


def optimizers(book, rng):
    O = book['optimizer']
    shapes = {'W1': (3, 2), 'b1': (2,), 'W2': (2, 2, 2)}
    state_names = {'SGD': [], 'Momentum': ['v'], 'Nesterov': ['v'], 'AdaGrad': ['h'], 'RMSprop': ['h'],
                   'Adam': ['m', 'v']}
    cases = []
    for opt, hyper, steps in [('SGD', {'lr': 0.5}, 2), ('Momentum', {'lr': 0.05, 'momentum': 0.7}, 4),
                              ('Nesterov', {'lr': 0.2, 'momentum': 0.6}, 1), ('AdaGrad', {'lr': 0.3}, 5),
                              ('RMSprop', {'lr': 0.02, 'decay_rate': 0.5}, 2),
                              ('Adam', {'lr': 0.01, 'beta1': 0.5, 'beta2': 0.9}, 4)]:
        params = {k: rng.standard_normal(s) for k, s in shapes.items()}
        live = {k: v.copy() for k, v in params.items()}
        optimizer = getattr(O, opt)(**hyper)
        inputs, outputs = {}, {}
        for k in range(1, steps + 1):
            grads = {key: rng.standard_normal(s) for key, s in shapes.items()}
            for key, g in grads.items():
                inputs[f'step{k}.grad.{key}'] = g
            optimizer.update(live, {key: g.copy() for key, g in grads.items()})
            for key in shapes:
                outputs[f'step{k}.params.{key}'] = live[key].copy()
                for slot in state_names[opt]:
                    outputs[f'step{k}.state.{slot}.{key}'] = getattr(optimizer, slot)[key].copy()
            if opt == 'Adam':
                outputs[f'step{k}.state.iter'] = np.array(optimizer.iter, dtype=np.int64)
        label = '_'.join(f'{h}{v}' for h, v in hyper.items())
        cases.append(case(f'{opt}_{label}_{steps}steps',
                          {'kind': 'optimizer', 'book': f'common/optimizer.py:{opt}', 'optimizer': opt,
                           'hyper': hyper, 'steps': steps, 'keys': list(shapes),
                           'note': 'one optimizer instance; update(params, grads_k) for k = 1..steps'},
                          inputs, params, outputs))
    return cases


def layers(book, rng):
    N, L = book['layer_naive'], book['layers']
    cases = []
    for k, (apple, num, tax, dprice) in enumerate([(120.0, 3.0, 1.08, 1.0), (90.5, 4.0, 1.2, 2.0)]):
        mul_apple, mul_tax = N.MulLayer(), N.MulLayer()
        ap = mul_apple.forward(apple, num)
        price = mul_tax.forward(ap, tax)
        dap, dtax = mul_tax.backward(dprice)
        da, dn = mul_apple.backward(dap)
        cases.append(case(f'buy_apple_variant{k + 1}', {'kind': 'buy_apple', 'book': 'ch05/layer_naive.py:MulLayer'},
                          {'apple': apple, 'apple_num': num, 'tax': tax, 'dprice': dprice}, {},
                          {'apple_price': ap, 'price': price, 'dapple_price': dap, 'dtax': dtax, 'dapple': da,
                           'dapple_num': dn}))
    i = {'apple': 80.0, 'apple_num': 5.0, 'orange': 130.0, 'orange_num': 2.0, 'tax': 1.05, 'dprice': 1.5}
    ma, mo, add, mt = N.MulLayer(), N.MulLayer(), N.AddLayer(), N.MulLayer()
    o = {'apple_price': ma.forward(i['apple'], i['apple_num']), 'orange_price': mo.forward(i['orange'], i['orange_num'])}
    o['all_price'] = add.forward(o['apple_price'], o['orange_price'])
    o['price'] = mt.forward(o['all_price'], i['tax'])
    o['dall_price'], o['dtax'] = mt.backward(i['dprice'])
    o['dapple_price'], o['dorange_price'] = add.backward(o['dall_price'])
    o['dorange'], o['dorange_num'] = mo.backward(o['dorange_price'])
    o['dapple'], o['dapple_num'] = ma.backward(o['dapple_price'])
    cases.append(case('buy_apple_orange_variant', {'kind': 'buy_apple_orange', 'book': 'ch05/layer_naive.py'}, i, {}, o))
    for kind, shape in [('MulLayer', (2, 5)), ('MulLayer', (4,)), ('AddLayer', (2, 2, 3))]:
        x, y, dout = (rng.standard_normal(shape) for _ in range(3))
        layer = getattr(N, kind)()
        out = layer.forward(x, y)
        dx, dy = layer.backward(dout)
        cases.append(case(f'{kind}_{"x".join(map(str, shape))}', {'kind': kind, 'book': f'ch05/layer_naive.py:{kind}'},
                          {'x': x, 'y': y, 'dout': dout}, {}, {'out': out, 'dx': dx, 'dy': dy}))
    x = rng.standard_normal((3, 3, 2))
    x[0, 1, 1] = 0.0
    dout = rng.standard_normal(x.shape)
    relu = L.Relu()
    out = relu.forward(x.copy())
    cases.append(case('Relu_3d_with_zero', {'kind': 'Relu', 'book': 'common/layers.py:Relu'}, {'x': x, 'dout': dout},
                      {}, {'out': out, 'dx': relu.backward(dout.copy())}))
    x, dout = rng.normal(0, 3, (7,)), rng.standard_normal(7)
    sig = L.Sigmoid()
    out = sig.forward(x)
    cases.append(case('Sigmoid_1d', {'kind': 'Sigmoid', 'book': 'common/layers.py:Sigmoid'}, {'x': x, 'dout': dout},
                      {}, {'out': out, 'dx': sig.backward(dout)}))
    x, W, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((12, 5)), rng.standard_normal(5)
    dout = rng.standard_normal((2, 5))
    affine = L.Affine(W, b)
    out = affine.forward(x)
    dx = affine.backward(dout)
    cases.append(case('Affine_3d_input', {'kind': 'Affine', 'book': 'common/layers.py:Affine'}, {'x': x, 'dout': dout},
                      {'W': W, 'b': b}, {'out': out, 'dx': dx, 'dW': affine.dW, 'db': affine.db}))
    for name, x, t in [('labels_3x6', rng.normal(0, 2, (3, 6)), rng.integers(0, 6, 3)),
                       ('onehot_2x3', rng.normal(0, 2, (2, 3)), np.eye(3)[[2, 0]])]:
        layer = L.SoftmaxWithLoss()
        loss = layer.forward(x, t)
        cases.append(case(f'SoftmaxWithLoss_{name}', {'kind': 'SoftmaxWithLoss', 'book': 'common/layers.py:SoftmaxWithLoss',
                                                      'dout': 1}, {'x': x, 't': t}, {},
                          {'loss': loss, 'y': layer.y, 'dx': layer.backward(1)}))
    return cases


def dropout(book, rng):
    L = book['layers']
    cases = []
    for ratio, shape, test in [(0.2, (3, 4), True), (0.65, (2, 2, 3), True), (0.5, (1, 6), False)]:
        tag = f'{"x".join(map(str, shape))}_ratio_{ratio}'
        attrs = {'book': 'common/layers.py:Dropout', 'dropout_ratio': ratio}
        x, u, dout = rng.standard_normal(shape), rng.random(shape), rng.standard_normal(shape)
        layer = L.Dropout(ratio)
        np.random.rand = RecordedRand([u])
        out = layer.forward(x, train_flg=True)
        cases.append(case(f'Dropout_train_{tag}', {'kind': 'Dropout.train', **attrs}, {'x': x, 'u': u, 'dout': dout}, {},
                          {'mask': layer.mask, 'out': out, 'dx': layer.backward(dout)}))
        if not test:
            continue
        x = rng.standard_normal(shape)
        cases.append(case(f'Dropout_test_{tag}', {'kind': 'Dropout.test', **attrs}, {'x': x}, {},
                          {'out': L.Dropout(ratio).forward(x, train_flg=False)}))
    return cases


def convolution(book, rng):
    L = book['layers']
    cases = []
    for N, C, H, W, FN, FH, FW, s, p in [(1, 2, 6, 6, 3, 1, 1, 2, 0), (2, 1, 5, 4, 2, 2, 3, 3, 2)]:
        oh, ow = (H + 2 * p - FH) // s + 1, (W + 2 * p - FW) // s + 1
        x, Wt, b = rng.standard_normal((N, C, H, W)), rng.standard_normal((FN, C, FH, FW)), rng.standard_normal(FN)
        dout = rng.standard_normal((N, FN, oh, ow))
        layer = L.Convolution(Wt, b, s, p)
        out = layer.forward(x)
        dx = layer.backward(dout)
        cases.append(case(f'Convolution_N{N}C{C}H{H}W{W}_F{FN}x{FH}x{FW}_s{s}_p{p}',
                          {'kind': 'Convolution', 'book': 'common/layers.py:Convolution', 'stride': s, 'pad': p,
                           'out_h': oh, 'out_w': ow}, {'x': x, 'dout': dout}, {'W': Wt, 'b': b},
                          {'out': out, 'dx': dx, 'dW': layer.dW, 'db': layer.db}))
    return cases


def pooling(book, rng):
    L = book['layers']
    cases = []
    for N, C, H, W, ph, pw, s in [(1, 2, 4, 5, 3, 2, 1), (2, 1, 7, 7, 2, 2, 3)]:
        oh, ow = (H - ph) // s + 1, (W - pw) // s + 1
        x, dout = rng.standard_normal((N, C, H, W)), rng.standard_normal((N, C, oh, ow))
        layer = L.Pooling(ph, pw, s, 0)
        out = layer.forward(x)
        dx = layer.backward(dout)
        cases.append(case(f'Pooling_N{N}C{C}H{H}W{W}_pool{ph}x{pw}_s{s}',
                          {'kind': 'Pooling', 'book': 'common/layers.py:Pooling', 'pool_h': ph, 'pool_w': pw,
                           'stride': s, 'pad': 0, 'out_h': oh, 'out_w': ow},
                          {'x': x, 'dout': dout}, {}, {'out': out, 'arg_max': layer.arg_max, 'dx': dx}))
    return cases


def functions(book, rng):
    F, G, g1, gm = book['functions'], book['gradient'], book['gradient_1d'], book['gradient_method']
    cases = []
    fn = lambda kind, name, x, **more: case(name, {'kind': kind, 'book': f'common/functions.py:{kind}'}, {'x': x}, {},
                                            {'y': getattr(F, kind)(x, **more)})
    cases.append(fn('step_function', 'step_function_3', np.array([-0.5, 0.0, 2.0])))
    cases.append(fn('sigmoid', 'sigmoid_2x2x2', rng.normal(0, 3, (2, 2, 2))))
    cases.append(fn('relu', 'relu_5', np.array([0.0, -1.5, 2.5, -0.0, 3.0])))
    cases.append(fn('softmax', 'softmax_4x7', rng.normal(0, 2, (4, 7))))
    cases.append(fn('softmax', 'softmax_6', rng.normal(0, 2, 6)))
    for name, y, t in [('cee_labels_5x3', F.softmax(rng.standard_normal((5, 3))), rng.integers(0, 3, 5)),
                       ('cee_onehot_2x4', F.softmax(rng.standard_normal((2, 4))), np.eye(4)[[1, 3]])]:
        cases.append(case(name, {'kind': 'cross_entropy_error', 'book': 'common/functions.py:cross_entropy_error'},
                          {'y': y, 't': t}, {}, {'loss': F.cross_entropy_error(y, t)}))
    y, t = F.softmax(rng.standard_normal(5)), np.eye(5)[2]
    cases.append(case('sse_5', {'kind': 'sum_squared_error', 'book': 'common/functions.py:sum_squared_error'},
                      {'y': y, 't': t}, {}, {'loss': F.sum_squared_error(y, t)}))
    x = rng.standard_normal((3, 2))
    cases.append(case('numerical_gradient_sum_sq_3x2', {'kind': 'numerical_gradient',
                                                        'book': 'common/gradient.py:numerical_gradient',
                                                        'f': 'sum(x**2)', 'h': 0.0001},
                      {'x': x}, {}, {'grad': G.numerical_gradient(lambda v: np.sum(v ** 2), x.copy())}))
    for x in (2.5, -7.0):
        cases.append(case(f'numerical_diff_function_1_at_{x}',
                          {'kind': 'numerical_diff', 'book': 'ch04/gradient_1d.py:numerical_diff', 'f': 'function_1',
                           'f_def': '0.01*x**2 + 0.1*x', 'h': 0.0001},
                          {'x': np.array(x)}, {}, {'d': np.array(g1.numerical_diff(g1.function_1, x))}))
    for init, lr, steps in [((2.0, -1.5), 0.05, 30), ((-1.0, 1.0), 0.9, 7)]:
        init_x = np.array(init)
        x, history = gm.gradient_descent(gm.function_2, init_x.copy(), lr=lr, step_num=steps)
        cases.append(case(f'gradient_descent_from_{init[0]}_{init[1]}_lr_{lr}_steps_{steps}',
                          {'kind': 'gradient_descent', 'book': 'ch04/gradient_method.py:gradient_descent',
                           'f': 'function_2', 'f_def': 'x[0]**2 + x[1]**2', 'lr': lr, 'step_num': steps},
                          {'init_x': init_x}, {}, {'x': x, 'x_history': history}))
    return cases


def net_outputs(net, x, t, names):
    grads, numgrads = net.gradient(x, t), net.numerical_gradient(x, t)
    out = {}
    for k in names:
        out[f'grad.{k}'] = grads[k]
    for k in names:
        out[f'numgrad.{k}'] = numgrads[k]
    return out


def scaled(rng, shapes):
    return {k: rng.normal(0, 0.1 if k.startswith('b') else np.sqrt(2 / s[0]), s) for k, s in shapes.items()}


def two_layer_net(book, rng):
    T = book['two_layer_net']
    cases = []
    for (i, h, o, n, onehot) in [(5, 3, 4, 4, False), (3, 6, 2, 2, True), (2, 2, 2, 1, False)]:
        params = scaled(rng, {'W1': (i, h), 'b1': (h,), 'W2': (h, o), 'b2': (o,)})
        x = rng.standard_normal((n, i))
        t = rng.integers(0, o, n)
        t = np.eye(o)[t] if onehot else t
        net = T.TwoLayerNet(i, h, o)
        set_params(net, params)
        outputs = {'scores': net.predict(x), 'loss': net.loss(x, t), 'accuracy': net.accuracy(x, t)}
        outputs.update(net_outputs(net, x, t, params))
        cases.append(case(f'TwoLayerNet_{i}_{h}_{o}_batch{n}_{"onehot" if onehot else "labels"}',
                          {'kind': 'TwoLayerNet', 'book': 'ch05/two_layer_net.py:TwoLayerNet', 'input_size': i,
                           'hidden_size': h, 'output_size': o}, {'x': x, 't': t}, params, outputs))
    return cases


def layer_shapes(sizes, bn=False):
    shapes = {}
    for k in range(1, len(sizes)):
        shapes[f'W{k}'], shapes[f'b{k}'] = (sizes[k - 1], sizes[k]), (sizes[k],)
        if bn and k < len(sizes) - 1:
            shapes[f'gamma{k}'], shapes[f'beta{k}'] = (sizes[k],), (sizes[k],)
    return shapes


def multi_layer_net(book, rng):
    M, E = book['multi_layer_net'], book['multi_layer_net_extend']
    cases = []
    for i, hidden, o, act, wd, n, onehot in [(4, [3, 3, 3], 2, 'sigmoid', 0.2, 3, False),
                                            (3, [4], 5, 'relu', 0.0, 4, True)]:
        params = scaled(rng, layer_shapes([i, *hidden, o]))
        x, t = rng.standard_normal((n, i)), rng.integers(0, o, n)
        t = np.eye(o)[t] if onehot else t
        net = M.MultiLayerNet(i, hidden, o, activation=act, weight_decay_lambda=wd)
        set_params(net, params)
        outputs = {'scores': net.predict(x), 'loss': net.loss(x, t)}
        outputs.update(net_outputs(net, x, t, params))
        cases.append(case(f'MultiLayerNet_{act}_{"-".join(map(str, [i, *hidden, o]))}_wd{wd}',
                          {'kind': 'MultiLayerNet', 'book': 'common/multi_layer_net.py:MultiLayerNet',
                           'input_size': i, 'hidden_size_list': hidden, 'output_size': o, 'activation': act,
                           'weight_decay_lambda': wd}, {'x': x, 't': t}, params, outputs))
    i, hidden, o, wd, ratio, n = 4, [3, 2], 3, 0.05, 0.4, 5
    params = scaled(rng, layer_shapes([i, *hidden, o], bn=True))
    for k in params:
        if k.startswith('gamma'):
            params[k] = rng.normal(1, 0.2, params[k].shape)
    x, t = rng.standard_normal((n, i)), rng.integers(0, o, n)
    u = [rng.random((n, h)) for h in hidden]
    np.random.rand = RecordedRand(u)
    net = E.MultiLayerNetExtend(i, hidden, o, activation='relu', weight_decay_lambda=wd, use_dropout=True,
                                dropout_ration=ratio, use_batchnorm=True)
    set_params(net, params)
    grads = net.gradient(x, t)
    outputs = {f'grad.{k}': grads[k] for k in params}
    for k in range(1, len(hidden) + 1):
        outputs[f'Dropout{k}.mask'] = net.layers[f'Dropout{k}'].mask.copy()
        outputs[f'BatchNorm{k}.running_mean'] = net.layers[f'BatchNorm{k}'].running_mean.copy()
        outputs[f'BatchNorm{k}.running_var'] = net.layers[f'BatchNorm{k}'].running_var.copy()
    outputs['scores_test'], outputs['loss_test'] = net.predict(x, train_flg=False), net.loss(x, t, train_flg=False)
    outputs['scores_train'], outputs['loss_train'] = net.predict(x, train_flg=True), net.loss(x, t, train_flg=True)
    numgrads = net.numerical_gradient(x, t)
    outputs.update({f'numgrad.{k}': numgrads[k] for k in params})
    inputs = {'x': x, 't': t, **{f'Dropout{k + 1}.u': v for k, v in enumerate(u)}}
    cases.append(case('MultiLayerNetExtend_relu_4-3-2-3_bn_dropout0.4_wd0.05',
                      {'kind': 'MultiLayerNetExtend', 'book': 'common/multi_layer_net_extend.py:MultiLayerNetExtend',
                       'input_size': i, 'hidden_size_list': hidden, 'output_size': o, 'activation': 'relu',
                       'weight_decay_lambda': wd, 'use_dropout': True, 'dropout_ration': ratio,
                       'use_batchnorm': True,
                       'sequence': 'as in data/multi_layer_net.json: (1) gradient, (2) test-mode predict/loss, '
                                   '(3) train-mode predict/loss, (4) numerical_gradient, the recorded masks throughout'},
                      inputs, params, outputs))
    return cases


def simple_convnet_case(book, rng, input_dim, conv, hidden, out, n, std=None):
    S = book['simple_convnet']
    C, H, W = input_dim
    fn, fs, pad, stride = conv['filter_num'], conv['filter_size'], conv['pad'], conv['stride']
    conv_out = (H + 2 * pad - fs) // stride + 1
    pooled = fn * (conv_out // 2) ** 2
    shapes = {'W1': (fn, C, fs, fs), 'b1': (fn,), 'W2': (pooled, hidden), 'b2': (hidden,), 'W3': (hidden, out),
              'b3': (out,)}
    if std is None:
        params = {k: rng.normal(0, 0.1 if k.startswith('b') else np.sqrt(2 / np.prod(s[1:] if k == 'W1' else s[:1])), s)
                  for k, s in shapes.items()}
    else:
        params = {k: (np.zeros(s) if k.startswith('b') else std * rng.standard_normal(s)) for k, s in shapes.items()}
    net = S.SimpleConvNet(input_dim=input_dim, conv_param=conv, hidden_size=hidden, output_size=out)
    set_params(net, params)
    return net, params, rng.standard_normal((n, C, H, W)), rng.integers(0, out, n)


def simple_convnet(book, rng):
    cases = []
    for input_dim, conv, hidden, out, n in [((1, 6, 6), {'filter_num': 2, 'filter_size': 3, 'pad': 1, 'stride': 1}, 3, 2, 2),
                                            ((3, 4, 4), {'filter_num': 2, 'filter_size': 3, 'pad': 0, 'stride': 1}, 4, 3, 3),
                                            ((2, 5, 5), {'filter_num': 1, 'filter_size': 2, 'pad': 0, 'stride': 1}, 2, 2, 1)]:
        net, params, x, t = simple_convnet_case(book, rng, input_dim, conv, hidden, out, n)
        outputs = {'scores': net.predict(x), 'loss': net.loss(x, t)}
        outputs.update(net_outputs(net, x, t, params))
        cases.append(case(f'SimpleConvNet_in{"x".join(map(str, input_dim))}_f{conv["filter_num"]}x{conv["filter_size"]}'
                          f'x{conv["filter_size"]}_p{conv["pad"]}_h{hidden}_o{out}_batch{n}',
                          {'kind': 'SimpleConvNet', 'book': 'ch07/simple_convnet.py:SimpleConvNet',
                           'input_dim': list(input_dim), 'conv_param': conv, 'hidden_size': hidden, 'output_size': out},
                          {'x': x, 't': t}, params, outputs))
    return cases


def diffs(net, x, t, names):
    grads, numgrads = net.gradient(x, t), net.numerical_gradient(x, t)
    return {f'diff.{k}': np.array(np.average(np.abs(grads[k] - numgrads[k]))) for k in names}


def gradient_check(book, rng):
    T, M = book['two_layer_net'], book['multi_layer_net']
    formula = 'diff.K = np.average(np.abs(grad_backprop[K] - grad_numerical[K]))'
    cases = []
    params = scaled(rng, {'W1': (4, 3), 'b1': (3,), 'W2': (3, 2), 'b2': (2,)})
    x, t = rng.standard_normal((2, 4)), np.eye(2)[[1, 0]]
    net = T.TwoLayerNet(4, 3, 2)
    set_params(net, params)
    cases.append(case('gradient_check_TwoLayerNet_4_3_2', {'kind': 'gradient_check.TwoLayerNet',
                                                          'book': 'ch05/two_layer_net.py', 'input_size': 4,
                                                          'hidden_size': 3, 'output_size': 2, 'formula': formula},
                      {'x': x, 't': t}, params, diffs(net, x, t, params)))
    params = scaled(rng, {'W1': (3, 5), 'b1': (5,), 'W2': (5, 4), 'b2': (4,)})
    x, t = rng.standard_normal((4, 3)), rng.integers(0, 4, 4)
    net = T.TwoLayerNet(3, 5, 4)
    set_params(net, params)
    cases.append(case('gradient_check_TwoLayerNet_3_5_4_labels', {'kind': 'gradient_check.TwoLayerNet',
                                                                  'book': 'ch05/two_layer_net.py', 'input_size': 3,
                                                                  'hidden_size': 5, 'output_size': 4, 'formula': formula},
                      {'x': x, 't': t}, params, diffs(net, x, t, params)))
    # A valid case whose backprop and numerical gradients differ by more than 1e-6 relative (a ReLU
    # input within h of its kink, large weights): the README gives no such bound, and no test may.
    F = book['functions']
    while True:
        params = {k: rng.standard_normal(s) for k, s in {'W1': (4, 3), 'b1': (3,), 'W2': (3, 2), 'b2': (2,)}.items()}
        x, labels = rng.standard_normal((2, 4)), rng.integers(0, 2, 2)
        net = T.TwoLayerNet(4, 3, 2)
        set_params(net, params)
        if np.min(F.softmax(net.predict(x))[np.arange(2), labels]) < 0.1:
            continue  # keep the loss's 1e-7 out of the picture
        grads, numgrads = net.gradient(x, np.eye(2)[labels]), net.numerical_gradient(x, np.eye(2)[labels])
        worst = max(np.max(np.abs(grads[k] - numgrads[k])) / max(np.max(np.abs(grads[k])), 1e-300) for k in grads)
        if worst > 1e-6:
            break
    t = np.eye(2)[labels]
    cases.append(case('gradient_check_TwoLayerNet_4_3_2_rel_error_above_1e-6', {
        'kind': 'gradient_check.TwoLayerNet', 'book': 'ch05/two_layer_net.py', 'input_size': 4, 'hidden_size': 3,
        'output_size': 2, 'formula': formula,
        'note': f'max |backprop - numerical| / max |backprop| over a parameter is {worst:.3g} (large weights)'},
        {'x': x, 't': t}, params, diffs(net, x, t, params)))
    params = scaled(rng, layer_shapes([5, 3, 2]))
    x, t = rng.standard_normal((3, 5)), rng.integers(0, 2, 3)
    net = M.MultiLayerNet(5, [3], 2, activation='sigmoid', weight_decay_lambda=0.3)
    set_params(net, params)
    cases.append(case('gradient_check_MultiLayerNet_sigmoid_wd0.3', {'kind': 'gradient_check.MultiLayerNet',
                                                                   'book': 'common/multi_layer_net.py', 'input_size': 5,
                                                                   'hidden_size_list': [3], 'output_size': 2,
                                                                   'activation': 'sigmoid', 'weight_decay_lambda': 0.3,
                                                                   'formula': formula},
                      {'x': x, 't': t}, params, diffs(net, x, t, params)))
    conv = {'filter_num': 2, 'filter_size': 3, 'pad': 0, 'stride': 1}
    net, params, x, t = simple_convnet_case(book, rng, (1, 6, 6), conv, 3, 3, 1)
    cases.append(case('gradient_check_SimpleConvNet_1x6x6', {'kind': 'gradient_check.SimpleConvNet',
                                                            'book': 'ch07/simple_convnet.py', 'input_dim': [1, 6, 6],
                                                            'conv_param': conv, 'hidden_size': 3, 'output_size': 3,
                                                            'formula': formula},
                      {'x': x, 't': t}, params, diffs(net, x, t, params)))
    return cases


TOPICS = {'batchnorm': batchnorm, 'im2col': im2col, 'optimizers': optimizers, 'layers': layers, 'dropout': dropout,
          'convolution': convolution, 'pooling': pooling, 'functions': functions, 'two_layer_net': two_layer_net,
          'multi_layer_net': multi_layer_net, 'simple_convnet': simple_convnet, 'gradient_check': gradient_check}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--book', required=True, help='a checkout of deep-learning-from-scratch')
    parser.add_argument('--out', required=True, help='the directory to write the variant files into')
    args = parser.parse_args()
    book_dir = os.path.abspath(args.book)
    stub_matplotlib()
    sys.path[:0] = [book_dir, os.path.join(book_dir, 'ch04')]
    book = {name: load(book_dir, rel, f'book_{name}') for name, rel in [
        ('functions', 'common/functions.py'), ('gradient', 'common/gradient.py'), ('layers', 'common/layers.py'),
        ('util', 'common/util.py'), ('optimizer', 'common/optimizer.py'),
        ('multi_layer_net', 'common/multi_layer_net.py'), ('multi_layer_net_extend', 'common/multi_layer_net_extend.py'),
        ('layer_naive', 'ch05/layer_naive.py'), ('two_layer_net', 'ch05/two_layer_net.py'),
        ('simple_convnet', 'ch07/simple_convnet.py'), ('gradient_1d', 'ch04/gradient_1d.py'),
        ('gradient_method', 'ch04/gradient_method.py')]}
    os.makedirs(args.out, exist_ok=True)
    rand = np.random.rand
    for topic, make in TOPICS.items():
        cases = make(book, rng_for(topic))
        np.random.rand = rand
        doc = {'source': f'deep-learning-from-scratch @ {COMMIT} (MIT)', 'topic': topic,
               'license': 'MIT (deep-learning-from-scratch, Copyright (c) 2016 Koki Saitoh)', 'dtype': 'float64',
               'numpy': np.__version__, 'cases': cases}
        with open(os.path.join(args.out, f'{topic}.json'), 'w') as f:
            json.dump(doc, f, separators=(',', ':'))
            f.write('\n')
        print(f'{topic}.json: {len(cases)} cases')


if __name__ == '__main__':
    main()
