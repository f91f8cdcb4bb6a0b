"""Times one training step (batch 100: gradient by backprop, then the optimizer's update) of the book's
networks in NumPy, written as "Deep Learning from Scratch" writes them: ch05/two_layer_net.py with
SGD, ch07/simple_convnet.py and ch08/deep_convnet.py with Adam (common/layers.py, common/functions.py,
common/optimizer.py, and common/util.py's im2col/col2im, imported from layers.py beside this file).
Arrays are as readers run them: weights float64 from np.random.randn, inputs float32 in [0, 1] (what
load_mnist(normalize=True) gives), so every product runs in float64. Labels are one-hot for
TwoLayerNet (ch05/train_neuralnet.py) and class indices for the CNNs (ch07/train_convnet.py).

Request on stdin (JSON): {"networks": [{"name", "kind": "two"|"simple"|"deep", "steps"}]}; for each,
the first step is timed apart (warm-up), untimed steps follow until a second has passed (WARM_UP_S,
as the JavaScript side does), then `steps` steps, and the median is reported. With
{"inference": {"images": N, "batch": B, "runs": R}} it also times DeepConvNet's predict (test mode)
over N images in batches of B, as the book's accuracy() runs it. Prints one JSON object on stdout.
"""

import json
import sys
import time
from collections import OrderedDict

import numpy as np

from layers import Convolution, Pooling


def softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class Relu:
    def forward(self, x, train_flg=False):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x, train_flg=False):
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.original_x_shape)


class Dropout:
    def __init__(self, dropout_ratio=0.5):
        self.dropout_ratio = dropout_ratio

    def forward(self, x, train_flg=True):
        if train_flg:
            self.mask = np.random.rand(*x.shape) > self.dropout_ratio
            return x * self.mask
        return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        return dout * self.mask


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:
            dx = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size
        return dx


class Conv(Convolution):
    def forward(self, x, train_flg=False):
        return super().forward(x)


class Pool(Pooling):
    def forward(self, x, train_flg=False):
        return super().forward(x)


class SGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params.keys():
            params[key] -= self.lr * grads[key]


class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m, self.v = {}, {}
            for key, val in params.items():
                self.m[key] = np.zeros_like(val)
                self.v[key] = np.zeros_like(val)
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for key in params.keys():
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)


