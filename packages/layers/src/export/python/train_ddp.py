"""Data-parallel training of the exported network with torch.distributed, writing a dl run directory.

Launch one process per rank with torchrun, or with MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE
set (env:// initialisation; see README.md). Without them it runs as a single process. Each step,
every rank takes --batch-size / WORLD_SIZE rows of the global batch; DistributedDataParallel
averages the gradients, so the update is the one of the whole batch. gloo on CPUs, nccl on GPUs.

--out DIR becomes a dl run directory: run.json, metrics.jsonl, last.safetensors (each epoch and at
the end) and best.safetensors (best test accuracy), in dl's format with the optimizer's state in
dl's layout, so `dl eval`, `dl predict` and `dl train --resume DIR` take it. dl's own random
stream is not PyTorch's: a resumed run restarts dl's RNG from the recorded seed.
"""

import argparse
import datetime
import json
import os
import platform
import sys
import time

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import model as exported  # noqa: E402  (model.py next to this script)
from dl_torch import (  # noqa: E402
    OPTIMIZER_DEFAULTS,
    BookOptimizer,
    add_weight_decay,
    load_mnist_dir,
    load_state,
    softmax_with_loss,
    weight_decay_loss,
    write_dl_checkpoint,
)


def parse_args():
    d = exported.TRAIN_DEFAULTS
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="directory of MNIST-format IDX files")
    p.add_argument("--out", required=True, help="the run directory to write (must not hold a run)")
    p.add_argument("--weights", default=os.path.join(HERE, "weights.safetensors"),
                   help="initial weights: weights.safetensors or a dl checkpoint (default: the export's)")
    length = p.add_mutually_exclusive_group()
    length.add_argument("--epochs", type=int, help=f"passes over the training set (default {d['epochs']})")
    length.add_argument("--iters", type=int, help="steps (global batches) instead of --epochs")
    p.add_argument("--batch-size", type=int, default=d["batchSize"], help="the global batch, split between ranks")
    p.add_argument("--optimizer", default=d["optimizer"], choices=sorted(OPTIMIZER_DEFAULTS))
    p.add_argument("--lr", type=float, default=d["lr"])
    p.add_argument("--seed", type=int, default=0, help="data order, Dropout masks (with the rank)")
    p.add_argument("--train-size", type=int, help="use the first N training images")
    p.add_argument("--eval-samples", type=int,
                   help="per-epoch accuracies on the first N rows of each set (default all); the end uses all")
    p.add_argument("--log-every", type=int, default=10, help="a step record in metrics.jsonl every N steps")
    args = p.parse_args()
    if args.epochs is None and args.iters is None:
        args.epochs = d["epochs"]
    return args


class Ranks:
    """This process's place: rank, world size, device; the process group when there are several."""

    def __init__(self):
        self.rank = int(os.environ.get("RANK", "0"))
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.distributed = "MASTER_ADDR" in os.environ and self.world > 1
        cuda = torch.cuda.is_available()
        local = int(os.environ.get("LOCAL_RANK", str(self.rank)))
        self.device = torch.device(f"cuda:{local % torch.cuda.device_count()}") if cuda else torch.device("cpu")
        self.backend = "nccl" if cuda else "gloo"
        if self.distributed:
            if cuda:
                torch.cuda.set_device(self.device)
            dist.init_process_group(self.backend, init_method="env://")

    def mean(self, value):
        """The mean of a float over the ranks."""
        if not self.distributed:
            return value
        t = torch.tensor([value], dtype=torch.float64, device=self.device)
        dist.all_reduce(t)
        return float(t.item()) / self.world

    def barrier(self):
        if self.distributed:
            dist.barrier()


@torch.no_grad()
def accuracy(net, x, t, device, batch=1000):
    net.eval()
    correct = 0
    for i in range(0, x.shape[0], batch):
        y = net(x[i : i + batch].to(device))
        correct += int((y.argmax(dim=1).cpu() == t[i : i + batch]).sum())
    return correct / max(x.shape[0], 1)


@torch.no_grad()
def mean_loss(net, x, t, device, batch=1000):
    net.eval()
    total = 0.0
    for i in range(0, x.shape[0], batch):
        y = net(x[i : i + batch].to(device))
        total += float(softmax_with_loss(y, t[i : i + batch].to(device))) * y.shape[0]
    decay = weight_decay_loss(decayed(net), exported.WEIGHT_DECAY_LAMBDA)
    return total / max(x.shape[0], 1) + decay


def decayed(net):
    params = dict(net.named_parameters())
    return [(name, params[name]) for name in exported.DECAYED]


