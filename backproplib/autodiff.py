"""Automatic differentiation in both directions, small enough to read next to chapter 8.

A computation is recorded as a graph of :class:`Tensor` nodes. Each node holds its ``value``
(computed in the forward pass), its ``parents`` (the nodes it was computed from) and a
``backward_rule`` closure: given the node's **adjoint** :math:`\\bar v = \\partial C / \\partial v`, it
returns one contribution per parent. For :math:`v = \\phi(u, w)`:

.. math:: \\bar u \\mathrel{+}= \\bar v \\, \\frac{\\partial \\phi}{\\partial u}, \\qquad
          \\bar w \\mathrel{+}= \\bar v \\, \\frac{\\partial \\phi}{\\partial w}.

:meth:`Tensor.backward` seeds the output with :math:`\\bar C = 1` and visits the nodes from the
output back to the inputs (reverse topological order), **adding** every contribution to the
parent's ``grad``: a node used by several others receives one contribution from each. This is
**reverse mode**; backpropagation is reverse mode applied to a network's cost.

**Forward mode** pushes a **tangent** :math:`\\dot u = \\partial u / \\partial t` (the change of
every value along one input direction :math:`t`) forward with the values:
:math:`\\dot v = \\frac{\\partial \\phi}{\\partial u} \\dot u + \\frac{\\partial \\phi}{\\partial w}
\\dot w`. Every operation below states both rules; :func:`jvp` runs a function in forward mode.

Values are stored as float64 copies, so nothing the caller passes is ever modified.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from ._checks import as_float_array, as_sizes, check_rows_sum_to_one, overflow_is_an_error
from .activations import _sigmoid, _softmax
from .network import MLP, Gradients, check_batch


class Tensor:
    """A node of the computation graph.

    Attributes
    ----------
    value : numpy.ndarray
        The value computed in the forward pass (a float64 copy of what was given).
    parents : tuple of Tensor
        The nodes this one was computed from (empty for an input).
    backward_rule : callable or None
        Maps this node's adjoint :math:`\\bar v` to one contribution :math:`\\bar v\\,\\partial
        \\phi/\\partial u` per parent ``u``; ``None`` for an input.
    grad : numpy.ndarray or None
        The adjoint :math:`\\partial C / \\partial v` after :meth:`backward`.
    tangent : numpy.ndarray or None
        Forward mode: :math:`\\dot v`, set when some input was given a tangent (:func:`jvp`).
    op : str
        The operation that made the node (``"input"`` for an input).
    """

    __array_ufunc__ = None  # so that ``ndarray @ Tensor`` calls Tensor.__rmatmul__, and so on

    def __init__(self, value: object, name: str = "value") -> None:
        self.value: np.ndarray = np.array(as_float_array(value, name), dtype=np.float64)
        self.parents: tuple[Tensor, ...] = ()
        self.backward_rule: Callable[[np.ndarray], tuple[np.ndarray, ...]] | None = None
        self.grad: np.ndarray | None = None
        self.tangent: np.ndarray | None = None
        self.op = "input"

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of ``value``."""
        return self.value.shape

    def __repr__(self) -> str:
        return f"Tensor(shape={self.shape}, op={self.op!r})"

    def backward(self, adjoint: object = None) -> None:
        """Reverse mode: fill ``grad`` of every node this one depends on.

        Sets :math:`\\bar C = 1` for a scalar output (or ``adjoint`` for any output, which computes
        the vector-Jacobian product :math:`\\bar C^\\top J`), then for each node ``v``, from the
        output back, adds :math:`\\bar v\\,\\partial\\phi/\\partial u` to each parent's ``grad``.
        Every ``grad`` is reset first, so calling it twice gives the same result.
        """
        if adjoint is None:
            if self.value.size != 1:
                raise ValueError(
                    "backward() without an adjoint needs a scalar output (one number, like "
                    f"the cost J), got shape {self.shape}; pass adjoint=... of that shape")
            seed = np.ones_like(self.value)
        else:
            seed = as_float_array(adjoint, "adjoint").astype(np.float64)
            if seed.shape != self.shape:
                raise ValueError(f"adjoint must have the output's shape {self.shape}, "
                                 f"got shape {seed.shape}")
        order = topological_order(self)
        for node in order:
            node.grad = np.zeros_like(node.value)
        self.grad = seed.copy()
        for node in reversed(order):  # the output first, the inputs last
            if node.backward_rule is None:
                continue
            for parent, contribution in zip(node.parents, node.backward_rule(node.grad)):
                parent.grad = parent.grad + contribution  # accumulate: parents may be shared

    # operators, so that formulas read as formulas
    def __add__(self, other: object) -> Tensor: return add(self, other)
    def __radd__(self, other: object) -> Tensor: return add(other, self)
    def __sub__(self, other: object) -> Tensor: return subtract(self, other)
    def __rsub__(self, other: object) -> Tensor: return subtract(other, self)
    def __mul__(self, other: object) -> Tensor: return multiply(self, other)
    def __rmul__(self, other: object) -> Tensor: return multiply(other, self)
    def __matmul__(self, other: object) -> Tensor: return matmul(self, other)
    def __rmatmul__(self, other: object) -> Tensor: return matmul(other, self)
    def __neg__(self) -> Tensor: return multiply(-1.0, self)
    def __pow__(self, exponent: float) -> Tensor: return power(self, exponent)
    def __truediv__(self, other: object) -> Tensor: return multiply(self, power(other, -1.0))

    @property
    def T(self) -> Tensor:  # noqa: N802 - numpy's name
        """The transpose, :func:`transpose`."""
        return transpose(self)


def topological_order(output: Tensor) -> list[Tensor]:
    """Every node ``output`` depends on, each after all of its parents (``output`` last)."""
    if not isinstance(output, Tensor):
        raise TypeError(
            "output must be a Tensor (a node of the graph, built with backproplib.autodiff "
            f"operations), got {type(output).__name__}"
        )
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(output, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif id(node) not in visited:
            visited.add(id(node))
            stack.append((node, True))
            stack.extend((parent, False) for parent in node.parents if id(parent) not in visited)
    return order


def _tensor(value: object, name: str) -> Tensor:
    return value if isinstance(value, Tensor) else Tensor(value, name)


def _node(value: np.ndarray, parents: tuple[Tensor, ...], op: str,
          backward_rule: Callable[[np.ndarray], tuple[np.ndarray, ...]],
          tangent_rule: Callable[..., np.ndarray]) -> Tensor:
    """A new node; its tangent is pushed forward when some parent carries one."""
    node = Tensor.__new__(Tensor)
    node.value, node.parents, node.backward_rule, node.op = value, parents, backward_rule, op
    node.grad = None
    node.tangent = None
    if any(parent.tangent is not None for parent in parents):
        node.tangent = tangent_rule(*(parent.tangent if parent.tangent is not None
                                      else np.zeros_like(parent.value) for parent in parents))
    return node


def _unbroadcast(adjoint: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum an adjoint over the axes numpy broadcast, so it gets back the operand's ``shape``.

    A bias ``b`` of shape ``(n,)`` added to every row of ``Z`` (shape ``(m, n)``) is used ``m``
    times, so :math:`\\bar b = \\sum_i \\bar Z_{i,:}`.
    """
    while adjoint.ndim > len(shape):
        adjoint = adjoint.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and adjoint.shape[axis] != 1:
            adjoint = adjoint.sum(axis=axis, keepdims=True)
    return adjoint


def _broadcast_pair(u: object, w: object, op: str) -> tuple[Tensor, Tensor]:
    u, w = _tensor(u, "u"), _tensor(w, "w")
    try:
        np.broadcast_shapes(u.shape, w.shape)
    except ValueError:
        raise ValueError(f"{op}: u of shape {u.shape} and w of shape {w.shape} cannot be "
                         "broadcast together") from None
    return u, w


def add(u: object, w: object) -> Tensor:
    """:math:`v = u + w` (numpy broadcasting). :math:`\\bar u = \\bar v`, :math:`\\bar w =
    \\bar v`, each summed over the axes along which its operand was broadcast (a bias added to
    every row gets the sum of the rows' adjoints); :math:`\\dot v = \\dot u + \\dot w`."""
    u, w = _broadcast_pair(u, w, "add")
    return _node(u.value + w.value, (u, w), "add",
                 lambda g: (_unbroadcast(g, u.shape), _unbroadcast(g, w.shape)),
                 lambda du, dw: du + dw)


def subtract(u: object, w: object) -> Tensor:
    """:math:`v = u - w`. :math:`\\bar u = \\bar v`, :math:`\\bar w = -\\bar v` (summed over
    broadcast axes); :math:`\\dot v = \\dot u - \\dot w`."""
    u, w = _broadcast_pair(u, w, "subtract")
    return _node(u.value - w.value, (u, w), "subtract",
                 lambda g: (_unbroadcast(g, u.shape), _unbroadcast(-g, w.shape)),
                 lambda du, dw: du - dw)


def multiply(u: object, w: object) -> Tensor:
    """:math:`v = u \\odot w` (entry by entry). :math:`\\bar u = \\bar v \\odot w`,
    :math:`\\bar w = \\bar v \\odot u` - each factor's adjoint holds the **other** factor;
    :math:`\\dot v = \\dot u \\odot w + u \\odot \\dot w`."""
    u, w = _broadcast_pair(u, w, "multiply")
    return _node(u.value * w.value, (u, w), "multiply",
                 lambda g: (_unbroadcast(g * w.value, u.shape), _unbroadcast(g * u.value, w.shape)),
                 lambda du, dw: du * w.value + u.value * dw)


def matmul(u: object, w: object) -> Tensor:
    """:math:`V = U W` (1-D operands as in numpy). :math:`\\bar U = \\bar V W^\\top`,
    :math:`\\bar W = U^\\top \\bar V = \\sum_i u_i^\\top \\bar v_i` (a sum of outer products, one
    per row :math:`i`); :math:`\\dot V = \\dot U W + U \\dot W`. For one sample, :math:`z = W a`:
    :math:`\\bar W = \\bar z\\, a^\\top` and :math:`\\bar a = W^\\top \\bar z`."""
    u, w = _tensor(u, "u"), _tensor(w, "w")
    if u.value.ndim not in (1, 2) or w.value.ndim not in (1, 2):
        raise ValueError(f"matmul needs 1-D or 2-D operands, got u of shape {u.shape} and w of "
                         f"shape {w.shape}")
    if u.shape[-1] != w.shape[0]:
        raise ValueError(f"matmul: u of shape {u.shape} has {u.shape[-1]} columns but w of shape "
                         f"{w.shape} has {w.shape[0]} rows; they must be equal")
    u2 = u.value.reshape(1, -1) if u.value.ndim == 1 else u.value  # as matrices (p, q), (q, r)
    w2 = w.value.reshape(-1, 1) if w.value.ndim == 1 else w.value

    def backward(g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        g2 = g.reshape(u2.shape[0], w2.shape[1])
        return (g2 @ w2.T).reshape(u.shape), (u2.T @ g2).reshape(w.shape)

    return _node(u.value @ w.value, (u, w), "matmul", backward,
                 lambda du, dw: du @ w.value + u.value @ dw)


def transpose(u: object) -> Tensor:
    """:math:`V = U^\\top`. :math:`\\bar U = \\bar V^\\top`; :math:`\\dot V = \\dot U^\\top`."""
    u = _tensor(u, "u")
    return _node(u.value.T.copy(), (u,), "transpose", lambda g: (g.T,), lambda du: du.T)


def _check_axis(u: Tensor, axis: int | None) -> None:
    if axis is not None and (isinstance(axis, bool) or not isinstance(axis, int)
                             or not -u.value.ndim <= axis < u.value.ndim):
        raise ValueError(f"axis must be None or an axis of the shape {u.shape}, got {axis!r}")


def sum(u: object, axis: int | None = None) -> Tensor:  # noqa: A001 - numpy's name
    """:math:`v = \\sum_i u_i` (over ``axis``, or everything). Each :math:`u_i` feeds :math:`v`
    with slope 1, so :math:`\\bar u_i = \\bar v` (copied back along ``axis``); :math:`\\dot v =
    \\sum_i \\dot u_i`."""
    u = _tensor(u, "u")
    _check_axis(u, axis)

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        g = g if axis is None else np.expand_dims(g, axis)
        return (np.broadcast_to(g, u.shape).copy(),)

    return _node(np.sum(u.value, axis=axis), (u,), "sum", backward,
                 lambda du: np.sum(du, axis=axis))


def mean(u: object, axis: int | None = None) -> Tensor:
    """:math:`v = \\frac1n \\sum_i u_i` over ``n`` entries. :math:`\\bar u_i = \\bar v / n` - the
    :math:`1/m` of a batch cost; :math:`\\dot v = \\frac1n \\sum_i \\dot u_i`."""
    u = _tensor(u, "u")
    _check_axis(u, axis)
    count = u.value.size if axis is None else u.shape[axis]

    def backward(g: np.ndarray) -> tuple[np.ndarray]:
        g = g if axis is None else np.expand_dims(g, axis)
        return (np.broadcast_to(g / count, u.shape).copy(),)

    return _node(np.mean(u.value, axis=axis), (u,), "mean", backward,
                 lambda du: np.mean(du, axis=axis))


def power(u: object, exponent: float) -> Tensor:
    """:math:`v = u^p` for a constant :math:`p`. :math:`\\bar u = \\bar v\\, p\\, u^{p-1}`;
    :math:`\\dot v = p\\, u^{p-1} \\dot u`."""
    u = _tensor(u, "u")
    if isinstance(exponent, bool) or not isinstance(exponent, (int, float, np.integer, np.floating)):
        raise TypeError(f"exponent must be a number, got {type(exponent).__name__} {exponent!r}")
    if not np.isfinite(exponent):
        raise ValueError(f"exponent must be a finite number, got {exponent!r}")
    if exponent < 1 and np.any(u.value == 0):
        raise ValueError(f"power: u must be non-zero for the exponent {exponent}")
    if exponent != int(exponent) and np.any(u.value < 0):
        raise ValueError(f"power: u must be positive for the fractional exponent {exponent}")
    slope = exponent * u.value ** (exponent - 1)
    return _node(u.value ** exponent, (u,), "power", lambda g: (g * slope,),
                 lambda du: slope * du)


def _elementwise(u: object, op: str, value: np.ndarray, slope: np.ndarray) -> Tensor:
    """An entry-by-entry function with derivative ``slope``: :math:`\\bar u = \\bar v \\odot
    \\phi'(u)` and :math:`\\dot v = \\phi'(u) \\odot \\dot u`."""
    return _node(value, (u,), op, lambda g: (g * slope,), lambda du: slope * du)


def sigmoid(u: object) -> Tensor:
    """:math:`a = \\sigma(z)`; :math:`\\bar z = \\bar a\\, \\sigma'(z) = \\bar a\\, a (1 - a)`."""
    u = _tensor(u, "z")
    a = _sigmoid(u.value)
    return _elementwise(u, "sigmoid", a, a * (1.0 - a))


