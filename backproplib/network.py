"""A multi-layer perceptron, its forward pass and backpropagation, for a batch of samples.

Notation (the book's): layer ``l = 1..L`` computes the weighted input and the activation

.. math:: z^{[l]} = W^{[l]} a^{[l-1]} + b^{[l]}, \\qquad a^{[l]} = g^{[l]}(z^{[l]}),

with ``a^{[0]} = x``. ``W^{[l]}`` has shape ``(n_l, n_{l-1})``: entry ``w_jk`` connects node ``k`` of
layer ``l-1`` to node ``j`` of layer ``l``. In code the samples of a batch are the *rows* of ``X``
(shape ``(m, n_0)``), so the same equation reads ``Z = A_prev @ W.T + b``.

Python lists start at 0: ``weights[0]`` is :math:`W^{[1]}`, ``weights[l - 1]`` is :math:`W^{[l]}`.

Backpropagation, for the error :math:`\\delta^{[l](i)} = \\partial L^{(i)} / \\partial z^{[l](i)}`
of each sample ``i`` (one row of ``deltas[l - 1]``). With an **element-wise** output activation
(sigmoid, tanh, relu, identity) the output error is a Hadamard product,

.. math::

    \\delta^{[L]} = \\frac{\\partial L}{\\partial a^{[L]}} \\odot g^{[L]\\prime}(z^{[L]})
    \\qquad \\text{(element-wise } g^{[L]} \\text{ only)};

a **softmax** output has no element-wise derivative: every :math:`a_j` depends on every
:math:`z_k`, so the output error multiplies by its Jacobian,
:math:`\\delta^{[L]} = (\\operatorname{diag}(a) - a a^\\top)\\, \\partial L / \\partial a^{[L]}`, which
for cross-entropy with one-hot targets is :math:`a - y` (chapter 7 shows the element-wise form
giving a wrong gradient there). Every hidden layer is element-wise:

.. math::

    \\delta^{[l]} = \\big(W^{[l+1]\\top} \\delta^{[l+1]}\\big) \\odot g^{[l]\\prime}(z^{[l]}),
    \\qquad l < L,

and the gradients of the batch cost :math:`J = \\frac1m \\sum_i L^{(i)}` average over samples:

.. math::

    \\frac{\\partial J}{\\partial W^{[l]}} = \\frac1m \\sum_i \\delta^{[l](i)} a^{[l-1](i)\\top}
    = \\frac1m \\Delta^{[l]\\top} A^{[l-1]}, \\qquad
    \\frac{\\partial J}{\\partial b^{[l]}} = \\frac1m \\sum_i \\delta^{[l](i)}.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ._checks import (
    as_float_array,
    as_sizes,
    check_ndim,
    check_positive_number,
    check_rows_sum_to_one,
    overflow_is_an_error,
)
from .activations import Activation, _softmax, get_activation, softmax
from .losses import _binary_cross_entropy_from_z, _cross_entropy_from_z, get_loss


def _no_elementwise_derivative(z: np.ndarray) -> np.ndarray:
    raise ValueError("softmax has no element-wise derivative g'(z); its Jacobian is diag(a) - a a^T")


#: Softmax may be the output activation; the backward pass multiplies by its Jacobian.
SOFTMAX = Activation("softmax", softmax, _no_elementwise_derivative, _softmax,
                     _no_elementwise_derivative)


def _layer_activation(name: str, index: int, is_output: bool) -> Activation:
    if is_output and name == "softmax":
        return SOFTMAX
    try:
        return get_activation(name)
    except (TypeError, ValueError) as error:
        raise type(error)(f"activations[{index}]: {error}") from None


@dataclass(frozen=True)
class ForwardPass:
    """Everything the forward pass computed, kept for the backward pass.

    Attributes
    ----------
    weighted_inputs : list of numpy.ndarray
        ``weighted_inputs[l - 1]`` is :math:`Z^{[l]}`, shape ``(m, n_l)``, for ``l = 1..L``.
    activations : list of numpy.ndarray
        ``activations[l]`` is :math:`A^{[l]}`, shape ``(m, n_l)``, for ``l = 0..L``;
        ``activations[0]`` is the input ``X`` itself.
    """

    weighted_inputs: list[np.ndarray]
    activations: list[np.ndarray]

    @property
    def output(self) -> np.ndarray:
        """The output activation :math:`A^{[L]}`, shape ``(m, n_L)``."""
        return self.activations[-1]


@dataclass(frozen=True)
class Gradients:
    """Gradients of the batch cost with respect to every parameter.

    Attributes
    ----------
    weights : list of numpy.ndarray
        ``weights[l - 1]`` is :math:`\\partial J / \\partial W^{[l]}`, shape ``(n_l, n_{l-1})``.
    biases : list of numpy.ndarray
        ``biases[l - 1]`` is :math:`\\partial J / \\partial b^{[l]}`, shape ``(n_l,)``.
    deltas : list of numpy.ndarray
        ``deltas[l - 1]`` holds one row per sample: row ``i`` is
        :math:`\\delta^{[l](i)} = \\partial L^{(i)} / \\partial z^{[l](i)}`, the error of that
        sample alone, *before* the :math:`1/m` of the mean is applied.
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    deltas: list[np.ndarray]


