"""Logistic regression: one sigmoid neuron trained with binary cross-entropy (chapter 2).

For one example :math:`x` (a vector of :math:`n` features) the neuron computes

.. math:: z = w \\cdot x + b, \\qquad a = \\sigma(z) = P(y = 1 \\mid x),

and predicts class 1 when :math:`a \\ge 1/2` (that is, when :math:`z \\ge 0`). Its loss is the
binary cross-entropy :math:`L = -[y \\ln a + (1 - y) \\ln(1 - a)]`, whose derivative with respect
to the weighted input collapses to :math:`\\partial L / \\partial z = a - y`.

In code the :math:`m` examples are the rows of ``X`` (shape ``(m, n)``), so ``z = X @ w + b`` has
shape ``(m,)``. The cost minimised by :class:`LogisticRegression` is

.. math:: J(w, b) = \\frac1m \\sum_{i=1}^m L^{(i)} + \\frac{\\lambda}{2} \\lVert w \\rVert^2,

with :math:`\\lambda` = ``l2`` (0 by default: no penalty). The bias is not penalised. Its
gradients are

.. math:: \\frac{\\partial J}{\\partial w} = \\frac1m X^\\top (a - y) + \\lambda w, \\qquad
          \\frac{\\partial J}{\\partial b} = \\frac1m \\sum_{i=1}^m (a^{(i)} - y^{(i)}).

**The same objective in scikit-learn.** ``sklearn.linear_model.LogisticRegression`` with an L2
penalty minimises :math:`C \\sum_i L^{(i)} + \\frac12 \\lVert w \\rVert^2` (bias not penalised
either). Dividing it by :math:`C m` gives :math:`J` with :math:`\\lambda = 1/(C m)`, so both have
the same minimiser when :math:`C = 1/(\\lambda m)`; ``l2 = 0`` corresponds to ``C=numpy.inf``
(:func:`sklearn_C` computes it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import (
    as_float_array,
    check_ndim,
    check_positive_number,
    check_shape,
    diverged,
    overflow_is_an_error,
)
from .activations import _sigmoid
from .losses import _binary_cross_entropy_from_z


# --------------------------------------------------------------------------------------------
# input checks
# --------------------------------------------------------------------------------------------


def _check_features(X: Any, name: str = "X") -> np.ndarray:
    array = as_float_array(X, name)
    check_ndim(array, 2, name, hint="It needs one row per example and one column per feature; "
               "for a single example x use x.reshape(1, -1)")
    if array.shape[0] == 0:
        raise ValueError(f"{name} must hold at least one example (row), got shape {array.shape}")
    if array.shape[1] == 0:
        raise ValueError(f"{name} must hold at least one feature (column), got shape {array.shape}")
    return array.astype(np.float64, copy=False)


def _check_labels(y: Any, m: int, name: str = "y") -> np.ndarray:
    labels = as_float_array(y, name)
    check_ndim(labels, 1, name, hint="Give one label per example, a vector of 0s and 1s")
    if labels.shape[0] != m:
        raise ValueError(
            f"{name} must hold one label per row of X: expected {m} labels, got {labels.shape[0]}"
        )
    outside = (labels != 0) & (labels != 1)
    if outside.any():
        position = int(np.argmax(outside))
        raise ValueError(
            f"{name} must hold only the labels 0 and 1, but {name}[{position}] = "
            f"{labels[position]:g}; map your two classes to 0 and 1 first"
        )
    return labels.astype(np.float64, copy=False)


def _check_weights(w: Any, n: int) -> np.ndarray:
    weights = as_float_array(w, "w")
    check_ndim(weights, 1, "w", hint="It holds one weight per feature")
    check_shape(weights, (n,), "w", hint="It needs one weight per column of X")
    return weights.astype(np.float64, copy=False)


def _check_bias(b: Any) -> float:
    bias = as_float_array(b, "b")
    if bias.size != 1 or bias.ndim > 1:
        raise ValueError(f"b must be a single number, got an array of shape {bias.shape}")
    return float(bias.reshape(()))


def _check_l2(l2: Any) -> float:
    if isinstance(l2, bool) or not isinstance(l2, (int, float, np.integer, np.floating)):
        raise TypeError(f"l2 must be a non-negative number, got {type(l2).__name__} {l2!r}")
    if not np.isfinite(l2) or l2 < 0:
        raise ValueError(f"l2 must be a non-negative finite number (0 for no penalty), got {l2!r}")
    return float(l2)


# --------------------------------------------------------------------------------------------
# the cost and its gradients
# --------------------------------------------------------------------------------------------


@overflow_is_an_error
def _cost_and_gradients(
    w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, l2: float
) -> tuple[float, np.ndarray, float]:
    z = X @ w + b
    a = _sigmoid(z)
    m = X.shape[0]
    losses = _binary_cross_entropy_from_z(z[:, np.newaxis], y[:, np.newaxis])
    cost = float(np.mean(losses) + 0.5 * l2 * (w @ w))
    delta = a - y  # dL/dz of each example
    return cost, X.T @ delta / m + l2 * w, float(np.mean(delta))


@overflow_is_an_error
def cost_and_gradients(
    w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, l2: float = 0.0
) -> tuple[float, np.ndarray, float]:
    r"""The cost :math:`J` of logistic regression on a batch and its gradients.

    .. math::

        J = \frac1m \sum_{i=1}^m L^{(i)} + \frac{\lambda}{2} \lVert w \rVert^2, \qquad
        \frac{\partial J}{\partial w} = \frac1m X^\top (a - y) + \lambda w, \qquad
        \frac{\partial J}{\partial b} = \frac1m \sum_{i=1}^m (a^{(i)} - y^{(i)}),

    with :math:`a = \sigma(X w + b)` and the per-example loss
    :math:`L^{(i)} = -[y^{(i)} \ln a^{(i)} + (1 - y^{(i)}) \ln(1 - a^{(i)})]`, evaluated from
    :math:`z` as :math:`\ln(1 + e^{z}) - y z` so it stays finite for any :math:`z`.

    Parameters
    ----------
    w : array_like, shape (n,)
        Weights, one per feature.
    b : float
        Bias.
    X : array_like, shape (m, n)
        One example per row.
    y : array_like, shape (m,)
        Labels, each 0 or 1.
    l2 : float, default 0
        Strength :math:`\lambda \ge 0` of the L2 penalty on ``w`` (the bias is not penalised).

    Returns
    -------
    cost : float
        :math:`J`.
    dJ_dw : numpy.ndarray, shape (n,)
        :math:`\partial J / \partial w`.
    dJ_db : float
        :math:`\partial J / \partial b`.
    """
    X = _check_features(X)
    y = _check_labels(y, X.shape[0])
    w = _check_weights(w, X.shape[1])
    return _cost_and_gradients(w, _check_bias(b), X, y, _check_l2(l2))


@overflow_is_an_error
def per_example_gradients(
    w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    r"""The gradient of each example's own loss :math:`L^{(i)}`, one row per example.

    The batch is the one-example graph copied :math:`m` times with the same :math:`w` and
    :math:`b`. Copy :math:`i` contributes

    .. math:: \frac{\partial L^{(i)}}{\partial w} = (a^{(i)} - y^{(i)})\, x^{(i)}, \qquad
              \frac{\partial L^{(i)}}{\partial b} = a^{(i)} - y^{(i)},

    and the gradient of the unpenalised cost is their mean: ``weight_gradients.mean(axis=0)``
    equals :math:`X^\top (a - y) / m`. (The penalty :math:`\frac{\lambda}{2}\lVert w\rVert^2`
    belongs to no single example, so it is not included here.)

    Parameters
    ----------
    w : array_like, shape (n,)
    b : float
    X : array_like, shape (m, n)
    y : array_like, shape (m,)
        As in :func:`cost_and_gradients`.

    Returns
    -------
    weight_gradients : numpy.ndarray, shape (m, n)
        Row ``i`` is :math:`\partial L^{(i)} / \partial w`.
    bias_gradients : numpy.ndarray, shape (m,)
        Entry ``i`` is :math:`\partial L^{(i)} / \partial b`.
    """
    X = _check_features(X)
    y = _check_labels(y, X.shape[0])
    w = _check_weights(w, X.shape[1])
    delta = _sigmoid(X @ w + _check_bias(b)) - y
    return delta[:, np.newaxis] * X, delta


def sklearn_C(l2: float, m: int) -> float:
    r"""scikit-learn's ``C`` that gives the same minimiser as the penalty ``l2`` on ``m`` examples.

    scikit-learn minimises :math:`C \sum_i L^{(i)} + \frac12 \lVert w \rVert^2`; this module
    minimises :math:`\frac1m \sum_i L^{(i)} + \frac{\lambda}{2} \lVert w \rVert^2`. The first is
    :math:`C m` times the second when :math:`\lambda = 1/(C m)`, hence

    .. math:: C = \frac{1}{\lambda m},

    and ``numpy.inf`` (no penalty) for :math:`\lambda = 0`.

    Parameters
    ----------
    l2 : float
        :math:`\lambda \ge 0`.
    m : int
        Number of training examples.
    """
    l2 = _check_l2(l2)
    check_positive_number(m, "m", integer=True)
    return float(np.inf) if l2 == 0.0 else 1.0 / (l2 * m)


# --------------------------------------------------------------------------------------------
# the model
# --------------------------------------------------------------------------------------------


class LogisticRegression:
    r"""Logistic regression trained by plain full-batch gradient descent.

    Starting from :math:`w = 0, b = 0`, each of the ``n_steps`` steps computes the gradient of
    :math:`J = \frac1m \sum_i L^{(i)} + \frac{\lambda}{2} \lVert w \rVert^2` on the whole training
    set (:func:`cost_and_gradients`) and moves against it:

    .. math:: w \leftarrow w - \eta \frac{\partial J}{\partial w}, \qquad
              b \leftarrow b - \eta \frac{\partial J}{\partial b}.

    Parameters
    ----------
    learning_rate : float, default 0.1
        The step size :math:`\eta > 0`.
    n_steps : int, default 1000
        Number of gradient-descent steps.
    l2 : float, default 0
        Strength :math:`\lambda \ge 0` of the L2 penalty on ``w``; the bias is not penalised.
        scikit-learn's ``LogisticRegression(C=1 / (l2 * m))`` minimises the same objective
        (see :func:`sklearn_C`).

    Attributes
    ----------
    w : numpy.ndarray of shape (n,), or None before fit
        Learned weights.
    b : float or None before fit
        Learned bias.
    loss_history : numpy.ndarray of shape (n_steps + 1,), or None before fit
        ``loss_history[t]`` is the cost :math:`J` after ``t`` steps (entry 0: at the start,
        :math:`\ln 2` when ``w = 0, b = 0``).
    """

    def __init__(self, learning_rate: float = 0.1, n_steps: int = 1000, l2: float = 0.0) -> None:
        self.learning_rate = learning_rate
        self.n_steps = n_steps
        self.l2 = l2
        self._check_settings()
        self.w: np.ndarray | None = None
        self.b: float | None = None
        self.loss_history: np.ndarray | None = None

    def __repr__(self) -> str:
        return (f"LogisticRegression(learning_rate={self.learning_rate!r}, "
                f"n_steps={self.n_steps!r}, l2={self.l2!r})")

    def _check_settings(self) -> None:
        check_positive_number(self.learning_rate, "learning_rate")
        check_positive_number(self.n_steps, "n_steps", integer=True)
        _check_l2(self.l2)

    @overflow_is_an_error
    def fit(self, X: np.ndarray, y: np.ndarray) -> "LogisticRegression":
        """Run ``n_steps`` steps of gradient descent from ``w = 0, b = 0`` on ``(X, y)``.

        Parameters
        ----------
        X : array_like, shape (m, n)
            Training examples, one per row. Standardise the features first: gradient descent with
            one learning rate for every weight is slow when features have very different scales.
        y : array_like, shape (m,)
            Labels, each 0 or 1.

        Returns
        -------
        LogisticRegression
            ``self``, fitted.
        """
        self._check_settings()
        X = _check_features(X)
        y = _check_labels(y, X.shape[0])
        l2 = float(self.l2)
        w = np.zeros(X.shape[1])
        b = 0.0
        history = np.empty(int(self.n_steps) + 1)
        step = 0
        try:  # an overflow anywhere in here raises (fit is decorated): name the step
            for step in range(int(self.n_steps)):
                history[step], dJ_dw, dJ_db = _cost_and_gradients(w, b, X, y, l2)
                w = w - self.learning_rate * dJ_dw
                b = b - self.learning_rate * dJ_db
            step = int(self.n_steps)
            history[-1] = _cost_and_gradients(w, b, X, y, l2)[0]
        except FloatingPointError as error:
            raise diverged(step + 1, self.learning_rate, error) from None
        self.w, self.b, self.loss_history = w, float(b), history
        return self

    def _fitted_weights(self) -> tuple[np.ndarray, float]:
        if self.w is None or self.b is None:
            raise RuntimeError("this LogisticRegression is not fitted yet: call fit(X, y) first")
        return self.w, self.b

    @overflow_is_an_error
    def decision_function(self, X: np.ndarray) -> np.ndarray:
        r"""The weighted input :math:`z = X w + b` of each example, shape ``(m,)``.

        :math:`z > 0` means class 1 is the more probable; :math:`z = 0` is the decision boundary.
        """
        w, b = self._fitted_weights()
        X = _check_features(X)
        check_shape(X, (X.shape[0], w.shape[0]), "X",
                    hint=f"The model was fitted on {w.shape[0]} features (columns)")
        return X @ w + b

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        r""":math:`P(y = 1 \mid x) = \sigma(w \cdot x + b)` for each row of ``X``, shape ``(m,)``.

        Unlike scikit-learn's ``predict_proba`` (shape ``(m, 2)``, one column per class), this
        returns only the probability of class 1; the probability of class 0 is ``1 - p``.
        """
        return _sigmoid(self.decision_function(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        r"""The predicted class of each row, as integers of shape ``(m,)``.

        Class 1 where :math:`\sigma(z) \ge 1/2`, that is where :math:`z \ge 0`; class 0 elsewhere.
        """
        return (self.decision_function(X) >= 0.0).astype(int)