def tanh(u: object) -> Tensor:
    """:math:`a = \\tanh z`; :math:`\\bar z = \\bar a\\, (1 - a^2)`."""
    u = _tensor(u, "z")
    a = np.tanh(u.value)
    return _elementwise(u, "tanh", a, 1.0 - a * a)


def relu(u: object) -> Tensor:
    """:math:`a = \\max(0, z)`; :math:`\\bar z = \\bar a` where :math:`z > 0`, else 0."""
    u = _tensor(u, "z")
    return _elementwise(u, "relu", np.maximum(u.value, 0.0), (u.value > 0).astype(np.float64))


def identity(u: object) -> Tensor:
    """:math:`a = z`, the node itself (a linear layer adds nothing to the graph)."""
    return _tensor(u, "z")


def softplus(u: object) -> Tensor:
    """:math:`v = \\ln(1 + e^u)`, without overflow; :math:`\\bar u = \\bar v\\, \\sigma(u)`."""
    u = _tensor(u, "u")
    return _elementwise(u, "softplus", np.logaddexp(0.0, u.value), _sigmoid(u.value))


def softmax(u: object) -> Tensor:
    """:math:`a = \\operatorname{softmax}(z)` over the last axis. Its Jacobian is
    :math:`\\operatorname{diag}(a) - a a^\\top`, so :math:`\\bar z = a \\odot (\\bar a - (\\bar a
    \\cdot a))` per row; :math:`\\dot a = a \\odot (\\dot z - (a \\cdot \\dot z))`."""
    u = _tensor(u, "z")
    if u.value.ndim == 0:
        raise ValueError("softmax needs a vector or one row per sample, got a 0-D scalar")
    a = _softmax(u.value)

    def rule(g: np.ndarray) -> np.ndarray:  # the Jacobian is symmetric: one rule, both modes
        return a * (g - np.sum(g * a, axis=-1, keepdims=True))

    return _node(a, (u,), "softmax", lambda g: (rule(g),), rule)


