"""The running example of chapters 3-5: one small network with numbers you can follow by hand.

Three inputs, a hidden layer of four sigmoid nodes, two sigmoid outputs, and the squared error
:math:`C_0 = \\sum_j (a_j^{[2]} - y_j)^2`. The parameters are short decimals, so every printed
intermediate value can be checked with a pocket calculator.

The same network is used for one sample :math:`(x, y)` (chapters 3 and 4) and for a batch of four
samples, one per row of :math:`X` (chapter 5).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import MLP

#: Name of the loss used by the running example.
LOSS = "squared_error"


@dataclass(frozen=True)
class RunningExample:
    """The network and data of the running example (fresh copies on every call).

    Attributes
    ----------
    network : MLP
        Layer sizes ``(3, 4, 2)``, sigmoid activations in both layers.
    x : numpy.ndarray, shape (3,)
        The single sample of chapters 3 and 4.
    y : numpy.ndarray, shape (2,)
        Its target.
    X : numpy.ndarray, shape (4, 3)
        A batch of four samples (the first row is ``x``).
    Y : numpy.ndarray, shape (4, 2)
        Their targets (the first row is ``y``).
    loss : str
        ``"squared_error"``.
    """

    network: MLP
    x: np.ndarray
    y: np.ndarray
    X: np.ndarray
    Y: np.ndarray
    loss: str = LOSS


def running_example() -> RunningExample:
    """Build the running example. Every call returns new arrays, safe to modify."""
    hidden_weights = np.array(
        [
            [0.2, -0.4, 0.1],
            [0.5, 0.3, -0.2],
            [-0.3, 0.1, 0.4],
            [0.6, -0.1, 0.2],
        ]
    )
    hidden_biases = np.array([0.1, -0.1, 0.0, 0.2])
    output_weights = np.array(
        [
            [0.3, -0.5, 0.2, 0.4],
            [-0.6, 0.1, 0.5, -0.2],
        ]
    )
    output_biases = np.array([0.05, -0.05])
    network = MLP([hidden_weights, output_weights], [hidden_biases, output_biases],
                  ["sigmoid", "sigmoid"])
    X = np.array(
        [
            [0.5, -1.0, 2.0],
            [1.5, 0.5, -0.5],
            [-1.0, 2.0, 0.0],
            [0.0, -0.5, 1.0],
        ]
    )
    Y = np.array(
        [
            [1.0, 0.0],
            [0.0, 1.0],
            [1.0, 1.0],
            [0.0, 0.0],
        ]
    )
    return RunningExample(network=network, x=X[0].copy(), y=Y[0].copy(), X=X, Y=Y)
