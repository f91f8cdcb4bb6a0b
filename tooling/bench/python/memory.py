"""Peak resident memory of a short training run of one of the book's networks in NumPy, for the memory
bench (src/memory-bench.ts starts it in a fresh process per run). Loads MNIST as the book's
dataset/mnist.py load_mnist does (normalize=True: the uint8 images as float32 divided by 255 in place;
one-hot labels for TwoLayerNet as ch05/train_neuralnet.py asks, class indices for the CNNs; images
[N, 1, 28, 28] for the CNNs), from the same uncompressed IDX files our loadMnist reads (the book reads
them once into mnist.pkl and loads that: the same arrays). Then `steps` steps as the book's
common/trainer.py train_step takes them: a batch of 100 drawn with replacement (np.random.choice),
gradient, the optimizer's update; no evaluation. The networks and optimizers are steps.py's (the
book's ch05/ch07/ch08 code).

Request on stdin (JSON): {"kind": "two"|"simple"|"deep", "steps", "seed", "files": {"trainImages",
"trainLabels", "testImages", "testLabels"}}. Prints one JSON line: maxRssKiB (the peak resident set, VmHWM, of this
process, loading included), startKiB (the same before the request is read: python3 with NumPy and the
book's code imported), steps, loss (of the last step), engine.
"""

import json
import resource
import sys

import numpy as np

from steps import make


def _load_img(path):
    with open(path, "rb") as f:
        data = np.frombuffer(f.read(), np.uint8, offset=16)
    return data.reshape(-1, 784)


def _load_label(path):
    with open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=8)


def _change_one_hot_label(X):
    T = np.zeros((X.size, 10))
    for idx, row in enumerate(T):
        row[X[idx]] = 1
    return T


def load_mnist(files, normalize=True, flatten=True, one_hot_label=False):
    """dataset/mnist.py's load_mnist, from the IDX files instead of its pickle of them."""
    dataset = {
        "train_img": _load_img(files["trainImages"]),
        "train_label": _load_label(files["trainLabels"]),
        "test_img": _load_img(files["testImages"]),
        "test_label": _load_label(files["testLabels"]),
    }
    if normalize:
        for key in ("train_img", "test_img"):
            dataset[key] = dataset[key].astype(np.float32)
            dataset[key] /= 255.0
    if one_hot_label:
        dataset["train_label"] = _change_one_hot_label(dataset["train_label"])
        dataset["test_label"] = _change_one_hot_label(dataset["test_label"])
    if not flatten:
        for key in ("train_img", "test_img"):
            dataset[key] = dataset[key].reshape(-1, 1, 28, 28)
    return (dataset["train_img"], dataset["train_label"]), (dataset["test_img"], dataset["test_label"])


def max_rss_kib():
    # Linux: VmHWM, not ru_maxrss, which starts at the parent's resident set at the fork (see
    # memory-report.ts, peakRssKiB). Elsewhere ru_maxrss: KiB, but bytes on macOS.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss


def main():
    start_kib = max_rss_kib()
    request = json.load(sys.stdin)
    np.random.seed(request["seed"])
    kind, steps = request["kind"], request["steps"]
    net, optimizer, shape, one_hot = make(kind)
    (x_train, t_train), _ = load_mnist(request["files"], flatten=len(shape) == 2, one_hot_label=one_hot)
    train_size, batch_size = x_train.shape[0], shape[0]
    for _ in range(steps):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch, t_batch = x_train[batch_mask], t_train[batch_mask]
        grads = net.gradient(x_batch, t_batch)
        optimizer.update(net.params, grads)
    report = {
        "maxRssKiB": max_rss_kib(),
        "startKiB": start_kib,
        "steps": steps,
        "loss": float(net.last_layer.loss),
        "engine": f"NumPy {np.__version__}",
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