def log_softmax(u: object) -> Tensor:
    """:math:`v = z - \\ln \\sum_k e^{z_k}` over the last axis. :math:`\\bar z = \\bar v -
    a\\, \\sum_k \\bar v_k` with :math:`a = \\operatorname{softmax}(z)`; :math:`\\dot v = \\dot z -
    (a \\cdot \\dot z)`."""
    u = _tensor(u, "z")
    if u.value.ndim == 0:
        raise ValueError("log_softmax needs a vector or one row per sample, got a 0-D scalar")
    a = _softmax(u.value)
    shifted = u.value - np.max(u.value, axis=-1, keepdims=True)
    value = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
    return _node(value, (u,), "log_softmax",
                 lambda g: (g - a * np.sum(g, axis=-1, keepdims=True),),
                 lambda du: du - np.sum(a * du, axis=-1, keepdims=True))


def _loss_pair(prediction: object, y: object, name: str) -> tuple[Tensor, Tensor]:
    prediction, y = _tensor(prediction, name), _tensor(y, "y")
    if prediction.shape != y.shape or prediction.value.ndim not in (1, 2):
        raise ValueError(f"{name} and y must have the same shape, (n_L,) or (m, n_L), got {name} "
                         f"of shape {prediction.shape} and y of shape {y.shape}")
    return prediction, y


