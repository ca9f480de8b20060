r"""Backpropagation in matrix form (chapter 6): diagonal matrices, Jacobians, outer products.

The derivatives of chapters 3 to 5, written with matrices and checked against the loops: the
element-wise product as a product with :math:`\operatorname{diag}(g'(z))`, the Jacobian of each
step of a layer with its shape, the weight gradient as a (sum of) outer product(s), the backward
pass with samples as columns (paper) or as rows (code), a backward pass written as Python loops,
and the number of multiply-adds either version performs.

Notation: one sample is a 1-D vector (``x`` of shape ``(n_0,)``); a batch stacks samples as the
rows of ``X`` (shape ``(m, n_0)``), except in :func:`backpropagate_samples_as_columns`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from ._checks import (
    as_float_array,
    as_sizes,
    check_callable,
    check_ndim,
    check_positive_number,
    check_shape,
    overflow_is_an_error,
)
from .activations import _softmax, get_activation
from .gradcheck import _moved_values
from .losses import get_loss
from .network import MLP, Gradients, check_batch, check_network

#: Losses whose output error collapses to :math:`a - y` with the matching output activation.
_COLLAPSING_LOSSES = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}


# --------------------------------------------------------------------------------------------
# input checks


def _check_vector(value: Any, name: str) -> np.ndarray:
    array = as_float_array(value, name)
    check_ndim(array, 1, name, "Expected a vector: one entry per node of one sample")
    if array.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one entry (one per node), got an empty vector")
    return array


def _check_batch_matrix(value: Any, name: str) -> np.ndarray:
    array = as_float_array(value, name)
    check_ndim(array, 2, name, "Expected one row per sample")
    if array.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one sample (row), got 0 rows")
    return array


def _check_sample(network: Any, x: Any, y: Any, loss: Any) -> tuple[MLP, np.ndarray, np.ndarray]:
    network = check_network(network)
    x = _check_vector(x, "x")
    y = _check_vector(y, "y")
    check_shape(x, (network.layer_sizes[0],), "x", "One sample has one entry per network input")
    check_shape(y, (network.layer_sizes[-1],), "y", "One target has one entry per output node")
    network.cost(x.reshape(1, -1), y.reshape(1, -1), loss)  # checks the loss with its messages
    return network, x, y


# --------------------------------------------------------------------------------------------
# the element-wise product is a product with a diagonal matrix


@overflow_is_an_error
def hadamard_product(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    r"""The element-wise (Hadamard) product :math:`u \odot v`: entry :math:`j` is :math:`u_j v_j`.

    ``u`` and ``v`` are vectors of the same length :math:`n`, for example
    :math:`\partial C_0 / \partial a` and :math:`g'(z)`; the result has shape ``(n,)``.
    """
    u = _check_vector(u, "u")
    v = _check_vector(v, "v")
    check_shape(v, u.shape, "v", "u and v must have one entry per node each")
    return u * v


@overflow_is_an_error
def diagonal_matrix_product(diagonal: np.ndarray, vector: np.ndarray) -> np.ndarray:
    r"""The product :math:`\operatorname{diag}(d)\, u`, computed as a real matrix-vector product.

    Row :math:`j` of the product is :math:`\sum_k [j = k]\, d_j u_k = d_j u_j`: the same numbers
    as :math:`d \odot u`, at the price of :math:`n^2` multiplications instead of :math:`n`.
    ``diagonal`` (:math:`d`, e.g. the slopes :math:`g'(z)`) and ``vector`` (:math:`u`) have shape
    ``(n,)``, and so has the result.
    """
    diagonal = _check_vector(diagonal, "diagonal")
    vector = _check_vector(vector, "vector")
    check_shape(vector, diagonal.shape, "vector", "diag(d) is square, so u needs len(d) entries")
    return np.diag(diagonal) @ vector


# --------------------------------------------------------------------------------------------
# the Jacobian of each step of one layer (one sample)


@overflow_is_an_error
def jacobian_z_wrt_previous_activation(weight: np.ndarray) -> np.ndarray:
    r"""Jacobian of :math:`z = W a_{\text{prev}} + b` with respect to :math:`a_{\text{prev}}`.

    .. math:: \frac{\partial z_j}{\partial a_{\text{prev},k}} = w_{jk}, \qquad
              \frac{\partial z}{\partial a_{\text{prev}}} = W,

    of shape :math:`(n_l, n_{l-1})`: one row per output :math:`z_j`, one column per input
    :math:`a_{\text{prev},k}`. Returns a copy of ``weight`` (:math:`W^{[l]}`).
    """
    weight = as_float_array(weight, "weight")
    check_ndim(weight, 2, "weight", "W^[l] has shape (n_l, n_(l-1))")
    return weight.copy()


@overflow_is_an_error
def jacobian_a_wrt_z(z: np.ndarray, activation: str) -> np.ndarray:
    r"""Jacobian of the activation :math:`a = g(z)` with respect to :math:`z`, for one sample.

    For an element-wise activation function :math:`a_j = g(z_j)` depends on :math:`z_j` only, so

    .. math:: \frac{\partial a_j}{\partial z_k} = [j = k]\, g'(z_j), \qquad
              \frac{\partial a}{\partial z} = \operatorname{diag}(g'(z)),

    a diagonal matrix of shape :math:`(n, n)`. For ``"softmax"`` every :math:`a_j` depends on every
    :math:`z_k` and the Jacobian is full:
    :math:`\partial a / \partial z = \operatorname{diag}(a) - a a^\top`.

    Parameters
    ----------
    z : array_like, shape (n,)
        The weighted input of one sample (not the activation).
    activation : str
        ``"sigmoid"``, ``"tanh"``, ``"relu"``, ``"identity"`` or ``"softmax"``.

    Returns
    -------
    numpy.ndarray, shape (n, n)
    """
    z = _check_vector(z, "z")
    if not isinstance(activation, str):
        raise TypeError(
            f"activation must be a name such as 'sigmoid', got {type(activation).__name__}"
        )
    if activation == "softmax":
        a = _softmax(z)
        return np.diag(a) - np.outer(a, a)
    return np.diag(get_activation(activation).kernel_derivative(z))


@overflow_is_an_error
def jacobian_z_wrt_weights(previous_activation: np.ndarray, n_nodes: int) -> np.ndarray:
    r"""Jacobian of :math:`z = W a_{\text{prev}} + b` with respect to the matrix :math:`W`.

    :math:`z` is a vector and :math:`W` a matrix, so the Jacobian has three indices:

    .. math:: \frac{\partial z_j}{\partial w_{pq}} = [j = p]\; a_{\text{prev},q},

    stored as an array ``T`` of shape :math:`(n_l, n_l, n_{l-1})` with ``T[j, p, q]`` the
    derivative of :math:`z_j` with respect to :math:`w_{pq}`. Weighted input :math:`z_j` depends
    only on row :math:`j` of :math:`W`, so ``T[j]`` is zero except its row ``j``, which is
    :math:`a_{\text{prev}}^\top`. Most of the array is zeros; backpropagation never builds it
    (see :func:`weight_gradient_by_contraction`).

    Parameters
    ----------
    previous_activation : array_like, shape (n_(l-1),)
        :math:`a^{[l-1]}` of one sample (the input :math:`x` for layer 1).
    n_nodes : int
        :math:`n_l`, the number of nodes of the layer.

    Returns
    -------
    numpy.ndarray, shape (n_l, n_l, n_(l-1))
    """
    previous_activation = _check_vector(previous_activation, "previous_activation")
    check_positive_number(n_nodes, "n_nodes", integer=True)
    tensor = np.zeros((int(n_nodes), int(n_nodes), previous_activation.shape[0]))
    for j in range(int(n_nodes)):
        tensor[j, j, :] = previous_activation
    return tensor


@overflow_is_an_error
def weight_gradient_by_contraction(
    delta: np.ndarray, previous_activation: np.ndarray
) -> np.ndarray:
    r""":math:`\partial C_0 / \partial W` from the 3-D Jacobian :math:`\partial z / \partial W`.

    The chain rule sums over the weighted inputs :math:`z_j` that :math:`w_{pq}` can reach:

    .. math:: \frac{\partial C_0}{\partial w_{pq}}
              = \sum_j \frac{\partial C_0}{\partial z_j} \frac{\partial z_j}{\partial w_{pq}}
              = \sum_j \delta_j [j = p]\, a_{\text{prev},q} = \delta_p\, a_{\text{prev},q},

    that is :math:`\partial C_0 / \partial W = \delta\, a_{\text{prev}}^\top`, an outer product.
    This function builds the 3-D Jacobian with :func:`jacobian_z_wrt_weights` and contracts it
    with :math:`\delta` (``numpy.tensordot`` over the index ``j``), so the outer product comes out
    of the general rule rather than being written down.

    Parameters
    ----------
    delta : array_like, shape (n_l,)
        :math:`\delta = \partial C_0 / \partial z` of one sample.
    previous_activation : array_like, shape (n_(l-1),)
        :math:`a^{[l-1]}` of the same sample.

    Returns
    -------
    numpy.ndarray, shape (n_l, n_(l-1))
    """
    delta = _check_vector(delta, "delta")
    tensor = jacobian_z_wrt_weights(previous_activation, delta.shape[0])
    return np.tensordot(delta, tensor, axes=1)


@overflow_is_an_error
def numerical_jacobian(
    function: Callable[[np.ndarray], np.ndarray], x: np.ndarray, step: float = 1e-6
) -> np.ndarray:
    r"""Centred finite-difference Jacobian of an array-valued ``function`` at ``x``.

    .. math:: \frac{\partial f_j}{\partial x_k} \approx
              \frac{f_j(x + h_k e_k) - f_j(x - h_k e_k)}{2h_k}, \qquad h_k = h \max(1, |x_k|)

    (the step scales with :math:`|x_k|`, as in :func:`backproplib.gradcheck.numerical_derivative`).

    Parameters
    ----------
    function : callable
        Maps an array shaped like ``x`` to an array (any shape).
    x : array_like
        Where to differentiate; not modified (the function gets copies).
    step : float
        :math:`h`.

    Returns
    -------
    numpy.ndarray
        Shape ``function(x).shape + x.shape``: entry ``[j..., k...]`` approximates
        :math:`\partial f_j / \partial x_k`.
    """
    check_callable(function, "function", "an array of numbers")
    check_positive_number(step, "step")
    point = as_float_array(x, "x").astype(np.float64, copy=True)
    output_shape = _function_value(function(point.copy()), None).shape
    jacobian = np.zeros(output_shape + point.shape)
    for index, forward, backward, step_i in _moved_values(function, point, step):
        difference = _function_value(forward, output_shape) - _function_value(backward, output_shape)
        jacobian[(Ellipsis, *index)] = difference / (2.0 * step_i)
    return jacobian


def _function_value(value: Any, shape: tuple[int, ...] | None) -> np.ndarray:
    """``function``'s result as a float array; it must keep the ``shape`` of its first result."""
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(
            f"function must return an array of numbers, got {type(value).__name__} {value!r:.80}"
        )
    array = as_float_array(value, "the result of function")
    if shape is not None and array.shape != shape:
        raise ValueError(
            f"function must return arrays of one shape, got {shape} at x and {array.shape} at a "
            "moved x"
        )
    return array


# --------------------------------------------------------------------------------------------
# the long product of Jacobians, from the loss back to the input (one sample)


@dataclass(frozen=True)
class JacobianFactor:
    """One factor of the chain :math:`\\partial C_0 / \\partial x`, with its name.

    Attributes
    ----------
    name : str
        What it differentiates, e.g. ``"da^[2]/dz^[2]"``.
    formula : str
        What it equals, e.g. ``"diag(g'(z^[2]))"``.
    matrix : numpy.ndarray
        Its value: a 2-D array (the first factor, :math:`\\partial C_0 / \\partial a^{[L]}`, is a
        row of shape ``(1, n_L)``).
    """

    name: str
    formula: str
    matrix: np.ndarray

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of :attr:`matrix`."""
        return tuple(self.matrix.shape)


@overflow_is_an_error
def chain_of_jacobians(
    network: MLP, x: np.ndarray, y: np.ndarray, loss: str = "squared_error"
) -> list[JacobianFactor]:
    r"""The factors of :math:`\partial C_0 / \partial x` for one sample, from the loss to ``x``.

    .. math::

        \frac{\partial C_0}{\partial x}
        = \frac{\partial C_0}{\partial a^{[L]}}
          \frac{\partial a^{[L]}}{\partial z^{[L]}}
          \frac{\partial z^{[L]}}{\partial a^{[L-1]}} \cdots
          \frac{\partial a^{[1]}}{\partial z^{[1]}}
          \frac{\partial z^{[1]}}{\partial a^{[0]}}
        = \frac{\partial C_0}{\partial a^{[L]}}\,
          \operatorname{diag}(g^{[L]\prime}(z^{[L]}))\, W^{[L]} \cdots
          \operatorname{diag}(g^{[1]\prime}(z^{[1]}))\, W^{[1]},

    with shapes :math:`(1, n_L)`, :math:`(n_L, n_L)`, :math:`(n_L, n_{L-1})`, ...,
    :math:`(n_1, n_1)`, :math:`(n_1, n_0)`. The last factor is the derivative of
    :math:`z^{[1]}` with respect to the input :math:`a^{[0]} = x`, which is :math:`W^{[1]}`: the
    input's *value* does not appear in it. (It appears in the derivatives with respect to the
    weights, :math:`\delta^{[1]} x^\top`.) A softmax output layer contributes its full Jacobian
    :math:`\operatorname{diag}(a) - a a^\top` instead of a diagonal matrix.

    Parameters
    ----------
    network : MLP
        Any depth; not modified.
    x : array_like, shape (n_0,)
        One sample.
    y : array_like, shape (n_L,)
        Its target.
    loss : str
        ``"squared_error"``, ``"binary_cross_entropy"`` or ``"cross_entropy"``.

    Returns
    -------
    list of JacobianFactor
        ``2L + 1`` factors, in the order of the product (multiply them left to right with
        :func:`product_of_jacobians`).
    """
    network, x, y = _check_sample(network, x, y, loss)
    forward = network.forward(x.reshape(1, -1))
    L = network.num_layers
    output = forward.output[0]
    factors = [
        JacobianFactor(f"dC0/da^[{L}]", "loss derivative (a row)",
                       get_loss(loss).kernel_derivative(output, y).reshape(1, -1))
    ]
    for layer in range(L, 0, -1):
        name = network.activation_names[layer - 1]
        z = forward.weighted_inputs[layer - 1][0]
        formula = "diag(a) - a a^T" if name == "softmax" else f"diag(g'(z^[{layer}]))"
        factors.append(JacobianFactor(f"da^[{layer}]/dz^[{layer}]", formula,
                                      jacobian_a_wrt_z(z, name)))
        factors.append(JacobianFactor(f"dz^[{layer}]/da^[{layer - 1}]", f"W^[{layer}]",
                                      network.weights[layer - 1].copy()))
    return factors


@overflow_is_an_error
def product_of_jacobians(factors: Sequence[JacobianFactor]) -> np.ndarray:
    """Multiply the factors of :func:`chain_of_jacobians` from left to right.

    Returns
    -------
    numpy.ndarray, shape (1, n_0)
        :math:`\\partial C_0 / \\partial x` as a row (a Jacobian of a scalar has one row).
    """
    if not isinstance(factors, (list, tuple)):
        raise TypeError(f"factors must be a list of JacobianFactor, got {type(factors).__name__}")
    if len(factors) == 0:
        raise ValueError("factors must hold at least one JacobianFactor, got an empty list")
    for index, factor in enumerate(factors):
        if not isinstance(factor, JacobianFactor):
            raise TypeError(
                f"factors[{index}] must be a JacobianFactor, got {type(factor).__name__}")
    product = factors[0].matrix
    for factor in factors[1:]:
        if product.shape[1] != factor.shape[0]:
            raise ValueError(f"cannot multiply: the product so far has shape {product.shape} but "
                             f"{factor.name} has shape {factor.shape}")
        product = product @ factor.matrix
    return product


# --------------------------------------------------------------------------------------------
# the weight gradient of a batch: a sum of outer products


def _check_errors_and_activations(
    delta_rows: Any, previous_rows: Any
) -> tuple[np.ndarray, np.ndarray]:
    delta_rows = _check_batch_matrix(delta_rows, "Delta")
    previous_rows = _check_batch_matrix(previous_rows, "A_prev")
    if previous_rows.shape[0] != delta_rows.shape[0]:
        raise ValueError(
            "Delta and A_prev must have one row per sample each (the same number of rows), got "
            f"Delta of shape {delta_rows.shape} and A_prev of shape {previous_rows.shape}"
        )
    return delta_rows, previous_rows


@overflow_is_an_error
def weight_gradient_by_outer_products(Delta: np.ndarray, A_prev: np.ndarray) -> np.ndarray:
    r""":math:`\partial J / \partial W^{[l]}` as the mean of one outer product per sample (a loop).

    .. math:: \frac{\partial J}{\partial W^{[l]}}
              = \frac1m \sum_{i=1}^m \delta^{[l](i)}\, a^{[l-1](i)\top}

    Each outer product :math:`\delta^{(i)} a^{(i)\top}` has the shape of :math:`W^{[l]}`,
    :math:`(n_l, n_{l-1})`, and is the gradient of sample :math:`i`'s own loss.

    Parameters
    ----------
    Delta : array_like, shape (m, n_l)
        Row :math:`i` is :math:`\delta^{[l](i)}`, before any :math:`1/m` (as in
        ``Gradients.deltas``).
    A_prev : array_like, shape (m, n_(l-1))
        Row :math:`i` is :math:`a^{[l-1](i)}`.

    Returns
    -------
    numpy.ndarray, shape (n_l, n_(l-1))
    """
    Delta, A_prev = _check_errors_and_activations(Delta, A_prev)
    total = np.zeros((Delta.shape[1], A_prev.shape[1]))
    for delta, previous_activation in zip(Delta, A_prev):
        total += np.outer(delta, previous_activation)
    return total / Delta.shape[0]


@overflow_is_an_error
def weight_gradient_by_matrix_product(Delta: np.ndarray, A_prev: np.ndarray) -> np.ndarray:
    r""":math:`\partial J / \partial W^{[l]} = \frac1m \Delta^{[l]\top} A^{[l-1]}` in one product.

    Entry :math:`(j, k)` of :math:`\Delta^\top A` is :math:`\sum_i \Delta_{ij} A_{ik}
    = \sum_i \delta_j^{(i)} a_k^{(i)}`: exactly the sum of the outer products of
    :func:`weight_gradient_by_outer_products`, with the loop over samples inside the matrix
    product.

    Parameters
    ----------
    Delta : array_like, shape (m, n_l)
        Row :math:`i` is :math:`\delta^{[l](i)}`.
    A_prev : array_like, shape (m, n_(l-1))
        Row :math:`i` is :math:`a^{[l-1](i)}`.

    Returns
    -------
    numpy.ndarray, shape (n_l, n_(l-1))
    """
    Delta, A_prev = _check_errors_and_activations(Delta, A_prev)
    return Delta.T @ A_prev / Delta.shape[0]


# --------------------------------------------------------------------------------------------
# samples as rows (code) and samples as columns (paper)


def _activate(name: str, Z: np.ndarray, node_axis: int = -1) -> np.ndarray:
    """:math:`g(Z)` entry by entry, or softmax along the nodes (``node_axis``)."""
    if name == "softmax":
        return np.moveaxis(_softmax(np.moveaxis(Z, node_axis, -1)), -1, node_axis)
    return get_activation(name).kernel(Z)


def _output_error(
    activation_name: str, loss: str, Z: np.ndarray, A: np.ndarray, Y: np.ndarray, node_axis: int
) -> np.ndarray:
    """:math:`\\delta^{[L]}` of every sample; nodes lie along ``node_axis`` (1 rows, 0 columns)."""
    if _COLLAPSING_LOSSES.get(loss) == activation_name:
        return A - Y
    loss_derivative = get_loss(loss).kernel_derivative(A, Y)
    if activation_name == "softmax":  # (diag(a) - a a^T) dL/da, sample by sample
        return A * (loss_derivative - np.sum(loss_derivative * A, axis=node_axis, keepdims=True))
    return loss_derivative * get_activation(activation_name).kernel_derivative(Z)


@overflow_is_an_error
def backpropagate_samples_as_rows(
    network: MLP, X: np.ndarray, Y: np.ndarray, loss: str
) -> Gradients:
    r"""Backpropagation with samples as the **rows** of every matrix (the library's layout).

    With :math:`A^{[0]} = X` of shape :math:`(m, n_0)`:

    .. math::

        Z^{[l]} &= A^{[l-1]} W^{[l]\top} + b^{[l]}, \qquad A^{[l]} = g^{[l]}(Z^{[l]}),\\
        \Delta^{[l]} &= \big(\Delta^{[l+1]} W^{[l+1]}\big) \odot g^{[l]\prime}(Z^{[l]}),\\
        \frac{\partial J}{\partial W^{[l]}} &= \frac1m \Delta^{[l]\top} A^{[l-1]}, \qquad
        \frac{\partial J}{\partial b^{[l]}} = \frac1m \sum_i \Delta^{[l]}_{i,:}.

    Row :math:`i` of :math:`\Delta^{[l]}` is :math:`\delta^{[l](i)\top}`; the bias row
    :math:`b^{[l]}` (shape :math:`(n_l,)`) is added to every row by broadcasting.

    Parameters
    ----------
    network : MLP
        Not modified.
    X : array_like, shape (m, n_0)
        One sample per row.
    Y : array_like, shape (m, n_L)
        One target per row.
    loss : str
        ``"squared_error"``, ``"binary_cross_entropy"`` or ``"cross_entropy"``.

    Returns
    -------
    Gradients
        ``weights``, ``biases`` as in
        :meth:`~backproplib.network.MLP.cost_and_gradients`; ``deltas[l - 1]`` is
        :math:`\Delta^{[l]}`, shape ``(m, n_l)``.
    """
    network, X, Y = check_batch(network, X, Y, loss)
    names = network.activation_names
    m = X.shape[0]
    weighted_inputs, activations = [], [X]
    for weight, bias, name in zip(network.weights, network.biases, names):
        Z = activations[-1] @ weight.T + bias
        weighted_inputs.append(Z)
        activations.append(_activate(name, Z))
    L = network.num_layers
    Delta = _output_error(names[-1], loss, weighted_inputs[-1], activations[-1], Y, node_axis=1)
    weights, biases, deltas = [np.empty(0)] * L, [np.empty(0)] * L, [np.empty(0)] * L
    for index in range(L - 1, -1, -1):  # index = l - 1
        deltas[index] = Delta
        weights[index] = Delta.T @ activations[index] / m
        biases[index] = Delta.sum(axis=0) / m
        if index > 0:
            slopes = get_activation(names[index - 1]).kernel_derivative(weighted_inputs[index - 1])
            Delta = (Delta @ network.weights[index]) * slopes
    return Gradients(weights, biases, deltas)


@overflow_is_an_error
def backpropagate_samples_as_columns(
    network: MLP, X_columns: np.ndarray, Y_columns: np.ndarray, loss: str
) -> Gradients:
    r"""Backpropagation with samples as the **columns** of every matrix (the layout on paper).

    With :math:`A^{[0]} = X_{\text{columns}}` of shape :math:`(n_0, m)`, column :math:`i` being
    the sample :math:`x^{(i)}`:

    .. math::

        Z^{[l]} &= W^{[l]} A^{[l-1]} + b^{[l]} \mathbf{1}^\top, \qquad A^{[l]} = g^{[l]}(Z^{[l]}),\\
        \Delta^{[l]} &= \big(W^{[l+1]\top} \Delta^{[l+1]}\big) \odot g^{[l]\prime}(Z^{[l]}),\\
        \frac{\partial J}{\partial W^{[l]}} &= \frac1m \Delta^{[l]} A^{[l-1]\top}, \qquad
        \frac{\partial J}{\partial b^{[l]}} = \frac1m \Delta^{[l]} \mathbf{1}.

    Column :math:`i` of each matrix is the one-sample formula of chapters 3 and 4,
    :math:`\delta = (W^\top \delta_{\text{next}}) \odot g'(z)`. The bias must be made a column,
    ``b[:, None]`` (shape :math:`(n_l, 1)`), before it is added: numpy broadcasts a 1-D ``b`` along
    the *last* axis, which here counts samples.

    Parameters
    ----------
    network : MLP
        Not modified.
    X_columns : array_like, shape (n_0, m)
        One sample per column (``X.T`` of the row layout).
    Y_columns : array_like, shape (n_L, m)
        One target per column.
    loss : str
        ``"squared_error"``, ``"binary_cross_entropy"`` or ``"cross_entropy"``.

    Returns
    -------
    Gradients
        ``weights`` and ``biases`` with the parameters' shapes (the same as with rows);
        ``deltas[l - 1]`` is :math:`\Delta^{[l]}` **in the column layout**, shape ``(n_l, m)``.
    """
    network = check_network(network)
    X_columns = as_float_array(X_columns, "X_columns")
    Y_columns = as_float_array(Y_columns, "Y_columns")
    n_inputs, n_outputs = network.layer_sizes[0], network.layer_sizes[-1]
    check_ndim(X_columns, 2, "X_columns", f"Expected shape ({n_inputs}, m): one column per sample")
    check_ndim(Y_columns, 2, "Y_columns", f"Expected shape ({n_outputs}, m): one column per sample")
    if X_columns.shape[0] != n_inputs:
        hint = (" It looks like samples as rows; pass X.T." if X_columns.shape[1] == n_inputs
                else "")
        raise ValueError(
            f"X_columns must have {n_inputs} rows (one per network input), got shape "
            f"{X_columns.shape}.{hint}"
        )
    if Y_columns.shape != (n_outputs, X_columns.shape[1]):
        raise ValueError(
            f"Y_columns must have shape ({n_outputs}, {X_columns.shape[1]}): one row per output "
            f"node and one column per sample, got shape {Y_columns.shape}"
        )
    if X_columns.shape[1] == 0:
        raise ValueError(
            f"X_columns must hold at least one sample (column), got shape {X_columns.shape}"
        )
    check_batch(network, X_columns.T, Y_columns.T, loss, names=("X_columns.T", "Y_columns.T"))
    names = network.activation_names
    m = X_columns.shape[1]
    weighted_inputs, activations = [], [X_columns]
    for weight, bias, name in zip(network.weights, network.biases, names):
        Z = weight @ activations[-1] + bias[:, None]
        weighted_inputs.append(Z)
        activations.append(_activate(name, Z, node_axis=0))
    L = network.num_layers
    Delta = _output_error(names[-1], loss, weighted_inputs[-1], activations[-1], Y_columns,
                          node_axis=0)
    weights, biases, deltas = [np.empty(0)] * L, [np.empty(0)] * L, [np.empty(0)] * L
    for index in range(L - 1, -1, -1):
        deltas[index] = Delta
        weights[index] = Delta @ activations[index].T / m
        biases[index] = Delta.sum(axis=1) / m
        if index > 0:
            slopes = get_activation(names[index - 1]).kernel_derivative(weighted_inputs[index - 1])
            Delta = (network.weights[index].T @ Delta) * slopes
    return Gradients(weights, biases, deltas)


# --------------------------------------------------------------------------------------------
# loops over samples and nodes, and the number of multiply-adds


@overflow_is_an_error
def gradients_by_loops(network: MLP, X: np.ndarray, Y: np.ndarray, loss: str) -> Gradients:
    r"""The batch gradient with one Python loop per sample and per node (no matrix products).

    For each sample :math:`i` (rows of ``X``) the forward pass computes
    :math:`z_j^{[l]} = \sum_k w_{jk}^{[l]} a_k^{[l-1]} + b_j^{[l]}` node by node; the backward pass
    computes :math:`\delta_k^{[l]} = \big(\sum_j w_{jk}^{[l+1]} \delta_j^{[l+1]}\big)\,
    g^{[l]\prime}(z_k^{[l]})` node by node and adds :math:`\delta_j^{[l]} a_k^{[l-1]}` to entry
    :math:`(j, k)` of the weight gradient; at the end everything is divided by :math:`m`:

    .. math:: \frac{\partial J}{\partial w_{jk}^{[l]}}
              = \frac1m \sum_{i=1}^m \delta_j^{[l](i)} a_k^{[l-1](i)} .

    The arithmetic is the same as that of :func:`backpropagate_samples_as_rows`, in the same
    amount (:func:`count_multiply_adds`); only who runs the loops differs: the Python interpreter
    here, compiled BLAS code there.

    Parameters
    ----------
    network : MLP
        Not modified.
    X : array_like, shape (m, n_0)
        One sample per row.
    Y : array_like, shape (m, n_L)
        One target per row.
    loss : str
        ``"squared_error"``, ``"binary_cross_entropy"`` or ``"cross_entropy"``.

    Returns
    -------
    Gradients
        Like :meth:`~backproplib.network.MLP.cost_and_gradients`; ``deltas[l - 1]`` has one row
        per sample.
    """
    network, X, Y = check_batch(network, X, Y, loss)
    names = network.activation_names
    sizes = network.layer_sizes
    L = network.num_layers
    m = X.shape[0]
    weight_sums = [np.zeros(weight.shape) for weight in network.weights]
    bias_sums = [np.zeros(bias.shape) for bias in network.biases]
    deltas = [np.zeros((m, n)) for n in sizes[1:]]
    for i in range(m):
        # forward pass, node by node: a[l][k] is a_k^[l] of sample i
        a = [X[i].copy()] + [np.zeros(n) for n in sizes[1:]]
        z = [np.empty(0)] + [np.zeros(n) for n in sizes[1:]]
        for l in range(1, L + 1):
            W, b = network.weights[l - 1], network.biases[l - 1]
            for j in range(sizes[l]):
                total = b[j]
                for k in range(sizes[l - 1]):
                    total += W[j, k] * a[l - 1][k]
                z[l][j] = total
            a[l] = _activate(names[l - 1], z[l])
        # output error, then the errors of the hidden layers, node by node
        delta = [np.empty(0)] + [np.zeros(n) for n in sizes[1:]]
        delta[L] = _output_error(names[-1], loss, z[L], a[L], Y[i], node_axis=0)
        for l in range(L - 1, 0, -1):
            slopes = get_activation(names[l - 1]).kernel_derivative(z[l])
            W_next = network.weights[l]
            for k in range(sizes[l]):
                total = 0.0
                for j in range(sizes[l + 1]):
                    total += W_next[j, k] * delta[l + 1][j]
                delta[l][k] = total * slopes[k]
        # this sample's gradient, entry by entry, added to the running sums
        for l in range(1, L + 1):
            deltas[l - 1][i] = delta[l]
            for j in range(sizes[l]):
                bias_sums[l - 1][j] += delta[l][j]
                for k in range(sizes[l - 1]):
                    weight_sums[l - 1][j, k] += delta[l][j] * a[l - 1][k]
    return Gradients([total / m for total in weight_sums], [total / m for total in bias_sums],
                     deltas)


@dataclass(frozen=True)
class MultiplyAddCount:
    """How many multiply-adds (one multiplication and one addition) a gradient computation takes.

    Attributes
    ----------
    forward : int
        :math:`m \\sum_{l=1}^{L} n_l n_{l-1}`: the weighted inputs :math:`Z^{[l]}`.
    backward_errors : int
        :math:`m \\sum_{l=2}^{L} n_l n_{l-1}`: the products :math:`\\Delta^{[l]} W^{[l]}` that
        carry the errors back to layer ``l - 1`` (none for layer 1: the gradient with respect to
        the input is not needed).
    weight_gradients : int
        :math:`m \\sum_{l=1}^{L} n_l n_{l-1}`: the products :math:`\\Delta^{[l]\\top} A^{[l-1]}`.
    """

    forward: int
    backward_errors: int
    weight_gradients: int

    @property
    def backward(self) -> int:
        """The backward pass: errors and weight gradients."""
        return self.backward_errors + self.weight_gradients

    @property
    def total(self) -> int:
        """Forward and backward together."""
        return self.forward + self.backward


def count_multiply_adds(layer_sizes: Sequence[int], batch_size: int) -> MultiplyAddCount:
    r"""Count the multiply-adds of one forward and backward pass over a batch.

    Only the matrix products are counted; the element-wise work (activation functions,
    :math:`\odot g'(z)`, biases) grows like :math:`m \sum_l n_l`, one power of the width less.
    With :math:`L` layers of width :math:`n` the total is about :math:`3 L m n^2`: **linear in the
    batch size and quadratic in the width**, whether the products run in Python loops or in BLAS.

    Parameters
    ----------
    layer_sizes : sequence of int
        :math:`(n_0, n_1, \dots, n_L)`.
    batch_size : int
        :math:`m`.

    Returns
    -------
    MultiplyAddCount
    """
    sizes = as_sizes(layer_sizes, "layer_sizes", 2, "the inputs and at least one layer")
    check_positive_number(batch_size, "batch_size", integer=True)
    products = [int(n_prev) * int(n_next) for n_prev, n_next in zip(sizes[:-1], sizes[1:])]
    m = int(batch_size)
    return MultiplyAddCount(
        forward=m * sum(products),
        backward_errors=m * sum(products[1:]),
        weight_gradients=m * sum(products),
    )
