"""The chain rule for a single weight (chapter 3).

For one sample :math:`(x, y)` the loss :math:`C_0` depends on an output-layer weight
:math:`w_{jk}^{[L]}` only through the weighted input :math:`z_j^{[L]}` and the activation
:math:`a_j^{[L]}` of node ``j``, so the chain rule gives three factors:

.. math::

    \\frac{\\partial C_0}{\\partial w_{jk}^{[L]}}
    = \\frac{\\partial C_0}{\\partial a_j^{[L]}}
      \\cdot \\frac{\\partial a_j^{[L]}}{\\partial z_j^{[L]}}
      \\cdot \\frac{\\partial z_j^{[L]}}{\\partial w_{jk}^{[L]}}
    = 2 (a_j^{[L]} - y_j) \\cdot g^{[L]\\prime}(z_j^{[L]}) \\cdot a_k^{[L-1]}

(the first factor is :math:`2(a_j - y_j)` for the squared error
:math:`C_0 = \\sum_j (a_j - y_j)^2`; for binary cross-entropy it is
:math:`(a_j - y_j) / (a_j (1 - a_j))`).

Indices: the functions here take ``j`` and ``k`` **counting from 1**, exactly as in the math, so
``output_weight_factors(network, x, y, j=2, k=4)`` is about :math:`w_{24}^{[L]}`. That weight is
stored at ``network.weights[-1][j - 1, k - 1]``: numpy counts from 0.

One sample is a 1-D vector here: ``x`` of shape ``(n_0,)``, ``y`` of shape ``(n_L,)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._checks import (
    as_float_array,
    check_ndim,
    check_positive_number,
    check_shape,
    overflow_is_an_error,
)
from .activations import get_activation
from .gradcheck import numerical_derivative
from .losses import get_loss
from .network import MLP, check_network

# --------------------------------------------------------------------------------------------
# input checks and the forward pass of one sample (shared with backproplib.downstream)


def _check_loss(network: MLP, loss: Any, y: np.ndarray) -> str:
    network._check_loss(loss, y.reshape(1, -1), "y")  # the loss, its output layer and y's values
    if network.activation_names[-1] == "softmax":
        raise ValueError(
            "the network's output activation is 'softmax', which acts on a whole row and has no "
            "element-wise slope g'(z_j): the chain-rule factors here need an element-wise output "
            "activation (sigmoid, tanh, relu, identity); for softmax use "
            "MLP.cost_and_gradients, which multiplies by its Jacobian"
        )
    return loss


def _check_sample(
    network: Any, x: Any, y: Any, loss: Any
) -> tuple[MLP, np.ndarray, np.ndarray, str]:
    """Check one sample ``(x, y)`` against ``network`` and ``loss``; return them as arrays."""
    network = check_network(network)
    n_inputs, n_outputs = network.layer_sizes[0], network.layer_sizes[-1]
    x = as_float_array(x, "x")
    y = as_float_array(y, "y")
    one_sample = "one sample is a 1-D vector; for row i of a batch X pass X[i]"
    check_ndim(x, 1, "x", f"Expected shape ({n_inputs},): {one_sample}")
    check_shape(x, (n_inputs,), "x", f"The network has {n_inputs} inputs")
    check_ndim(y, 1, "y", f"Expected shape ({n_outputs},): {one_sample}")
    check_shape(y, (n_outputs,), "y", f"The network has {n_outputs} output nodes")
    return network, x, y, _check_loss(network, loss, y)


def _check_node_index(value: Any, name: str, n_nodes: int, layer: int) -> int:
    """Check a node index that counts from 1 (``1 <= value <= n_nodes``); return it as an int."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{name} must be an integer node number from 1 to {n_nodes}, "
            f"got {type(value).__name__} {value!r}"
        )
    if not 1 <= value <= n_nodes:
        hint = (
            " Node numbers count from 1, as in the math: w_11 is stored at W[0, 0]."
            if value == 0
            else ""
        )
        raise ValueError(
            f"{name} must be a node number from 1 to {n_nodes} (layer {layer} has {n_nodes} "
            f"node(s)), got {value}.{hint}"
        )
    return int(value)