def _as_parameter_list(value: object, name: str) -> list[np.ndarray]:
    if isinstance(value, np.ndarray) or not isinstance(value, (list, tuple)):
        raise TypeError(
            f"{name} must be a list with one array per layer, got {type(value).__name__}"
        )
    return [as_float_array(item, f"{name}[{index}]") for index, item in enumerate(value)]


def _check_layer(index: int, weight: np.ndarray, bias: np.ndarray,
                 previous: np.ndarray | None) -> None:
    """Check ``W^[l]`` (``weights[index]``) against its bias and the layer before it.

    The bias says how many nodes the layer has, the previous weight how many the layer before
    has (for the first layer nothing does, so a transposed ``W^[1]`` is found by its bias).
    """
    name, layer = f"weights[{index}]", index + 1
    check_ndim(weight, 2, name, f"W^[{layer}] has shape (n_{layer}, n_{layer - 1})")
    if 0 in weight.shape:
        raise ValueError(
            f"{name} must have at least one row and one column (every layer needs at least one "
            f"node), got shape {weight.shape}"
        )
    if bias.ndim == 1 and bias.shape[0] != weight.shape[0] and bias.shape[0] == weight.shape[1]:
        raise ValueError(
            f"{name} has shape {weight.shape}, but biases[{index}] has {bias.shape[0]} entries, "
            f"so layer {layer} has {bias.shape[0]} nodes and W^[{layer}] needs {bias.shape[0]} "
            f"rows (one per node). {name} looks transposed: W^[l] has one row per node of layer l "
            f"and one column per node of layer l-1; pass its transpose, shape {weight.T.shape}."
        )
    if bias.shape != (weight.shape[0],):
        hint = " Use a 1-D bias vector." if bias.size == weight.shape[0] else ""
        raise ValueError(
            f"biases[{index}] must have shape ({weight.shape[0]},) (one entry per node of layer "
            f"{layer}), got shape {bias.shape}.{hint}"
        )
    if previous is not None and weight.shape[1] != previous.shape[0]:
        n_prev = previous.shape[0]
        hint = (
            " It looks transposed: W^[l] has one row per node of layer l and one column "
            "per node of layer l-1; pass its transpose."
            if weight.shape[0] == n_prev
            else ""
        )
        raise ValueError(
            f"{name} must have {n_prev} columns (one per node of the layer before, which has "
            f"{n_prev} nodes), got shape {weight.shape}.{hint}"
        )