def settings_of(args):
    """dl train's settings record (run.json), so `dl train --resume` rebuilds the run."""
    spec = exported.SPEC
    return {
        "model": spec["kind"], "spec": spec, "specFile": None, "hidden": [], "activation": "relu",
        "optimizer": args.optimizer, "lr": args.lr, "batchSize": args.batch_size,
        "iterations": args.iters, "epochs": None if args.iters is not None else args.epochs,
        "weightDecay": 0, "dropout": 0, "batchNorm": False, "init": None,
        "sampling": "shuffle", "seed": args.seed, "data": os.path.abspath(args.data),
        "trainSize": args.train_size, "evalSamples": args.eval_samples,
        "backend": "wasm", "threads": None, "logEvery": args.log_every,
    }


class RunDir:
    """The dl run directory; only rank 0 writes."""

    def __init__(self, path, enabled):
        self.path, self.enabled = os.path.abspath(path), enabled
        if enabled:
            os.makedirs(self.path, exist_ok=True)
            if os.path.exists(self.file("run.json")):
                sys.exit(f"train_ddp.py: {self.path} already holds a run; choose another --out")

    def file(self, name):
        return os.path.join(self.path, name)

    def write_json(self, name, value):
        if not self.enabled:
            return
        tmp = self.file(f".{name}.tmp")
        with open(tmp, "w") as f:
            json.dump(value, f, indent=2)
            f.write("\n")
        os.replace(tmp, self.file(name))

    def metric(self, record):
        if self.enabled:
            with open(self.file("metrics.jsonl"), "a") as f:
                f.write(json.dumps(record) + "\n")


def main():
    args = parse_args()
    ranks = Ranks()
    if args.batch_size % ranks.world != 0:
        sys.exit(f"train_ddp.py: --batch-size {args.batch_size} is not divisible by WORLD_SIZE {ranks.world}")
    per_rank = args.batch_size // ranks.world
    torch.manual_seed(args.seed + ranks.rank)  # Dropout masks differ between ranks

    x_train, t_train, x_test, t_test = load_mnist_dir(args.data, exported.INPUT_SHAPE)
    if args.train_size is not None:
        if args.train_size > x_train.shape[0]:
            sys.exit(f"train_ddp.py: --train-size {args.train_size}: the data has {x_train.shape[0]} images")
        x_train, t_train = x_train[: args.train_size], t_train[: args.train_size]
    net = exported.Net()
    load_state(net, args.weights, exported.DL_NAMES)
    net.to(ranks.device)
    model = DistributedDataParallel(net) if ranks.distributed else net
    optimizer = BookOptimizer(args.optimizer, net.named_parameters(), lr=args.lr)

    dataset = TensorDataset(x_train, t_train)
    sampler = DistributedSampler(dataset, num_replicas=ranks.world, rank=ranks.rank, shuffle=True,
                                 seed=args.seed, drop_last=True)
    loader = DataLoader(dataset, batch_size=per_rank, sampler=sampler, drop_last=True)
    steps_per_epoch = len(loader)
    if steps_per_epoch == 0:
        sys.exit(f"train_ddp.py: {x_train.shape[0]} images make no batch of {args.batch_size}")
    max_steps = args.iters if args.iters is not None else args.epochs * steps_per_epoch

    run = RunDir(args.out, ranks.rank == 0)
    settings = settings_of(args)
    began = time.time()
    record = {
        "command": ["python3", *sys.argv], "cwd": os.getcwd(),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "engine": {"name": "pytorch", "torch": torch.__version__, "python": platform.python_version(),
                   "distributedBackend": ranks.backend if ranks.distributed else None,
                   "worldSize": ranks.world, "device": str(ranks.device),
                   "sampler": "DistributedSampler (shuffled once per epoch, split between ranks)"},
        "settings": settings,
        "model": {"shape": exported.SPEC["kind"], "spec": exported.SPEC,
                  "params": sum(p.numel() for p in net.parameters())},
        "data": {"source": os.path.abspath(args.data), "train": int(x_train.shape[0]),
                 "test": int(x_test.shape[0]), "inputShape": list(exported.INPUT_SHAPE)},
        "backend": {"name": f"pytorch ({ranks.backend} x {ranks.world})", "threads": torch.get_num_threads()},
        "resumed": [],
    }
    trainer = {"losses": [], "trainAcc": [], "testAcc": [], "lastEvalStep": 0}
    best = None

    def save(status, result=None, step=0, epoch=0):
        run.write_json("run.json", {**record, "status": status, "step": step, "epoch": epoch, "best": best,
                                    "result": result, "error": None,
                                    "updated": datetime.datetime.now(datetime.timezone.utc).isoformat()})

    def checkpoint(name, step, epoch, test_acc):
        if not run.enabled:
            return
        info = {
            "step": step, "epoch": epoch, "testAcc": test_acc, "engine": "pytorch",
            "trainer": {"step": step, "epoch": epoch, "lastEvalStep": trainer["lastEvalStep"],
                        "trainLossList": trainer["losses"], "trainAccList": trainer["trainAcc"],
                        "testAccList": trainer["testAcc"],
                        # dl's RNG never ran: `dl train --resume` restarts it from the seed.
                        "rng": None, "sampler": {"sampling": "shuffle", "permutationRng": None, "cursor": 0}},
            "settings": settings,
        }
        write_dl_checkpoint(run.file(name), net, exported.DL_NAMES, exported.SPEC, optimizer, info)
        run.metric({"type": "checkpoint", "step": step, "epoch": epoch, "file": name})

    save("running")
    step, epoch, window = 0, 0, []
    while step < max_steps:
        sampler.set_epoch(epoch)
        for x, t in loader:
            model.train()
            y = model(x.to(ranks.device))
            loss = softmax_with_loss(y, t.to(ranks.device))
            loss.backward()  # DistributedDataParallel averages the gradients over the ranks
            add_weight_decay(decayed(net), exported.WEIGHT_DECAY_LAMBDA)
            optimizer.step()
            optimizer.zero_grad()
            global_loss = ranks.mean(float(loss)) + weight_decay_loss(decayed(net), exported.WEIGHT_DECAY_LAMBDA)
            trainer["losses"].append(global_loss)
            window.append(global_loss)
            step += 1
            if step % args.log_every == 0:
                run.metric({"type": "step", "step": step, "epoch": epoch + 1, "loss": sum(window) / len(window),
                            "imagesPerSecond": step * args.batch_size / (time.time() - began),
                            "seconds": time.time() - began})
                window = []
            if step % steps_per_epoch == 0 or step == max_steps:
                data = [a[: args.eval_samples] for a in (x_train, t_train, x_test, t_test)]
                best = evaluate(run, ranks, net, data, trainer, step, best, began, checkpoint)
            if step == max_steps:
                break
        epoch += 1

    # The whole test set at the end, as dl train's summary.
    test_acc = accuracy(net, x_test, t_test, ranks.device) if run.enabled else None
    result = {"testAcc": test_acc,
              "testLoss": mean_loss(net, x_test, t_test, ranks.device) if run.enabled else None,
              "epochs": step // steps_per_epoch, "steps": step, "seconds": time.time() - began, "aborted": False,
              "out": run.path, "checkpoint": run.file("last.safetensors")}
    if run.enabled:
        run.metric({"type": "end", "step": step, "testAcc": test_acc, "testLoss": result["testLoss"],
                    "seconds": result["seconds"], "status": "completed"})
        save("completed", result, step, len(trainer["testAcc"]))
        print(json.dumps(result), flush=True)
    ranks.barrier()
    if ranks.distributed:
        dist.destroy_process_group()


