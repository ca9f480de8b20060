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
from typing import Callable, Iterator

import numpy as np

from ._checks import (
    as_float_array,
    as_number,
    check_callable,
    check_positive_number,
    check_same_shape,
    overflow_is_an_error,
)
from .network import MLP, Gradients, check_batch


@overflow_is_an_error
def numerical_derivative(
    function: Callable[[np.ndarray], float], x: np.ndarray, step: float = 1e-6
) -> np.ndarray:
    """Centred finite-difference gradient of a scalar ``function`` at ``x``.

    Entry ``i`` moves by :math:`h_i = h \\max(1, |x_i|)`: a step that scales with :math:`|x_i|`,
    so that :math:`x_i \\pm h_i` differ from :math:`x_i` in float64 however large :math:`x_i` is
    (at :math:`x_i = 10^{12}` a fixed :math:`h = 10^{-6}` would be lost in rounding). For
    :math:`|x_i| \\le 1` it is :math:`h` itself.

    Parameters
    ----------
    function : callable
        Maps an array shaped like ``x`` to one number (a float, or a numpy scalar).
    x : array_like
        Where to differentiate. It is not modified: the function is called on a copy.
    step : float
        The step :math:`h` of :math:`(f(x + h_i e_i) - f(x - h_i e_i)) / 2h_i`.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``; entry ``i`` approximates :math:`\\partial f / \\partial x_i`.
    """
    check_callable(function, "function", "one number")
    check_positive_number(step, "step")
    point = as_float_array(x, "x").astype(np.float64, copy=True)
    gradient = np.zeros_like(point)
    for index, forward, backward, step_i in _moved_values(function, point, step):
        gradient[index] = (as_number(forward, "function") - as_number(backward, "function")) / (
            2.0 * step_i
        )
    return gradient


def _moved_values(
    function: Callable[[np.ndarray], object], point: np.ndarray, step: float
) -> Iterator[tuple[tuple[int, ...], object, object, float]]:
    """For each entry ``i`` of ``point``: ``(i, f(x + h_i e_i), f(x - h_i e_i), h_i)``.

    ``h_i = step * max(1, |x_i|)``. ``point`` is restored after each entry; ``function`` gets
    copies.
    """
    for index in np.ndindex(point.shape):
        original = point[index]
        step_i = step * max(1.0, abs(float(original)))
        point[index] = original + step_i
        forward = function(point.copy())
        point[index] = original - step_i
        backward = function(point.copy())
        point[index] = original
        yield index, forward, backward, step_i


@overflow_is_an_error
def relative_error(first: np.ndarray, second: np.ndarray) -> float:
    """Relative error :math:`\\lVert g_1 - g_2 \\rVert / (\\lVert g_1 \\rVert + \\lVert g_2 \\rVert)`.

    Returns 0 when both are exactly zero. Both arguments must have the same shape. Both are
    first divided by the power of two nearest below their largest entry (exact in floating
    point, and the ratio does not change), so values near :math:`10^{300}` do not overflow.
    """
    first = as_float_array(first, "first")
    second = as_float_array(second, "second")
    check_same_shape(first, second, ("first", "second"))
    largest = max(float(np.max(np.abs(first), initial=0.0)),
                  float(np.max(np.abs(second), initial=0.0)))
    if largest == 0.0:
        return 0.0
    scale = np.ldexp(1.0, int(np.frexp(largest)[1]) - 1)  # a power of two: dividing is exact
    first, second = first / scale, second / scale
    return float(np.linalg.norm(first - second)
                 / (np.linalg.norm(first) + np.linalg.norm(second)))


@overflow_is_an_error
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
    """The outcome of :func:`gradient_check`; printed or shown, it says whether the check passed.

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

    def __repr__(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        return (f"GradientCheck({verdict}: max_error={self.max_error:.1e}, "
                f"tolerance={self.tolerance:.0e}, weight_errors={self.weight_errors!r}, "
                f"bias_errors={self.bias_errors!r})")

    def __str__(self) -> str:
        lines = ["layer  relative error dJ/dW  relative error dJ/db"]
        for layer, (weight_error, bias_error) in enumerate(
            zip(self.weight_errors, self.bias_errors), start=1
        ):
            lines.append(f"{layer:5d}  {weight_error:20.1e}  {bias_error:20.1e}")
        verdict = "passed" if self.passed else "FAILED"
        lines.append(f"{verdict} (tolerance {self.tolerance:.0e})")
        return "\n".join(lines)


@overflow_is_an_error
def gradient_check(
    network: MLP,
    X: np.ndarray,
    Y: np.ndarray,
    loss: str,
    step: float = 1e-6,
    tolerance: float = 1e-7,
) -> GradientCheck:
    """Compare :meth:`backproplib.network.MLP.cost_and_gradients` with centred finite differences, layer by layer.

    The default ``tolerance`` is the book's threshold (appendix C): with float64 and
    :math:`h = 10^{-6}`, a right gradient has a relative error below :math:`10^{-7}`.
    """
    check_batch(network, X, Y, loss)  # a network that is not an MLP, with the siblings' message
    check_positive_number(tolerance, "tolerance")
    _, analytic = network.cost_and_gradients(X, Y, loss)
    numeric = numerical_gradients(network, X, Y, loss, step)
    return GradientCheck(
        weight_errors=[relative_error(a, n) for a, n in zip(analytic.weights, numeric.weights)],
        bias_errors=[relative_error(a, n) for a, n in zip(analytic.biases, numeric.biases)],
        tolerance=tolerance,
    )
