"""Times `a @ b` in NumPy for the GEMM workloads the dl benchmark sends on stdin (JSON).

Same method as the TypeScript side (tooling/bench/src/measure.ts): one warm-up call, then batches of
calls until the time budget is spent; the fastest batch's mean is reported, which is robust to other
processes on a busy machine. Transposed operands are NumPy views (`x.T`), which OpenBLAS reads
through its transpose flags without copying, as the book's code does with `x.T @ dout`.
Prints one JSON object on stdout.
"""

import json
import sys
import time

import numpy as np


def measure(fn, budget_s, batch_s):
    fn()
    start = time.perf_counter()
    fn()
    single = max(time.perf_counter() - start, 1e-9)
    calls = max(1, int(batch_s / single))
    best = single
    spent = single
    rounds = 0
    while rounds < 3 or spent < budget_s:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        elapsed = time.perf_counter() - start
        spent += elapsed
        rounds += 1
        best = min(best, elapsed / calls)
        if single > budget_s:
            break
    return best


def main():
    request = json.load(sys.stdin)
    rng = np.random.default_rng(1)
    results = []
    for w in request["workloads"]:
        m, n, k = w["m"], w["n"], w["k"]
        # Stored shapes follow the GEMM convention: a is k×m when transA, b is n×k when transB.
        a = (rng.random((k, m) if w["transA"] else (m, k), dtype=np.float32) * 4 - 2)
        b = (rng.random((n, k) if w["transB"] else (k, n), dtype=np.float32) * 4 - 2)
        op_a = a.T if w["transA"] else a
        op_b = b.T if w["transB"] else b
        seconds = measure(lambda: op_a @ op_b, request["budgetMs"] / 1000, request["batchMs"] / 1000)
        results.append({"name": w["name"], "msPerCall": seconds * 1000})
    blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    print(json.dumps({
        "numpy": np.__version__,
        "blas": f'{blas.get("name", "?")} {blas.get("version", "")}'.strip(),
        "results": results,
    }))


if __name__ == "__main__":
    main()
