"""Summing over downstream nodes (chapter 4): hidden layers and backpropagation with loops.

A hidden activation :math:`a_k^{[l]}` is an input of *every* node ``j`` of layer ``l + 1``, through
the weight :math:`w_{jk}^{[l+1]}`. A small change in :math:`a_k^{[l]}` therefore reaches the loss
along :math:`n_{l+1}` paths, and the multivariate chain rule adds them up:

.. math::

    \\frac{\\partial C_0}{\\partial a_k^{[l]}}
    = \\sum_{j=1}^{n_{l+1}} \\frac{\\partial C_0}{\\partial a_j^{[l+1]}}
      \\, g^{[l+1]\\prime}(z_j^{[l+1]}) \\, w_{jk}^{[l+1]}.

With the error :math:`\\delta_j^{[l]} = \\partial C_0 / \\partial z_j^{[l]}` this becomes the
recursion of backpropagation, run from the output layer down to layer 1:

.. math::

    \\delta_j^{[L]} = \\frac{\\partial C_0}{\\partial a_j^{[L]}} g^{[L]\\prime}(z_j^{[L]}), \\qquad
    \\delta_k^{[l]} = \\Big(\\sum_j w_{jk}^{[l+1]} \\delta_j^{[l+1]}\\Big)
                     g^{[l]\\prime}(z_k^{[l]}),
    \\quad\\text{i.e.}\\quad
    \\delta^{[l]} = \\big(W^{[l+1]\\top} \\delta^{[l+1]}\\big) \\odot g^{[l]\\prime}(z^{[l]}),

and every weight gradient is the same three factors as in chapter 3:
:math:`\\partial C_0 / \\partial w_{jk}^{[l]} = \\delta_j^{[l]} a_k^{[l-1]}`.

Everything here is for **one** sample (``x`` of shape ``(n_0,)``) and written with Python loops
over nodes, so each line reads like the formula above it. Nodes and layers count from 1, as in the
math; :math:`w_{jk}^{[l]}` is ``network.weights[l - 1][j - 1, k - 1]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import check_positive_number, overflow_is_an_error
from .activations import get_activation
from .chain_rule import (
    SampleForwardPass,
    WeightFactors,
    _check_layer_index,
    _check_node_index,
    _check_sample,
    _forward_one_sample,
    _loss_derivative,
    _weight_factors,
)
from .gradcheck import numerical_derivative
from .losses import get_loss
from .network import MLP


@dataclass(frozen=True)
class DownstreamSum:
    """:math:`\\partial C_0 / \\partial a_k^{[l]}` as a sum of one term per node of layer ``l + 1``.

    Term ``j`` (entry ``j - 1`` of each array) is the path through node ``j`` of layer ``l + 1``:

    .. math:: \\frac{\\partial C_0}{\\partial a_j^{[l+1]}} \\cdot g^{[l+1]\\prime}(z_j^{[l+1]})
              \\cdot w_{jk}^{[l+1]}

    Attributes
    ----------
    layer : int
        ``l``, the layer of the activation :math:`a_k^{[l]}` (0 means the input :math:`x_k`).
    k : int
        The node, counting from 1.
    dC0_da_next : numpy.ndarray, shape (n_(l+1),)
        :math:`\\partial C_0 / \\partial a_j^{[l+1]}` for every ``j``.
    slope_next : numpy.ndarray, shape (n_(l+1),)
        :math:`g^{[l+1]\\prime}(z_j^{[l+1]})` for every ``j``.
    weights_out : numpy.ndarray, shape (n_(l+1),)
        :math:`w_{jk}^{[l+1]} = \\partial z_j^{[l+1]} / \\partial a_k^{[l]}` for every ``j``: column
        ``k`` of :math:`W^{[l+1]}`, the weights *out of* node ``k``.
    """

    layer: int
    k: int
    dC0_da_next: np.ndarray
    slope_next: np.ndarray
    weights_out: np.ndarray

    @property
    def terms(self) -> np.ndarray:
        """One term per downstream node ``j``, shape ``(n_{l+1},)``."""
        return self.dC0_da_next * self.slope_next * self.weights_out

    @property
    def total(self) -> float:
        """:math:`\\partial C_0 / \\partial a_k^{[l]}`, the sum of the terms."""
        return float(np.sum(self.terms))

    def __str__(self) -> str:
        l, k = self.layer, self.k
        name = f"x_{k}" if l == 0 else f"a_{k}^[{l}]"
        columns = (f"dC0/da_j^[{l + 1}]", f"g'(z_j^[{l + 1}])", f"w_j{k}^[{l + 1}]")
        header = f"{'j':>3}{columns[0]:>15}{columns[1]:>15}{columns[2]:>12}{'term':>12}"
        lines = [f"dC0/d{name} = sum over the {self.terms.size} node(s) j of layer {l + 1}",
                 header, "-" * len(header)]
        for j, values in enumerate(
            zip(self.dC0_da_next, self.slope_next, self.weights_out, self.terms), start=1
        ):
            derivative, slope, weight, term = values
            lines.append(f"{j:>3}{derivative:>15.6f}{slope:>15.6f}{weight:>12.4f}{term:>12.6f}")
        lines.append("-" * len(header))
        lines.append(f"{'sum':>3}{'':>42}{self.total:>12.6f}")
        return "\n".join(lines)


@dataclass(frozen=True)
class SampleGradients:
    """Gradients of the loss :math:`C_0` of one sample, computed by :func:`backpropagate_by_loops`.

    Attributes
    ----------
    weights : list of numpy.ndarray
        ``weights[l - 1]`` is :math:`\\partial C_0 / \\partial W^{[l]}`, shape ``(n_l, n_{l-1})``.
    biases : list of numpy.ndarray
        ``biases[l - 1]`` is :math:`\\partial C_0 / \\partial b^{[l]} = \\delta^{[l]}`.
    deltas : list of numpy.ndarray
        ``deltas[l - 1]`` is :math:`\\delta^{[l]} = \\partial C_0 / \\partial z^{[l]}`, shape
        ``(n_l,)``.
    activation_gradients : list of numpy.ndarray
        ``activation_gradients[l]`` is :math:`\\partial C_0 / \\partial a^{[l]}` for ``l = 0..L``
        (``l = 0``: the derivative with respect to the input ``x``).
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    deltas: list[np.ndarray]
    activation_gradients: list[np.ndarray]


