r"""Batch averaging: where the :math:`1/m` goes (chapter 5).

The cost of a batch of :math:`m` samples is the mean of the per-sample losses,

.. math::

    J = \frac1m \sum_{i=1}^m L^{(i)}, \qquad
    \frac{\partial J}{\partial L^{(i)}} = \frac1m \quad\text{for every sample } i,

so by the chain rule its gradient is the mean of the per-sample gradients,

.. math::

    \frac{\partial J}{\partial W^{[l]}} = \frac1m \sum_{i=1}^m
    \frac{\partial L^{(i)}}{\partial W^{[l]}}
    = \frac1m \sum_{i=1}^m \delta^{[l](i)} a^{[l-1](i)\top}
    = \frac1m \Delta^{[l]\top} A^{[l-1]}.

Everything inside the sum - the output error, :math:`g'(z)`, the activation :math:`a^{[l-1]}` -
belongs to one sample. The :math:`1/m` is applied exactly once, outside.

This module computes the gradient sample by sample (to compare with the vectorised
:meth:`backproplib.network.MLP.cost_and_gradients`), the *tempting wrong* gradients that average
one factor over the batch before multiplying, the gradient of a summed cost, and mini-batch
gradient descent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from ._checks import (
    OverflowInComputation,
    as_float_array,
    check_ndim,
    check_positive_number,
    diverged,
    overflow_is_an_error,
)
from .activations import get_activation
from .gradcheck import relative_error
from .losses import get_loss
from .network import MLP, Gradients, check_batch


# Per-sample gradients and their mean ---------------------------------------------------------


@dataclass(frozen=True)
class PerSampleGradients:
    r"""The loss and the gradient of every sample of a batch, kept apart.

    Attributes
    ----------
    losses : numpy.ndarray, shape (m,)
        :math:`L^{(i)}`, the loss of sample ``i`` alone.
    weights : list of numpy.ndarray
        ``weights[l - 1][i]`` is :math:`\partial L^{(i)} / \partial W^{[l]}`, so
        ``weights[l - 1]`` has shape ``(m, n_l, n_{l-1})``.
    biases : list of numpy.ndarray
        ``biases[l - 1][i]`` is :math:`\partial L^{(i)} / \partial b^{[l]}`, shape ``(m, n_l)``.
    deltas : list of numpy.ndarray
        ``deltas[l - 1][i]`` is :math:`\delta^{[l](i)} = \partial L^{(i)} / \partial z^{[l](i)}`,
        shape ``(m, n_l)``.
    """

    losses: np.ndarray
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    deltas: list[np.ndarray]


@overflow_is_an_error
def per_sample_gradients(
    network: MLP, X: np.ndarray, Y: np.ndarray, loss: str
) -> PerSampleGradients:
    r"""The gradient of each sample's loss, one sample at a time.

    Sample ``i`` is passed to :meth:`~backproplib.network.MLP.cost_and_gradients` as a batch of
    one row, where the mean over one sample is the sample itself (:math:`1/m = 1`). That gives
    :math:`L^{(i)}` and :math:`\partial L^{(i)} / \partial W^{[l]}` with no averaging at all.

    Parameters
    ----------
    network : MLP
        The network (not modified).
    X : array_like, shape (m, n_0)
        Inputs, one sample per row.
    Y : array_like, shape (m, n_L)
        Targets (shape ``(m,)`` is accepted when ``n_L = 1``).
    loss : str
        ``"squared_error"`` or ``"binary_cross_entropy"``.

    Returns
    -------
    PerSampleGradients
        One loss and one gradient per sample, stacked along a first axis of length ``m``.
    """
    _, X, Y = check_batch(network, X, Y, loss)
    runs = [network.cost_and_gradients(X[i : i + 1], Y[i : i + 1], loss) for i in range(len(X))]
    layers = range(network.num_layers)
    return PerSampleGradients(
        losses=np.array([sample_loss for sample_loss, _ in runs]),
        weights=[np.stack([grads.weights[l] for _, grads in runs]) for l in layers],
        biases=[np.stack([grads.biases[l] for _, grads in runs]) for l in layers],
        deltas=[np.stack([grads.deltas[l][0] for _, grads in runs]) for l in layers],
    )


def _reduce(per_sample: PerSampleGradients, reduce: Callable[..., np.ndarray]) -> Gradients:
    if not isinstance(per_sample, PerSampleGradients):
        raise TypeError(
            "per_sample must be the PerSampleGradients returned by per_sample_gradients, "
            f"got {type(per_sample).__name__}"
        )
    return Gradients(
        weights=[reduce(layer, axis=0) for layer in per_sample.weights],
        biases=[reduce(layer, axis=0) for layer in per_sample.biases],
        deltas=[layer.copy() for layer in per_sample.deltas],
    )


@overflow_is_an_error
def mean_gradient(per_sample: PerSampleGradients) -> Gradients:
    r"""The mean of the per-sample gradients: the gradient of the batch cost :math:`J`.

    .. math::

        \frac{\partial J}{\partial W^{[l]}}
        = \frac1m \sum_{i=1}^m \frac{\partial L^{(i)}}{\partial W^{[l]}}

    (and the same for the biases). The ``deltas`` are the per-sample ones, before the
    :math:`1/m`, as in :class:`~backproplib.network.Gradients`.
    """
    return _reduce(per_sample, np.mean)


@overflow_is_an_error
def sum_gradient(per_sample: PerSampleGradients) -> Gradients:
    r"""The sum of the per-sample gradients: the gradient of :math:`\sum_i L^{(i)} = mJ`.

    .. math::

        \frac{\partial}{\partial W^{[l]}} \sum_{i=1}^m L^{(i)}
        = \sum_{i=1}^m \frac{\partial L^{(i)}}{\partial W^{[l]}}
        = m \, \frac{\partial J}{\partial W^{[l]}}
    """
    return _reduce(per_sample, np.sum)


@dataclass(frozen=True)
class GradientComparison:
    r"""Relative errors between two gradients, layer by layer.

    Each entry is :math:`\lVert g_1 - g_2 \rVert / (\lVert g_1 \rVert + \lVert g_2 \rVert)`
    (:func:`backproplib.gradcheck.relative_error`).

    Attributes
    ----------
    weight_errors : list of float
        ``weight_errors[l - 1]`` compares the two :math:`\partial J / \partial W^{[l]}`.
    bias_errors : list of float
        ``bias_errors[l - 1]`` compares the two :math:`\partial J / \partial b^{[l]}`.
    overall : float
        The relative error of all parameters together (every array flattened and joined).
    """

    weight_errors: list[float]
    bias_errors: list[float]
    overall: float


@overflow_is_an_error
def compare_gradients(reference: Gradients, other: Gradients) -> GradientComparison:
    """Relative errors between two gradients of the same network, per layer and overall.

    Parameters
    ----------
    reference, other : Gradients
        Gradients with one weight and one bias array per layer, of matching shapes.
    """
    for value, name in ((reference, "reference"), (other, "other")):
        if not isinstance(value, Gradients):
            raise TypeError(f"{name} must be a Gradients object, got {type(value).__name__}")
    if len(reference.weights) != len(other.weights) or len(reference.biases) != len(other.biases):
        raise ValueError(
            "reference and other must have the same number of layers, got "
            f"{len(reference.weights)} and {len(other.weights)}"
        )
    arrays = reference.weights + reference.biases
    other_arrays = other.weights + other.biases
    shapes = [array.shape for array in arrays]
    other_shapes = [array.shape for array in other_arrays]
    if shapes != other_shapes:
        raise ValueError(
            f"reference and other must have the same shapes, got {shapes} and {other_shapes}"
        )
    return GradientComparison(
        weight_errors=[relative_error(a, b) for a, b in zip(reference.weights, other.weights)],
        bias_errors=[relative_error(a, b) for a, b in zip(reference.biases, other.biases)],
        overall=relative_error(np.concatenate([a.ravel() for a in arrays]),
                               np.concatenate([a.ravel() for a in other_arrays])),
    )


@overflow_is_an_error
def compare_per_sample_mean_with_vectorized(
    network: MLP, X: np.ndarray, Y: np.ndarray, loss: str
) -> GradientComparison:
    r"""The mean of per-sample gradients against :meth:`~backproplib.network.MLP.cost_and_gradients`.

    The loop computes :math:`\frac1m \sum_i \partial L^{(i)} / \partial W^{[l]}` one sample at a
    time, the vectorised method :math:`\frac1m \Delta^{[l]\top} A^{[l-1]}` in one matrix product.
    They agree to rounding error.
    """
    _, X, Y = check_batch(network, X, Y, loss)
    _, vectorised = network.cost_and_gradients(X, Y, loss)
    return compare_gradients(vectorised, mean_gradient(per_sample_gradients(network, X, Y, loss)))


# The tempting wrong methods: average one factor over the batch first, then multiply -----------

#: The per-sample factors a wrong method may average over the batch before multiplying.
FACTORS = ("errors", "g_prime", "activations")


def _batch_mean_rows(values: np.ndarray) -> np.ndarray:
    """Replace every row by the mean row (shape unchanged)."""
    return np.repeat(values.mean(axis=0, keepdims=True), values.shape[0], axis=0)


@overflow_is_an_error
def gradient_averaging_first(
    network: MLP, X: np.ndarray, Y: np.ndarray, loss: str, averaged: tuple[str, ...]
) -> Gradients:
    r"""A **wrong** batch gradient: some per-sample factors are averaged over the batch first.

    The right gradient multiplies three per-sample factors and only then averages. For an
    output-layer weight:

    .. math::

        \frac{\partial J}{\partial w_{jk}^{[L]}} = \frac1m \sum_{i=1}^m
        \underbrace{\frac{\partial L^{(i)}}{\partial a_j^{[L](i)}}}_{\text{errors}}\;
        \underbrace{g'\big(z_j^{[L](i)}\big)}_{\text{g\_prime}}\;
        \underbrace{a_k^{[L-1](i)}}_{\text{activations}}.

    This function replaces each factor named in ``averaged`` by its mean over the batch *before*
    the product, in every layer of the backward pass, and otherwise backpropagates as usual:

    - ``"errors"``: the output error :math:`\partial L^{(i)} / \partial a^{[L](i)}`
      (:math:`2(a^{[L](i)} - y^{(i)})` for the squared error);
    - ``"g_prime"``: :math:`g^{[l]\prime}(z^{[l](i)})`, in every layer;
    - ``"activations"``: the activation :math:`a^{[l-1](i)}` that multiplies
      :math:`\delta^{[l](i)}` in :math:`\partial J / \partial W^{[l]}`.

    Since :math:`\frac1m\sum_i u_i v_i = \bar u \bar v
    + \frac1m\sum_i (u_i - \bar u)(v_i - \bar v)`, averaging a factor first drops the covariance
    term. With one sample (:math:`m = 1`) the mean of a factor is the factor itself, so every
    wrong method then gives the right gradient: the mistake is invisible in a single-sample test.

    Parameters
    ----------
    network, X, Y, loss
        As in :func:`per_sample_gradients`.
    averaged : tuple of str
        Which factors to average first: any of ``"errors"``, ``"g_prime"``, ``"activations"``.

    Returns
    -------
    Gradients
        The wrong gradient, shaped like :meth:`~backproplib.network.MLP.cost_and_gradients`'s.
    """
    if isinstance(averaged, str) or not isinstance(averaged, (tuple, list)):
        raise TypeError(
            "averaged must be a tuple of factor names such as ('g_prime',), "
            f"got {type(averaged).__name__} {averaged!r}"
        )
    for factor in averaged:
        if factor not in FACTORS:
            raise ValueError(
                f"averaged names unknown factor {factor!r}; expected some of "
                + ", ".join(repr(name) for name in FACTORS)
            )
    _, X, Y = check_batch(network, X, Y, loss)
    m = X.shape[0]
    forward = network.forward(X)
    slopes = [
        get_activation(name).kernel_derivative(weighted_input)
        for name, weighted_input in zip(network.activation_names, forward.weighted_inputs)
    ]
    if "g_prime" in averaged:
        slopes = [_batch_mean_rows(slope) for slope in slopes]
    output_error = get_loss(loss).kernel_derivative(forward.output, Y)
    if "errors" in averaged:
        output_error = _batch_mean_rows(output_error)
    delta = output_error * slopes[-1]
    weights, biases, deltas = ([np.empty(0)] * network.num_layers for _ in range(3))
    for index in range(network.num_layers - 1, -1, -1):
        previous_activation = forward.activations[index]
        if "activations" in averaged:
            previous_activation = _batch_mean_rows(previous_activation)
        deltas[index] = delta
        weights[index] = (delta.T @ previous_activation) / m
        biases[index] = delta.sum(axis=0) / m
        if index > 0:
            delta = (delta @ network.weights[index]) * slopes[index - 1]
    return Gradients(weights, biases, deltas)


@overflow_is_an_error
def gradient_averaging_g_prime_first(
    network: MLP, X: np.ndarray, Y: np.ndarray, loss: str
) -> Gradients:
    r"""**Wrong**: every :math:`g'(z^{(i)})` replaced by the batch mean :math:`\overline{g'}`."""
    return gradient_averaging_first(network, X, Y, loss, ("g_prime",))


@overflow_is_an_error
def gradient_averaging_activations_first(
    network: MLP, X: np.ndarray, Y: np.ndarray, loss: str
) -> Gradients:
    r"""**Wrong**: :math:`\bar\delta^{[l]} \bar a^{[l-1]\top}`, the batch mean activation times
    the mean error, instead of the mean of :math:`\delta^{[l](i)} a^{[l-1](i)\top}` (the bias
    gradients stay right: they have no activation factor)."""
    return gradient_averaging_first(network, X, Y, loss, ("activations",))


@overflow_is_an_error
def gradient_averaging_errors_first(
    network: MLP, X: np.ndarray, Y: np.ndarray, loss: str
) -> Gradients:
    r"""**Wrong**: every output error, e.g. :math:`2(a^{(i)} - y^{(i)})`, replaced by its batch
    mean."""
    return gradient_averaging_first(network, X, Y, loss, ("errors",))


@overflow_is_an_error
def gradient_averaging_all_factors_first(
    network: MLP, X: np.ndarray, Y: np.ndarray, loss: str
) -> Gradients:
    r"""**Wrong**: the error, :math:`g'` and the activations all averaged first."""
    return gradient_averaging_first(network, X, Y, loss, FACTORS)


#: The wrong methods by a short description, for tables.
WRONG_METHODS: dict[str, Callable[[MLP, np.ndarray, np.ndarray, str], Gradients]] = {
    "average g'(z) first": gradient_averaging_g_prime_first,
    "average a first": gradient_averaging_activations_first,
    "average errors first": gradient_averaging_errors_first,
    "average all three first": gradient_averaging_all_factors_first,
}


# Sum instead of mean --------------------------------------------------------------------------


def _scaled(grads: Gradients, factor: float) -> Gradients:
    return Gradients(
        weights=[factor * array for array in grads.weights],
        biases=[factor * array for array in grads.biases],
        deltas=[array.copy() for array in grads.deltas],
    )


@overflow_is_an_error
def summed_cost_and_gradients(
    network: MLP, X: np.ndarray, Y: np.ndarray, loss: str
) -> tuple[float, Gradients]:
    r"""The summed cost :math:`S = \sum_i L^{(i)} = mJ` and its gradient, :math:`m` times ``J``'s.

    .. math::

        \frac{\partial S}{\partial W^{[l]}} = \sum_{i=1}^m
        \frac{\partial L^{(i)}}{\partial W^{[l]}}
        = \Delta^{[l]\top} A^{[l-1]} = m \frac{\partial J}{\partial W^{[l]}}.

    The step :math:`\eta\, \partial S / \partial W` is the step
    :math:`(m\eta)\, \partial J / \partial W`: with a summed cost the learning rate must be
    :math:`m` times smaller (:func:`learning_rate_for_sum`) to take the same steps. The returned
    ``deltas`` are the per-sample :math:`\delta^{[l](i)}`, as always.
    """
    _, X, Y = check_batch(network, X, Y, loss)
    cost, grads = network.cost_and_gradients(X, Y, loss)
    return X.shape[0] * cost, _scaled(grads, float(X.shape[0]))


@overflow_is_an_error
def learning_rate_for_sum(learning_rate: float, batch_size: int) -> float:
    r"""The learning rate that makes a summed cost take the same steps as the mean cost.

    .. math::

        \eta_{\text{sum}} \frac{\partial S}{\partial W} = \eta \frac{\partial J}{\partial W}
        \iff \eta_{\text{sum}} = \frac{\eta}{m}

    Parameters
    ----------
    learning_rate : float
        :math:`\eta`, used with the mean cost :math:`J`.
    batch_size : int
        :math:`m`, the number of samples summed.
    """
    check_positive_number(learning_rate, "learning_rate")
    check_positive_number(batch_size, "batch_size", integer=True)
    return float(learning_rate) / int(batch_size)


# Mini-batches and mini-batch gradient descent -------------------------------------------------


@dataclass(frozen=True)
class MiniBatch:
    """One mini-batch: which rows of the data set it holds, and copies of those rows.

    Attributes
    ----------
    indices : numpy.ndarray of int, shape (m_batch,)
        Row numbers in the full data set.
    X : numpy.ndarray, shape (m_batch, n_0)
        ``X[indices]`` (a copy).
    Y : numpy.ndarray, shape (m_batch, n_L)
        ``Y[indices]`` (a copy; a 1-D ``Y`` gives shape ``(m_batch,)``).
    """

    indices: np.ndarray
    X: np.ndarray
    Y: np.ndarray


def _check_data(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X, Y = as_float_array(X, "X"), as_float_array(Y, "Y")
    check_ndim(X, 2, "X", "Expected one row per sample")
    if Y.ndim not in (1, 2):
        raise ValueError(
            f"Y must be 1-D or 2-D with one row per sample, got a {Y.ndim}-D array of shape "
            f"{Y.shape}"
        )
    if Y.shape[0] != X.shape[0]:
        raise ValueError(
            "X and Y must have the same number of rows (samples), got "
            f"X of shape {X.shape} and Y of shape {Y.shape}"
        )
    if X.shape[0] == 0:
        raise ValueError("X must hold at least one sample (row), got 0 rows")
    return X, Y


def _check_rng(rng: object) -> None:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy.random.Generator such as np.random.default_rng(0), "
            f"got {type(rng).__name__}"
        )


def minibatches(
    X: np.ndarray,
    Y: np.ndarray,
    batch_size: int,
    rng: np.random.Generator,
    drop_last: bool = False,
) -> Iterator[MiniBatch]:
    r"""One epoch of shuffled mini-batches.

    The rows are put in a random order (``rng.permutation(m)``) and cut into consecutive batches
    of ``batch_size`` rows, so every sample appears in exactly one batch per epoch. When
    ``batch_size`` does not divide :math:`m`, the **last batch is smaller**. With a *mean* cost
    its gradient still has the usual size (its own :math:`1/m_{\text{batch}}`); with a summed cost
    it would give a shorter step. ``drop_last=True`` skips it for this epoch.

    The inputs are checked when this function is called. Call it once per epoch with the same
    ``rng``: the same seed then reproduces the same sequence of epochs.

    Parameters
    ----------
    X : array_like, shape (m, n_0)
        Inputs, one sample per row (not modified).
    Y : array_like, shape (m, n_L) or (m,)
        Targets, one row per sample (not modified).
    batch_size : int
        Rows per batch, at least 1 (at most :math:`m` when ``drop_last`` is true).
    rng : numpy.random.Generator
        Source of the shuffle, e.g. ``np.random.default_rng(0)``.
    drop_last : bool
        Skip the last batch when it is smaller than ``batch_size``.

    Yields
    ------
    MiniBatch
        The row indices and copies of the rows.
    """
    X, Y = _check_data(X, Y)
    check_positive_number(batch_size, "batch_size", integer=True)
    _check_rng(rng)
    if not isinstance(drop_last, (bool, np.bool_)):
        raise TypeError(f"drop_last must be True or False, got {type(drop_last).__name__}")
    m = X.shape[0]
    if drop_last and batch_size > m:
        raise ValueError(
            f"batch_size must be at most the number of samples ({m}) when drop_last=True, "
            f"got {batch_size}: every batch would be dropped"
        )
    order = rng.permutation(m)
    stop = m - m % batch_size if drop_last else m
    return _batches(X, Y, order, int(batch_size), stop)


def _batches(
    X: np.ndarray, Y: np.ndarray, order: np.ndarray, batch_size: int, stop: int
) -> Iterator[MiniBatch]:
    for start in range(0, stop, batch_size):
        indices = order[start : min(start + batch_size, stop)]
        yield MiniBatch(indices=indices, X=X[indices], Y=Y[indices])


@dataclass(frozen=True)
class TrainingHistory:
    r"""What :func:`train_minibatch_gradient_descent` returns.

    Attributes
    ----------
    network : MLP
        The trained network (a copy; the network passed in is not changed).
    train_costs : list of float
        The mean cost :math:`J` on the whole training set before training (entry 0) and after
        each epoch (entry ``e``), whatever the ``reduction`` used for the steps.
    validation_costs : list of float
        The same on the validation set (empty when none was given).
    steps : int
        The number of gradient-descent steps taken.
    """

    network: MLP
    train_costs: list[float]
    validation_costs: list[float]
    steps: int


@overflow_is_an_error
def train_minibatch_gradient_descent(
    network: MLP,
    X: np.ndarray,
    Y: np.ndarray,
    loss: str,
    learning_rate: float,
    epochs: int,
    batch_size: int,
    rng: np.random.Generator,
    X_validation: np.ndarray | None = None,
    Y_validation: np.ndarray | None = None,
    reduction: str = "mean",
    drop_last: bool = False,
    on_epoch: Callable[[MLP], None] | None = None,
) -> TrainingHistory:
    r"""Mini-batch gradient descent on a copy of ``network``.

    Each epoch draws shuffled mini-batches (:func:`minibatches`) and, for each batch
    :math:`B`, takes the step

    .. math::

        W^{[l]} \leftarrow W^{[l]} - \eta\, \frac{\partial}{\partial W^{[l]}}
        \Big(\frac{1}{|B|} \sum_{i \in B} L^{(i)}\Big) \quad (\texttt{reduction="mean"})

    or, with ``reduction="sum"``, the step along the gradient of :math:`\sum_{i \in B} L^{(i)}`,
    :math:`|B|` times longer for the same :math:`\eta`. ``batch_size = m`` gives full-batch
    gradient descent.

    Parameters
    ----------
    network : MLP
        Starting point (not modified: training works on a copy).
    X, Y : array_like
        Training inputs ``(m, n_0)`` and targets ``(m, n_L)``.
    loss : str
        ``"squared_error"`` or ``"binary_cross_entropy"``.
    learning_rate : float
        :math:`\eta > 0`.
    epochs : int
        Passes over the training set.
    batch_size : int
        Rows per mini-batch (the last one may be smaller; see :func:`minibatches`).
    rng : numpy.random.Generator
        Source of the shuffles.
    X_validation, Y_validation : array_like, optional
        A held-out set whose cost is recorded after each epoch (give both or neither).
    reduction : {"mean", "sum"}
        Step along the gradient of the batch's mean loss (the book's :math:`J`) or of its sum.
    drop_last : bool
        Skip a smaller last batch in each epoch.
    on_epoch : callable, optional
        Called with the network being trained before the first step and after each epoch, to
        record more than the cost (chapter 7's :func:`backproplib.training.train` records
        accuracies this way). It must not change the network.

    Returns
    -------
    TrainingHistory
        The trained copy and the cost :math:`J` per epoch.
    """
    _, X, Y = check_batch(network, X, Y, loss)
    check_positive_number(learning_rate, "learning_rate")
    check_positive_number(epochs, "epochs", integer=True)
    check_positive_number(batch_size, "batch_size", integer=True)
    _check_rng(rng)
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    if (X_validation is None) != (Y_validation is None):
        raise ValueError(
            "X_validation and Y_validation must be given together (or both left out), got "
            f"X_validation={'None' if X_validation is None else 'an array'} and "
            f"Y_validation={'None' if Y_validation is None else 'an array'}"
        )
    has_validation = X_validation is not None
    if has_validation:
        _, X_validation, Y_validation = check_batch(
            network, X_validation, Y_validation, loss, names=("X_validation", "Y_validation")
        )
    if on_epoch is not None and not callable(on_epoch):
        raise TypeError(f"on_epoch must be a function of the network, got {type(on_epoch).__name__}")
    model = network.copy()
    train_costs = [model.cost(X, Y, loss)]
    validation_costs = [model.cost(X_validation, Y_validation, loss)] if has_validation else []
    if on_epoch is not None:
        on_epoch(model)
    steps = 0
    for _ in range(int(epochs)):
        try:
            for batch in minibatches(X, Y, batch_size, rng, drop_last=drop_last):
                _, grads = model.cost_and_gradients(batch.X, batch.Y, loss)
                if reduction == "sum":
                    grads = _scaled(grads, float(batch.X.shape[0]))
                model.apply_gradients(grads, learning_rate)
                steps += 1
            train_costs.append(model.cost(X, Y, loss))
            if has_validation:
                validation_costs.append(model.cost(X_validation, Y_validation, loss))
        except OverflowInComputation as error:
            raise diverged(steps + 1, learning_rate, error) from None
        if on_epoch is not None:
            on_epoch(model)
    return TrainingHistory(model, train_costs, validation_costs, steps)
