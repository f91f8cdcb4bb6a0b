"""The book's layers, loss and optimizers in PyTorch, computing what dl computes.

Written by `dl export --format pytorch` next to model.py and train_ddp.py. Needs only torch and
numpy. Where PyTorch's built-ins differ from the book they are not used:
- BatchNormalization: the book's statistics (biased variance in training and in the running
  average, running = momentum * running + (1 - momentum) * batch, eps inside the square root), per
  activation (the book) or per channel; nn.BatchNorm* keeps an unbiased running variance.
- Dropout: the book's form multiplies by the mask in training and by 1 - ratio at test time
  (nn.Dropout is inverted); `inverted=True` is the modern form.
- SoftmaxWithLoss: the book's cross entropy adds 1e-7 inside the log; its gradient is the book's
  (y - t) / N.
- Optimizers: the book's six update rules (common/optimizer.py) with its eps and Adam's bias
  correction folded into the step size; torch.optim's forms differ (eps placement, Nesterov).
- Weight decay: 0.5 * lambda * ||W||^2 on weights only (Affine and Convolution W, not biases).
safetensors files are read and written with json + struct (Debian's torch has no safetensors).
"""

import json
import math
import os
import struct

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

# ---------------------------------------------------------------------------------------------
# Layers


class Affine(nn.Linear):
    """dl's Affine, x . W + b, on [N, ...] read as [N, in]. PyTorch stores weight as W^T."""

    def forward(self, x):
        return super().forward(x.reshape(x.shape[0], -1))


class Pooling(nn.Module):
    """dl's Pooling: max ignores padded cells, average counts them as zeros (count_include_pad)."""

    def __init__(self, mode, size, stride, pad):
        super().__init__()
        self.mode, self.size, self.stride, self.pad = mode, tuple(size), stride, pad

    def forward(self, x):
        if self.pad > 0:
            fill = float("-inf") if self.mode == "max" else 0.0
            x = F.pad(x, [self.pad] * 4, value=fill)
        if self.mode == "max":
            return F.max_pool2d(x, self.size, self.stride)
        return F.avg_pool2d(x, self.size, self.stride)


class BatchNormalization(nn.Module):
    """The book's BatchNormalization; `weight`/`bias` are its gamma/beta."""

    def __init__(self, size, mode="per-activation", momentum=0.9, eps=1e-6):
        super().__init__()
        self.mode, self.momentum, self.eps = mode, momentum, eps
        self.weight = nn.Parameter(torch.ones(size))
        self.bias = nn.Parameter(torch.zeros(size))
        self.register_buffer("running_mean", torch.zeros(size))
        self.register_buffer("running_var", torch.zeros(size))

    def forward(self, x):
        shape = x.shape
        if self.mode == "per-activation" or x.dim() == 2:
            x = x.reshape(shape[0], -1)
            axes, view = (0,), (1, -1)
        else:  # per channel: statistics over the batch and the spatial axes
            axes, view = (0,) + tuple(range(2, x.dim())), (1, -1) + (1,) * (x.dim() - 2)
        if self.training:
            mu = x.mean(axes)
            xc = x - mu.reshape(view)
            var = (xc * xc).mean(axes)
            with torch.no_grad():
                m = self.momentum
                self.running_mean.copy_(m * self.running_mean + (1 - m) * mu)
                self.running_var.copy_(m * self.running_var + (1 - m) * var)
        else:
            xc = x - self.running_mean.reshape(view)
            var = self.running_var
        xn = xc / torch.sqrt(var.reshape(view) + self.eps)
        return (self.weight.reshape(view) * xn + self.bias.reshape(view)).reshape(shape)


class Dropout(nn.Module):
    """The book's Dropout (test mode scales by 1 - ratio); `inverted=True`: nn.Dropout's form."""

    def __init__(self, ratio, inverted=False):
        super().__init__()
        self.ratio, self.inverted = ratio, inverted

    def forward(self, x):
        if self.training:
            mask = (torch.rand_like(x) > self.ratio).to(x.dtype)
            return x * mask / (1 - self.ratio) if self.inverted else x * mask
        return x if self.inverted else x * (1 - self.ratio)


class _SoftmaxWithLoss(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, t):
        y = torch.softmax(x, dim=1)
        rows = torch.arange(x.shape[0], device=x.device)
        ctx.save_for_backward(y, t)
        return -torch.log(y[rows, t] + 1e-7).sum() / x.shape[0]

    @staticmethod
    def backward(ctx, dout):
        y, t = ctx.saved_tensors
        dx = y.clone()
        dx[torch.arange(y.shape[0], device=y.device), t] -= 1
        return dout * dx / y.shape[0], None


def softmax_with_loss(x, t):
    """The book's SoftmaxWithLoss on scores x [N, classes] and labels t [N] (int64)."""
    return _SoftmaxWithLoss.apply(x, t)


