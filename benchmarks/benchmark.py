"""Time MLP.cost_and_gradients against PyTorch on the CPU and against the matrix products alone.

Run from the repository root (PyTorch is needed only here; the table was made with the CPU
build ``torch==2.13.0``)::

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/benchmark.py

It prints a Markdown table of median times (milliseconds per forward + backward pass of one
batch) and ratios, and writes it with the machine's description to ``benchmarks/RESULTS.md``.
The network: ReLU hidden layers, a softmax output and categorical cross-entropy (as in chapter 7).

- ``numpy GEMM floor``: only the matrix products a forward and backward pass cannot avoid
  (``A W^T`` per layer, ``Delta^T A_prev`` per layer, ``Delta W`` per layer but the first), into
  preallocated arrays. No library can do the pass in less.
- ``torch``: the same network in PyTorch with autograd, ``torch.set_num_threads`` equal to numpy's
  BLAS threads.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np
from threadpoolctl import threadpool_info

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from backproplib.network import MLP  # noqa: E402

SIZES = {
    "small": (32, [64, 32, 10]),
    "medium": (256, [784, 256, 128, 10]),
    "large": (2048, [784, 1024, 1024, 10]),
}


def median_time(function: Callable[[], object], min_repeats: int = 15, min_seconds: float = 1.0) -> float:
    """Median wall time of ``function`` in seconds, after two warm-up calls."""
    function()
    function()
    times = []
    start = time.perf_counter()
    while len(times) < min_repeats or time.perf_counter() - start < min_seconds:
        begin = time.perf_counter()
        function()
        times.append(time.perf_counter() - begin)
        if len(times) >= 2000:
            break
    return statistics.median(times)


def make_problem(batch: int, sizes: list[int], dtype: np.dtype, seed: int = 0):
    rng = np.random.default_rng(seed)
    names = ["relu"] * (len(sizes) - 2) + ["softmax"]
    network = MLP.random(sizes, names, rng)
    network = MLP([w.astype(dtype) for w in network.weights], [b.astype(dtype) for b in network.biases],
                  names)
    X = rng.normal(size=(batch, sizes[0])).astype(dtype)
    Y = np.eye(sizes[-1], dtype=dtype)[rng.integers(0, sizes[-1], size=batch)]
    return network, X, Y


def gemm_floor(network: MLP, X: np.ndarray) -> Callable[[], None]:
    weights = network.weights
    m = X.shape[0]
    outputs = [np.empty((m, w.shape[0]), X.dtype) for w in weights]
    deltas = [np.empty((m, w.shape[1]), X.dtype) for w in weights]
    grads = [np.empty_like(w) for w in weights]
    inputs = [X] + outputs[:-1]

    def run() -> None:
        for weight, a_prev, out in zip(weights, inputs, outputs):
            np.matmul(a_prev, weight.T, out=out)
        delta = outputs[-1]
        for index in range(len(weights) - 1, -1, -1):
            np.matmul(delta.T, inputs[index], out=grads[index])
            if index > 0:
                np.matmul(delta, weights[index], out=deltas[index])
                delta = deltas[index]

    return run


def torch_pass(network: MLP, X: np.ndarray, Y: np.ndarray):
    import torch

    weights = [torch.tensor(w, requires_grad=True) for w in network.weights]
    biases = [torch.tensor(b, requires_grad=True) for b in network.biases]
    inputs, targets = torch.tensor(X), torch.tensor(Y)

    def run() -> None:
        for parameter in weights + biases:
            parameter.grad = None
        activation = inputs
        for weight, bias in zip(weights[:-1], biases[:-1]):
            activation = torch.relu(torch.addmm(bias, activation, weight.T))
        logits = torch.addmm(biases[-1], activation, weights[-1].T)
        cost = -(targets * torch.log_softmax(logits, dim=1)).sum(dim=1).mean()
        cost.backward()

    return run


def loop_rows(seconds: float) -> list[str]:
    """How the loop versions of chapters 3-5 grow with width and batch size, against MLP."""
    from backproplib import batch, matrix_form

    rows = ["| network | batch m | per-node loops (ch. 6) ms | per-sample MLP calls (ch. 5) ms "
            "| vectorized MLP ms | loops / vectorized |", "|---|---:|---:|---:|---:|---:|"]
    for width, m in [(4, 8), (16, 8), (64, 8), (16, 64)]:
        rng = np.random.default_rng(0)
        sizes = [width, width, width, 2]
        network = MLP.random(sizes, ["sigmoid", "sigmoid", "sigmoid"], rng)
        X, Y = rng.normal(size=(m, width)), rng.uniform(size=(m, 2))
        loops = median_time(lambda: matrix_form.gradients_by_loops(network, X, Y, "squared_error"),
                            min_repeats=3, min_seconds=seconds / 4)
        per_sample = median_time(lambda: batch.per_sample_gradients(network, X, Y, "squared_error"),
                                 min_repeats=5, min_seconds=seconds / 4)
        vectorized = median_time(lambda: network.cost_and_gradients(X, Y, "squared_error"),
                                 min_seconds=seconds / 4)
        rows.append(f"| {'-'.join(map(str, sizes))} | {m} | {loops * 1e3:.2f} | {per_sample * 1e3:.2f} "
                    f"| {vectorized * 1e3:.3f} | {loops / vectorized:.0f}x |")
        print(rows[-1], flush=True)
    return rows


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    blas = [f"{info['internal_api']} {info.get('version')} ({info.get('architecture')}, "
            f"{info['num_threads']} threads)" for info in threadpool_info() if info["user_api"] == "blas"]
    return (f"{model}; {os.cpu_count()} cores; Python {platform.python_version()}; numpy {np.__version__}; "
            f"BLAS {', '.join(blas)}; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', 'unset')}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).with_name("RESULTS.md")))
    parser.add_argument("--seconds", type=float, default=1.0, help="minimum time per measurement")
    arguments = parser.parse_args()
    import torch

    threads = max(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")
    torch.set_num_threads(threads)
    rows = ["| size | dtype | backproplib ms | torch ms | GEMM floor ms | vs torch | vs floor |",
            "|---|---|---:|---:|---:|---:|---:|"]
    for name, (batch, sizes) in SIZES.items():
        for dtype in (np.float64, np.float32):
            network, X, Y = make_problem(batch, sizes, np.dtype(dtype))
            ours = median_time(lambda: network.cost_and_gradients(X, Y, "cross_entropy"),
                               min_seconds=arguments.seconds)
            theirs = median_time(torch_pass(network, X, Y), min_seconds=arguments.seconds)
            floor = median_time(gemm_floor(network, X), min_seconds=arguments.seconds)
            rows.append(f"| {name} (batch {batch}, {'-'.join(map(str, sizes))}) | {np.dtype(dtype).name} "
                        f"| {ours * 1e3:.3f} | {theirs * 1e3:.3f} | {floor * 1e3:.3f} "
                        f"| {ours / theirs:.2f}x | {ours / floor:.2f}x |")
            print(rows[-1], flush=True)
    loops = loop_rows(arguments.seconds)
    text = "\n".join([
        "# Benchmark: MLP.cost_and_gradients", "",
        f"Machine: {machine()}; torch {torch.__version__} with {threads} threads.", "",
        "Median milliseconds per forward + backward pass of one batch (ReLU hidden layers, softmax "
        "output, cross-entropy). Ratios below 1 are faster than the reference.", "",
        *rows, "",
        "## The loop versions of chapters 3-6", "",
        "The same gradients computed with one Python loop per sample and per node "
        "(`matrix_form.gradients_by_loops`), and with one `MLP` call per sample "
        "(`batch.per_sample_gradients`), against one vectorized call (sigmoid layers, squared error). "
        "The loops grow with width squared times batch size; the vectorized call hardly moves.", "",
        *loops, "",
        "Rerun: `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/benchmark.py`", "",
    ])
    Path(arguments.out).write_text(text)
    print(f"\nwritten to {arguments.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
