"""Every public function of backproplib under bad and extreme input (COURSE.md sections 6 and 7).

The rule, for every call: a ``ValueError`` or ``TypeError`` (or a ``FloatingPointError`` for an
overflow) whose message names the argument, or a right and finite result; nothing the caller
passed is changed; no numpy warning (warnings are errors in this suite). A right result is
checked, not only a finite one: spoilt arrays that hold the same numbers in the same shape must
give the valid call's result, and where a spec names its ``right`` result (computed without
backproplib: mpmath, autograd), every transposed, reshaped or huge array it accepts must give
exactly that (``test_accepted_reshaped_transposed_or_huge_input_gives_the_right_result``).
Hypothesis draws which
argument to spoil and how; :data:`SPECS` holds one valid call per public function, and
:func:`test_every_public_function_is_driven_with_bad_input` fails when a public function has none.

The second half holds one regression test per case of issue 15 (and issue 12's transposed first
layer and gradient-check threshold).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
from pathlib import Path
from typing import Any, Callable

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import backproplib  # noqa: E402
from backproplib import (activations, autodiff, batch, chain_rule, depth,  # noqa: E402
                         diagnose, downstream, gradcheck, logistic, losses, matrix_form, network,
                         plotting, running_example, training)
from backproplib.network import MLP, Gradients  # noqa: E402

import mpmath  # noqa: E402

from .reference import reference_cost, reference_gradients  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------------------------------------
# valid arguments (small, with no square matrix, so that a transpose changes the shape)

W1 = np.array([[0.2, -0.4, 0.1], [0.5, 0.3, -0.2], [-0.1, 0.2, 0.4], [0.3, -0.3, 0.2]])
B1 = np.array([0.1, -0.1, 0.0, 0.2])
W2 = np.array([[0.3, -0.2, 0.5, 0.1], [-0.4, 0.2, 0.1, 0.3]])
B2 = np.array([0.05, -0.05])
X = np.array([[0.5, -1.0, 2.0], [1.0, 0.5, -0.5], [-0.3, 0.8, 0.1], [0.0, -0.2, 0.4],
              [0.7, 0.1, -0.9]])
Y = np.array([[0.2, 0.9], [0.6, 0.1], [0.5, 0.5], [0.0, 1.0], [1.0, 0.0]])
ROWS_SUMMING_TO_1 = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.0, 1.0], [0.3, 0.7]])
LABELS = np.array([2.0, 0.0, 1.0])
LOSS = "squared_error"


def net() -> MLP:
    return MLP([W1, W2], [B1, B2], ["tanh", "sigmoid"])


def softmax_net() -> MLP:
    return MLP([W1, W2], [B1, B2], ["tanh", "softmax"])


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def fitted_model() -> logistic.LogisticRegression:
    return logistic.LogisticRegression(n_steps=3).fit(X, Y[:, 0].round())


def per_sample() -> batch.PerSampleGradients:
    return batch.per_sample_gradients(net(), X, Y, LOSS)


def gradients() -> Gradients:
    return net().cost_and_gradients(X, Y, LOSS)[1]


def graph() -> plotting.ComputationGraph:
    nodes = {"w": plotting.GraphNode("w", (0.0, 0.0)), "z": plotting.GraphNode("z", (1.0, 0.0))}
    return plotting.ComputationGraph(nodes, [("w", "z")])


# bad values for arguments that are not arrays: (value, whether it must be rejected)
NOT_OBJECTS = [(None, True), ("text", True), (np.ones(2), True), (3, True)]
BAD_NAMES = [(None, True), ("no such name", True), (3, True), (["sigmoid"], True)]
BAD_POSITIVE = [(0, True), (-1.5, True), (np.nan, True), (np.inf, True), ("0.1", True),
                (None, True), (True, True), (1e308, False)]
BAD_COUNTS = [(0, True), (-2, True), (1.5, True), (None, True), ("3", True), (True, True),
              (np.nan, True)]
BAD_INDICES = [(0, True), (-1, True), (99, True), (1.5, True), (None, True), (True, True),
               ("1", True)]
BAD_RNGS = [(None, True), (42, True), (np.random.RandomState(0), True)]
BAD_FUNCTIONS = [(None, True), (3, True), (lambda v: None, True), (lambda v: "text", True),
                 (lambda v: np.ones((2, 2)) if v.ndim else 0.0, True)]
BAD_ARRAY_FUNCTIONS = [(None, True), (3, True), (lambda v: None, True), (lambda v: "text", True),
                       (lambda v: np.ones(int(abs(v.sum()) * 1e6) % 3 + 1), True)]
BAD_TENSOR_FUNCTIONS = [(None, True), (3, True), (lambda u: np.sum(u.value), True),
                        (lambda u: None, True)]


@dataclasses.dataclass
class Spec:
    """A valid call of one public function, and what may be spoiled in it.

    ``call`` takes keyword arguments; ``valid`` builds a fresh set of them. ``arrays`` maps each
    array argument to the names an error about it may use (its own, or its partner's: a ``Y``
    with the wrong number of rows is reported against ``X``). ``others`` lists bad values of the
    other arguments.
    """

    call: Callable[..., Any]
    valid: Callable[[], dict[str, Any]]
    arrays: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    others: dict[str, list[tuple[Any, bool]]] = dataclasses.field(default_factory=dict)
    #: other names an error about a setting may use (get_loss's ``name`` is "loss" in messages)
    aliases: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    #: the right result for given arguments, computed independently (see "right results" below):
    #: an accepted spoilt argument (transposed, reshaped, huge...) must give exactly that
    right: Callable[[dict[str, Any]], Any] | None = None


# ---------------------------------------------------------------------------------------------
# right results, computed independently of backproplib: element-wise functions in 60-digit
# arithmetic (mpmath), softmax row by row the same way, the network's cost and gradients by
# autograd from the book's definition (tests/reference.py)

MPMATH_FORMULAS: dict[str, Callable[[Any], Any]] = {
    "sigmoid": lambda v: 1 / (1 + mpmath.exp(-v)),
    "sigmoid_prime": lambda v: mpmath.exp(-v) / (1 + mpmath.exp(-v)) ** 2,
    "tanh": mpmath.tanh,
    "tanh_prime": lambda v: mpmath.sech(v) ** 2,
    "relu": lambda v: max(v, 0),
    "relu_prime": lambda v: 1 if v > 0 else 0,  # the book's slope at 0 is 0 (appendix B)
    "identity": lambda v: v,
    "identity_prime": lambda v: 1,
    "softplus": lambda v: mpmath.log(1 + mpmath.exp(v)),
    "transpose": None,  # not element-wise: see reference_for
}


def _exactly(formula: Callable[[Any], Any], values: np.ndarray) -> np.ndarray:
    with mpmath.workdps(60):
        return np.vectorize(lambda v: float(formula(mpmath.mpf(float(v)))), otypes=[float])(values)


def _softmax_rows(values: np.ndarray, log: bool) -> np.ndarray:
    """Softmax (or its log) over the last axis, each entry in 60-digit arithmetic."""
    rows = values.reshape(-1, values.shape[-1] if values.ndim else 1)
    result = np.empty(rows.shape)
    with mpmath.workdps(60):
        for index, row in enumerate(rows):
            largest = mpmath.mpf(float(max(row)))
            exact = [mpmath.mpf(float(v)) - largest for v in row]  # exp(0) = 1 is exact
            total = mpmath.fsum(mpmath.exp(v) for v in exact)
            result[index] = [float(v - mpmath.log(total)) if log else float(mpmath.exp(v) / total)
                             for v in exact]
    return result.reshape(values.shape)


def reference_for(function: Callable, argument: str) -> Callable[[dict[str, Any]], np.ndarray] | None:
    """The right result of ``function`` (named by its ``__name__``) for any accepted ``argument``."""
    name = function.__name__

    def right(arguments: dict[str, Any]) -> np.ndarray:
        values = np.asarray(arguments[argument], dtype=float)
        if name == "transpose":
            return values.T
        if name in ("softmax", "log_softmax"):
            return _softmax_rows(values, log=name == "log_softmax")
        return _exactly(MPMATH_FORMULAS[name], values)

    return right if name in MPMATH_FORMULAS or name in ("softmax", "log_softmax") else None


def autograd_cost_and_gradients(arguments: dict[str, Any]) -> tuple[float, list[np.ndarray]]:
    """The cost of :func:`net` and its gradients, by autograd from the book's definition."""
    network = net()
    inputs, targets = (np.asarray(arguments[key], dtype=float) for key in ("X", "Y"))
    if targets.ndim == 1:
        targets = targets.reshape(-1, 1)
    with np.errstate(over="ignore"):  # autograd's tanh slope 1/cosh(z)^2 is 0 for huge z, as it should
        cost = float(reference_cost(network.weights, network.biases, network.activation_names,
                                    inputs, targets, arguments["loss"]))
        weights, biases = reference_gradients(network.weights, network.biases,
                                              network.activation_names, inputs, targets, arguments["loss"])
    return cost, weights + biases


