"""Activation functions ``g`` and their derivatives ``g'``.

The activation of a layer is ``a = g(z)``: the activation function ``g`` applied entry by entry to
the weighted input ``z``. Every derivative here is a function of ``z`` - "the derivative evaluated
at ``z``" - even where a shortcut in terms of ``a`` exists (for the sigmoid,
``sigma'(z) = a (1 - a)``; for tanh, ``1 - a^2``).

The public functions check their input; :class:`backproplib.network.MLP` calls the unchecked
kernels (``Activation.kernel`` and ``Activation.kernel_derivative``) on arrays it has already
checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ._checks import as_float_array

ArrayFunction = Callable[[np.ndarray], np.ndarray]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    exp_minus_abs = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, exp_minus_abs).astype(z.dtype, copy=False) / (1.0 + exp_minus_abs)


def _sigmoid_prime(z: np.ndarray) -> np.ndarray:
    a = _sigmoid(z)
    return a * (1.0 - a)


def _tanh_prime(z: np.ndarray) -> np.ndarray:
    a = np.tanh(z)
    return 1.0 - a * a


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0).astype(z.dtype, copy=False)


def _relu_prime(z: np.ndarray) -> np.ndarray:
    return (z > 0).astype(z.dtype)


def _identity(z: np.ndarray) -> np.ndarray:
    return z.copy()


def _identity_prime(z: np.ndarray) -> np.ndarray:
    return np.ones_like(z)


def sigmoid(z: np.ndarray) -> np.ndarray:
    r"""Logistic sigmoid, :math:`\sigma(z) = 1 / (1 + e^{-z})`, entry by entry.

    Computed as :math:`1/(1+e^{-|z|})` for :math:`z \ge 0` and :math:`e^{-|z|}/(1+e^{-|z|})`
    for :math:`z < 0`, so ``exp`` never overflows, whatever the size of ``|z|``.

    Parameters
    ----------
    z : array_like
        Weighted input, any shape.

    Returns
    -------
    numpy.ndarray
        :math:`\sigma(z)`, same shape as ``z``, every entry in :math:`[0, 1]`.
    """
    return _sigmoid(as_float_array(z, "z"))


def sigmoid_prime(z: np.ndarray) -> np.ndarray:
    r"""Derivative of the sigmoid evaluated at ``z``: :math:`\sigma'(z) = \sigma(z)(1 - \sigma(z))`.

    Parameters
    ----------
    z : array_like
        Weighted input (not the activation), any shape.
    """
    return _sigmoid_prime(as_float_array(z, "z"))


def tanh(z: np.ndarray) -> np.ndarray:
    r"""Hyperbolic tangent, :math:`\tanh(z) = (e^z - e^{-z}) / (e^z + e^{-z})`."""
    return np.tanh(as_float_array(z, "z"))


def tanh_prime(z: np.ndarray) -> np.ndarray:
    r"""Derivative of tanh evaluated at ``z``: :math:`\tanh'(z) = 1 - \tanh^2(z)`."""
    return _tanh_prime(as_float_array(z, "z"))


def relu(z: np.ndarray) -> np.ndarray:
    r"""Rectified linear unit, :math:`\mathrm{relu}(z) = \max(0, z)`."""
    return _relu(as_float_array(z, "z"))


def relu_prime(z: np.ndarray) -> np.ndarray:
    r"""Derivative of relu evaluated at ``z``: 1 where :math:`z > 0`, else 0.

    At the kink :math:`z = 0` the derivative does not exist; like most libraries we use 0 there.
    """
    return _relu_prime(as_float_array(z, "z"))


def identity(z: np.ndarray) -> np.ndarray:
    r"""Identity, :math:`g(z) = z` (a linear output layer). Returns a new array."""
    return _identity(as_float_array(z, "z"))


def identity_prime(z: np.ndarray) -> np.ndarray:
    r"""Derivative of the identity: :math:`g'(z) = 1` for every entry."""
    return _identity_prime(as_float_array(z, "z"))


def _softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - np.max(z, axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / np.sum(exponentials, axis=-1, keepdims=True)


def softmax(z: np.ndarray) -> np.ndarray:
    r"""Softmax over the last axis, :math:`a_j = e^{z_j} / \sum_k e^{z_k}`.

    Unlike the other activation functions, softmax is **not** applied entry by entry: every
    :math:`a_j` depends on every :math:`z_k`, so its derivative is a matrix (see
    :func:`softmax_jacobian`), not a vector :math:`g'(z)`. The maximum of each row is subtracted
    before exponentiating (it cancels in the ratio), so no ``exp`` overflows.

    Parameters
    ----------
    z : array_like, shape (n,) or (m, n)
        Weighted input of the output layer (one row per sample).
    """
    z = as_float_array(z, "z")
    if z.ndim == 0:
        raise ValueError("z must be a vector or a 2-D array (one row per sample), got a 0-D scalar")
    _check_classes(z)
    return _softmax(z)


def _check_classes(z: np.ndarray) -> None:
    if z.shape[-1] == 0:
        raise ValueError(f"z must hold at least one entry (one per class), got shape {z.shape}")


def softmax_jacobian(z: np.ndarray) -> np.ndarray:
    r"""Jacobian of softmax at one weighted input ``z`` of shape ``(n,)``.

    .. math:: \frac{\partial a_j}{\partial z_k} = a_j (\delta_{jk} - a_k), \qquad
              J = \operatorname{diag}(a) - a a^\top .
    """
    z = as_float_array(z, "z")
    if z.ndim != 1:
        raise ValueError(f"z must be 1-D (one sample), got shape {z.shape}")
    _check_classes(z)
    a = _softmax(z)
    return np.diag(a) - np.outer(a, a)


def _multiply_by_sigmoid_slope(gradient: np.ndarray, a: np.ndarray) -> None:
    gradient *= a
    gradient *= 1.0 - a


def _multiply_by_tanh_slope(gradient: np.ndarray, a: np.ndarray) -> None:
    slope = a * a
    np.subtract(1.0, slope, out=slope)
    gradient *= slope


def _multiply_by_relu_slope(gradient: np.ndarray, a: np.ndarray) -> None:
    np.multiply(gradient, a > 0, out=gradient)  # a > 0 exactly where z > 0


def _multiply_by_identity_slope(gradient: np.ndarray, a: np.ndarray) -> None:
    return None


@dataclass(frozen=True)
class Activation:
    """An activation function together with its derivative.

    Attributes
    ----------
    name : str
        The name used in :class:`backproplib.network.MLP` (``"sigmoid"``, ``"tanh"``, ...).
    function : callable
        ``g``, mapping the weighted input ``z`` to the activation ``a = g(z)``; checks its input.
    derivative : callable
        ``g'``, the derivative of ``g`` evaluated at ``z``; checks its input.
    kernel : callable
        ``g`` without input checks, for arrays already checked.
    kernel_derivative : callable
        ``g'`` without input checks, for arrays already checked.
    multiply_by_slope : callable, optional
        ``(gradient, a) -> None``: multiplies ``gradient`` in place by :math:`g'(z)`, computed from
        the activation :math:`a = g(z)` that the forward pass already holds (for the sigmoid
        :math:`a(1-a)`, for tanh :math:`1-a^2`, for relu :math:`[a > 0]`). This is the same
        number as :math:`g'(z)` - the derivative is still evaluated at :math:`z` - without
        computing :math:`g` a second time. Used by :class:`backproplib.network.MLP`.
    """

    name: str
    function: ArrayFunction
    derivative: ArrayFunction
    kernel: ArrayFunction
    kernel_derivative: ArrayFunction
    multiply_by_slope: Callable[[np.ndarray, np.ndarray], None] | None = None


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_prime, _sigmoid, _sigmoid_prime,
                          _multiply_by_sigmoid_slope),
    "tanh": Activation("tanh", tanh, tanh_prime, np.tanh, _tanh_prime, _multiply_by_tanh_slope),
    "relu": Activation("relu", relu, relu_prime, _relu, _relu_prime, _multiply_by_relu_slope),
    "identity": Activation("identity", identity, identity_prime, _identity, _identity_prime,
                           _multiply_by_identity_slope),
}

#: Activations that act on a whole row and may only be used in the output layer.
OUTPUT_ONLY = {"softmax": softmax}


def get_activation(name: str) -> Activation:
    """Look up an activation by name.

    Parameters
    ----------
    name : str
        One of ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"identity"``.

    Raises
    ------
    TypeError
        If ``name`` is not a string.
    ValueError
        If ``name`` is not a known activation.
    """
    if not isinstance(name, str):
        raise TypeError(f"activation name must be a string, got {type(name).__name__} {name!r}")
    try:
        return ACTIVATIONS[name]
    except KeyError:
        known = ", ".join(repr(known_name) for known_name in ACTIVATIONS)
        if name in OUTPUT_ONLY:
            raise ValueError(
                f"activation {name!r} acts on a whole row, not entry by entry, so it has no "
                f"element-wise derivative g'(z); it may only be the last activation of an MLP. "
                f"Element-wise activations: {known}"
            ) from None
        raise ValueError(f"unknown activation {name!r}; expected one of {known}") from None
