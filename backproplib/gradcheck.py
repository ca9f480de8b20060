"""Gradient checking: centred finite differences and the relative error.

For a scalar function :math:`f` of an array :math:`x`, the centred difference

.. math:: \\frac{\\partial f}{\\partial x_i} \\approx \\frac{f(x + h e_i) - f(x - h e_i)}{2h}

has an error of order :math:`h^2` (a one-sided difference: order :math:`h`). With float64 and
:math:`h = 10^{-6}` the approximation typically agrees with an exact derivative to 8-10 digits.
Two gradients are compared by their relative error

.. math:: \\frac{\\lVert g_1 - g_2 \\rVert}{\\lVert g_1 \\rVert + \\lVert g_2 \\rVert},

which is scale-free: below :math:`10^{-7}` the analytic gradient is almost surely right; above
:math:`10^{-3}` it is almost surely wrong (unless a kink such as relu at 0 lies within :math:`h`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._checks import as_float_array, check_positive_number, check_same_shape
from .network import MLP, Gradients, check_batch


def numerical_derivative(
    function: Callable[[np.ndarray], float], x: np.ndarray, step: float = 1e-6
) -> np.ndarray:
    """Centred finite-difference gradient of a scalar ``function`` at ``x``.

    Parameters
    ----------
    function : callable
        Maps an array shaped like ``x`` to a number.
    x : array_like
        Where to differentiate. It is not modified: the function is called on a copy.
    step : float
        The step :math:`h` of :math:`(f(x + h e_i) - f(x - h e_i)) / 2h`.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``; entry ``i`` approximates :math:`\\partial f / \\partial x_i`.
    """
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}")
    check_positive_number(step, "step")
    point = as_float_array(x, "x").astype(np.float64, copy=True)
    gradient = np.zeros_like(point)
    for index in np.ndindex(point.shape):
        original = point[index]
        point[index] = original + step
        forward = float(function(point.copy()))
        point[index] = original - step
        backward = float(function(point.copy()))
        point[index] = original
        gradient[index] = (forward - backward) / (2.0 * step)
    return gradient


def relative_error(first: np.ndarray, second: np.ndarray) -> float:
    """Relative error :math:`\\lVert g_1 - g_2 \\rVert / (\\lVert g_1 \\rVert + \\lVert g_2 \\rVert)`.

    Returns 0 when both are exactly zero. Both arguments must have the same shape.
    """
    first = as_float_array(first, "first")
    second = as_float_array(second, "second")
    check_same_shape(first, second, ("first", "second"))
    scale = np.linalg.norm(first) + np.linalg.norm(second)
    if scale == 0.0:
        return 0.0
    return float(np.linalg.norm(first - second) / scale)


def numerical_gradients(
    network: MLP, X: np.ndarray, Y: np.ndarray, loss: str, step: float = 1e-6
) -> Gradients:
    """Centred finite differences of the batch cost with respect to every weight and bias.

    Each parameter entry is moved by :math:`\\pm h` in a copy of the network, so this costs two
    forward passes per parameter: use small networks. ``network`` is not modified.

    Returns
    -------
    Gradients
        Shaped like :meth:`backproplib.network.MLP.cost_and_gradients`'s; ``deltas`` is empty
        (finite differences do not see them).
    """
    check_batch(network, X, Y, loss)  # once, with the network's own messages
    names = network.activation_names

    def cost_with(layer: int, kind: str) -> Callable[[np.ndarray], float]:
        def cost(parameter: np.ndarray) -> float:
            weights = list(network.weights)
            biases = list(network.biases)
            (weights if kind == "weights" else biases)[layer] = parameter
            return MLP(weights, biases, names).cost(X, Y, loss)

        return cost

    return Gradients(
        weights=[
            numerical_derivative(cost_with(layer, "weights"), weight, step)
            for layer, weight in enumerate(network.weights)
        ],
        biases=[
            numerical_derivative(cost_with(layer, "biases"), bias, step)
            for layer, bias in enumerate(network.biases)
        ],
        deltas=[],
    )


@dataclass(frozen=True)
class GradientCheck:
    """The outcome of :func:`gradient_check`.

    Attributes
    ----------
    weight_errors, bias_errors : list of float
        Relative error between backpropagation and finite differences, one per layer.
    tolerance : float
        The largest relative error accepted.
    """

    weight_errors: list[float]
    bias_errors: list[float]
    tolerance: float

    @property
    def max_error(self) -> float:
        """The largest relative error over all parameters."""
        return max(self.weight_errors + self.bias_errors)

    @property
    def passed(self) -> bool:
        """``True`` when every relative error is at most ``tolerance``."""
        return self.max_error <= self.tolerance

    def __str__(self) -> str:
        lines = ["layer  relative error dJ/dW  relative error dJ/db"]
        for layer, (weight_error, bias_error) in enumerate(
            zip(self.weight_errors, self.bias_errors), start=1
        ):
            lines.append(f"{layer:5d}  {weight_error:20.1e}  {bias_error:20.1e}")
        verdict = "passed" if self.passed else "FAILED"
        lines.append(f"{verdict} (tolerance {self.tolerance:.0e})")
        return "\n".join(lines)


def gradient_check(
    network: MLP,
    X: np.ndarray,
    Y: np.ndarray,
    loss: str,
    step: float = 1e-6,
    tolerance: float = 1e-6,
) -> GradientCheck:
    """Compare :meth:`backproplib.network.MLP.cost_and_gradients` with centred finite differences, layer by layer."""
    check_positive_number(tolerance, "tolerance")
    _, analytic = network.cost_and_gradients(X, Y, loss)
    numeric = numerical_gradients(network, X, Y, loss, step)
    return GradientCheck(
        weight_errors=[relative_error(a, n) for a, n in zip(analytic.weights, numeric.weights)],
        bias_errors=[relative_error(a, n) for a, n in zip(analytic.biases, numeric.biases)],
        tolerance=tolerance,
    )
