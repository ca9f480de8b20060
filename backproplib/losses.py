"""Losses of one sample and their derivatives with respect to the output activation.

A loss compares the network's output activation ``a = a^{[L]}`` with the target ``y``. For one
sample it is summed over the output nodes ``j``; for a batch (rows are samples) each function
returns one loss per row. The cost of a batch, ``J = (1/m) sum_i L^{(i)}``, is the mean of those
(:class:`backproplib.network.MLP` takes it).

- squared error: :math:`C_0 = \\sum_j (a_j - y_j)^2`, with
  :math:`\\partial C_0 / \\partial a_j = 2 (a_j - y_j)`;
- binary cross-entropy: :math:`C_0 = -\\sum_j [y_j \\ln a_j + (1 - y_j) \\ln(1 - a_j)]`, with
  :math:`\\partial C_0 / \\partial a_j = (a_j - y_j) / (a_j (1 - a_j))`;
- categorical cross-entropy (softmax outputs): :math:`C_0 = -\\sum_j y_j \\ln a_j`, with
  :math:`\\partial C_0 / \\partial a_j = -y_j / a_j`.

The squared error has no factor 1/2 in this book, so the factor 2 of its derivative shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._checks import as_float_array, check_same_shape, overflow_is_an_error

LossFunction = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _check_pair(a: np.ndarray, y: np.ndarray, first: str = "a") -> tuple[np.ndarray, np.ndarray]:
    a = as_float_array(a, first)
    y = as_float_array(y, "y")
    check_same_shape(a, y, (first, "y"))
    if a.ndim == 0:
        raise ValueError(
            f"{first} must be a vector (one sample) or a 2-D array (one row per sample), "
            "got a 0-D scalar; wrap it as np.array([value])"
        )
    return a, y


def _check_probabilities(values: np.ndarray, name: str) -> None:
    outside = (values < 0) | (values > 1)
    if outside.any():
        position = tuple(int(i) for i in np.argwhere(outside)[0])
        raise ValueError(
            f"{name} must lie in [0, 1] for binary cross-entropy, but {name}[{position}] = "
            f"{values[position]}"
        )


def _squared_error(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    difference = a - y
    return np.sum(difference * difference, axis=-1)


def _squared_error_derivative(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 2.0 * (a - y)


def _clip_away_from_0_and_1(a: np.ndarray) -> np.ndarray:
    eps = np.finfo(a.dtype).eps
    return np.clip(a, eps, 1.0 - eps)


def _binary_cross_entropy(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    a = _clip_away_from_0_and_1(a)
    return -np.sum(y * np.log(a) + (1.0 - y) * np.log1p(-a), axis=-1)


def _binary_cross_entropy_derivative(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    a = _clip_away_from_0_and_1(a)
    return (a - y) / (a * (1.0 - a))


def _binary_cross_entropy_from_z(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.sum(np.logaddexp(0.0, z) - y * z, axis=-1)


def _cross_entropy_from_z(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    shifted = z - np.max(z, axis=-1, keepdims=True)
    log_softmax = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    return -np.sum(y * log_softmax, axis=-1)


def _cross_entropy(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -np.sum(y * np.log(np.maximum(a, np.finfo(a.dtype).tiny)), axis=-1)


def _cross_entropy_derivative(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -y / np.maximum(a, np.finfo(a.dtype).tiny)


@overflow_is_an_error
def squared_error(a: np.ndarray, y: np.ndarray) -> np.ndarray | float:
    r"""Squared error of each sample, :math:`C_0 = \sum_j (a_j - y_j)^2`.

    Parameters
    ----------
    a : array_like, shape (n_L,) or (m, n_L)
        Output activation of one sample, or one row per sample.
    y : array_like, same shape as ``a``
        Targets.

    Returns
    -------
    float or numpy.ndarray of shape (m,)
        The loss of the sample, or one loss per row.
    """
    a, y = _check_pair(a, y)
    return _squared_error(a, y)


@overflow_is_an_error
def squared_error_derivative(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""Derivative of the squared error with respect to the activation, :math:`2 (a_j - y_j)`.

    Same shape as ``a``: entry ``j`` (of row ``i``) is :math:`\partial C_0 / \partial a_j`.
    """
    a, y = _check_pair(a, y)
    return _squared_error_derivative(a, y)


@overflow_is_an_error
def binary_cross_entropy(a: np.ndarray, y: np.ndarray) -> np.ndarray | float:
    r"""Binary cross-entropy of each sample, :math:`-\sum_j [y_j \ln a_j + (1 - y_j) \ln(1 - a_j)]`.

    ``a`` holds probabilities in :math:`[0, 1]`; so does ``y`` (usually 0 or 1). To never take
    :math:`\ln 0`, ``a`` is clipped into :math:`[\epsilon, 1 - \epsilon]` with :math:`\epsilon` the
    machine epsilon of its dtype. When you have the weighted input ``z`` of a sigmoid output, use
    :func:`binary_cross_entropy_from_z` instead: it is exact for every ``z``.
    """
    a, y = _check_pair(a, y)
    _check_probabilities(a, "a")
    _check_probabilities(y, "y")
    return _binary_cross_entropy(a, y)