def assert_right(result: Any, expected: Any, what: str) -> None:
    """``result`` equals ``expected`` to round-off (shapes exactly): entry by entry to 1e-13,
    or 1e-13 of the largest entry for entries that cancel (any BLAS kernel's order of sums)."""
    if isinstance(result, autodiff.Tensor):
        result = result.value
    if isinstance(result, tuple) and isinstance(result[1], Gradients):
        result = (result[0], result[1].weights + result[1].biases)
    if isinstance(expected, tuple):
        assert_right(result[0], expected[0], what)
        assert len(result[1]) == len(expected[1]), what
        for actual, right in zip(result[1], expected[1]):
            assert_right(actual, right, what)
        return
    actual = np.asarray(result, dtype=float)
    assert actual.shape == np.shape(expected), f"{what}: shape {actual.shape}, right: {np.shape(expected)}"
    largest = float(np.max(np.abs(expected), initial=0.0))
    np.testing.assert_allclose(actual, expected, rtol=1e-13, atol=max(1e-13 * largest, 1e-300), err_msg=what)


def pair(first: str, second: str, names=("",)) -> dict[str, tuple[str, ...]]:
    return {first: (first, second), second: (second, first)}


def batch_spec(function, loss_names=BAD_NAMES, **extra) -> Spec:
    """A function of ``(network, X, Y, loss, ...)``."""
    return Spec(function, lambda: dict(network=net(), X=X.copy(), Y=Y.copy(), loss=LOSS,
                                       **{k: fresh(v[0]) for k, v in extra.items()}),
                pair("X", "Y"),
                {"network": NOT_OBJECTS, "loss": loss_names,
                 **{k: v[1] for k, v in extra.items()}})


def fresh(value: Any) -> Any:
    """A new generator for each call (so that two calls shuffle alike), else the value."""
    return rng() if isinstance(value, np.random.Generator) else value


def sample_spec(function, **extra) -> Spec:
    """A function of ``(network, x, y, ..., loss)`` for one sample."""
    return Spec(function, lambda: dict(network=net(), x=X[0].copy(), y=Y[0].copy(), loss=LOSS,
                                       **{k: v[0] for k, v in extra.items()}),
                pair("x", "y"),
                {"network": NOT_OBJECTS, "loss": BAD_NAMES,
                 **{k: v[1] for k, v in extra.items()}})


def elementwise_spec(function) -> Spec:
    return Spec(function, lambda: dict(z=X.copy()), {"z": ("z",)}, right=reference_for(function, "z"))


def loss_spec(function, first="a") -> Spec:
    return Spec(function, lambda: {first: Y.copy(), "y": Y[:, ::-1].copy()}, pair(first, "y"))


def unary_tensor_spec(function) -> Spec:
    return Spec(function, lambda: dict(u=X.copy()), {"u": ("u", "z")}, right=reference_for(function, "u"))


def binary_tensor_spec(function) -> Spec:
    return Spec(function, lambda: dict(u=X.copy(), w=X[::-1].copy()), pair("u", "w"))