def _check_probabilities(y: Tensor, loss: str) -> None:
    if np.any((y.value < 0) | (y.value > 1)):
        raise ValueError(f"y must lie in [0, 1] for {loss}, got values from {y.value.min()} to "
                         f"{y.value.max()}")


def squared_error(a: object, y: object) -> Tensor:
    """The cost :math:`J = \\frac1m \\sum_i \\sum_j (a_j^{(i)} - y_j^{(i)})^2`, built from
    subtract, power, sum and mean, so its gradient :math:`\\frac2m (a - y)` comes out of their
    rules."""
    a, y = _loss_pair(a, y, "a")
    return mean(sum((a - y) ** 2, axis=-1))


def binary_cross_entropy_from_z(z: object, y: object) -> Tensor:
    """:math:`J = \\frac1m \\sum_i \\sum_j [\\ln(1 + e^{z_j}) - y_j z_j]` (sigmoid output, stable);
    its rules give :math:`\\bar z = \\frac1m (\\sigma(z) - y)`."""
    z, y = _loss_pair(z, y, "z")
    _check_probabilities(y, "binary cross-entropy")
    return mean(sum(softplus(z) - y * z, axis=-1))


def cross_entropy_from_z(z: object, y: object) -> Tensor:
    """:math:`J = -\\frac1m \\sum_i \\sum_j y_j \\ln \\operatorname{softmax}(z)_j` (softmax output);
    its rules give :math:`\\bar z = \\frac1m (a - y)`. Each row of ``y`` must sum to 1 (one-hot
    targets, as for :class:`~backproplib.network.MLP`): otherwise the gradient is not
    :math:`\\frac1m (a - y)`."""
    z, y = _loss_pair(z, y, "z")
    _check_probabilities(y, "cross-entropy")
    check_rows_sum_to_one(y.value, "y", "cross-entropy")  # else the gradient is not (a - y)/m
    return -mean(sum(y * log_softmax(z), axis=-1))