def _backpropagate(
    network: MLP, forward: SampleForwardPass, y: np.ndarray, loss: str
) -> SampleGradients:
    L = network.num_layers
    sizes = network.layer_sizes
    slopes = [np.empty(0)] + [
        get_activation(name).kernel_derivative(forward.weighted_inputs[l])
        for l, name in enumerate(network.activation_names, start=1)
    ]  # slopes[l][j - 1] = g^[l]'(z_j^[l])
    dC0_da = [np.zeros(n) for n in sizes]  # dC0_da[l][j - 1] = dC0/da_j^[l]
    delta = [np.zeros(n) for n in sizes]  # delta[l][j - 1] = dC0/dz_j^[l]; delta[0] unused

    # output layer: the first two factors of chapter 3
    dC0_da[L] = _loss_derivative(forward, y, loss)
    for j in range(sizes[L]):
        delta[L][j] = dC0_da[L][j] * slopes[L][j]

    # every other layer: sum over the downstream nodes j, then the slope of node k
    for l in range(L - 1, -1, -1):
        W_next = network.weights[l]  # W^[l+1] (Python lists count from 0)
        for k in range(sizes[l]):
            total = 0.0
            for j in range(sizes[l + 1]):
                total += delta[l + 1][j] * W_next[j, k]  # dC0/da_j * g'(z_j) * w_jk
            dC0_da[l][k] = total
            if l > 0:
                delta[l][k] = total * slopes[l][k]

    # the third factor: dz_j^[l]/dw_jk^[l] = a_k^[l-1]
    weight_gradients = []
    for l in range(1, L + 1):
        gradient = np.zeros((sizes[l], sizes[l - 1]))
        for j in range(sizes[l]):
            for k in range(sizes[l - 1]):
                gradient[j, k] = delta[l][j] * forward.activations[l - 1][k]
        weight_gradients.append(gradient)
    return SampleGradients(
        weights=weight_gradients,
        biases=[delta[l].copy() for l in range(1, L + 1)],
        deltas=delta[1:],
        activation_gradients=dC0_da,
    )