def evaluate(run, ranks, net, data, trainer, step, best, began, checkpoint):
    """Train and test accuracy (rank 0), then last.safetensors, and best.safetensors when better."""
    x_train, t_train, x_test, t_test = data
    epoch = len(trainer["testAcc"]) + 1
    if run.enabled:
        train_acc = accuracy(net, x_train, t_train, ranks.device)
        test_acc = accuracy(net, x_test, t_test, ranks.device)
        losses = trainer["losses"][trainer["lastEvalStep"] :]
        trainer["trainAcc"].append(train_acc)
        trainer["testAcc"].append(test_acc)
        trainer["lastEvalStep"] = step
        run.metric({"type": "epoch", "epoch": epoch, "step": step, "trainAcc": train_acc, "testAcc": test_acc,
                    "loss": sum(losses) / max(len(losses), 1), "imagesPerSecond": 0,
                    "seconds": time.time() - began})
        print(f"epoch {epoch}, step {step}: train acc {train_acc:.4f}, test acc {test_acc:.4f}", flush=True)
        checkpoint("last.safetensors", step, epoch, test_acc)
        if best is None or test_acc > best["testAcc"]:
            best = {"step": step, "epoch": epoch, "testAcc": test_acc}
            checkpoint("best.safetensors", step, epoch, test_acc)
    else:
        trainer["testAcc"].append(None)
    ranks.barrier()
    return best


if __name__ == "__main__":
    try:
        main()
    except (ValueError, OSError) as e:  # bad weights or data: one line, as dl's errors
        sys.exit(f"train_ddp.py: {e}")