def _check_function_inputs(function: object, inputs: object) -> list[Tensor]:
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}")
    if not isinstance(inputs, (list, tuple)) or len(inputs) == 0:
        raise TypeError(f"inputs must be a non-empty list of arrays, got {type(inputs).__name__}")
    return [Tensor(value, f"inputs[{index}]") for index, value in enumerate(inputs)]


def _call(function: Callable[..., Tensor], nodes: list[Tensor]) -> Tensor:
    output = function(*nodes)
    if not isinstance(output, Tensor):
        raise TypeError("function must return a Tensor built with backproplib.autodiff "
                        f"operations, got {type(output).__name__}")
    return output


def jvp(function: Callable[..., Tensor], inputs: Sequence[object],
        tangents: Sequence[object]) -> tuple[np.ndarray, np.ndarray]:
    """Forward mode: the value of ``function(*inputs)`` and the Jacobian-vector product
    :math:`\\dot v = J \\dot x`, by pushing the ``tangents`` :math:`\\dot x` forward with the values.

    One call gives one directional derivative; the full gradient of a scalar of :math:`n` inputs
    needs :math:`n` calls, one per unit tangent.
    """
    nodes = _check_function_inputs(function, inputs)
    if not isinstance(tangents, (list, tuple)) or len(tangents) != len(nodes):
        got = (f"{len(tangents)} of them" if isinstance(tangents, (list, tuple))
               else type(tangents).__name__)
        raise ValueError(f"tangents must be a list with one array per input ({len(nodes)}), "
                         f"got {got}")
    for index, (node, tangent) in enumerate(zip(nodes, tangents)):
        node.tangent = np.array(as_float_array(tangent, f"tangents[{index}]"), dtype=np.float64)
        if node.tangent.shape != node.shape:
            raise ValueError(f"tangents[{index}] must have the shape of inputs[{index}], "
                             f"{node.shape}, got shape {node.tangent.shape}")
    output = _call(function, nodes)
    tangent = output.tangent if output.tangent is not None else np.zeros_like(output.value)
    return output.value.copy(), tangent.copy()