def _check_layer_index(value: Any, name: str, lowest: int, highest: int, what: str) -> int:
    """Check a layer number ``lowest <= value <= highest``; return it as an int."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{name} must be an integer layer number from {lowest} to {highest}, "
            f"got {type(value).__name__} {value!r}"
        )
    if not lowest <= value <= highest:
        raise ValueError(
            f"{name} must be a layer number from {lowest} to {highest} ({what}), got {value}"
        )
    return int(value)


@dataclass(frozen=True)
class SampleForwardPass:
    """The forward pass of one sample, with layers numbered as in the math.

    Attributes
    ----------
    weighted_inputs : list of numpy.ndarray
        ``weighted_inputs[l]`` is :math:`z^{[l]}`, shape ``(n_l,)``, for ``l = 1..L``;
        ``weighted_inputs[0]`` is an empty array (the input layer has no weighted input).
    activations : list of numpy.ndarray
        ``activations[l]`` is :math:`a^{[l]}`, shape ``(n_l,)``, for ``l = 0..L``, with
        ``activations[0] = x``.
    """

    weighted_inputs: list[np.ndarray]
    activations: list[np.ndarray]


def _forward_one_sample(network: MLP, x: np.ndarray) -> SampleForwardPass:
    """:math:`z^{[l]} = W^{[l]} a^{[l-1]} + b^{[l]}`, :math:`a^{[l]} = g^{[l]}(z^{[l]})`."""
    weighted_inputs = [np.empty(0)]
    activations = [x.copy()]
    for weight, bias, name in zip(network.weights, network.biases, network.activation_names):
        weighted_input = weight @ activations[-1] + bias
        weighted_inputs.append(weighted_input)
        activations.append(get_activation(name).kernel(weighted_input))
    return SampleForwardPass(weighted_inputs, activations)


@overflow_is_an_error
def forward_one_sample(network: MLP, x: np.ndarray) -> SampleForwardPass:
    """Forward pass of one sample, indexed by layer number (``activations[0]`` is ``x``).

    Parameters
    ----------
    network : MLP
        The network.
    x : array_like, shape (n_0,)
        One sample.

    Returns
    -------
    SampleForwardPass
        ``weighted_inputs[l]`` is :math:`z^{[l]}` and ``activations[l]`` is :math:`a^{[l]}`.
    """
    network = check_network(network)
    x = as_float_array(x, "x")
    n_inputs = network.layer_sizes[0]
    check_ndim(x, 1, "x", f"Expected shape ({n_inputs},): one sample is a 1-D vector")
    check_shape(x, (n_inputs,), "x", f"The network has {n_inputs} inputs")
    return _forward_one_sample(network, x)


def _loss_derivative(forward: SampleForwardPass, y: np.ndarray, loss: str) -> np.ndarray:
    """:math:`\\partial C_0 / \\partial a^{[L]}`, one entry per output node."""
    return get_loss(loss).kernel_derivative(forward.activations[-1], y)


# --------------------------------------------------------------------------------------------
# the three factors


@dataclass(frozen=True)
class WeightFactors:
    """The three chain-rule factors of one weight's derivative, for one sample.

    .. math::

        \\frac{\\partial C_0}{\\partial w_{jk}^{[l]}}
        = \\frac{\\partial C_0}{\\partial a_j^{[l]}}
          \\cdot \\frac{\\partial a_j^{[l]}}{\\partial z_j^{[l]}}
          \\cdot \\frac{\\partial z_j^{[l]}}{\\partial w_{jk}^{[l]}},

    held in the attributes ``dC0_da``, ``da_dz`` and ``dz_dw``, in this order.

    Attributes
    ----------
    layer, j, k : int
        Which weight: :math:`w_{jk}^{[l]}`, to node ``j`` of layer ``l`` from node ``k`` of layer
        ``l - 1``, all counting from 1 (numpy entry ``weights[l - 1][j - 1, k - 1]``).
    dC0_da : float
        :math:`\\partial C_0 / \\partial a_j^{[l]}`: for the output layer and the squared error,
        :math:`2 (a_j - y_j)`; for a hidden layer, a sum over the next layer (chapter 4).
    da_dz : float
        :math:`\\partial a_j^{[l]} / \\partial z_j^{[l]} = g^{[l]\\prime}(z_j^{[l]})`, the slope of
        the activation function at the weighted input - or, when ``slope_evaluated_at == "a"``,
        the classic mistake :math:`g'(a_j)`.
    dz_dw : float
        :math:`\\partial z_j^{[l]} / \\partial w_{jk}^{[l]} = a_k^{[l-1]}`, the activation the
        weight multiplies (the input :math:`x_k` when ``l = 1``).
    weighted_input : float
        :math:`z_j^{[l]}`, where the slope is evaluated.
    activation : float
        :math:`a_j^{[l]} = g(z_j^{[l]})`.
    activation_name : str
        The activation function :math:`g^{[l]}` of layer ``l``.
    loss : str
        The loss :math:`C_0`.
    output_layer : bool
        ``True`` when ``l = L``.
    slope_evaluated_at : str
        ``"z"`` (right) or ``"a"`` (the wrong variant of
        :func:`output_weight_factors_g_prime_of_a`).
    """

    layer: int
    j: int
    k: int
    dC0_da: float
    da_dz: float
    dz_dw: float
    weighted_input: float
    activation: float
    activation_name: str
    loss: str
    output_layer: bool
    slope_evaluated_at: str = "z"

    @property
    def product(self) -> float:
        """:math:`\\partial C_0 / \\partial w_{jk}^{[l]}`, the product of the three factors."""
        return self.dC0_da * self.da_dz * self.dz_dw

    def _meanings(self) -> tuple[str, str, str, str]:
        j, k, l = self.j, self.k, self.layer
        if self.output_layer and self.loss == "squared_error":
            first = f"2(a_{j} - y_{j}): how fast the loss grows with the output a_{j}"
        elif self.output_layer:
            first = f"(a_{j} - y_{j}) / (a_{j}(1 - a_{j})): slope of the cross-entropy in a_{j}"
        else:
            first = f"sum over the nodes of layer {l + 1} that a_{j}^[{l}] feeds"
        name = self.activation_name
        if self.slope_evaluated_at == "z":
            second = f"g'(z_{j}) = {name}'({self.weighted_input:.4f}): slope of g at z_{j}"
        else:
            second = f"g'(a_{j}) = {name}'({self.activation:.4f}): WRONG, g' taken at a_{j}"
        if l == 1:
            third = f"x_{k}: the input that w_{j}{k} multiplies"
        else:
            third = f"a_{k}^[{l - 1}]: the activation that w_{j}{k} multiplies"
        if self.slope_evaluated_at == "z":
            fourth = f"dC0/dw_{j}{k}^[{l}]"
        else:
            fourth = f"NOT dC0/dw_{j}{k}^[{l}]: the slope is taken at the wrong place"
        return first, second, third, fourth

    def __str__(self) -> str:
        j, k, l = self.j, self.k, self.layer
        first, second, third, fourth = self._meanings()
        rows = [
            (f"dC0/da_{j}^[{l}]", self.dC0_da, first),
            (f"da_{j}^[{l}]/dz_{j}^[{l}]", self.da_dz, second),
            (f"dz_{j}^[{l}]/dw_{j}{k}^[{l}]", self.dz_dw, third),
            ("product", self.product, fourth),
        ]
        lines = [f"{'factor':<20}{'value':>11}   meaning", "-" * 86]
        lines += [f"{name:<20}{value:>11.6f}   {meaning}" for name, value, meaning in rows]
        return "\n".join(lines)


def _weight_factors(
    network: MLP,
    forward: SampleForwardPass,
    dC0_da: float,
    layer: int,
    j: int,
    k: int,
    loss: str,
    slope_evaluated_at: str = "z",
) -> WeightFactors:
    """The factors of :math:`w_{jk}^{[l]}`, given :math:`\\partial C_0/\\partial a_j^{[l]}`."""
    activation = get_activation(network.activation_names[layer - 1])
    weighted_input = forward.weighted_inputs[layer][j - 1]
    output = forward.activations[layer][j - 1]
    slope_at = weighted_input if slope_evaluated_at == "z" else output
    return WeightFactors(
        layer=layer,
        j=j,
        k=k,
        dC0_da=float(dC0_da),
        da_dz=float(activation.kernel_derivative(np.array(slope_at))),
        dz_dw=float(forward.activations[layer - 1][k - 1]),
        weighted_input=float(weighted_input),
        activation=float(output),
        activation_name=activation.name,
        loss=loss,
        output_layer=layer == network.num_layers,
        slope_evaluated_at=slope_evaluated_at,
    )


def _output_factors(
    network: Any, x: Any, y: Any, j: Any, k: Any, loss: Any, slope_evaluated_at: str
) -> WeightFactors:
    network, x, y, loss = _check_sample(network, x, y, loss)
    L = network.num_layers
    j = _check_node_index(j, "j", network.layer_sizes[L], L)
    k = _check_node_index(k, "k", network.layer_sizes[L - 1], L - 1)
    forward = _forward_one_sample(network, x)
    dC0_da = _loss_derivative(forward, y, loss)[j - 1]
    return _weight_factors(network, forward, dC0_da, L, j, k, loss, slope_evaluated_at)


@overflow_is_an_error
def output_weight_factors(
    network: MLP, x: np.ndarray, y: np.ndarray, j: int, k: int, loss: str = "squared_error"
) -> WeightFactors:
    """The three chain-rule factors of an output-layer weight :math:`w_{jk}^{[L]}`, one sample.

    .. math::

        \\frac{\\partial C_0}{\\partial w_{jk}^{[L]}}
        = \\frac{\\partial C_0}{\\partial a_j} \\cdot \\frac{\\partial a_j}{\\partial z_j}
          \\cdot \\frac{\\partial z_j}{\\partial w_{jk}}
        = 2 (a_j - y_j) \\cdot g'(z_j) \\cdot a_k^{[L-1]}   \\quad\\text{(squared error)}

    Parameters
    ----------
    network : MLP
        The network; not modified.
    x : array_like, shape (n_0,)
        One input sample.
    y : array_like, shape (n_L,)
        Its target.
    j : int
        The receiving node in the output layer, **from 1** to :math:`n_L`.
    k : int
        The sending node in layer :math:`L-1`, **from 1** to :math:`n_{L-1}`. The weight is
        ``network.weights[-1][j - 1, k - 1]``.
    loss : str
        ``"squared_error"`` (default) or ``"binary_cross_entropy"`` (sigmoid output layer only).

    Returns
    -------
    WeightFactors
        The factors ``dC0_da``, ``da_dz``, ``dz_dw`` and their ``product``; ``print`` it to
        see them as a table.

    Raises
    ------
    TypeError, ValueError
        If ``x`` or ``y`` does not fit the network, ``j`` or ``k`` is not a node number counting
        from 1, or the loss is unknown.
    """
    return _output_factors(network, x, y, j, k, loss, "z")


@overflow_is_an_error
def output_weight_factors_g_prime_of_a(
    network: MLP, x: np.ndarray, y: np.ndarray, j: int, k: int, loss: str = "squared_error"
) -> WeightFactors:
    """The classic mistake: like :func:`output_weight_factors`, but with :math:`g'(a_j)`.

    The middle factor is :math:`g'(a_j)` - the derivative of the activation function evaluated at
    the activation - instead of :math:`g'(z_j)`. Its ``product`` is *not* the derivative (chapter 3
    shows it failing the finite-difference check). It exists so the book and the tests can show
    the mistake; never use it to train. For the sigmoid the right slope is
    :math:`\\sigma'(z_j) = a_j (1 - a_j)`, which is *not* :math:`\\sigma'(a_j)`.
    """
    return _output_factors(network, x, y, j, k, loss, "a")


@overflow_is_an_error
def output_weight_gradient_by_entries(
    network: MLP, x: np.ndarray, y: np.ndarray, loss: str = "squared_error"
) -> np.ndarray:
    """:math:`\\partial C_0 / \\partial W^{[L]}` for one sample, one entry at a time.

    A derivative with respect to a matrix is the matrix of the derivatives with respect to each
    entry, arranged in the matrix's shape:

    .. math:: \\Big(\\frac{\\partial C_0}{\\partial W^{[L]}}\\Big)_{jk}
              = \\frac{\\partial C_0}{\\partial w_{jk}^{[L]}}
              = 2 (a_j - y_j)\\, g'(z_j)\\, a_k^{[L-1]}.

    Written as two Python loops over ``j`` and ``k`` so it reads like the formula (chapter 6
    shows the same matrix as an outer product).

    Returns
    -------
    numpy.ndarray, shape (n_L, n_(L-1))
        Entry ``[j - 1, k - 1]`` is :math:`\\partial C_0 / \\partial w_{jk}^{[L]}`.
    """
    network, x, y, loss = _check_sample(network, x, y, loss)
    L = network.num_layers
    forward = _forward_one_sample(network, x)
    dC0_da = _loss_derivative(forward, y, loss)
    n_out, n_in = network.weights[-1].shape
    gradient = np.zeros((n_out, n_in))
    for j in range(1, n_out + 1):
        for k in range(1, n_in + 1):
            factors = _weight_factors(network, forward, dC0_da[j - 1], L, j, k, loss)
            gradient[j - 1, k - 1] = factors.product
    return gradient


@overflow_is_an_error
def sample_loss(network: MLP, x: np.ndarray, y: np.ndarray, loss: str = "squared_error") -> float:
    """The loss :math:`C_0` of one sample, e.g. :math:`\\sum_j (a_j^{[L]} - y_j)^2`.

    Parameters
    ----------
    network : MLP
        The network; not modified.
    x : array_like, shape (n_0,)
        One sample.
    y : array_like, shape (n_L,)
        Its target.
    loss : str
        ``"squared_error"`` (default) or ``"binary_cross_entropy"`` (sigmoid output layer only).
    """
    network, x, y, loss = _check_sample(network, x, y, loss)
    return network.cost(x.reshape(1, -1), y.reshape(1, -1), loss)


@overflow_is_an_error
def weight_derivative_by_finite_difference(
    network: MLP,
    x: np.ndarray,
    y: np.ndarray,
    layer: int,
    j: int,
    k: int,
    loss: str = "squared_error",
    step: float = 1e-6,
) -> float:
    """Centred finite difference of the one-sample loss with respect to one weight.

    .. math:: \\frac{\\partial C_0}{\\partial w_{jk}^{[l]}} \\approx
              \\frac{C_0(w_{jk}^{[l]} + h) - C_0(w_{jk}^{[l]} - h)}{2h}

    (:func:`backproplib.gradcheck.numerical_derivative`: ``h`` grows with the weight when
    :math:`|w_{jk}^{[l]}| > 1`). Only that one weight moves (in copies of the network); nothing else changes.

    Parameters
    ----------
    network, x, y, loss
        As in :func:`output_weight_factors`.
    layer, j, k : int
        The weight :math:`w_{jk}^{[l]}`, all counting from 1 (``layer`` from 1 to ``L``).
    step : float
        :math:`h`.
    """
    network, x, y, loss = _check_sample(network, x, y, loss)
    layer = _check_layer_index(layer, "layer", 1, network.num_layers, "the layers with weights")
    j = _check_node_index(j, "j", network.layer_sizes[layer], layer)
    k = _check_node_index(k, "k", network.layer_sizes[layer - 1], layer - 1)
    check_positive_number(step, "step")

    def loss_with_weight(value: float) -> float:
        weights = [weight.copy() for weight in network.weights]
        weights[layer - 1][j - 1, k - 1] = value
        moved = MLP(weights, network.biases, network.activation_names)
        return moved.cost(x.reshape(1, -1), y.reshape(1, -1), loss)

    original = np.array([network.weights[layer - 1][j - 1, k - 1]])
    return float(numerical_derivative(lambda value: loss_with_weight(value[0]), original, step)[0])