@overflow_is_an_error
def backpropagate_by_loops(
    network: MLP, x: np.ndarray, y: np.ndarray, loss: str = "squared_error"
) -> SampleGradients:
    """Backpropagation for one sample, with one Python loop per index of the formulas.

    .. math::

        \\delta_j^{[L]} = \\frac{\\partial C_0}{\\partial a_j^{[L]}} g^{[L]\\prime}(z_j^{[L]}),
        \\qquad
        \\delta_k^{[l]} = \\Big(\\sum_{j} w_{jk}^{[l+1]} \\delta_j^{[l+1]}\\Big)
                         g^{[l]\\prime}(z_k^{[l]}),
        \\qquad
        \\frac{\\partial C_0}{\\partial w_{jk}^{[l]}} = \\delta_j^{[l]} a_k^{[l-1]}, \\qquad
        \\frac{\\partial C_0}{\\partial b_j^{[l]}} = \\delta_j^{[l]}.

    The result equals ``network.cost_and_gradients(x.reshape(1, -1), y.reshape(1, -1), loss)``
    (a batch of one sample), for any depth: the vectorized code does the same sums.

    Parameters
    ----------
    network : MLP
        Any depth; not modified.
    x : array_like, shape (n_0,)
        One sample.
    y : array_like, shape (n_L,)
        Its target.
    loss : str
        ``"squared_error"`` (default) or ``"binary_cross_entropy"`` (sigmoid output layer). For
        the latter :math:`\\delta^{[L]}` is the product of the two factors
        :math:`\\frac{a - y}{a(1-a)} \\cdot a(1-a)`, which equals :math:`a - y` up to rounding
        while :math:`|z^{[L]}|` stays below about 30.

    Returns
    -------
    SampleGradients
        Weight and bias gradients per layer, the errors :math:`\\delta^{[l]}` and
        :math:`\\partial C_0 / \\partial a^{[l]}`.
    """
    network, x, y, loss = _check_sample(network, x, y, loss)
    return _backpropagate(network, _forward_one_sample(network, x), y, loss)


@overflow_is_an_error
def downstream_sum(
    network: MLP, x: np.ndarray, y: np.ndarray, layer: int, k: int, loss: str = "squared_error"
) -> DownstreamSum:
    """The terms of :math:`\\partial C_0 / \\partial a_k^{[l]}`, one per node of layer ``l + 1``.

    .. math::

        \\frac{\\partial C_0}{\\partial a_k^{[l]}}
        = \\sum_{j=1}^{n_{l+1}} \\frac{\\partial C_0}{\\partial a_j^{[l+1]}}
          \\, g^{[l+1]\\prime}(z_j^{[l+1]}) \\, w_{jk}^{[l+1]}

    Parameters
    ----------
    network : MLP
        The network; not modified.
    x : array_like, shape (n_0,)
        One sample.
    y : array_like, shape (n_L,)
        Its target.
    layer : int
        ``l``, from 0 to ``L - 1``: a hidden layer (1 to ``L - 1``), or 0 for the input
        :math:`x_k` itself. (The output layer ``L`` has no downstream nodes.)
    k : int
        The node, from 1 to :math:`n_l`.
    loss : str
        ``"squared_error"`` (default) or ``"binary_cross_entropy"``.

    Returns
    -------
    DownstreamSum
        The three factors of every term, the ``terms`` and their ``total``.
    """
    network, x, y, loss = _check_sample(network, x, y, loss)
    L = network.num_layers
    layer = _check_layer_index(
        layer, "layer", 0, L - 1,
        "a layer with nodes after it: 0 for the input, up to L - 1 for the last hidden layer",
    )
    k = _check_node_index(k, "k", network.layer_sizes[layer], layer)
    forward = _forward_one_sample(network, x)
    gradients = _backpropagate(network, forward, y, loss)
    next_activation = get_activation(network.activation_names[layer])  # g^[l+1]
    return DownstreamSum(
        layer=layer,
        k=k,
        dC0_da_next=gradients.activation_gradients[layer + 1].copy(),
        slope_next=next_activation.kernel_derivative(forward.weighted_inputs[layer + 1]),
        weights_out=network.weights[layer][:, k - 1].copy(),
    )