INDEX = (1, BAD_INDICES)
LAYER_FROM_0 = (1, [(-1, True), (99, True), (1.5, True), (None, True), (True, True)])
SPECS: dict[str, Spec] = {
    # activations
    **{f"activations.{name}": elementwise_spec(getattr(activations, name))
       for name in ("sigmoid", "sigmoid_prime", "tanh", "tanh_prime", "relu", "relu_prime",
                    "identity", "identity_prime", "softmax")},
    "activations.softmax_jacobian": Spec(activations.softmax_jacobian, lambda: dict(z=X[0].copy()),
                                         {"z": ("z",)}),
    "activations.get_activation": Spec(activations.get_activation, lambda: dict(name="tanh"),
                                       others={"name": BAD_NAMES},
                                       aliases={"name": ("activation name",)}),
    # losses
    **{f"losses.{name}": loss_spec(getattr(losses, name))
       for name in ("squared_error", "squared_error_derivative", "binary_cross_entropy",
                    "binary_cross_entropy_derivative", "cross_entropy",
                    "cross_entropy_derivative")},
    "losses.binary_cross_entropy_from_z": loss_spec(losses.binary_cross_entropy_from_z, "z"),
    "losses.cross_entropy_from_z": loss_spec(losses.cross_entropy_from_z, "z"),
    "losses.get_loss": Spec(losses.get_loss, lambda: dict(name=LOSS), others={"name": BAD_NAMES},
                            aliases={"name": ("loss",)}),
    # network
    "network.MLP": Spec(lambda W1, W2, b1, b2, activations: MLP([W1, W2], [b1, b2], activations),
                        lambda: dict(W1=W1.copy(), W2=W2.copy(), b1=B1.copy(), b2=B2.copy(),
                                     activations=["tanh", "sigmoid"]),
                        {"W1": ("weights[0]", "biases[0]", "weights[1]"),
                         "W2": ("weights[1]", "biases[1]"),
                         "b1": ("biases[0]", "weights[0]"), "b2": ("biases[1]", "weights[1]")},
                        {"activations": [(None, True), ("tanh", True), (["tanh", "nope"], True),
                                         (["softmax", "sigmoid"], True), (["tanh"], True)]}),
    "network.MLP.random": Spec(MLP.random,
                               lambda: dict(layer_sizes=[3, 4, 2], activations=["relu", "identity"],
                                            rng=rng(), weight_scale=0.5),
                               others={"layer_sizes": [([3, 0, 2], True), ([3], True),
                                                       ([3, 2.5], True), (None, True)],
                                       "rng": BAD_RNGS,
                                       "weight_scale": [(0, True), (-1.0, True), (np.nan, True),
                                                        ("1", True), (True, True)]}),
    "network.MLP.forward": Spec(lambda X: net().forward(X), lambda: dict(X=X.copy()),
                                {"X": ("X",)}),
    "network.MLP.predict": Spec(lambda X: net().predict(X), lambda: dict(X=X.copy()),
                                {"X": ("X",)}),
    "network.MLP.cost": Spec(lambda X, Y, loss: net().cost(X, Y, loss),
                             lambda: dict(X=X.copy(), Y=Y.copy(), loss=LOSS), pair("X", "Y"),
                             {"loss": BAD_NAMES}, right=lambda a: autograd_cost_and_gradients(a)[0]),
    "network.MLP.cost_and_gradients": Spec(
        lambda X, Y, loss: net().cost_and_gradients(X, Y, loss),
        lambda: dict(X=X.copy(), Y=Y.copy(), loss=LOSS), pair("X", "Y"), {"loss": BAD_NAMES},
        right=autograd_cost_and_gradients),
    "network.MLP.backward": Spec(lambda forward_pass, Y: net().backward(forward_pass, Y, LOSS),
                                 lambda: dict(forward_pass=net().forward(X), Y=Y.copy()),
                                 {"Y": ("Y",)}, {"forward_pass": NOT_OBJECTS}),
    "network.MLP.apply_gradients": Spec(
        lambda dW1, learning_rate: net().apply_gradients(
            Gradients([dW1, gradients().weights[1]], gradients().biases, []), learning_rate),
        lambda: dict(dW1=gradients().weights[0], learning_rate=0.1),
        {"dW1": ("grads.weights[0]",)}, {"learning_rate": BAD_POSITIVE}),
    "network.MLP.copy": Spec(lambda: net().copy(), dict),
    "network.check_network": Spec(network.check_network, lambda: dict(network=net()),
                                  others={"network": NOT_OBJECTS}),
    "network.check_batch": batch_spec(network.check_batch),
    # logistic regression
    "logistic.cost_and_gradients": Spec(
        logistic.cost_and_gradients,
        lambda: dict(w=W1[0].copy(), b=0.1, X=X.copy(), y=Y[:, 0].round(), l2=0.1),
        {"w": ("w", "X"), "X": ("X", "y", "w"), "y": ("y", "X")},
        {"b": [(None, True), ("b", True), (np.nan, True), (np.ones(2), True)],
         "l2": [(-1.0, True), (np.nan, True), ("0", True), (None, True)]}),
    "logistic.per_example_gradients": Spec(
        logistic.per_example_gradients,
        lambda: dict(w=W1[0].copy(), b=0.1, X=X.copy(), y=Y[:, 0].round()),
        {"w": ("w", "X"), "X": ("X", "y", "w"), "y": ("y", "X")},
        {"b": [(None, True), (np.inf, True)]}),
    "logistic.sklearn_C": Spec(logistic.sklearn_C, lambda: dict(l2=0.1, m=10),
                               others={"l2": [(-1.0, True), (None, True), (np.inf, True)],
                                       "m": BAD_COUNTS}),
    "logistic.LogisticRegression": Spec(logistic.LogisticRegression,
                                        lambda: dict(learning_rate=0.1, n_steps=5, l2=0.0),
                                        others={"learning_rate": BAD_POSITIVE[:-1],
                                                "n_steps": BAD_COUNTS}),
    "logistic.LogisticRegression.fit": Spec(
        lambda X, y, learning_rate: logistic.LogisticRegression(learning_rate, 20).fit(X, y),
        lambda: dict(X=X.copy(), y=Y[:, 0].round(), learning_rate=0.5), pair("X", "y"),
        {"learning_rate": BAD_POSITIVE}),
    **{f"logistic.LogisticRegression.{name}": Spec(
        lambda X, name=name: getattr(fitted_model(), name)(X), lambda: dict(X=X.copy()),
        {"X": ("X",)}) for name in ("decision_function", "predict_proba", "predict")},
    # chain rule (chapter 3)
    "chain_rule.forward_one_sample": Spec(chain_rule.forward_one_sample,
                                          lambda: dict(network=net(), x=X[0].copy()),
                                          {"x": ("x",)}, {"network": NOT_OBJECTS}),
    "chain_rule.output_weight_factors": sample_spec(chain_rule.output_weight_factors,
                                                    j=INDEX, k=INDEX),
    "chain_rule.output_weight_factors_g_prime_of_a": sample_spec(
        chain_rule.output_weight_factors_g_prime_of_a, j=INDEX, k=INDEX),
    "chain_rule.output_weight_gradient_by_entries": sample_spec(
        chain_rule.output_weight_gradient_by_entries),
    "chain_rule.sample_loss": sample_spec(chain_rule.sample_loss),
    "chain_rule.weight_derivative_by_finite_difference": sample_spec(
        chain_rule.weight_derivative_by_finite_difference, layer=INDEX, j=INDEX, k=INDEX,
        step=(1e-6, BAD_POSITIVE[:-1])),
    # downstream sums (chapter 4)
    "downstream.backpropagate_by_loops": sample_spec(downstream.backpropagate_by_loops),
    "downstream.downstream_sum": sample_spec(downstream.downstream_sum, layer=LAYER_FROM_0,
                                             k=INDEX),
    "downstream.weight_factors": sample_spec(downstream.weight_factors, layer=INDEX, j=INDEX,
                                             k=INDEX),
    "downstream.activation_derivative_by_finite_difference": sample_spec(
        downstream.activation_derivative_by_finite_difference, layer=LAYER_FROM_0, k=INDEX,
        step=(1e-6, BAD_POSITIVE[:-1])),
    # batch averaging (chapter 5)
    **{f"batch.{name}": batch_spec(getattr(batch, name))
       for name in ("per_sample_gradients", "compare_per_sample_mean_with_vectorized",
                    "gradient_averaging_g_prime_first", "gradient_averaging_activations_first",
                    "gradient_averaging_errors_first", "gradient_averaging_all_factors_first",
                    "summed_cost_and_gradients")},
    "batch.gradient_averaging_first": batch_spec(
        batch.gradient_averaging_first,
        averaged=(("g_prime",), [(None, True), ("g_prime", True), (("g",), True)])),
    "batch.mean_gradient": Spec(batch.mean_gradient, lambda: dict(per_sample=per_sample()),
                                others={"per_sample": NOT_OBJECTS}),
    "batch.sum_gradient": Spec(batch.sum_gradient, lambda: dict(per_sample=per_sample()),
                               others={"per_sample": NOT_OBJECTS}),
    "batch.compare_gradients": Spec(batch.compare_gradients,
                                    lambda: dict(reference=gradients(), other=gradients()),
                                    others={"reference": NOT_OBJECTS, "other": NOT_OBJECTS}),
    "batch.learning_rate_for_sum": Spec(batch.learning_rate_for_sum,
                                        lambda: dict(learning_rate=0.1, batch_size=4),
                                        others={"learning_rate": BAD_POSITIVE,
                                                "batch_size": BAD_COUNTS}),
    "batch.minibatches": Spec(lambda **kwargs: list(batch.minibatches(**kwargs)),
                              lambda: dict(X=X.copy(), Y=Y.copy(), batch_size=2, rng=rng()),
                              pair("X", "Y"), {"batch_size": BAD_COUNTS, "rng": BAD_RNGS}),
    "batch.train_minibatch_gradient_descent": batch_spec(
        batch.train_minibatch_gradient_descent,
        learning_rate=(0.5, BAD_POSITIVE + [(1e4, False)]), epochs=(2, BAD_COUNTS),
        batch_size=(2, BAD_COUNTS), rng=(rng(), BAD_RNGS),
        X_validation=(X[:2].copy(), [(X[:2, :2], True), (np.full((2, 3), np.nan), True),
                                     ("X", True)]),
        Y_validation=(Y[:2].copy(), [(Y[:1], True), (Y[:2, :1], True), (None, True)])),
    # matrix form (chapter 6)
    "matrix_form.hadamard_product": Spec(matrix_form.hadamard_product,
                                         lambda: dict(u=X[0].copy(), v=X[1].copy()), pair("u", "v")),
    "matrix_form.diagonal_matrix_product": Spec(
        matrix_form.diagonal_matrix_product, lambda: dict(diagonal=X[0].copy(), vector=X[1].copy()),
        pair("diagonal", "vector")),
    "matrix_form.jacobian_z_wrt_previous_activation": Spec(
        matrix_form.jacobian_z_wrt_previous_activation, lambda: dict(weight=W1.copy()),
        {"weight": ("weight",)}),
    "matrix_form.jacobian_a_wrt_z": Spec(matrix_form.jacobian_a_wrt_z,
                                         lambda: dict(z=X[0].copy(), activation="tanh"),
                                         {"z": ("z",)}, {"activation": BAD_NAMES}),
    "matrix_form.jacobian_z_wrt_weights": Spec(
        matrix_form.jacobian_z_wrt_weights, lambda: dict(previous_activation=X[0].copy(), n_nodes=2),
        {"previous_activation": ("previous_activation",)}, {"n_nodes": BAD_COUNTS}),
    "matrix_form.weight_gradient_by_contraction": Spec(
        matrix_form.weight_gradient_by_contraction,
        lambda: dict(delta=Y[0].copy(), previous_activation=X[0].copy()),
        pair("delta", "previous_activation")),
    "matrix_form.numerical_jacobian": Spec(
        matrix_form.numerical_jacobian, lambda: dict(function=np.tanh, x=X.copy(), step=1e-6),
        {"x": ("x",)}, {"function": BAD_ARRAY_FUNCTIONS, "step": BAD_POSITIVE[:-1]}),
    "matrix_form.chain_of_jacobians": sample_spec(matrix_form.chain_of_jacobians),
    "matrix_form.product_of_jacobians": Spec(
        matrix_form.product_of_jacobians,
        lambda: dict(factors=matrix_form.chain_of_jacobians(net(), X[0], Y[0])),
        others={"factors": [(None, True), ([], True), ([np.ones((2, 2))], True), ("J", True)]}),
    "matrix_form.weight_gradient_by_outer_products": Spec(
        matrix_form.weight_gradient_by_outer_products,
        lambda: dict(Delta=Y.copy(), A_prev=X.copy()), pair("Delta", "A_prev")),
    "matrix_form.weight_gradient_by_matrix_product": Spec(
        matrix_form.weight_gradient_by_matrix_product,
        lambda: dict(Delta=Y.copy(), A_prev=X.copy()), pair("Delta", "A_prev")),
    "matrix_form.backpropagate_samples_as_rows": batch_spec(
        matrix_form.backpropagate_samples_as_rows),
    "matrix_form.backpropagate_samples_as_columns": Spec(
        matrix_form.backpropagate_samples_as_columns,
        lambda: dict(network=net(), X_columns=X.T.copy(), Y_columns=Y.T.copy(), loss=LOSS),
        pair("X_columns", "Y_columns"), {"network": NOT_OBJECTS, "loss": BAD_NAMES}),
    "matrix_form.gradients_by_loops": batch_spec(matrix_form.gradients_by_loops),
    "matrix_form.count_multiply_adds": Spec(
        matrix_form.count_multiply_adds, lambda: dict(layer_sizes=[3, 4, 2], batch_size=5),
        others={"layer_sizes": [([3], True), ([3, 0], True), (None, True), ("34", True)],
                "batch_size": BAD_COUNTS}),
    # training (chapter 7)
    "training.one_hot": Spec(training.one_hot, lambda: dict(labels=LABELS.copy(), n_classes=3),
                             {"labels": ("labels", "n_classes")},
                             {"n_classes": [(0, True), (1.5, True), ("3", True), (True, True),
                                            (2, True), (10**9, True)]}),
    "training.predicted_classes": Spec(training.predicted_classes, lambda: dict(outputs=Y.copy()),
                                       {"outputs": ("outputs",)}),
    "training.accuracy": Spec(training.accuracy, lambda: dict(outputs=Y.copy(), targets=Y[::-1].copy()),
                              pair("outputs", "targets")),
    "training.train": batch_spec(
        training.train, learning_rate=(0.5, BAD_POSITIVE + [(1e4, False)]),
        epochs=(2, BAD_COUNTS), batch_size=(2, BAD_COUNTS), rng=(rng(), BAD_RNGS)),
    # automatic differentiation (chapter 8)
    "autodiff.Tensor": Spec(autodiff.Tensor, lambda: dict(value=X.copy()), {"value": ("value",)}),
    "autodiff.Tensor.backward": Spec(
        lambda adjoint: autodiff.multiply(autodiff.Tensor(X), 2.0).backward(adjoint),
        lambda: dict(adjoint=X.copy()), {"adjoint": ("adjoint",)}),
    "autodiff.topological_order": Spec(autodiff.topological_order,
                                       lambda: dict(output=autodiff.Tensor(X)),
                                       others={"output": NOT_OBJECTS}),
    **{f"autodiff.{name}": binary_tensor_spec(getattr(autodiff, name))
       for name in ("add", "subtract", "multiply")},
    "autodiff.matmul": Spec(autodiff.matmul, lambda: dict(u=X.copy(), w=W1.T.copy()),
                            pair("u", "w")),
    **{f"autodiff.{name}": unary_tensor_spec(getattr(autodiff, name))
       for name in ("transpose", "sigmoid", "tanh", "relu", "identity", "softplus", "softmax",
                    "log_softmax")},
    "autodiff.sum": Spec(autodiff.sum, lambda: dict(u=X.copy(), axis=0), {"u": ("u", "axis")},
                         {"axis": [(2, True), (-3, True), (0.5, True), ("0", True)]}),
    "autodiff.mean": Spec(autodiff.mean, lambda: dict(u=X.copy(), axis=1), {"u": ("u", "axis")},
                          {"axis": [(2, True), (True, True), ("1", True)]}),
    "autodiff.power": Spec(autodiff.power, lambda: dict(u=np.abs(X) + 1.0, exponent=2.0),
                           {"u": ("u",)},
                           {"exponent": [(None, True), ("2", True), (np.nan, True)]}),
    "autodiff.squared_error": Spec(autodiff.squared_error, lambda: dict(a=Y.copy(), y=Y[::-1].copy()),
                                   pair("a", "y")),
    "autodiff.binary_cross_entropy_from_z": Spec(
        autodiff.binary_cross_entropy_from_z, lambda: dict(z=X[:, :2].copy(), y=Y.copy()),
        pair("z", "y")),
    "autodiff.cross_entropy_from_z": Spec(
        autodiff.cross_entropy_from_z, lambda: dict(z=X[:, :2].copy(), y=ROWS_SUMMING_TO_1.copy()),
        pair("z", "y")),
    "autodiff.jvp": Spec(
        lambda function, u, tangent: autodiff.jvp(function, [u], [tangent]),
        lambda: dict(function=autodiff.tanh, u=X.copy(), tangent=X[::-1].copy()),
        {"u": ("inputs[0]",), "tangent": ("tangents[0]",)},
        {"function": BAD_TENSOR_FUNCTIONS[:2]}),
    "autodiff.value_and_gradients": Spec(
        lambda function, u: autodiff.value_and_gradients(function, [u]),
        lambda: dict(function=lambda u: autodiff.sum(autodiff.tanh(u)), u=X.copy()),
        {"u": ("inputs[0]",)}, {"function": BAD_TENSOR_FUNCTIONS}),
    "autodiff.mlp_cost_and_gradients": batch_spec(autodiff.mlp_cost_and_gradients),
    "autodiff.chain_multiplications": Spec(
        autodiff.chain_multiplications, lambda: dict(sizes=[1, 3, 4], mode="reverse"),
        others={"sizes": [([1], True), ([1, 0], True), (None, True), ("13", True), ([1, 2.5], True)],
                "mode": BAD_NAMES}),
    # gradient checking
    "gradcheck.numerical_derivative": Spec(
        gradcheck.numerical_derivative,
        lambda: dict(function=lambda v: float(np.sum(np.tanh(v))), x=X.copy(), step=1e-6),
        {"x": ("x",)}, {"function": BAD_FUNCTIONS, "step": BAD_POSITIVE[:-1]}),
    "gradcheck.relative_error": Spec(gradcheck.relative_error,
                                     lambda: dict(first=X.copy(), second=X[::-1].copy()),
                                     pair("first", "second")),
    "gradcheck.numerical_gradients": batch_spec(gradcheck.numerical_gradients,
                                                step=(1e-6, BAD_POSITIVE[:-1])),
    "gradcheck.gradient_check": batch_spec(gradcheck.gradient_check,
                                           tolerance=(1e-7, BAD_POSITIVE[:-1])),
    # depth (chapter 9)
    "depth.deep_network": Spec(
        depth.deep_network,
        lambda: dict(n_layers=3, width=3, activation="tanh", rng=rng(), gain=1.0),
        others={"n_layers": BAD_COUNTS + [(1, True)], "width": BAD_COUNTS,
                "activation": BAD_NAMES + [("softmax", True)], "rng": BAD_RNGS,
                "gain": BAD_POSITIVE + [(1.7e308, True)]}),
    "depth.layer_gradient_norms": batch_spec(depth.layer_gradient_norms),
    "depth.layer_error_norms": batch_spec(depth.layer_error_norms),
    "depth.backward_step": Spec(
        depth.backward_step,
        lambda: dict(delta=Y.copy(), weight=W2.copy(), weighted_input=X @ W1.T + B1,
                     activation="tanh"),
        {"delta": ("delta", "weighted_input"), "weight": ("weight", "delta", "weighted_input"),
         "weighted_input": ("weighted_input",)},
        {"activation": BAD_NAMES + [("softmax", True)]}),
    "depth.gradient_cost": Spec(
        depth.gradient_cost, lambda: dict(layer_sizes=[3, 4, 2], m=5),
        others={"layer_sizes": [([3], True), ([3, 0], True), (None, True), ("34", True),
                                ([3, 2.5], True), ([3, True], True), (np.array([3, 4]), True)],
                "m": BAD_COUNTS}),
    # plotting
    "plotting.node_positions": Spec(plotting.node_positions, lambda: dict(layer_sizes=[3, 4, 2]),
                                    others={"layer_sizes": [([3, 0], True), ([], True),
                                                            (None, True), ("34", True),
                                                            ([2.5], True)]}),
    "plotting.draw_network": Spec(
        plotting.draw_network,
        lambda: dict(layer_sizes=[3, 4, 2], highlight_edges=[(2, 1, 4)],
                     highlight_nodes=[(0, 1)], edge_widths=[np.ones((4, 3)), np.ones((2, 4))]),
        others={"layer_sizes": [([3, 0], True), (None, True)],
                "highlight_edges": [([(3, 1, 1)], True), ([(2, 0, 1)], True), ("edge", True),
                                    ([(2, 1)], True)],
                "highlight_nodes": [([(0, 4)], True), ([(5, 1)], True), (None, True)],
                "edge_widths": [([np.ones((3, 4)), np.ones((2, 4))], True),
                                ([np.ones((4, 3))], True),
                                ([np.full((4, 3), np.nan), np.ones((2, 4))], True)]}),
    "plotting.draw_computation_graph": Spec(
        plotting.draw_computation_graph, lambda: dict(graph=graph(), direction="backward"),
        others={"graph": NOT_OBJECTS, "direction": BAD_NAMES}),
    "plotting.plot_curves": Spec(
        plotting.plot_curves, lambda: dict(curves={"train": [3.0, 2.0, 1.5]}, log_y=True),
        others={"curves": [({"train": [1.0, np.nan]}, True), ({"train": "abc"}, True),
                           ({"train": [0.0, 1.0]}, True), ({}, True), (None, True)]}),
    "running_example.running_example": Spec(running_example.running_example, dict),
    "diagnose.diagnose": Spec(
        diagnose.diagnose,
        lambda: dict(backprop=mlp_backprop, activation="sigmoid", output_activation=None,
                     loss="squared_error"),
        others={"backprop": [(None, True), ("backprop", True), (np.ones(2), True)],
                "activation": BAD_NAMES + [("softmax", True)],
                "output_activation": [("no such name", True), (3, True), ("softmax", True),
                                      ("tanh", False)],
                "loss": BAD_NAMES + [("cross_entropy", True)]}),
    "diagnose.ladder": Spec(diagnose.ladder, dict),
    "diagnose.ladder_inputs": Spec(diagnose.ladder_inputs, dict),
}


