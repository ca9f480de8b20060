r"""Training a network end to end (chapter 7): targets, accuracy and mini-batch gradient descent.

A classifier with :math:`n_L` classes has one output node per class. Its targets are **one-hot**
rows: the target of a sample of class :math:`c` is the row :math:`y` with :math:`y_c = 1` and zeros
elsewhere (:func:`one_hot`). Its prediction is the class of the largest output,
:math:`\hat c = \arg\max_j a_j^{[L]}`, and its accuracy the fraction of samples with
:math:`\hat c = c` (:func:`accuracy`).

:func:`train` runs mini-batch gradient descent: every epoch shuffles the training set with a seeded
generator, cuts it into mini-batches, and for every
mini-batch :math:`B` takes the step

.. math:: W^{[l]} \leftarrow W^{[l]} - \eta\, \frac{\partial J_B}{\partial W^{[l]}}, \qquad
          J_B = \frac{1}{|B|} \sum_{i \in B} L^{(i)},

and the same for the biases. It is chapter 5's loop,
:func:`backproplib.batch.train_minibatch_gradient_descent`, which also records the accuracy on
the training set and, if one is given, on a validation set after every epoch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import as_float_array, check_ndim, check_positive_number, overflow_is_an_error
from .batch import train_minibatch_gradient_descent
from .network import MLP


#: The most entries :func:`one_hot` builds (800 MB of float64): a larger array means wrong labels.
MAX_ENTRIES = 10**8


def one_hot(labels: np.ndarray, n_classes: int | None = None) -> np.ndarray:
    """One-hot target rows for class labels ``0, 1, ..., n_classes - 1``.

    Row :math:`i` of the result is zero except for a 1 in column ``labels[i]``: the target of a
    softmax output that puts all probability on the right class.

    Parameters
    ----------
    labels : array_like of int, shape (m,)
        Class numbers counting from 0 (whole numbers; ``3.0`` is accepted, ``2.5`` is not).
        Not modified.
    n_classes : int, optional
        The number of classes, i.e. of columns; default ``max(labels) + 1``. Give it when a class
        may be missing from ``labels`` (a small batch, a test set).

    Returns
    -------
    numpy.ndarray of float, shape (m, n_classes)

    Raises
    ------
    TypeError, ValueError
        If ``labels`` is not a 1-D array of whole numbers from 0 to ``n_classes - 1``.

    Examples
    --------
    >>> from backproplib.training import one_hot
    >>> one_hot([2, 0, 1])
    array([[0., 0., 1.],
           [1., 0., 0.],
           [0., 1., 0.]])
    """
    values = as_float_array(labels, "labels")
    if values.ndim == 2 and values.shape[1] > 1:
        raise ValueError(
            f"labels must be 1-D class numbers such as [2, 0, 1], got a 2-D array of shape "
            f"{values.shape}: it looks one-hot encoded already"
        )
    check_ndim(values, 1, "labels", "Expected one class number per sample")
    if values.shape[0] == 0:
        raise ValueError("labels must hold at least one class number, got an empty array")
    not_whole = values != np.round(values)
    if not_whole.any():
        position = int(np.argmax(not_whole))
        raise ValueError(
            f"labels must be whole numbers (class indices), but labels[{position}] = "
            f"{values[position]}"
        )
    if values.min() < 0:
        position = int(np.argmin(values))
        raise ValueError(
            f"labels must count classes from 0, but labels[{position}] = {values[position]:g}"
        )
    position = int(np.argmax(values))
    if n_classes is None:
        n_classes = int(values[position]) + 1
    else:
        check_positive_number(n_classes, "n_classes", integer=True)
        if values[position] >= n_classes:
            raise ValueError(
                f"labels must be smaller than n_classes = {n_classes} (classes 0 to "
                f"{n_classes - 1}), but labels[{position}] = {values[position]:g}"
            )
    if values.shape[0] * n_classes > MAX_ENTRIES:
        raise ValueError(
            f"one_hot would build an array of {values.shape[0]} rows and {n_classes} columns, more "
            f"than {MAX_ENTRIES:.0e} entries: labels[{position}] = {values[position]:g} (or "
            "n_classes) looks wrong; labels must be class numbers 0, 1, ..., n_classes - 1"
        )
    classes = values.astype(np.int64)
    targets = np.zeros((classes.shape[0], int(n_classes)))
    targets[np.arange(classes.shape[0]), classes] = 1.0
    return targets


def _check_outputs(outputs: np.ndarray) -> np.ndarray:
    outputs = as_float_array(outputs, "outputs")
    check_ndim(outputs, 2, "outputs", "Expected shape (m, n_L): one row of outputs per sample")
    if outputs.shape[0] == 0:
        raise ValueError("outputs must hold at least one sample (row), got 0 rows")
    return outputs


def predicted_classes(outputs: np.ndarray) -> np.ndarray:
    r"""The predicted class of each sample: :math:`\arg\max_j a_j^{[L]}`, or :math:`[a \ge 0.5]`.

    With several output nodes the prediction is the node with the largest output (the first one
    in a tie). With a single sigmoid output it is class 1 when :math:`a \ge 0.5`, else class 0.

    Parameters
    ----------
    outputs : array_like, shape (m, n_L)
        The network's output activations, one row per sample.

    Returns
    -------
    numpy.ndarray of int, shape (m,)
    """
    outputs = _check_outputs(outputs)
    if outputs.shape[1] == 1:
        return (outputs[:, 0] >= 0.5).astype(np.int64)
    return np.argmax(outputs, axis=1)


@overflow_is_an_error
def accuracy(outputs: np.ndarray, targets: np.ndarray) -> float:
    """The fraction of samples whose predicted class is the true class.

    Parameters
    ----------
    outputs : array_like, shape (m, n_L)
        The network's output activations, one row per sample (see :func:`predicted_classes`).
    targets : array_like, shape (m,) or (m, n_L)
        The true classes, as class numbers or as one-hot rows (or 0/1 targets of a single
        sigmoid output).

    Returns
    -------
    float
        Between 0 and 1.
    """
    outputs = _check_outputs(outputs)
    targets = as_float_array(targets, "targets")
    m, n_outputs = outputs.shape
    if targets.ndim == 2 and targets.shape == (m, n_outputs):
        true_classes = predicted_classes(targets)
    elif targets.ndim == 1 and targets.shape[0] == m:
        true_classes = targets
    else:
        raise ValueError(
            f"targets must have shape ({m},) (class numbers) or ({m}, {n_outputs}) (one row per "
            f"row of outputs), got shape {targets.shape}"
        )
    return float(np.mean(predicted_classes(outputs) == true_classes))


@dataclass(frozen=True)
class TrainingCurves:
    """What :func:`train` records: the trained network and one value per epoch of each curve.

    Entry 0 of every list is measured **before** the first step, entry ``e`` after epoch ``e``,
    so each list has ``epochs + 1`` entries (the validation lists are empty without a validation
    set).

    Attributes
    ----------
    network : MLP
        The trained network (a copy: the network passed to :func:`train` is not changed).
    train_losses : list of float
        The cost :math:`J` (mean loss) on the whole training set.
    validation_losses : list of float
        The cost :math:`J` on the validation set.
    train_accuracies : list of float
        The accuracy on the training set.
    validation_accuracies : list of float
        The accuracy on the validation set.
    steps : int
        The number of gradient-descent steps taken (mini-batches over all epochs).
    """

    network: MLP
    train_losses: list[float]
    validation_losses: list[float]
    train_accuracies: list[float]
    validation_accuracies: list[float]
    steps: int

    @property
    def epochs(self) -> int:
        """The number of epochs trained."""
        return len(self.train_losses) - 1


@overflow_is_an_error
def train(
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
) -> TrainingCurves:
    r"""Mini-batch gradient descent on a copy of ``network``, recording loss and accuracy curves.

    For each epoch: shuffle the rows of ``X`` and ``Y`` with ``rng``, cut them into mini-batches of
    ``batch_size`` rows (the last may be smaller), and for each mini-batch :math:`B` compute
    :math:`J_B = \frac{1}{|B|}\sum_{i\in B} L^{(i)}` and its gradient by backpropagation
    (:meth:`~backproplib.network.MLP.cost_and_gradients`) and step
    :math:`\theta \leftarrow \theta - \eta\, \partial J_B / \partial \theta`. The same ``rng``
    state gives the same shuffles, so the same seed gives the same curves, number for number.

    Parameters
    ----------
    network : MLP
        The starting point; not modified.
    X : array_like, shape (m, n_0)
        Training inputs, one sample per row; not modified.
    Y : array_like, shape (m, n_L)
        Training targets (one-hot rows for a softmax classifier); not modified.
    loss : str
        ``"squared_error"``, ``"binary_cross_entropy"`` or ``"cross_entropy"``.
    learning_rate : float
        :math:`\eta > 0`.
    epochs : int
        Passes over the training set.
    batch_size : int
        Rows per mini-batch; ``batch_size >= m`` gives full-batch gradient descent.
    rng : numpy.random.Generator
        Source of the shuffles, e.g. ``np.random.default_rng(0)``.
    X_validation, Y_validation : array_like, optional
        A held-out set, measured after every epoch but never used for a step (both or neither).

    Returns
    -------
    TrainingCurves
        The trained copy and the loss and accuracy curves.
    """
    accuracies: dict[str, list[float]] = {"train": [], "validation": []}

    def record_accuracies(model: MLP) -> None:
        accuracies["train"].append(accuracy(model.predict(X), Y))
        if X_validation is not None:
            accuracies["validation"].append(accuracy(model.predict(X_validation), Y_validation))

    history = train_minibatch_gradient_descent(
        network, X, Y, loss, learning_rate, epochs, batch_size, rng,
        X_validation=X_validation, Y_validation=Y_validation, on_epoch=record_accuracies,
    )
    return TrainingCurves(
        network=history.network,
        train_losses=history.train_costs,
        validation_losses=history.validation_costs,
        train_accuracies=accuracies["train"],
        validation_accuracies=accuracies["validation"],
        steps=history.steps,
    )