def weight_decay_loss(named_weights, weight_decay_lambda):
    """0.5 * lambda * sum of W^2 over the decayed weights (a float)."""
    if weight_decay_lambda == 0:
        return 0.0
    with torch.no_grad():
        return float(sum(0.5 * weight_decay_lambda * (w * w).sum() for _, w in named_weights))


def add_weight_decay(named_weights, weight_decay_lambda):
    """The gradient of the weight decay, lambda * W, added to each decayed weight's gradient."""
    if weight_decay_lambda == 0:
        return
    with torch.no_grad():
        for _, w in named_weights:
            w.grad.add_(w, alpha=weight_decay_lambda)


# ---------------------------------------------------------------------------------------------
# Optimizers (common/optimizer.py), with dl's hyper-parameter names and defaults

OPTIMIZER_DEFAULTS = {
    "sgd": {"lr": 0.01},
    "momentum": {"lr": 0.01, "momentum": 0.9},
    "nesterov": {"lr": 0.01, "momentum": 0.9},
    "adagrad": {"lr": 0.01, "eps": 1e-7},
    "rmsprop": {"lr": 0.01, "decayRate": 0.99, "eps": 1e-7},
    "adam": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7, "variant": "book"},
}
SLOTS = {"sgd": [], "momentum": ["v"], "nesterov": ["v"], "adagrad": ["h"], "rmsprop": ["h"], "adam": ["m", "v"]}


class BookOptimizer:
    """One of the book's optimizers over named parameters; `slots[slot][name]` as dl names them."""

    def __init__(self, kind, named_params, **hyper):
        if kind not in OPTIMIZER_DEFAULTS:
            raise ValueError(f"unknown optimizer '{kind}' (known: {', '.join(OPTIMIZER_DEFAULTS)})")
        self.kind = kind
        self.hyper = {**OPTIMIZER_DEFAULTS[kind], **{k: v for k, v in hyper.items() if v is not None}}
        if kind == "adam" and "eps" not in hyper and self.hyper["variant"] == "standard":
            self.hyper["eps"] = 1e-8
        self.params = list(named_params)
        self.iter = 0
        self.slots = {s: {n: torch.zeros_like(p) for n, p in self.params} for s in SLOTS[kind]}

    @torch.no_grad()
    def step(self):
        self.iter += 1
        h, t = self.hyper, self.iter
        for name, w in self.params:
            g = w.grad
            if self.kind == "sgd":
                w.sub_(h["lr"] * g)
            elif self.kind == "momentum":
                v = self.slots["v"][name]
                v.mul_(h["momentum"]).sub_(h["lr"] * g)
                w.add_(v)
            elif self.kind == "nesterov":
                v, mom, lr = self.slots["v"][name], h["momentum"], h["lr"]
                w.add_(mom * mom * v).sub_((1 + mom) * lr * g)
                v.mul_(mom).sub_(lr * g)
            elif self.kind == "adagrad":
                s = self.slots["h"][name]
                s.add_(g * g)
                w.sub_(h["lr"] * g / (torch.sqrt(s) + h["eps"]))
            elif self.kind == "rmsprop":
                s = self.slots["h"][name]
                s.mul_(h["decayRate"]).add_((1 - h["decayRate"]) * g * g)
                w.sub_(h["lr"] * g / (torch.sqrt(s) + h["eps"]))
            else:
                self._adam(name, w, g, t)

    def _adam(self, name, w, g, t):
        h, m, v = self.hyper, self.slots["m"][name], self.slots["v"][name]
        b1, b2 = h["beta1"], h["beta2"]
        if h["variant"] == "book":
            lr_t = h["lr"] * math.sqrt(1 - b2**t) / (1 - b1**t)
            m.add_((1 - b1) * (g - m))
            v.add_((1 - b2) * (g * g - v))
            w.sub_(lr_t * m / (torch.sqrt(v) + h["eps"]))
        else:
            m.mul_(b1).add_((1 - b1) * g)
            v.mul_(b2).add_((1 - b2) * g * g)
            w.sub_(h["lr"] * (m / (1 - b1**t)) / (torch.sqrt(v / (1 - b2**t)) + h["eps"]))

    def zero_grad(self):
        for _, w in self.params:
            w.grad = None


# ---------------------------------------------------------------------------------------------
# safetensors with json + struct

_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "U8": "u1"}
_CODES = {np.dtype(v).str: k for k, v in _DTYPES.items()}