@overflow_is_an_error
def binary_cross_entropy_derivative(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""Derivative of binary cross-entropy with respect to the activation.

    .. math:: \frac{\partial C_0}{\partial a_j} = -\frac{y_j}{a_j} + \frac{1 - y_j}{1 - a_j}
              = \frac{a_j - y_j}{a_j (1 - a_j)}

    ``a`` is clipped as in :func:`binary_cross_entropy`, so the result is always finite.
    """
    a, y = _check_pair(a, y)
    _check_probabilities(a, "a")
    _check_probabilities(y, "y")
    return _binary_cross_entropy_derivative(a, y)


@overflow_is_an_error
def binary_cross_entropy_from_z(z: np.ndarray, y: np.ndarray) -> np.ndarray | float:
    r"""Binary cross-entropy of a sigmoid output, computed from its weighted input ``z``.

    With :math:`a = \sigma(z)`, the loss :math:`-[y \ln a + (1-y) \ln(1-a)]` equals
    :math:`\ln(1 + e^{z}) - y z`, which ``numpy.logaddexp`` evaluates without overflow for any
    ``z``. Its derivative with respect to ``z`` is :math:`\sigma(z) - y = a - y`.
    """
    z, y = _check_pair(z, y, first="z")
    _check_probabilities(y, "y")
    return _binary_cross_entropy_from_z(z, y)


@overflow_is_an_error
def cross_entropy(a: np.ndarray, y: np.ndarray) -> np.ndarray | float:
    r"""Categorical cross-entropy of each sample, :math:`C_0 = -\sum_j y_j \ln a_j`.

    ``a`` holds the class probabilities of a softmax output (each row sums to 1); ``y`` the
    one-hot targets (or any probabilities). ``a`` is kept above the smallest positive float so
    :math:`\ln 0` is never taken. With the weighted input ``z`` at hand use
    :func:`cross_entropy_from_z`, which is exact.
    """
    a, y = _check_pair(a, y)
    _check_probabilities(a, "a")
    _check_probabilities(y, "y")
    return _cross_entropy(a, y)


@overflow_is_an_error
def cross_entropy_derivative(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    r"""Derivative of categorical cross-entropy with respect to the activation, :math:`-y_j / a_j`."""
    a, y = _check_pair(a, y)
    _check_probabilities(a, "a")
    _check_probabilities(y, "y")
    return _cross_entropy_derivative(a, y)


@overflow_is_an_error
def cross_entropy_from_z(z: np.ndarray, y: np.ndarray) -> np.ndarray | float:
    r"""Categorical cross-entropy of a softmax output, from its weighted input ``z``.

    :math:`-\sum_j y_j \ln \operatorname{softmax}(z)_j = -\sum_j y_j
    (z_j - \ln \sum_k e^{z_k})`, with the row maximum subtracted first so nothing overflows.
    Its derivative with respect to ``z`` is :math:`\operatorname{softmax}(z) - y = a - y` when
    each row of ``y`` sums to 1.
    """
    z, y = _check_pair(z, y, first="z")
    _check_probabilities(y, "y")
    return _cross_entropy_from_z(z, y)


@dataclass(frozen=True)
class Loss:
    """A per-sample loss and its derivative with respect to the output activation.

    Attributes
    ----------
    name : str
        The name used by :meth:`backproplib.network.MLP.cost_and_gradients`.
    function : callable
        ``(a, y) -> loss per sample`` (checks its input).
    derivative : callable
        ``(a, y) -> dC_0/da``, same shape as ``a`` (checks its input).
    kernel, kernel_derivative : callable
        The same without input checks, for arrays already checked.
    """

    name: str
    function: LossFunction
    derivative: LossFunction
    kernel: LossFunction
    kernel_derivative: LossFunction


LOSSES: dict[str, Loss] = {
    "squared_error": Loss(
        "squared_error",
        squared_error,
        squared_error_derivative,
        _squared_error,
        _squared_error_derivative,
    ),
    "binary_cross_entropy": Loss(
        "binary_cross_entropy",
        binary_cross_entropy,
        binary_cross_entropy_derivative,
        _binary_cross_entropy,
        _binary_cross_entropy_derivative,
    ),
    "cross_entropy": Loss(
        "cross_entropy",
        cross_entropy,
        cross_entropy_derivative,
        _cross_entropy,
        _cross_entropy_derivative,
    ),
}


def get_loss(name: str) -> Loss:
    """Look up a loss by name (``"squared_error"``, ``"binary_cross_entropy"``, ``"cross_entropy"``).

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``name`` is not a known loss.
    """
    if not isinstance(name, str):
        raise TypeError(f"loss must be a string, got {type(name).__name__} {name!r}")
    try:
        return LOSSES[name]
    except KeyError:
        known = ", ".join(repr(known_name) for known_name in LOSSES)
        raise ValueError(f"unknown loss {name!r}; expected one of {known}") from None