def value_and_gradients(function: Callable[..., Tensor],
                        inputs: Sequence[object]) -> tuple[float, list[np.ndarray]]:
    """Reverse mode: the scalar ``function(*inputs)`` and its gradient with respect to every
    input, all from one backward pass."""
    nodes = _check_function_inputs(function, inputs)
    output = _call(function, nodes)
    output.backward()
    return float(output.value), [node.grad.copy() for node in nodes]


_ACTIVATIONS: dict[str, Callable[[object], Tensor]] = {
    "sigmoid": sigmoid, "tanh": tanh, "relu": relu, "identity": identity, "softmax": softmax}


def mlp_cost_and_gradients(network: MLP, X: object, Y: object,
                           loss: str) -> tuple[float, Gradients]:
    """:meth:`MLP.cost_and_gradients <backproplib.network.MLP.cost_and_gradients>` by the engine.

    Records :math:`Z^{[l]} = A^{[l-1]} W^{[l]\\top} + b^{[l]}`, :math:`A^{[l]} = g^{[l]}(Z^{[l]})`
    and the cost as a graph, then runs one backward pass. ``deltas[l - 1]`` is
    :math:`m\\,\\bar Z^{[l]}` (the adjoint of :math:`Z^{[l]}` carries the :math:`1/m` of the mean).
    """
    network, X, Y = check_batch(network, X, Y, loss)  # with the network's own messages
    X, Y = X.astype(np.float64, copy=False), Y.astype(np.float64, copy=False)
    weights = [Tensor(W, f"weights[{index}]") for index, W in enumerate(network.weights)]
    biases = [Tensor(b, f"biases[{index}]") for index, b in enumerate(network.biases)]
    A = Tensor(X, "X")
    weighted_inputs = []
    for W, b, name in zip(weights, biases, network.activation_names):
        Z = A @ W.T + b
        weighted_inputs.append(Z)
        A = _ACTIVATIONS[name](Z)
    if loss == "binary_cross_entropy":
        cost = binary_cross_entropy_from_z(weighted_inputs[-1], Y)
    elif loss == "cross_entropy":
        cost = cross_entropy_from_z(weighted_inputs[-1], Y)
    else:
        cost = squared_error(A, Y)
    cost.backward()
    return float(cost.value), Gradients([W.grad for W in weights], [b.grad for b in biases],
                                        [X.shape[0] * Z.grad for Z in weighted_inputs])