def read_safetensors(path):
    """(tensors as numpy arrays by name, the __metadata__ dict) of a safetensors file."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    data = blob[8 + n :]
    tensors = {}
    for name, info in header.items():
        if info["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor '{name}' is {info['dtype']}, which this reader does not read")
        begin, end = info["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=_DTYPES[info["dtype"]]).reshape(info["shape"])
        tensors[name] = array.astype(array.dtype.newbyteorder("="))
    return tensors, metadata


def write_safetensors(path, tensors, metadata=None):
    """Writes numpy arrays by name (and string metadata) atomically: a temporary file, then a rename."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name, array in tensors.items():
        array = np.ascontiguousarray(array)
        raw = array.astype(array.dtype.newbyteorder("<")).tobytes()
        code = _CODES[np.dtype(array.dtype).newbyteorder("<").str]
        header[name] = {"dtype": code, "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned; spaces keep the JSON valid
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# ---------------------------------------------------------------------------------------------
# dl's names and layout <-> PyTorch's


def load_state(module, path, dl_names):
    """Loads weights.safetensors (PyTorch names) or a dl checkpoint (dl names) into `module`.

    Missing, extra or mis-shaped tensors are an error naming the tensor."""
    tensors, metadata = read_safetensors(path)
    by_dl = metadata.get("dl.format") == "dl.model"
    if by_dl:
        tensors = {k: v for k, v in tensors.items() if not k.startswith("optimizer.")}
    state = module.state_dict()
    expected = {(dl_names[n][0] if by_dl else n): n for n in state}
    missing = sorted(set(expected) - set(tensors))
    extra = sorted(set(tensors) - set(expected))
    if missing or extra:
        raise ValueError(f"{path}: " + "; ".join(
            ([f"missing tensor {', '.join(missing)}"] if missing else [])
            + ([f"unexpected tensor {', '.join(extra)}"] if extra else [])))
    loaded = {}
    for stored, torch_name in expected.items():
        array = tensors[stored]
        if by_dl and dl_names[torch_name][1]:
            array = array.T
        want = tuple(state[torch_name].shape)
        if tuple(array.shape) != want:
            raise ValueError(f"{path}: tensor '{stored}' is {list(array.shape)}, expected {list(want)}")
        loaded[torch_name] = torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
    module.load_state_dict(loaded)


def dl_tensors(module, dl_names):
    """The module's parameters and buffers by dl's names, in dl's layout (float32 numpy)."""
    out = {}
    for name, value in module.state_dict().items():
        dl_name, transposed = dl_names[name]
        array = value.detach().cpu().numpy().astype(np.float32)
        out[dl_name] = array.T.copy() if transposed else array
    return out


def dl_optimizer(optimizer, dl_names):
    """The optimizer's state as dl stores it: (header, tensors named optimizer.<slot>.<dl name>)."""
    tensors, slots = {}, {}
    for slot, by_name in optimizer.slots.items():
        slots[slot] = []
        for name, value in by_name.items():
            dl_name, transposed = dl_names[name]
            array = value.detach().cpu().numpy().astype(np.float32)
            tensors[f"optimizer.{slot}.{dl_name}"] = array.T.copy() if transposed else array
            slots[slot].append(dl_name)
    header = {"kind": optimizer.kind, "hyper": dict(optimizer.hyper), "iter": optimizer.iter, "slots": slots}
    return header, tensors


def write_dl_checkpoint(path, module, dl_names, spec, optimizer=None, info=None):
    """A checkpoint in dl's format: what `dl eval`, `dl predict` and `dl train --resume` read."""
    tensors = dl_tensors(module, dl_names)
    metadata = {"dl.format": "dl.model", "dl.version": "1", "dl.spec": json.dumps(spec), "dl.dtype": "float32"}
    if optimizer is not None:
        header, slot_tensors = dl_optimizer(optimizer, dl_names)
        tensors.update(slot_tensors)
        metadata["dl.optimizer"] = json.dumps(header)
    if info is not None:
        metadata["dl-train"] = json.dumps(info)
    write_safetensors(path, tensors, metadata)


# ---------------------------------------------------------------------------------------------
# MNIST-format IDX files

_IDX_NAMES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


def read_idx(path):
    """An IDX file (plain or .gz) as a uint8 numpy array."""
    import gzip

    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        blob = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", blob[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an IDX file of unsigned bytes")
    dims = struct.unpack(f">{ndim}I", blob[4 : 4 + 4 * ndim])
    return np.frombuffer(blob, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find_idx(directory, part):
    standard = _IDX_NAMES[part]
    dotted = standard.replace("-idx", ".idx")
    for name in (standard, standard + ".gz", dotted, dotted + ".gz"):
        if os.path.exists(os.path.join(directory, name)):
            return os.path.join(directory, name)
    raise FileNotFoundError(f"{os.path.join(directory, standard)}: missing file (also tried .gz and {dotted})")


def load_mnist_dir(directory, input_shape):
    """(x_train, t_train, x_test, t_test): images / 255 as float32 shaped [N, *input_shape], int64 labels."""
    out = []
    for kind in ("train", "test"):
        images = read_idx(find_idx(directory, f"{kind}_images"))
        labels = read_idx(find_idx(directory, f"{kind}_labels"))
        x = torch.from_numpy(images.reshape(images.shape[0], *input_shape).astype(np.float32) / np.float32(255))
        out += [x, torch.from_numpy(labels.astype(np.int64))]
    return tuple(out)
