"""Checks for the exercises of chapter 2 (logistic regression: one neuron).

Each exercise asks for a *function*. The check calls it on a few small, fixed inputs (on copies,
so the learner's code cannot spoil them) and compares what it returns with the right values and
with the values of the classic wrong versions. A wrong version is recognised when the learner's
function behaves like it on every input: the same values, or an error where the wrong version
raises one too (``X @ (a - y)`` fails when ``X`` is not square).

- 2.1: :math:`\\partial L / \\partial z = a - y` for each example.
- 2.2: the batch gradient :math:`(X^\\top (a - y) / m,\\ \\frac1m \\sum_i (a^{(i)} - y^{(i)}))`.
- 2.3: the gradient of the L2-penalised cost, :math:`X^\\top (a - y) / m + \\lambda w` and the
  unpenalised bias gradient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from ..activations import sigmoid
from ..logistic import cost_and_gradients
from . import CORRECT, MISTAKE, NOT_DONE, Feedback, calls_function, is_missing, matches


@dataclass(frozen=True)
class WrongVersion:
    """A classic wrong function for an exercise and what to tell the learner who wrote it."""

    function: Callable[..., Any]
    message: str
    hint: str


class _FormatProblem(Exception):
    """The learner's function ran but returned something of the wrong kind or shape."""


# --------------------------------------------------------------------------------------------
# the fixed inputs of the checks
# --------------------------------------------------------------------------------------------