def mlp_backprop(weights, biases, X, Y):
    """A right ``backprop`` of sigmoid layers, for diagnose's valid call."""
    network = MLP(weights, biases, ["sigmoid"] * len(weights))
    _, gradients = network.cost_and_gradients(X, Y, "squared_error")
    return gradients.weights, gradients.biases


# ---------------------------------------------------------------------------------------------
# spoiling an array, and judging the outcome

#: Spoilt values that no function may accept.
MUST_FAIL = {"nan", "inf", "object", "strings", "none", "text"}


def spoil(value: np.ndarray, kind: str, data: st.DataObject) -> tuple[Any, Any]:
    """A bad version of ``value``, and the float array it stands for when it is a valid
    spelling of the same numbers (a list, integers, booleans), else ``None``."""
    value = np.array(value, dtype=float)
    if kind in ("nan", "inf"):
        if value.size == 0:
            return np.array([np.nan if kind == "nan" else np.inf]), None
        position = data.draw(st.sampled_from(list(np.ndindex(value.shape))), label="position")
        value[position] = np.nan if kind == "nan" else data.draw(st.sampled_from([np.inf, -np.inf]))
        return value, None
    if kind == "huge":
        largest = np.max(np.abs(value), initial=0.0)
        return (value / largest * 1e308 if largest else np.full_like(value, 1e308)), None
    if kind == "transposed":
        return value.T.copy(), None
    if kind == "extra_axis":
        return value[..., np.newaxis].copy(), None
    if kind == "flattened":
        return value.reshape(-1).copy(), None
    if kind == "one_fewer":
        return (value[..., :-1] if value.ndim else value.reshape(1)[:0]).copy(), None
    if kind == "one_more":
        return np.concatenate([value, value[..., :1]], axis=-1) if value.ndim else value[None], None
    if kind == "empty":
        return value[:0].copy() if value.ndim else np.empty(0), None
    if kind == "integers":
        rounded = np.round(value)
        return rounded.astype(np.int64), rounded
    if kind == "booleans":
        return value > 0, (value > 0).astype(float)
    if kind == "object":
        return value.astype(object), None
    if kind == "strings":
        return value.astype(str), None
    if kind == "list":
        return value.tolist(), value
    if kind == "none":
        return None, None
    return "text", None