@overflow_is_an_error
def weight_factors(
    network: MLP,
    x: np.ndarray,
    y: np.ndarray,
    layer: int,
    j: int,
    k: int,
    loss: str = "squared_error",
) -> WeightFactors:
    """The three chain-rule factors of any weight :math:`w_{jk}^{[l]}`, hidden or output.

    .. math::

        \\frac{\\partial C_0}{\\partial w_{jk}^{[l]}}
        = \\frac{\\partial C_0}{\\partial a_j^{[l]}} \\cdot g^{[l]\\prime}(z_j^{[l]})
          \\cdot a_k^{[l-1]}

    The same three factors as for an output weight (chapter 3); only the first changes: for a
    hidden layer it is the downstream sum :func:`downstream_sum` of node ``j``.

    Parameters
    ----------
    network, x, y, loss
        As in :func:`downstream_sum`.
    layer, j, k : int
        The weight :math:`w_{jk}^{[l]}`, counting from 1 (``layer`` from 1 to ``L``); it is
        ``network.weights[layer - 1][j - 1, k - 1]``.

    Returns
    -------
    WeightFactors
        ``dC0_da``, ``da_dz``, ``dz_dw`` and their ``product``; ``print`` it for a table.
    """
    network, x, y, loss = _check_sample(network, x, y, loss)
    layer = _check_layer_index(layer, "layer", 1, network.num_layers, "the layers with weights")
    j = _check_node_index(j, "j", network.layer_sizes[layer], layer)
    k = _check_node_index(k, "k", network.layer_sizes[layer - 1], layer - 1)
    forward = _forward_one_sample(network, x)
    dC0_da = _backpropagate(network, forward, y, loss).activation_gradients[layer][j - 1]
    return _weight_factors(network, forward, dC0_da, layer, j, k, loss)


@overflow_is_an_error
def activation_derivative_by_finite_difference(
    network: MLP,
    x: np.ndarray,
    y: np.ndarray,
    layer: int,
    k: int,
    loss: str = "squared_error",
    step: float = 1e-6,
) -> float:
    """Centred finite difference of the one-sample loss with respect to one activation.

    .. math:: \\frac{\\partial C_0}{\\partial a_k^{[l]}} \\approx
              \\frac{C_0(a_k^{[l]} + h) - C_0(a_k^{[l]} - h)}{2h}

    The forward pass is run up to layer ``l``; then :math:`a_k^{[l]}` alone is moved by
    :math:`\\pm h` and the layers after it are run again from the moved activations. Nothing in
    ``network`` changes.

    Parameters
    ----------
    network, x, y, loss
        As in :func:`downstream_sum`.
    layer : int
        ``l``, from 0 (the input :math:`x_k`) to ``L`` (an output activation).
    k : int
        The node, from 1 to :math:`n_l`.
    step : float
        :math:`h`.
    """
    network, x, y, loss = _check_sample(network, x, y, loss)
    L = network.num_layers
    layer = _check_layer_index(layer, "layer", 0, L, "0 for the input, up to L for the output")
    k = _check_node_index(k, "k", network.layer_sizes[layer], layer)
    check_positive_number(step, "step")
    forward = _forward_one_sample(network, x)

    def loss_from(activation: np.ndarray) -> float:
        for l in range(layer + 1, L + 1):
            g = get_activation(network.activation_names[l - 1])
            activation = g.kernel(network.weights[l - 1] @ activation + network.biases[l - 1])
        return float(get_loss(loss).kernel(activation, y))

    def loss_with(value: np.ndarray) -> float:  # a_k^[l] alone set to value[0]
        moved = forward.activations[layer].copy()
        moved[k - 1] = value[0]
        return loss_from(moved)

    return float(numerical_derivative(loss_with, forward.activations[layer][k - 1 : k], step)[0])