def _batch_cases() -> list[tuple[np.ndarray, float, np.ndarray, np.ndarray]]:
    """``(w, b, X, y)`` for three batches: 5 x 3, a square 4 x 4 and 7 x 2 (m != n twice)."""
    rng = np.random.default_rng(2)
    cases = []
    for m, n in [(5, 3), (4, 4), (7, 2)]:
        X = rng.normal(size=(m, n))
        y = np.zeros(m)
        y[rng.permutation(m)[: (m + 1) // 2]] = 1.0  # both classes present
        w = rng.normal(size=n)
        b = float(rng.normal())
        cases.append((w, b, X, y))
    return cases


def _z_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """``(z, y)`` pairs: weighted inputs of a few examples and their labels."""
    return [
        (np.array([0.8, -1.5, 2.0, 0.0, -0.3]), np.array([1.0, 0.0, 0.0, 1.0, 1.0])),
        (np.array([3.0, -2.0, 0.5]), np.array([0.0, 1.0, 1.0])),
        (np.array([-0.7, 1.2, -4.0, 2.5]), np.array([0.0, 0.0, 1.0, 1.0])),
    ]


_PENALTY = 0.3


def _penalised_cases() -> list[tuple[np.ndarray, float, np.ndarray, np.ndarray, float]]:
    """``(w, b, X, y, l2)``: the batches of exercise 2.2 with the penalty ``l2 = 0.3``."""
    return [(w, b, X, y, _PENALTY) for w, b, X, y in _batch_cases()]


# --------------------------------------------------------------------------------------------
# the machinery: run a function on copies, compare its behaviour with right and wrong versions
# --------------------------------------------------------------------------------------------


def _copies(arguments: Sequence[Any]) -> list[Any]:
    return [np.array(value, copy=True) if isinstance(value, np.ndarray) else value
            for value in arguments]


def _run(function: Callable[..., Any], arguments: Sequence[Any]) -> tuple[bool, Any]:
    """``(True, output)`` or ``(False, error)``; NotImplementedError is passed on."""
    try:
        return True, function(*_copies(arguments))
    except NotImplementedError:
        raise
    except Exception as error:  # the learner's code failed: report it, do not crash
        return False, error


def _returned_none(output: Any) -> None:
    if output is None:
        raise _FormatProblem("your function returned None: is the return statement missing?")


def _as_vector(output: Any, expected_shape: tuple[int, ...]) -> np.ndarray:
    _returned_none(output)
    try:
        array = np.asarray(output, dtype=float)
    except (TypeError, ValueError):
        raise _FormatProblem(f"your function should return an array of numbers, got "
                             f"{type(output).__name__}.") from None
    if array.shape != expected_shape:
        raise _FormatProblem(f"your function returned shape {array.shape} where shape "
                             f"{expected_shape} was expected (one entry per example).")
    return array


def _as_gradient_pair(output: Any, n: int) -> np.ndarray:
    """Check ``output`` is ``(dJ/dw of shape (n,), dJ/db a number)``; return them as one vector."""
    _returned_none(output)
    if not isinstance(output, (tuple, list)) or len(output) != 2:
        raise _FormatProblem("your function should return two things, dJ_dw and dJ_db, "
                             f"as a tuple; got {type(output).__name__}.")
    try:
        weight_part = np.asarray(output[0], dtype=float)
        bias_part = np.asarray(output[1], dtype=float)
    except (TypeError, ValueError):
        raise _FormatProblem(
            "both dJ_dw and dJ_db must be numbers (an array and a single number).") from None
    if weight_part.shape != (n,):
        raise _FormatProblem(f"your dJ_dw has shape {weight_part.shape}, but it needs the shape "
                             f"of w, ({n},).")
    if bias_part.size != 1:
        raise _FormatProblem(f"your dJ_db must be a single number (like b), got shape "
                             f"{bias_part.shape}.")
    return np.concatenate([weight_part, bias_part.reshape(1)])


def _check_behaviour(
    exercise: str,
    function: Any,
    cases: Sequence[Sequence[Any]],
    right: Callable[..., Any],
    normalise: Callable[[Any, Sequence[Any]], np.ndarray],
    wrong_versions: Sequence[WrongVersion],
    correct_message: str,
    wrong_hint: str,
    partly_right: Callable[[list[np.ndarray], list[np.ndarray]], Feedback | None] | None = None,
) -> Feedback:
    if is_missing(function):
        return Feedback(exercise, NOT_DONE, "replace the ... with your function and run the cell.")
    if not callable(function):
        return Feedback(exercise, MISTAKE, f"expected a function, got {type(function).__name__}.",
                        wrong_hint)
    try:
        results = [_run(function, arguments) for arguments in cases]
    except NotImplementedError:
        return Feedback(exercise, NOT_DONE, "the function is not written yet.")
    learner: list[np.ndarray | None] = []
    for (ran, output), arguments in zip(results, cases):
        if not ran:
            learner.append(None)
            continue
        try:
            learner.append(normalise(output, arguments))
        except _FormatProblem as problem:
            return Feedback(exercise, MISTAKE, str(problem), wrong_hint)
    expected = [normalise(right(*_copies(arguments)), arguments) for arguments in cases]
    if all(value is not None and matches(value, target)
           for value, target in zip(learner, expected)):
        return Feedback(exercise, CORRECT, correct_message)
    for wrong in wrong_versions:
        if _behaves_like(learner, wrong.function, cases, normalise):
            return Feedback(exercise, MISTAKE, wrong.message, wrong.hint)
    failures = [output for ran, output in results if not ran]
    if failures:
        error = failures[0]
        return Feedback(exercise, MISTAKE,
                        f"calling your function raised {type(error).__name__}: {error}",
                        wrong_hint)
    if partly_right is not None:
        verdict = partly_right(learner, expected)  # type: ignore[arg-type]
        if verdict is not None:
            return verdict
    return Feedback(exercise, MISTAKE, "the function gives wrong values on the test inputs.",
                    wrong_hint)


def _behaves_like(
    learner: list[np.ndarray | None],
    wrong_function: Callable[..., Any],
    cases: Sequence[Sequence[Any]],
    normalise: Callable[[Any, Sequence[Any]], np.ndarray],
) -> bool:
    """Same values as ``wrong_function`` where it runs, an error where it raises (at least one
    value in common)."""
    agreed = 0
    for value, arguments in zip(learner, cases):
        try:
            wrong_value = normalise(wrong_function(*_copies(arguments)), arguments)
        except (ValueError, _FormatProblem):
            wrong_value = None
        if (value is None) != (wrong_value is None):
            return False
        if value is not None:
            if not matches(value, wrong_value):
                return False
            agreed += 1
    return agreed > 0


# --------------------------------------------------------------------------------------------
# exercise 2.1: dL/dz
# --------------------------------------------------------------------------------------------


def _normalise_per_example(output: Any, arguments: Sequence[Any]) -> np.ndarray:
    return _as_vector(output, np.shape(arguments[0]))


_WRONG_DL_DZ = [
    WrongVersion(lambda z, y: y - sigmoid(z),
                 "the sign is flipped: that is y - a, the negative of dL/dz.",
                 "when a is too large (a > y), dL/dz must be positive, so that the step "
                 "-dL/dz lowers z."),
    WrongVersion(lambda z, y: (sigmoid(z) - y) * sigmoid(z) * (1 - sigmoid(z)),
                 "the factor a(1 - a) appears twice: (a - y) already is dL/da times da/dz.",
                 "the chain rule gives dL/da * da/dz = (a - y) / (a (1 - a)) * a(1 - a): "
                 "simplify the product before you code it."),
    WrongVersion(lambda z, y: (sigmoid(z) - y) / (sigmoid(z) * (1 - sigmoid(z))),
                 "that is dL/da, the derivative with respect to the activation, not dL/dz.",
                 "multiply by da/dz = a(1 - a) (chain rule through a = sigmoid(z))."),
    WrongVersion(lambda z, y: z - y,
                 "you used the weighted input z where the activation a = sigmoid(z) belongs.",
                 "the loss depends on z only through a = sigmoid(z): compute a first."),
    WrongVersion(lambda z, y: 2 * (sigmoid(z) - y) * sigmoid(z) * (1 - sigmoid(z)),
                 "that is dL/dz for the squared error (a - y)^2, not for cross-entropy.",
                 "differentiate L = -[y ln a + (1 - y) ln(1 - a)] with respect to a, then "
                 "multiply by a(1 - a)."),
]


@calls_function("loss_gradient_wrt_z", _z_cases)
def check_2_1(loss_gradient_wrt_z: Any) -> Feedback:
    """Exercise 2.1: a function ``(z, y) -> dL/dz`` of binary cross-entropy, one per example."""
    return _check_behaviour(
        "2.1",
        loss_gradient_wrt_z,
        _z_cases(),
        right=lambda z, y: sigmoid(z) - y,
        normalise=_normalise_per_example,
        wrong_versions=_WRONG_DL_DZ,
        correct_message="the a(1 - a) of the sigmoid cancels the denominator of dL/da, so "
                        "dL/dz = a - y.",
        wrong_hint="use the chain rule dL/dz = dL/da * da/dz with da/dz = a(1 - a).",
    )


# --------------------------------------------------------------------------------------------
# exercise 2.2: the batch gradient
# --------------------------------------------------------------------------------------------


def _normalise_pair(output: Any, arguments: Sequence[Any]) -> np.ndarray:
    return _as_gradient_pair(output, np.shape(arguments[0])[0])


def _error(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    return sigmoid(X @ w + b) - y


def _batch_wrong_versions(penalty: Callable[[np.ndarray], np.ndarray]) -> list[WrongVersion]:
    """The classic mistakes of the batch gradient; ``penalty(w)`` is added to each dJ/dw."""

    def version(weight_part: Callable[..., np.ndarray], bias_part: Callable[..., float],
                message: str, hint: str) -> WrongVersion:
        return WrongVersion(
            lambda w, b, X, y, *rest: (weight_part(w, b, X, y) + penalty(w), bias_part(w, b, X, y)),
            message, hint)

    return [
        version(lambda w, b, X, y: X.T @ _error(w, b, X, y),
                lambda w, b, X, y: np.sum(_error(w, b, X, y)),
                "the 1/m is missing: that is the gradient of the SUM of the losses, not of their "
                "mean J.",
                "J = (1/m) sum_i L^(i), so every gradient of J carries a 1/m."),
        version(lambda w, b, X, y: X.T @ _error(w, b, X, y) / len(y) ** 2,
                lambda w, b, X, y: np.mean(_error(w, b, X, y)) / len(y),
                "the 1/m is applied twice.",
                "divide by m once: either sum and divide, or take the mean, not both."),
        version(lambda w, b, X, y: X.T @ _error(w, b, X, y) / X.shape[1],
                lambda w, b, X, y: np.sum(_error(w, b, X, y)) / X.shape[1],
                "you divided by the number of features n instead of the number of examples m.",
                "the number of examples is m = X.shape[0] (rows); X.shape[1] is the number of "
                "features n."),
        version(lambda w, b, X, y: -X.T @ _error(w, b, X, y) / len(y),
                lambda w, b, X, y: -np.mean(_error(w, b, X, y)),
                "the sign is flipped: you used y - a instead of a - y.",
                "the gradient points uphill: dJ/db is positive when the predictions a are "
                "too large."),
        version(lambda w, b, X, y: X.T @ (_error(w, b, X, y) * _slope(w, b, X)) / len(y),
                lambda w, b, X, y: np.mean(_error(w, b, X, y) * _slope(w, b, X)),
                "the factor a(1 - a) appears twice: (a - y) already is dL/da times da/dz.",
                "for cross-entropy with a sigmoid, dL/dz has no factor a(1 - a) left."),
        version(lambda w, b, X, y: X.T @ (_error(w, b, X, y) / _slope(w, b, X)) / len(y),
                lambda w, b, X, y: np.mean(_error(w, b, X, y) / _slope(w, b, X)),
                "you used dL/da = (a - y)/(a(1 - a)) where dL/dz belongs.",
                "multiply dL/da by da/dz = a(1 - a) and simplify before you code it."),
        version(lambda w, b, X, y: X.T @ (X @ w + b - y) / len(y),
                lambda w, b, X, y: np.mean(X @ w + b - y),
                "you used z - y: the weighted input z where the activation a = sigmoid(z) "
                "belongs.",
                "compute a = sigmoid(X @ w + b) first."),
        version(lambda w, b, X, y: X @ _error(w, b, X, y) / len(y),
                lambda w, b, X, y: np.mean(_error(w, b, X, y)),
                "you multiplied by X where X^T belongs (that product only runs when X is square, "
                "and then gives the wrong numbers).",
                "entry k of dJ/dw is (1/m) sum_i (a^(i) - y^(i)) x_k^(i), a sum over the rows "
                "of X; dJ/dw has shape (n,)."),
        version(lambda w, b, X, y: np.mean(_error(w, b, X, y)) * X.mean(axis=0),
                lambda w, b, X, y: np.mean(_error(w, b, X, y)),
                "you averaged a - y and x separately and multiplied the averages; the mean of a "
                "product is not the product of the means.",
                "multiply each example's (a^(i) - y^(i)) by its own x^(i), then average."),
    ]


def _slope(w: np.ndarray, b: float, X: np.ndarray) -> np.ndarray:
    a = sigmoid(X @ w + b)
    return a * (1 - a)


def _partly_right(
    exercise: str, weight_hint: str, bias_hint: str
) -> Callable[..., Feedback | None]:
    def verdict(learner: list[np.ndarray], expected: list[np.ndarray]) -> Feedback | None:
        weights_right = all(matches(value[:-1], target[:-1])
                            for value, target in zip(learner, expected))
        bias_right = all(matches(value[-1], target[-1]) for value, target in zip(learner, expected))
        if weights_right:
            return Feedback(exercise, MISTAKE, "the weight gradient dJ_dw is right, but the bias "
                            "gradient dJ_db is not.", bias_hint)
        if bias_right:
            return Feedback(exercise, MISTAKE, "the bias gradient dJ_db is right, but the weight "
                            "gradient dJ_dw is not.", weight_hint)
        return None

    return verdict


@calls_function("batch_gradient", _batch_cases)
def check_2_2(batch_gradient: Any) -> Feedback:
    """Exercise 2.2: a function ``(w, b, X, y) -> (dJ/dw, dJ/db)`` for the mean cross-entropy."""
    return _check_behaviour(
        "2.2",
        batch_gradient,
        _batch_cases(),
        right=lambda w, b, X, y: cost_and_gradients(w, b, X, y)[1:],
        normalise=_normalise_pair,
        wrong_versions=_batch_wrong_versions(lambda w: np.zeros_like(w)),
        correct_message="the gradient sums (a - y) x over the m copies of the graph and divides "
                        "by m.",
        wrong_hint="follow the graph: each example contributes (a^(i) - y^(i)) x^(i) to dJ/dw "
                   "and a^(i) - y^(i) to dJ/db, and J is a mean.",
        partly_right=_partly_right("2.2", "each example contributes (a^(i) - y^(i)) x^(i); "
                                  "average over the examples.",
                                  "dz/db = 1, so each example contributes a^(i) - y^(i); "
                                  "average over the examples."),
    )


# --------------------------------------------------------------------------------------------
# exercise 2.3: the gradient of the penalised cost
# --------------------------------------------------------------------------------------------


def _unpenalised(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    error = _error(w, b, X, y)
    return X.T @ error / len(y), float(np.mean(error))


def _penalised_wrong_versions() -> list[WrongVersion]:
    def version(change: Callable[..., tuple[np.ndarray, float]], message: str,
                hint: str) -> WrongVersion:
        return WrongVersion(change, message, hint)

    return [
        version(lambda w, b, X, y, l2: _unpenalised(w, b, X, y),
                "the penalty is missing: that is the gradient of the unpenalised cost.",
                "add the gradient of (l2/2) ||w||^2 to dJ/dw."),
        version(lambda w, b, X, y, l2: (_unpenalised(w, b, X, y)[0] + l2 * w,
                                        _unpenalised(w, b, X, y)[1] + l2 * b),
                "the weight gradient is right, but the bias is penalised too; the penalty is "
                "(l2/2)||w||^2, without b.",
                "the bias does not appear in the penalty, so the penalty adds nothing to dJ/db."),
        version(lambda w, b, X, y, l2: (_unpenalised(w, b, X, y)[0] + l2 / 2 * w,
                                        _unpenalised(w, b, X, y)[1]),
                "the penalty's gradient is half what it should be.",
                "differentiate (l2/2) w_k^2 with respect to w_k: the 2 of the square cancels "
                "the 1/2."),
        version(lambda w, b, X, y, l2: (_unpenalised(w, b, X, y)[0] + 2 * l2 * w,
                                        _unpenalised(w, b, X, y)[1]),
                "the penalty's gradient is twice what it should be: the penalty is "
                "(l2/2) ||w||^2, with a 1/2.",
                "the 2 of the square cancels the 1/2 in front."),
        version(lambda w, b, X, y, l2: (_unpenalised(w, b, X, y)[0] + l2 * w / len(y),
                                        _unpenalised(w, b, X, y)[1]),
                "the penalty's gradient is divided by m; the 1/m belongs to the mean of the "
                "losses only.",
                "J = (1/m) sum_i L^(i) + (l2/2) ||w||^2: the penalty sits outside the mean."),
        version(lambda w, b, X, y, l2: (_unpenalised(w, b, X, y)[0] - l2 * w,
                                        _unpenalised(w, b, X, y)[1]),
                "the penalty's gradient has the wrong sign.",
                "the penalty grows with ||w||, so its gradient points away from w = 0."),
    ] + [
        WrongVersion(lambda w, b, X, y, l2, wrong=wrong: wrong.function(w, b, X, y),
                     "in the data part: " + wrong.message, wrong.hint)
        for wrong in _batch_wrong_versions(lambda w: _PENALTY * w)
    ]


@calls_function("penalised_gradient", _penalised_cases)
def check_2_3(penalised_gradient: Any) -> Feedback:
    """Exercise 2.3: ``(w, b, X, y, l2) -> (dJ/dw, dJ/db)`` for ``J + (l2/2) ||w||^2``."""
    return _check_behaviour(
        "2.3",
        penalised_gradient,
        _penalised_cases(),
        right=lambda w, b, X, y, l2: cost_and_gradients(w, b, X, y, l2)[1:],
        normalise=_normalise_pair,
        wrong_versions=_penalised_wrong_versions(),
        correct_message="the penalty adds l2 * w to dJ/dw and nothing to dJ/db.",
        wrong_hint="differentiate (l2/2) ||w||^2 entry by entry and add it to the gradient of "
                   "the data part; b is not in the penalty.",
        partly_right=_partly_right("2.3", "add the penalty's gradient to the data part's dJ/dw.",
                                  "the bias is not in the penalty, so dJ/db is the data "
                                  "part's alone."),
    )