KINDS = ["nan", "inf", "huge", "transposed", "extra_axis", "flattened", "one_fewer", "one_more",
         "empty", "integers", "booleans", "object", "strings", "list", "none", "text"]


def mentions(message: str, name: str) -> bool:
    """Does ``message`` name the argument ``name`` (as an argument, not as a word)?"""
    if len(name) > 2:
        return re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", message) is not None
    return re.search(rf"(?<![\w.']){re.escape(name)}(?=\[| must| and | of shape| has | holds |:| "
                     rf"\(| is )", message) is not None


def arrays_in(value: Any) -> list[np.ndarray]:
    """Every numpy array inside an argument (lists, dicts, networks, tensors), to snapshot."""
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, (list, tuple)):
        return [array for item in value for array in arrays_in(item)]
    if isinstance(value, dict):
        return [array for item in value.values() for array in arrays_in(item)]
    if isinstance(value, MLP):
        return value.weights + value.biases
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [array for field in dataclasses.fields(value)
                for array in arrays_in(getattr(value, field.name))]
    return []


def finite(result: Any) -> bool:
    if isinstance(result, (float, np.floating)):
        return bool(np.isfinite(result))
    if isinstance(result, np.ndarray):
        return result.dtype.kind not in "fc" or bool(np.all(np.isfinite(result)))
    if isinstance(result, MLP):
        return finite(result.weights + result.biases)
    if isinstance(result, autodiff.Tensor):
        return finite(result.value)
    if isinstance(result, (list, tuple)):
        return all(finite(item) for item in result)
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return all(finite(getattr(result, field.name)) for field in dataclasses.fields(result))
    return True


