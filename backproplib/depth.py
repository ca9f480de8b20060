"""Gradients through depth (chapter 9): how big each layer's gradient is, and what it costs.

Going back one layer multiplies the error by a weight matrix and by the slopes of an activation
function, with samples as rows:

.. math::

    \\delta^{[l-1]} = \\left(\\delta^{[l]} W^{[l]}\\right) \\odot g^{[l-1]\\prime}(z^{[l-1]}).

Repeated over many layers, these factors make the gradient of the first layers much smaller
(vanishing) or much larger (exploding) than that of the last ones. This module builds deep
networks with a chosen initial weight scale, measures the size of every layer's gradient, takes
one backward step by hand, and counts the multiply-adds of backpropagation against those of
finite differences.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ._checks import (as_float_array, check_ndim, check_positive_number, check_shape,
                      overflow_is_an_error)
from .activations import get_activation
from .network import MLP, check_batch

#: Activation functions a hidden layer of :func:`deep_network` may use.
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")


def deep_network(
    n_layers: int,
    width: int,
    activation: str,
    rng: np.random.Generator,
    gain: float = 1.0,
) -> MLP:
    """A deep network of equal hidden layers, with a chosen initial weight scale.

    The network has ``n_layers`` layers: ``n_layers - 1`` hidden layers of ``width`` nodes with
    the activation function ``activation``, then one linear output node. Its input has ``width``
    entries. Every weight is drawn from a normal distribution with mean 0 and standard deviation

    .. math::

        \\sigma_w = \\frac{\\text{gain}}{\\sqrt{n_{l-1}}},

    and every bias is 0. Then :math:`\\operatorname{Var}(z_j) = n_{l-1} \\sigma_w^2
    \\overline{a^2} = \\text{gain}^2\\, \\overline{a^2}`: ``gain = 1`` keeps
    :math:`\\operatorname{Var}(z)` about equal to the mean square of the layer's inputs (their
    variance only if their mean is 0; often called LeCun initialisation); ``gain = sqrt(2)``
    makes up for ReLU zeroing half of its inputs (He initialisation).

    Parameters
    ----------
    n_layers : int
        ``L``, the number of layers with weights (at least 2).
    width : int
        ``n_0 = n_1 = ... = n_{L-1}``.
    activation : str
        ``"sigmoid"``, ``"tanh"``, ``"relu"`` or ``"identity"`` for every hidden layer.
    rng : numpy.random.Generator
        Source of randomness, e.g. ``np.random.default_rng(0)``.
    gain : float
        Multiplies the standard deviation :math:`1/\\sqrt{n_{l-1}}` of every weight.

    Returns
    -------
    MLP
        Layer sizes ``(width, width, ..., width, 1)``.
    """
    check_positive_number(n_layers, "n_layers", integer=True)
    if n_layers < 2:
        raise ValueError(f"n_layers must be at least 2 (hidden layers and an output), got {n_layers}")
    check_positive_number(width, "width", integer=True)
    check_positive_number(gain, "gain")
    if not isinstance(activation, str) or activation not in HIDDEN_ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {', '.join(HIDDEN_ACTIVATIONS)}, got {activation!r}"
        )
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy.random.Generator such as np.random.default_rng(0), "
            f"got {type(rng).__name__}"
        )
    sizes = [width] * n_layers + [1]
    weights = [
        rng.normal(0.0, gain / np.sqrt(n_prev), size=(n_next, n_prev))
        for n_prev, n_next in zip(sizes[:-1], sizes[1:])
    ]
    if not all(np.isfinite(weight).all() for weight in weights):
        raise ValueError(
            f"gain must be small enough for finite weights, got {gain!r}: weights drawn with "
            f"standard deviation {gain!r}/sqrt({width}) exceeded float64's largest, about 1.8e308"
        )
    biases = [np.zeros(n_next) for n_next in sizes[1:]]
    return MLP(weights, biases, [activation] * (n_layers - 1) + ["identity"])


def layer_gradient_norms(network: MLP, X: np.ndarray, Y: np.ndarray, loss: str) -> np.ndarray:
    """The size of each layer's weight gradient, from the first layer to the last.

    .. math::

        \\left\\lVert \\frac{\\partial J}{\\partial W^{[l]}} \\right\\rVert_F
        = \\sqrt{\\sum_{j,k} \\left(\\frac{\\partial J}{\\partial w_{jk}^{[l]}}\\right)^2},
        \\qquad l = 1, \\dots, L,

    with :math:`J = \\frac1m \\sum_i L^{(i)}` the mean loss of the batch, computed by
    backpropagation (:meth:`backproplib.network.MLP.cost_and_gradients`).

    Parameters
    ----------
    network : MLP
        The network; it is not modified.
    X : array_like, shape (m, n_0)
        Inputs, one sample per row.
    Y : array_like, shape (m, n_L)
        Targets.
    loss : str
        A loss name accepted by :meth:`~backproplib.network.MLP.cost_and_gradients`.

    Returns
    -------
    numpy.ndarray, shape (L,)
        Entry ``l - 1`` is the Frobenius norm of :math:`\\partial J / \\partial W^{[l]}`.
    """
    network, X, Y = check_batch(network, X, Y, loss)
    _, grads = network.cost_and_gradients(X, Y, loss)
    return np.array([_scaled_norm(gradient) for gradient in grads.weights])


def _scaled_norm(array: np.ndarray, rows: int = 1) -> float:
    """``sqrt(sum(array**2) / rows)``, computed on ``array / max|array|`` so that squaring the
    entries of a large (finite) gradient cannot overflow."""
    largest = float(np.max(np.abs(array), initial=0.0))
    if largest == 0.0:
        return 0.0
    return largest * float(np.sqrt(np.sum((array / largest) ** 2) / rows))


def layer_error_norms(network: MLP, X: np.ndarray, Y: np.ndarray, loss: str) -> np.ndarray:
    """The size of each layer's error, from the first layer to the last.

    .. math::

        \\left\\lVert \\delta^{[l]} \\right\\rVert_{\\text{rms}}
        = \\sqrt{\\frac1m \\sum_{i=1}^m \\sum_j \\left(\\delta_j^{[l](i)}\\right)^2},
        \\qquad \\delta^{[l](i)} = \\frac{\\partial L^{(i)}}{\\partial z^{[l](i)}},

    the root mean square over the samples of the length of one sample's error vector. The error
    is the signal that backpropagation carries from layer to layer, so its size shows the
    vanishing or exploding most directly.

    Parameters
    ----------
    network, X, Y, loss
        As for :func:`layer_gradient_norms`.

    Returns
    -------
    numpy.ndarray, shape (L,)
        Entry ``l - 1`` is the size of :math:`\\delta^{[l]}`.
    """
    network, X, Y = check_batch(network, X, Y, loss)
    _, grads = network.cost_and_gradients(X, Y, loss)
    return np.array([_scaled_norm(delta, rows=delta.shape[0]) for delta in grads.deltas])


@overflow_is_an_error
def backward_step(
    delta: np.ndarray, weight: np.ndarray, weighted_input: np.ndarray, activation: str
) -> np.ndarray:
    """One step of backpropagation: the error of the layer below from the error of this layer.

    .. math::

        \\delta^{[l-1]} = \\left(\\delta^{[l]} W^{[l]}\\right) \\odot g^{[l-1]\\prime}(z^{[l-1]})

    with samples as rows, which is :math:`\\delta^{[l-1]} = g^{[l-1]\\prime}(z^{[l-1]}) \\odot
    W^{[l]\\top} \\delta^{[l]}` for one sample as a column. The transpose runs the connections of
    layer :math:`l` backwards; it is not an inverse.

    Parameters
    ----------
    delta : array_like, shape (m, n_l)
        :math:`\\delta^{[l]} = \\partial C / \\partial z^{[l]}`, one row per sample.
    weight : array_like, shape (n_l, n_(l-1))
        :math:`W^{[l]}`.
    weighted_input : array_like, shape (m, n_(l-1))
        :math:`z^{[l-1]}`, the weighted input of the layer below, one row per sample.
    activation : str
        The name of :math:`g^{[l-1]}`: ``"sigmoid"``, ``"tanh"``, ``"relu"`` or ``"identity"``.

    Returns
    -------
    numpy.ndarray, shape (m, n_(l-1))
        :math:`\\delta^{[l-1]}`, a new array.
    """
    delta = as_float_array(delta, "delta")
    weight = as_float_array(weight, "weight")
    weighted_input = as_float_array(weighted_input, "weighted_input")
    check_ndim(delta, 2, "delta", "one row per sample, one column per node of layer l")
    check_ndim(weight, 2, "weight", "W^[l] has shape (n_l, n_(l-1))")
    check_ndim(weighted_input, 2, "weighted_input", "one row per sample, one column per node")
    n_l, n_prev = weight.shape
    check_shape(delta, (delta.shape[0], n_l), "delta",
                f"delta^[l] needs one column per row of weight ({n_l})")
    check_shape(weighted_input, (delta.shape[0], n_prev), "weighted_input",
                "z^[l-1] needs one row per row of delta and one column per column of weight")
    if not isinstance(activation, str) or activation not in HIDDEN_ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {', '.join(HIDDEN_ACTIVATIONS)}, got {activation!r}"
        )
    return (delta @ weight) * get_activation(activation).derivative(weighted_input)


@dataclass(frozen=True)
class GradientCost:
    """Multiply-adds of one gradient, by backpropagation and by centred finite differences.

    Only the multiply-adds of the matrix products are counted (bias additions and activation
    functions add a number per node, far fewer than the products' one per weight).

    Attributes
    ----------
    parameters : int
        :math:`P = \\sum_l (n_l n_{l-1} + n_l)`, weights and biases.
    forward : int
        One forward pass: :math:`m \\sum_l n_l n_{l-1}` (:math:`Z = A W^\\top`).
    backward : int
        One backward pass: :math:`m \\sum_l n_l n_{l-1}` for the weight gradients
        :math:`\\Delta^\\top A` plus :math:`m \\sum_{l \\ge 2} n_l n_{l-1}` for the errors
        :math:`\\Delta W` of the layers below.
    """

    parameters: int
    forward: int
    backward: int

    @property
    def backpropagation(self) -> int:
        """One forward and one backward pass."""
        return self.forward + self.backward

    @property
    def finite_differences(self) -> int:
        """Two forward passes (``+h`` and ``-h``) for every parameter: :math:`2 P F`."""
        return 2 * self.parameters * self.forward

    @property
    def ratio(self) -> float:
        """How many times more multiply-adds finite differences need."""
        return self.finite_differences / self.backpropagation


def gradient_cost(layer_sizes: Sequence[int], m: int = 1) -> GradientCost:
    """Count the multiply-adds of one gradient of a fully connected network.

    .. math::

        F = m \\sum_{l=1}^L n_l n_{l-1}, \\qquad
        B = F + m \\sum_{l=2}^L n_l n_{l-1}, \\qquad
        \\text{finite differences} = 2 P F,

    with :math:`P` the number of weights and biases. Backpropagation costs :math:`F + B`, less
    than three forward passes, whatever the number of parameters.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_0, n_1, ..., n_L)``, e.g. ``network.layer_sizes``.
    m : int
        Number of samples in the batch.

    Returns
    -------
    GradientCost
    """
    if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, (list, tuple)):
        raise TypeError(
            "layer_sizes must be a list or tuple of positive integers such as (64, 32, 10), "
            f"got {type(layer_sizes).__name__} {layer_sizes!r}"
        )
    if len(layer_sizes) < 2:
        raise ValueError(
            f"layer_sizes must list the inputs and at least one layer, got {layer_sizes!r}"
        )
    for size in layer_sizes:
        check_positive_number(size, "every entry of layer_sizes", integer=True)
    check_positive_number(m, "m", integer=True)
    sizes = [int(size) for size in layer_sizes]
    products = [n_prev * n_next for n_prev, n_next in zip(sizes[:-1], sizes[1:])]
    parameters = sum(products) + sum(sizes[1:])
    forward = int(m) * sum(products)
    backward = int(m) * (sum(products) + sum(products[1:]))
    return GradientCost(parameters=parameters, forward=forward, backward=backward)