def chain_multiplications(sizes: Sequence[int], mode: str) -> int:
    """Scalar multiplications to multiply a chain of Jacobians :math:`J_1 J_2 \\cdots J_k`.

    :math:`J_i` has shape ``(sizes[i - 1], sizes[i])``; a ``(p, q)`` times ``(q, r)`` product costs
    :math:`pqr`. ``mode="reverse"`` multiplies left to right, starting from :math:`J_1 =
    \\partial C / \\partial a` (a row when ``sizes[0] == 1``); ``mode="forward"`` multiplies right to
    left, starting from the Jacobian of the first step, :math:`J_k`.
    """
    if mode not in ("forward", "reverse"):
        raise ValueError(f"mode must be 'forward' or 'reverse', got {mode!r}")
    sizes = as_sizes(sizes, "sizes", 2, "at least two sizes (one Jacobian)")
    shapes = [(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)]
    count = 0
    if mode == "reverse":
        rows, _ = shapes[0]
        for inner, columns in shapes[1:]:  # (rows, inner) @ (inner, columns)
            count += rows * inner * columns
    else:
        _, columns = shapes[-1]
        for rows, inner in reversed(shapes[:-1]):  # (rows, inner) @ (inner, columns)
            count += rows * inner * columns
    return int(count)


# Every operation raises an error naming its input when a number overflows, instead of a numpy
# warning and an inf (backproplib._checks.overflow_is_an_error). Applied here rather than as a
# decorator on each definition, so that the code chapter 8 prints reads as the rules alone.
Tensor.backward = overflow_is_an_error(Tensor.backward)  # type: ignore[method-assign]
_OPERATIONS = (
    "add", "subtract", "multiply", "matmul", "transpose", "sum", "mean", "power",
    "sigmoid", "tanh", "relu", "identity", "softplus", "softmax", "log_softmax",
    "squared_error", "binary_cross_entropy_from_z", "cross_entropy_from_z", "jvp",
    "value_and_gradients", "mlp_cost_and_gradients",
)
for _name in _OPERATIONS:
    globals()[_name] = overflow_is_an_error(globals()[_name])

del _name