def same(first: Any, second: Any) -> bool:
    """Equal numbers (a list or integer spelling of an array must give the same result)."""
    first_arrays, second_arrays = arrays_in([first]), arrays_in([second])
    if isinstance(first, (float, int, np.number)):
        return bool(first == second)
    return len(first_arrays) == len(second_arrays) and all(
        a.shape == b.shape and np.array_equal(a, b) for a, b in zip(first_arrays, second_arrays))


def check_call(spec: Spec, name: str, bad: Any, must_fail: bool, names: tuple[str, ...],
               equivalent: Any = None) -> None:
    """Call with ``bad`` as argument ``name``; judge the outcome by the rule of this module."""
    passed = {**spec.valid(), name: bad}
    snapshot = [array.copy() for array in arrays_in(passed)]
    try:
        result = spec.call(**passed)
    except (ValueError, TypeError, FloatingPointError) as error:
        assert any(mentions(str(error), n) for n in names), (
            f"{type(error).__name__} does not name {' or '.join(names)}: {error}")
    else:
        assert not must_fail, f"{name} = {bad!r:.60} was accepted"
        assert finite(result), f"{name} = {bad!r:.60} gave a result that is not finite"
        if equivalent is not None:
            assert same(result, spec.call(**{**spec.valid(), name: equivalent})), (
                f"{name} spelt as {type(bad).__name__} gives another result")
        valid = spec.valid()[name]
        if isinstance(bad, np.ndarray) and isinstance(valid, np.ndarray) and bad.shape == valid.shape \
                and np.array_equal(bad, valid):  # the same numbers (a 1-D vector transposed)
            assert same(result, spec.call(**spec.valid())), f"{name} = {bad!r:.60}: another result"
        if spec.right is not None:  # right, not merely finite
            assert_right(result, spec.right({**spec.valid(), name: bad}), f"{name} = {bad!r:.60}")
    finally:
        plt.close("all")
    for before, now in zip(snapshot, arrays_in(passed)):
        assert before.shape == now.shape and before.dtype == now.dtype, "an input changed"
        assert np.array_equal(before, now, equal_nan=before.dtype.kind == "f"), "an input changed"