class MLP:
    """A fully connected feed-forward network.

    Parameters
    ----------
    weights : list of array_like
        ``weights[l - 1]`` is :math:`W^{[l]}` of shape ``(n_l, n_{l-1})``. The arrays are copied:
        later changes to the caller's arrays do not affect the network, and the network never
        changes the caller's arrays.
    biases : list of array_like
        ``biases[l - 1]`` is :math:`b^{[l]}` of shape ``(n_l,)``.
    activations : list of str
        ``activations[l - 1]`` names :math:`g^{[l]}`: ``"sigmoid"``, ``"tanh"``, ``"relu"`` or
        ``"identity"``; the last layer may also be ``"softmax"`` (for multi-class outputs).

    Raises
    ------
    TypeError, ValueError
        If the lists differ in length, a shape does not chain with its neighbours (a transposed
        ``W`` is named as such), a value is not finite or an activation name is unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from backproplib.network import MLP
    >>> net = MLP([np.ones((2, 3)), np.ones((1, 2))], [np.zeros(2), np.zeros(1)],
    ...           ["relu", "identity"])
    >>> net.layer_sizes
    (3, 2, 1)
    >>> net.predict(np.array([[1.0, 2.0, 3.0]]))
    array([[12.]])
    """

    def __init__(
        self,
        weights: Sequence[np.ndarray],
        biases: Sequence[np.ndarray],
        activations: Sequence[str],
    ) -> None:
        weight_list = _as_parameter_list(weights, "weights")
        bias_list = _as_parameter_list(biases, "biases")
        if isinstance(activations, str) or not isinstance(activations, (list, tuple)):
            raise TypeError(
                "activations must be a list with one name per layer, "
                f"got {type(activations).__name__} {activations!r}"
            )
        if len(weight_list) == 0:
            raise ValueError("weights must hold at least one layer, got an empty list")
        if not (len(weight_list) == len(bias_list) == len(activations)):
            raise ValueError(
                "weights, biases and activations must have one entry per layer, got "
                f"{len(weight_list)} weights, {len(bias_list)} biases and "
                f"{len(activations)} activations"
            )
        for index, (weight, bias) in enumerate(zip(weight_list, bias_list)):
            _check_layer(index, weight, bias, weight_list[index - 1] if index else None)
        self._activations: list[Activation] = [
            _layer_activation(name, index, index == len(activations) - 1)
            for index, name in enumerate(activations)
        ]
        self.weights: list[np.ndarray] = [weight.copy() for weight in weight_list]
        self.biases: list[np.ndarray] = [bias.copy() for bias in bias_list]

    @classmethod
    def random(
        cls,
        layer_sizes: Sequence[int],
        activations: Sequence[str],
        rng: np.random.Generator,
        weight_scale: float | None = None,
    ) -> "MLP":
        """A network with random parameters.

        Weights are drawn from a normal distribution with standard deviation
        ``weight_scale`` (default :math:`1/\\sqrt{n_{l-1}}`), biases with standard deviation 0.1.

        Parameters
        ----------
        layer_sizes : sequence of int
            ``(n_0, n_1, ..., n_L)``: inputs, then the nodes of each layer.
        activations : sequence of str
            One name per layer (``len(layer_sizes) - 1`` names).
        rng : numpy.random.Generator
            Source of randomness, e.g. ``np.random.default_rng(0)``.
        weight_scale : float, optional
            Standard deviation of every weight.
        """
        if not isinstance(rng, np.random.Generator):
            raise TypeError(
                "rng must be a numpy.random.Generator such as np.random.default_rng(0), "
                f"got {type(rng).__name__}"
            )
        sizes = as_sizes(layer_sizes, "layer_sizes", 2, "the inputs and at least one layer")
        if weight_scale is not None:
            check_positive_number(weight_scale, "weight_scale")
        weights = [
            rng.normal(0.0, weight_scale or 1.0 / np.sqrt(n_prev), size=(n_next, n_prev))
            for n_prev, n_next in zip(sizes[:-1], sizes[1:])
        ]
        biases = [rng.normal(0.0, 0.1, size=n_next) for n_next in sizes[1:]]
        return cls(weights, biases, list(activations))

    @property
    def activation_names(self) -> list[str]:
        """The activation function of each layer, by name."""
        return [activation.name for activation in self._activations]

    @property
    def layer_sizes(self) -> tuple[int, ...]:
        """``(n_0, n_1, ..., n_L)``."""
        return (self.weights[0].shape[1], *(weight.shape[0] for weight in self.weights))

    @property
    def num_layers(self) -> int:
        """``L``, the number of layers with weights."""
        return len(self.weights)

    def __repr__(self) -> str:
        return f"MLP(layer_sizes={self.layer_sizes}, activations={self.activation_names})"

    def _check_inputs(self, X: np.ndarray, name: str = "X") -> np.ndarray:
        X = as_float_array(X, name)
        n_inputs = self.layer_sizes[0]
        if X.ndim == 1 and X.shape[0] == n_inputs:
            raise ValueError(
                f"{name} must be 2-D with one row per sample, shape (m, {n_inputs}), got a 1-D "
                f"array of shape {X.shape}. For a single sample pass {name}.reshape(1, -1)."
            )
        check_ndim(X, 2, name, f"Expected shape (m, {n_inputs}): one row per sample")
        if X.shape[1] != n_inputs:
            hint = (
                f" It looks transposed: samples must be rows; pass {name}.T."
                if X.shape[0] == n_inputs
                else ""
            )
            raise ValueError(
                f"{name} must have {n_inputs} columns (one per input of the network), "
                f"got shape {X.shape}.{hint}"
            )
        if X.shape[0] == 0:
            raise ValueError(f"{name} must hold at least one sample (row), got 0 rows")
        return X

    def _check_targets(
        self, Y: np.ndarray, m: int, names: tuple[str, str] = ("X", "Y")
    ) -> np.ndarray:
        name = names[1]
        Y = as_float_array(Y, name)
        n_outputs = self.layer_sizes[-1]
        if Y.ndim == 1 and n_outputs == 1 and Y.shape[0] == m:
            return Y.reshape(m, 1)
        if Y.shape != (m, n_outputs):
            hint = f" It looks transposed: samples must be rows; pass {name}.T." if Y.shape == (
                n_outputs,
                m,
            ) else ""
            raise ValueError(
                f"{name} must have shape ({m}, {n_outputs}): one row per row of {names[0]} and one "
                f"column per output node, got shape {Y.shape}.{hint}"
            )
        return Y

    def _forward(self, X: np.ndarray) -> ForwardPass:
        weighted_inputs: list[np.ndarray] = []
        activations: list[np.ndarray] = [X]
        for weight, bias, activation in zip(self.weights, self.biases, self._activations):
            weighted_input = activations[-1] @ weight.T  # a new array: safe to add to in place
            weighted_input += bias
            weighted_inputs.append(weighted_input)
            activations.append(activation.kernel(weighted_input))
        return ForwardPass(weighted_inputs, activations)

    @overflow_is_an_error
    def forward(self, X: np.ndarray) -> ForwardPass:
        """Run the forward pass and keep every weighted input and activation.

        Parameters
        ----------
        X : array_like, shape (m, n_0)
            One sample per row.

        Returns
        -------
        ForwardPass
            :math:`Z^{[l]} = A^{[l-1]} W^{[l]\\top} + b^{[l]}` and :math:`A^{[l]} = g^{[l]}(Z^{[l]})`
            for every layer.
        """
        return self._forward(self._check_inputs(X))

    @overflow_is_an_error
    def predict(self, X: np.ndarray) -> np.ndarray:
        """The output activation :math:`A^{[L]}`, shape ``(m, n_L)``, for inputs ``X`` of shape ``(m, n_0)``."""
        return self.forward(X).output

    def _check_loss(self, loss: str, Y: np.ndarray, name: str = "Y") -> None:
        get_loss(loss)
        output_name = self._activations[-1].name
        needs = {"binary_cross_entropy": "sigmoid", "cross_entropy": "softmax"}
        if loss in needs:
            if output_name != needs[loss]:
                raise ValueError(
                    f"loss {loss!r} needs a {needs[loss]} output layer (its outputs are "
                    f"probabilities), but the last activation is {output_name!r}"
                )
            if ((Y < 0) | (Y > 1)).any():
                readable = {"binary_cross_entropy": "binary cross-entropy",
                            "cross_entropy": "cross-entropy"}[loss]
                raise ValueError(
                    f"{name} must lie in [0, 1] for {readable}, got values from {Y.min()} to "
                    f"{Y.max()}"
                )
        if loss == "cross_entropy":
            check_rows_sum_to_one(Y, name, "cross_entropy")

    def _cost(self, forward_pass: ForwardPass, Y: np.ndarray, loss: str) -> float:
        if loss == "binary_cross_entropy":
            per_sample = _binary_cross_entropy_from_z(forward_pass.weighted_inputs[-1], Y)
        elif loss == "cross_entropy":
            per_sample = _cross_entropy_from_z(forward_pass.weighted_inputs[-1], Y)
        else:
            per_sample = get_loss(loss).kernel(forward_pass.output, Y)
        return float(np.mean(per_sample))

    @overflow_is_an_error
    def cost(self, X: np.ndarray, Y: np.ndarray, loss: str) -> float:
        """The batch cost :math:`J = \\frac1m \\sum_i L^{(i)}`.

        Parameters
        ----------
        X : array_like, shape (m, n_0)
            Inputs, one sample per row.
        Y : array_like, shape (m, n_L)
            Targets (shape ``(m,)`` is accepted when ``n_L = 1``).
        loss : str
            ``"squared_error"`` (:math:`\\sum_j (a_j - y_j)^2` per sample) or
            ``"binary_cross_entropy"`` (needs a sigmoid output layer).
        """
        _, X, Y = check_batch(self, X, Y, loss)
        return self._cost(self._forward(X), Y, loss)

    @overflow_is_an_error
    def backward(self, forward_pass: ForwardPass, Y: np.ndarray, loss: str) -> Gradients:
        """Backpropagate from a forward pass (see the module docstring for the equations).

        ``forward_pass`` is what :meth:`forward` returned for ``X``; ``Y`` has one row per row of
        ``X``. For binary cross-entropy with a sigmoid output the output error is computed directly
        as :math:`\\delta^{[L]} = a^{[L]} - y`, which is the product
        :math:`\\frac{a - y}{a(1-a)} \\cdot a(1-a)` without the rounding of the division; the
        same holds for categorical cross-entropy with a softmax output. For a softmax output with
        another loss, :math:`\\delta^{[L]} = (\\operatorname{diag}(a) - a a^\\top)\\,
        \\partial L / \\partial a` for each sample.
        """
        if not isinstance(forward_pass, ForwardPass):
            raise TypeError(
                "forward_pass must be the ForwardPass that MLP.forward(X) returned, got "
                f"{type(forward_pass).__name__}"
            )
        if [A.shape[1] for A in forward_pass.activations] != list(self.layer_sizes):
            raise ValueError(
                f"forward_pass must come from this network (layer sizes {self.layer_sizes}), got "
                f"activations of shapes {[A.shape for A in forward_pass.activations]}"
            )
        Y = self._check_targets(Y, forward_pass.activations[0].shape[0])
        self._check_loss(loss, Y)
        return self._backward(forward_pass, Y, loss)

    def _backward(self, forward_pass: ForwardPass, Y: np.ndarray, loss: str) -> Gradients:
        """Backpropagation on checked ``Y`` and ``loss``."""
        X = forward_pass.activations[0]
        m = X.shape[0]
        output = forward_pass.output
        if loss in ("binary_cross_entropy", "cross_entropy"):
            delta = output - Y
        elif self._activations[-1] is SOFTMAX:
            # the Jacobian diag(a) - a a^T applied to each row's dL/da
            loss_derivative = get_loss(loss).kernel_derivative(output, Y)
            delta = output * (
                loss_derivative - np.sum(loss_derivative * output, axis=1, keepdims=True)
            )
        else:
            delta = get_loss(loss).kernel_derivative(output, Y)  # dL/da^[L], a new array
            output_activation = self._activations[-1]
            if output_activation.multiply_by_slope is not None:
                output_activation.multiply_by_slope(delta, output)
            else:
                delta = delta * output_activation.kernel_derivative(forward_pass.weighted_inputs[-1])
        weight_gradients: list[np.ndarray] = [np.empty(0)] * self.num_layers
        bias_gradients: list[np.ndarray] = [np.empty(0)] * self.num_layers
        deltas: list[np.ndarray] = [np.empty(0)] * self.num_layers
        one_over_m = 1.0 / m
        for index in range(self.num_layers - 1, -1, -1):
            deltas[index] = delta
            weight_gradient = delta.T @ forward_pass.activations[index]
            weight_gradient *= one_over_m  # the 1/m of the mean, applied once per parameter
            weight_gradients[index] = weight_gradient
            bias_gradient = delta.sum(axis=0)
            bias_gradient *= one_over_m
            bias_gradients[index] = bias_gradient
            if index > 0:
                previous = self._activations[index - 1]
                upstream = delta @ self.weights[index]  # dL/da^[l-1], a new array
                if previous.multiply_by_slope is not None:
                    previous.multiply_by_slope(upstream, forward_pass.activations[index])
                else:
                    upstream *= previous.kernel_derivative(forward_pass.weighted_inputs[index - 1])
                delta = upstream
        return Gradients(weight_gradients, bias_gradients, deltas)

    @overflow_is_an_error
    def cost_and_gradients(self, X: np.ndarray, Y: np.ndarray, loss: str) -> tuple[float, Gradients]:
        """The batch cost and its gradient with respect to every weight and bias.

        Parameters
        ----------
        X : array_like, shape (m, n_0)
            Inputs, one sample per row.
        Y : array_like, shape (m, n_L)
            Targets (shape ``(m,)`` is accepted when ``n_L = 1``).
        loss : str
            ``"squared_error"``, ``"binary_cross_entropy"`` (sigmoid output) or
            ``"cross_entropy"`` (softmax output, one-hot ``Y``).

        Returns
        -------
        cost : float
            :math:`J = \\frac1m \\sum_{i=1}^m L^{(i)}`, the mean loss over the rows of ``X``.
        grads : Gradients
            ``grads.weights[l - 1]`` and ``grads.biases[l - 1]`` have the shapes of
            :math:`W^{[l]}` and :math:`b^{[l]}`.
        """
        _, X, Y = check_batch(self, X, Y, loss)
        forward_pass = self._forward(X)
        # a subclass may override backward (appendix C's buggy networks do): use it then; MLP's
        # own backward would only check Y and loss again
        overridden = type(self).backward is not MLP.backward
        backward = self.backward if overridden else self._backward
        return self._cost(forward_pass, Y, loss), backward(forward_pass, Y, loss)

    @overflow_is_an_error
    def apply_gradients(self, grads: Gradients, learning_rate: float) -> None:
        """One step of gradient descent on the network's own parameters.

        :math:`W^{[l]} \\leftarrow W^{[l]} - \\eta\\, \\partial J / \\partial W^{[l]}` and the same
        for :math:`b^{[l]}`, with :math:`\\eta` = ``learning_rate``. The network's arrays (its own
        copies) are updated in place; ``grads`` is not changed.
        """
        check_positive_number(learning_rate, "learning_rate")
        if not isinstance(grads, Gradients):
            raise TypeError(f"grads must be a Gradients object, got {type(grads).__name__}")
        if len(grads.weights) != self.num_layers or len(grads.biases) != self.num_layers:
            raise ValueError(
                f"grads must have one entry per layer ({self.num_layers}), got "
                f"{len(grads.weights)} weight and {len(grads.biases)} bias gradients"
            )
        steps = []
        for index, (weight, bias) in enumerate(zip(self.weights, self.biases)):
            for kind, parameter in (("weights", weight), ("biases", bias)):
                gradient = as_float_array(getattr(grads, kind)[index], f"grads.{kind}[{index}]")
                if gradient.shape != parameter.shape:
                    raise ValueError(
                        f"grads.{kind}[{index}] must have the shape of the network's {kind}[{index}]"
                        f", {parameter.shape}, got shape {gradient.shape}"
                    )
                steps.append((parameter, gradient))
        for parameter, gradient in steps:  # all checked first: a bad gradient changes nothing
            parameter -= learning_rate * gradient

    def copy(self) -> "MLP":
        """An independent copy of the network."""
        return MLP(self.weights, self.biases, self.activation_names)


def check_network(network: object) -> MLP:
    """Return ``network`` if it is an :class:`MLP`; raise ``TypeError`` naming what it is otherwise."""
    if not isinstance(network, MLP):
        raise TypeError(f"network must be a backproplib.network.MLP, got {type(network).__name__}")
    return network


def check_batch(
    network: object, X: np.ndarray, Y: np.ndarray, loss: str, names: tuple[str, str] = ("X", "Y")
) -> tuple[MLP, np.ndarray, np.ndarray]:
    """Check a network, a batch and a loss together, with the network's own messages.

    Returns the network, ``X`` as a floating array of shape ``(m, n_0)`` and ``Y`` as one of shape
    ``(m, n_L)`` (a ``Y`` of shape ``(m,)`` is accepted when ``n_L = 1``). Nothing is copied or
    modified. Every function that takes ``(network, X, Y, loss)`` checks them here; ``names`` are
    what the messages call ``X`` and ``Y`` (for example ``("X_validation", "Y_validation")``).
    """
    network = check_network(network)
    X = network._check_inputs(X, names[0])
    Y = network._check_targets(Y, X.shape[0], names)
    network._check_loss(loss, Y, names[1])
    return network, X, Y