class LayerNet:
    """What the book's three networks share: predict, loss, gradient by backprop."""

    def predict(self, x, train_flg=False):
        for layer in self.layers.values():
            x = layer.forward(x, train_flg)
        return x

    def loss(self, x, t):
        return self.last_layer.forward(self.predict(x, True), t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.last_layer.backward(1)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        grads = {}
        for name, layer in self.weighted.items():
            grads["W" + name], grads["b" + name] = layer.dW, layer.db
        return grads


class TwoLayerNet(LayerNet):
    """ch05/two_layer_net.py: Affine1 → Relu1 → Affine2 → SoftmaxWithLoss."""

    def __init__(self, input_size=784, hidden_size=50, output_size=10, weight_init_std=0.01):
        p = self.params = {}
        p["W1"] = weight_init_std * np.random.randn(input_size, hidden_size)
        p["b1"] = np.zeros(hidden_size)
        p["W2"] = weight_init_std * np.random.randn(hidden_size, output_size)
        p["b2"] = np.zeros(output_size)
        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(p["W1"], p["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(p["W2"], p["b2"])
        self.last_layer = SoftmaxWithLoss()
        self.weighted = {"1": self.layers["Affine1"], "2": self.layers["Affine2"]}


class SimpleConvNet(LayerNet):
    """ch07/simple_convnet.py: Conv1 → Relu1 → Pool1 → Affine1 → Relu2 → Affine2 → SoftmaxWithLoss."""

    def __init__(self, filter_num=30, filter_size=5, hidden_size=100, output_size=10, weight_init_std=0.01):
        pool_output_size = int(filter_num * (24 / 2) * (24 / 2))
        p = self.params = {}
        p["W1"] = weight_init_std * np.random.randn(filter_num, 1, filter_size, filter_size)
        p["b1"] = np.zeros(filter_num)
        p["W2"] = weight_init_std * np.random.randn(pool_output_size, hidden_size)
        p["b2"] = np.zeros(hidden_size)
        p["W3"] = weight_init_std * np.random.randn(hidden_size, output_size)
        p["b3"] = np.zeros(output_size)
        self.layers = OrderedDict()
        self.layers["Conv1"] = Conv(p["W1"], p["b1"], 1, 0)
        self.layers["Relu1"] = Relu()
        self.layers["Pool1"] = Pool(pool_h=2, pool_w=2, stride=2)
        self.layers["Affine1"] = Affine(p["W2"], p["b2"])
        self.layers["Relu2"] = Relu()
        self.layers["Affine2"] = Affine(p["W3"], p["b3"])
        self.last_layer = SoftmaxWithLoss()
        self.weighted = {"1": self.layers["Conv1"], "2": self.layers["Affine1"], "3": self.layers["Affine2"]}


class DeepConvNet(LayerNet):
    """ch08/deep_convnet.py: six 3×3 convolutions 16-16-32-32-64-64 with ReLU and a max pool after every
    second, Affine 1024→50, ReLU, Dropout 0.5, Affine 50→10, Dropout 0.5, SoftmaxWithLoss; He init."""

    def __init__(self):
        conv_params = [(16, 1), (16, 1), (32, 1), (32, 2), (64, 1), (64, 1)]
        pre_node_nums = np.array([1 * 3 * 3, 16 * 3 * 3, 16 * 3 * 3, 32 * 3 * 3, 32 * 3 * 3, 64 * 3 * 3, 64 * 4 * 4, 50])
        scales = np.sqrt(2.0 / pre_node_nums)
        p = self.params = {}
        channels = 1
        for idx, (filters, _) in enumerate(conv_params):
            p["W" + str(idx + 1)] = scales[idx] * np.random.randn(filters, channels, 3, 3)
            p["b" + str(idx + 1)] = np.zeros(filters)
            channels = filters
        p["W7"] = scales[6] * np.random.randn(64 * 4 * 4, 50)
        p["b7"] = np.zeros(50)
        p["W8"] = scales[7] * np.random.randn(50, 10)
        p["b8"] = np.zeros(10)
        self.layers = OrderedDict()
        self.weighted = {}
        for idx, (_, pad) in enumerate(conv_params):
            key = str(idx + 1)
            self.layers["Conv" + key] = Conv(p["W" + key], p["b" + key], 1, pad)
            self.weighted[key] = self.layers["Conv" + key]
            self.layers["Relu" + key] = Relu()
            if idx % 2 == 1:
                self.layers["Pool" + str(idx // 2 + 1)] = Pool(pool_h=2, pool_w=2, stride=2)
        self.layers["Affine1"] = Affine(p["W7"], p["b7"])
        self.layers["Relu7"] = Relu()
        self.layers["Dropout1"] = Dropout(0.5)
        self.layers["Affine2"] = Affine(p["W8"], p["b8"])
        self.layers["Dropout2"] = Dropout(0.5)
        self.weighted["7"] = self.layers["Affine1"]
        self.weighted["8"] = self.layers["Affine2"]
        self.last_layer = SoftmaxWithLoss()


def make(kind):
    if kind == "two":
        return TwoLayerNet(), SGD(lr=0.1), (100, 784), True
    if kind == "simple":
        return SimpleConvNet(), Adam(lr=0.001), (100, 1, 28, 28), False
    return DeepConvNet(), Adam(lr=0.001), (100, 1, 28, 28), False


WARM_UP_S = 1.0


def time_steps(kind, steps):
    np.random.seed(1)
    net, optimizer, shape, one_hot = make(kind)
    x = np.random.rand(*shape).astype(np.float32)
    labels = np.random.randint(0, 10, shape[0])
    t = np.eye(10)[labels] if one_hot else labels

    def step():
        start = time.perf_counter()
        grads = net.gradient(x, t)
        optimizer.update(net.params, grads)
        return (time.perf_counter() - start) * 1000

    # As the JavaScript engines get (step-bench.ts, WARM_UP_MS): untimed steps for the rest of a second.
    began = time.perf_counter()
    first = step()
    while time.perf_counter() - began < WARM_UP_S:
        step()
    times = sorted(step() for _ in range(steps))
    return {"firstMs": first, "medianMs": times[len(times) // 2], "minMs": times[0], "steps": steps}


def time_inference(images, batch, runs):
    np.random.seed(1)
    net = DeepConvNet()
    x = np.random.rand(images, 1, 28, 28).astype(np.float32)

    def run(n):
        start = time.perf_counter()
        for i in range(0, n, batch):
            np.argmax(net.predict(x[i:i + batch], False), axis=1)
        return (time.perf_counter() - start) * 1000

    first = run(min(images, 10 * batch))
    times = sorted(run(images) for _ in range(runs))
    return {"firstMs": first, "medianMs": times[len(times) // 2], "runs": runs}


def main():
    request = json.load(sys.stdin)
    results = []
    for w in request.get("networks", []):
        results.append({"name": w["name"], **time_steps(w["kind"], w["steps"])})
    reply = {"numpy": np.__version__, "results": results}
    if "inference" in request:
        r = request["inference"]
        reply["inference"] = time_inference(r["images"], r["batch"], r["runs"])
    print(json.dumps(reply))


if __name__ == "__main__":
    main()