# ---------------------------------------------------------------------------------------------
# the property-based tests


@pytest.mark.parametrize("qualname", sorted(name for name, spec in SPECS.items()
                                             if spec.arrays or spec.others))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_bad_input_gives_a_named_error_or_a_right_finite_result(qualname, data):
    spec = SPECS[qualname]
    name = data.draw(st.sampled_from(sorted(spec.arrays) + sorted(spec.others)), label="argument")
    if name in spec.arrays:  # an array, spoilt in one of the ways of KINDS
        kind = data.draw(st.sampled_from(KINDS), label="kind")
        bad, equivalent = spoil(spec.valid()[name], kind, data)
        check_call(spec, name, bad, kind in MUST_FAIL, spec.arrays[name], equivalent)
    else:  # a setting or an object, replaced by one of its listed bad values
        bad, must_fail = data.draw(st.sampled_from(spec.others[name]), label="value")
        check_call(spec, name, bad, must_fail, (name, *spec.aliases.get(name, ())))


#: the spoilt arrays a function may accept (a shape it also supports, or values up to 1e308)
RESHAPED_OR_HUGE = ["huge", "transposed", "extra_axis", "flattened", "one_fewer", "one_more", "empty"]


@pytest.mark.parametrize("qualname", sorted(name for name, spec in SPECS.items() if spec.right))
def test_accepted_reshaped_transposed_or_huge_input_gives_the_right_result(qualname):
    """Every such spoiling of every array argument, not a sample: where one is accepted, the
    result is the one computed independently (spec.right), shape and value, not merely finite."""
    spec = SPECS[qualname]
    for name in sorted(spec.arrays):
        for kind in RESHAPED_OR_HUGE:
            bad, _ = spoil(spec.valid()[name], kind, None)
            check_call(spec, name, bad, False, spec.arrays[name])


@pytest.mark.parametrize("qualname", sorted(SPECS))
def test_the_valid_call_of_every_spec_works(qualname):
    """The baseline of each spec is valid, so a failure above is the spoilt argument's doing."""
    spec = SPECS[qualname]
    try:
        assert finite(spec.call(**spec.valid()))
    finally:
        plt.close("all")


def public_functions() -> set[str]:
    """Every public function, class (except plain data records) and public method."""
    found = set()
    for info in pkgutil.iter_modules(backproplib.__path__):
        if info.name.startswith("_") or info.name in ("exercises", "display"):
            continue
        module = importlib.import_module(f"backproplib.{info.name}")
        for name, value in vars(module).items():
            if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(value):
                found.add(f"{info.name}.{name}")
            elif inspect.isclass(value) and not dataclasses.is_dataclass(value):
                found.add(f"{info.name}.{name}")
                found |= {f"{info.name}.{name}.{method}" for method, member in vars(value).items()
                          if not method.startswith("_")
                          and isinstance(member, (classmethod, staticmethod))
                          or (not method.startswith("_") and inspect.isfunction(member))}
    return found


def test_every_public_function_is_driven_with_bad_input():
    missing = public_functions() - set(SPECS)
    assert not missing, f"public functions with no bad-input spec in this module: {sorted(missing)}"
    assert not set(SPECS) - public_functions(), "a spec for something that is not public"


def test_the_public_functions_are_found():
    """The enumeration itself can fail: it sees functions, classes and methods of each module."""
    found = public_functions()
    assert {"network.MLP", "network.MLP.cost_and_gradients", "network.MLP.random",
            "gradcheck.gradient_check", "autodiff.Tensor.backward", "plotting.plot_curves",
            "logistic.LogisticRegression.fit"} <= found
    assert "network.Gradients" not in found  # a plain record of results
    assert len(found) > 100


# ---------------------------------------------------------------------------------------------
# regression tests: the cases of issue 15 (and the package side of issue 12)


def ones_network() -> MLP:
    return MLP([np.ones((4, 3)), np.ones((2, 4))], [np.zeros(4), np.zeros(2)],
               ["sigmoid", "sigmoid"])


def test_issue_15_case_1_an_overflow_in_the_forward_pass_is_an_error_naming_x():
    X_huge = np.full((4, 3), 1e308)  # z = 3e308 overflows; the sigmoid would hide it as 1
    with pytest.raises(FloatingPointError, match=r"overflow.*\(X: values up to 1e\+308\)\. Scale"):
        ones_network().cost_and_gradients(X_huge, Y[:4], "squared_error")
    with pytest.raises(FloatingPointError, match=r"\(X: values up to 1e\+308\)"):
        ones_network().predict(X_huge)
    np.testing.assert_array_equal(X_huge, 1e308)


@pytest.mark.parametrize("x", [1e10, 1e12, -3e15, 1e150])
def test_issue_15_case_2_the_finite_difference_step_scales_with_x(x):
    # d/dv v^2 = 2v; a fixed step of 1e-6 is lost in the rounding of v + h for large v
    numeric = gradcheck.numerical_derivative(lambda v: float(np.sum(v**2)), np.array([x]))
    assert numeric[0] == pytest.approx(2 * x, rel=1e-6)
    numeric_jacobian = matrix_form.numerical_jacobian(lambda v: v**2, np.array([x]))
    assert numeric_jacobian[0, 0] == pytest.approx(2 * x, rel=1e-6)


def test_issue_15_case_3_relative_error_of_huge_values_does_not_overflow():
    first, second = np.array([1e200, 2e200]), np.array([1e200, 2.2e200])
    expected = 0.2 / (np.sqrt(5.0) + np.sqrt(1.0 + 2.2**2))  # the same ratio at scale 1
    assert gradcheck.relative_error(first, second) == pytest.approx(expected, rel=1e-12)
    assert gradcheck.relative_error(np.full(3, 1.5e308), np.full(3, -1.5e308)) == 1.0
    assert gradcheck.relative_error(np.array([1e-300]), np.array([3e-300])) == pytest.approx(0.5)


def test_issue_15_case_4_apply_gradients_rejects_nan_and_changes_nothing():
    model = net()
    grads = model.cost_and_gradients(X, Y, LOSS)[1]
    bad = Gradients([np.full_like(grads.weights[0], np.nan), grads.weights[1]], grads.biases, [])
    with pytest.raises(ValueError, match=r"grads\.weights\[0\] must contain only finite numbers"):
        model.apply_gradients(bad, 0.1)
    for ours, original in zip(model.weights + model.biases, [W1, W2, B1, B2]):
        np.testing.assert_array_equal(ours, original)


