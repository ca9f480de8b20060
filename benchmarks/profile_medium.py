"""Where the time of one medium pass goes: the GEMM floor, the same operations written plainly
(fresh arrays, no checks), and MLP.cost_and_gradients split into its parts.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python benchmarks/profile_medium.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark import gemm_floor, make_problem, median_time  # noqa: E402


def plain_pass(network, X, Y):
    """The forward and backward pass with nothing but the necessary numpy operations."""
    W, b = network.weights, network.biases

    def run():
        A1 = np.maximum(X @ W[0].T + b[0], 0)
        A2 = np.maximum(A1 @ W[1].T + b[1], 0)
        Z3 = A2 @ W[2].T + b[2]
        exponentials = np.exp(Z3 - Z3.max(axis=1, keepdims=True))
        D3 = exponentials / exponentials.sum(axis=1, keepdims=True) - Y
        grads = [D3.T @ A2]
        D2 = (D3 @ W[2]) * (A2 > 0)
        grads.append(D2.T @ A1)
        D1 = (D2 @ W[1]) * (A1 > 0)
        grads.append(D1.T @ X)
        return grads

    return run


def main() -> None:
    for dtype in (np.float32, np.float64):
        network, X, Y = make_problem(256, [784, 256, 128, 10], np.dtype(dtype))
        checked_Y = network._check_targets(Y, 256)
        forward = network._forward(X)
        parts = {
            "GEMM floor": gemm_floor(network, X),
            "plain numpy pass": plain_pass(network, X, Y),
            "MLP.cost_and_gradients": lambda: network.cost_and_gradients(X, Y, "cross_entropy"),
            "  input checks": lambda: (network._check_inputs(X), network._check_targets(Y, 256),
                                       network._check_loss("cross_entropy", checked_Y)),
            "  forward pass": lambda: network._forward(X),
            "  cost": lambda: network._cost(forward, checked_Y, "cross_entropy"),
            "  backward pass": lambda: network.backward(forward, checked_Y, "cross_entropy"),
        }
        print(f"\n{np.dtype(dtype).name}, batch 256, 784-256-128-10 (median ms)")
        for name, function in parts.items():
            print(f"{name:26s} {median_time(function, min_seconds=1.5) * 1e3:8.3f}")


if __name__ == "__main__":
    main()