def test_issue_15_case_5_diverging_training_stops_at_a_named_step():
    diverging = MLP([W1, W2], [B1, B2], ["relu", "identity"])
    with pytest.raises(FloatingPointError, match=r"training diverged at step \d+: .*Use a smaller "
                                                 r"learning_rate \(it is 10000\)"):
        batch.train_minibatch_gradient_descent(diverging, X, Y, LOSS, 1e4, 50, 2, rng())
    with pytest.raises(FloatingPointError, match=r"training diverged at step \d+: .*learning_rate"):
        training.train(diverging, X, Y, LOSS, 1e4, 50, 2, rng())
    labels = (X[:, 0] > 0).astype(float)
    with pytest.raises(FloatingPointError, match=r"training diverged at step 2: .*\(X: values up to "
                                                 r".*standardise the inputs"):
        logistic.LogisticRegression().fit(X * 1e200, labels)


def test_issue_15_case_6_gradient_check_names_a_network_that_is_not_an_mlp():
    with pytest.raises(TypeError, match="network must be a backproplib.network.MLP, got NoneType"):
        gradcheck.gradient_check(None, X, Y, "squared_error")


def test_issue_15_case_7_messages_name_the_argument_given():
    with pytest.raises(ValueError, match=r"^X_validation must have 3 columns"):
        batch.train_minibatch_gradient_descent(net(), X, Y, LOSS, 0.1, 1, 2, rng(),
                                               X_validation=X[:, :2], Y_validation=Y)
    with pytest.raises(ValueError, match=r"^Y_validation must have shape \(5, 2\)"):
        batch.train_minibatch_gradient_descent(net(), X, Y, LOSS, 0.1, 1, 2, rng(),
                                               X_validation=X, Y_validation=Y[:, :1])
    with pytest.raises(ValueError, match=r"^X_columns must hold at least one sample \(column\)"):
        matrix_form.backpropagate_samples_as_columns(net(), np.ones((3, 0)), np.ones((2, 0)), LOSS)


@pytest.mark.parametrize("returned", [np.ones(2), None, "text"])
def test_issue_15_case_8_a_function_returning_the_wrong_kind_is_named(returned):
    with pytest.raises(TypeError, match="function must return one number"):
        gradcheck.numerical_derivative(lambda v: returned, np.ones(2))
    if returned is not None and not isinstance(returned, str):
        return  # an array is what numerical_jacobian's function should return
    with pytest.raises(TypeError, match="function must return an array of numbers"):
        matrix_form.numerical_jacobian(lambda v: returned, np.ones(2))


def test_issue_15_numerical_jacobian_names_a_function_whose_shape_changes():
    with pytest.raises(ValueError, match="function must return arrays of one shape"):
        matrix_form.numerical_jacobian(lambda v: np.ones(1 + (v[0] > 1)), np.ones(2))


def test_issue_15_autodiff_cross_entropy_needs_rows_that_sum_to_1_like_the_mlp():
    with pytest.raises(ValueError, match="each row of y must sum to 1 for cross-entropy"):
        autodiff.cross_entropy_from_z(np.zeros((2, 3)), np.full((2, 3), 0.5))


def test_issue_15_a_layer_needs_at_least_one_node():
    with pytest.raises(ValueError, match=r"weights\[0\] must have at least one row and one column"):
        MLP([np.ones((0, 3)), np.ones((2, 0))], [np.zeros(0), np.zeros(2)], ["tanh", "tanh"])


def test_issue_15_one_hot_refuses_a_billion_columns():
    with pytest.raises(ValueError, match=r"one_hot would build an array of 2 rows and 1000000001 "
                                         r"columns.*labels\[1\] = 1e\+09"):
        training.one_hot([0, 10**9])


def test_issue_15_topological_order_names_what_is_not_a_tensor():
    with pytest.raises(TypeError, match="output must be a Tensor .* got ndarray"):
        autodiff.topological_order(np.ones(2))


def test_issue_12_a_transposed_first_layer_is_named_as_such():
    with pytest.raises(ValueError, match=r"^weights\[0\] has shape \(3, 4\), but biases\[0\] has 4 "
                                         r"entries.*weights\[0\] looks transposed.*shape \(4, 3\)"):
        MLP([W1.T, W2], [B1, B2], ["tanh", "sigmoid"])
    with pytest.raises(ValueError, match=r"^weights\[1\] has shape \(4, 2\).*weights\[1\] looks "
                                         r"transposed"):
        MLP([W1, W2.T], [B1, B2], ["tanh", "sigmoid"])


def test_issue_12_the_output_error_formula_is_element_wise_only_for_element_wise_activations():
    text = " ".join(network.__doc__.split())
    assert "element-wise** output activation" in text
    assert r"\text{(element-wise } g^{[L]} \text{ only)}" in text
    assert r"\operatorname{diag}(a) - a a^\top" in text and "softmax" in text


def test_issue_12_gradient_check_passes_below_the_books_threshold():
    table = (ROOT / "book" / "C_gradient_checking.ipynb").read_text()
    assert r"| below $10^{-7}$ | the gradient is right |" in table
    assert inspect.signature(gradcheck.gradient_check).parameters["tolerance"].default == 1e-7
    report = gradcheck.GradientCheck([2e-7], [0.0], 1e-7)
    assert not report.passed and str(report).endswith("FAILED (tolerance 1e-07)")


def test_depth_overflow_is_named_or_avoided():
    with pytest.raises(FloatingPointError, match=r"backward_step overflowed.*\(delta: values up"):
        depth.backward_step(np.full((2, 2), 1e308), np.ones((2, 3)), np.zeros((2, 3)), "tanh")
    linear = MLP([np.ones((2, 2)), np.ones((1, 2))], [np.zeros(2), np.zeros(1)],
                 ["identity", "identity"])  # gradients of about 1e301: their squares overflow
    X_big, Y_zero = np.full((3, 2), 1e150), np.zeros((3, 1))
    np.testing.assert_allclose(depth.layer_gradient_norms(linear, X_big, Y_zero, LOSS),
                               1e150 * depth.layer_gradient_norms(linear, X_big / 1e150, Y_zero,
                                                                  LOSS) * 1e150)
    np.testing.assert_allclose(depth.layer_error_norms(linear, X_big, Y_zero, LOSS),
                               1e150 * depth.layer_error_norms(linear, X_big / 1e150, Y_zero, LOSS))


def test_hypothesis_runs_derandomized_in_ci_and_in_the_readme_command():
    assert settings.get_profile("ci").derandomize
    assert settings.get_profile("ci").database is None
    assert not settings.get_profile("explore").derandomize
    assert "python -m pytest --hypothesis-profile=ci" in (ROOT / ".ci" / "run").read_text()
    assert "&& python -m pytest --hypothesis-profile=ci\n" in (ROOT / "README.md").read_text()
    assert "--hypothesis-profile=explore" in (ROOT / "CONTRIBUTING.md").read_text()


def test_a_huge_python_integer_count_is_named():
    with pytest.raises(ValueError, match=r"^m must be a positive integer below 2\*\*63"):
        depth.gradient_cost([3, 2], m=10**200)
