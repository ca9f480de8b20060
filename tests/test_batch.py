"""Tests of backproplib.batch (chapter 5: batch averaging).

Expected values are derived independently of the module under test: autograd (an independent
automatic differentiation) of the per-sample, mean and summed costs; centred finite differences
written here; and explicit loops over samples and nodes for the wrong methods.
"""

from __future__ import annotations

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split

from backproplib import batch
from backproplib.network import MLP, Gradients
from backproplib.running_example import running_example

# ---------------------------------------------------------------------------------------------
# Independent references
# ---------------------------------------------------------------------------------------------

AUTOGRAD_ACTIVATIONS = {
    "sigmoid": lambda z: 0.5 * (anp.tanh(0.5 * z) + 1.0),
    "tanh": anp.tanh,
    "relu": lambda z: anp.maximum(z, 0.0),
    "identity": lambda z: z,
}


def autograd_losses(params, X, Y, names, loss):
    """Per-sample losses L^(i), written with autograd.numpy from the book's definitions."""
    a = X
    for (weight, bias), name in zip(params, names):
        a = AUTOGRAD_ACTIVATIONS[name](anp.dot(a, weight.T) + bias)
    if loss == "squared_error":
        return anp.sum((a - Y) ** 2, axis=1)
    return -anp.sum(Y * anp.log(a) + (1.0 - Y) * anp.log(1.0 - a), axis=1)


def parameters(network: MLP):
    return [(w.copy(), b.copy()) for w, b in zip(network.weights, network.biases)]


def autograd_gradient(network: MLP, X, Y, loss, reduce) -> list[tuple[np.ndarray, np.ndarray]]:
    """Gradient of reduce(per-sample losses) with respect to every (W, b), by autograd."""
    names = network.activation_names
    return grad(lambda params: reduce(autograd_losses(params, X, Y, names, loss)))(
        parameters(network)
    )


def autograd_mean_gradient(network, X, Y, loss):
    return autograd_gradient(network, X, Y, loss, anp.mean)


def centred_differences(function, x: np.ndarray, step: float = 1e-6) -> np.ndarray:
    """Plain centred finite differences, written here (not backproplib.gradcheck)."""
    x = np.array(x, dtype=float)
    result = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += step
        minus[index] -= step
        result[index] = (function(plus) - function(minus)) / (2 * step)
    return result


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def wrong_gradient_by_loops(network: MLP, X, Y, averaged: set[str]):
    """The wrong methods for a 2-layer sigmoid network with squared error, by explicit loops.

    Each factor named in ``averaged`` ('errors', 'g_prime', 'activations') is replaced by its mean
    over the samples before the per-sample products; everything else is per sample.
    """
    (W1, W2), (b1, b2) = network.weights, network.biases
    m, n0 = X.shape
    n1, n2 = W1.shape[0], W2.shape[0]
    Z1 = np.array([[sum(W1[k, q] * X[i, q] for q in range(n0)) + b1[k] for k in range(n1)]
                   for i in range(m)])
    A1 = sigmoid(Z1)
    Z2 = np.array([[sum(W2[j, k] * A1[i, k] for k in range(n1)) + b2[j] for j in range(n2)]
                   for i in range(m)])
    A2 = sigmoid(Z2)
    E = 2.0 * (A2 - Y)
    G2 = A2 * (1.0 - A2)
    G1 = A1 * (1.0 - A1)
    A0 = X.copy()
    A1_factor = A1.copy()
    if "errors" in averaged:
        E = np.tile(E.mean(axis=0), (m, 1))
    if "g_prime" in averaged:
        G2 = np.tile(G2.mean(axis=0), (m, 1))
        G1 = np.tile(G1.mean(axis=0), (m, 1))
    if "activations" in averaged:
        A0 = np.tile(A0.mean(axis=0), (m, 1))
        A1_factor = np.tile(A1_factor.mean(axis=0), (m, 1))
    dW2 = np.zeros((n2, n1))
    db2 = np.zeros(n2)
    dW1 = np.zeros((n1, n0))
    db1 = np.zeros(n1)
    for i in range(m):
        for j in range(n2):
            db2[j] += E[i, j] * G2[i, j] / m
            for k in range(n1):
                dW2[j, k] += E[i, j] * G2[i, j] * A1_factor[i, k] / m
        for k in range(n1):
            delta1 = sum(E[i, j] * G2[i, j] * W2[j, k] for j in range(n2)) * G1[i, k]
            db1[k] += delta1 / m
            for q in range(n0):
                dW1[k, q] += delta1 * A0[i, q] / m
    return [(dW1, db1), (dW2, db2)]


def relative(first: np.ndarray, second: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||), written here."""
    first, second = np.ravel(first), np.ravel(second)
    return float(np.sqrt(np.sum((first - second) ** 2))
                 / (np.sqrt(np.sum(first ** 2)) + np.sqrt(np.sum(second ** 2))))


def flatten(pairs) -> np.ndarray:
    return np.concatenate([w.ravel() for w, _ in pairs] + [b.ravel() for _, b in pairs])


def as_pairs(grads: Gradients):
    return list(zip(grads.weights, grads.biases))


def assert_pairs_close(actual: Gradients, expected, rtol=1e-10, atol=1e-12):
    assert len(actual.weights) == len(expected)
    for (w, b), (ew, eb) in zip(as_pairs(actual), expected):
        np.testing.assert_allclose(w, ew, rtol=rtol, atol=atol)
        np.testing.assert_allclose(b, eb, rtol=rtol, atol=atol)


WRONG_BY_NAME = {
    "g_prime": batch.gradient_averaging_g_prime_first,
    "activations": batch.gradient_averaging_activations_first,
    "errors": batch.gradient_averaging_errors_first,
}


@st.composite
def networks_and_batches(draw, min_m: int = 1, max_m: int = 7, losses=("squared_error",
                                                                        "binary_cross_entropy")):
    """A random MLP (depth 1-3, widths 1-4, any activations) and a batch of m samples."""
    seed = draw(st.integers(0, 2**32 - 1))
    m = draw(st.integers(min_m, max_m))
    depth = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 4), min_size=depth + 1, max_size=depth + 1))
    loss = draw(st.sampled_from(losses))
    names = draw(st.lists(st.sampled_from(["sigmoid", "tanh", "relu", "identity"]),
                          min_size=depth, max_size=depth))
    if loss == "binary_cross_entropy":
        names[-1] = "sigmoid"
    rng = np.random.default_rng(seed)
    network = MLP.random(sizes, names, rng)
    X = rng.normal(size=(m, sizes[0]))
    if loss == "binary_cross_entropy":
        Y = rng.uniform(0.0, 1.0, size=(m, sizes[-1]))
    else:
        Y = rng.normal(size=(m, sizes[-1]))
    return network, X, Y, loss


def iris_split():
    """The chapter's data: iris, 100 training and 50 validation flowers, standardised, one-hot."""
    iris = load_iris()
    X_train, X_val, s_train, s_val = train_test_split(
        iris.data, iris.target, test_size=50, stratify=iris.target, random_state=0)
    centre, spread = X_train.mean(axis=0), X_train.std(axis=0)
    return ((X_train - centre) / spread, np.eye(3)[s_train], (X_val - centre) / spread,
            np.eye(3)[s_val])


# ---------------------------------------------------------------------------------------------
# Per-sample gradients, their mean, the vectorized gradient (chapter 5, Q15)
# ---------------------------------------------------------------------------------------------


def test_running_example_per_sample_losses_and_gradients_match_autograd():
    example = running_example()
    network, X, Y = example.network, example.X, example.Y
    per_sample = batch.per_sample_gradients(network, X, Y, example.loss)
    assert per_sample.losses.shape == (4,)
    expected_losses = autograd_losses(parameters(network), X, Y, network.activation_names,
                                      example.loss)
    np.testing.assert_allclose(per_sample.losses, expected_losses, rtol=1e-12)
    for i in range(4):
        expected = autograd_gradient(network, X[i:i + 1], Y[i:i + 1], example.loss, anp.sum)
        for layer, (ew, eb) in enumerate(expected):
            np.testing.assert_allclose(per_sample.weights[layer][i], ew, rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(per_sample.biases[layer][i], eb, rtol=1e-10, atol=1e-14)


def test_running_example_mean_vectorized_and_finite_differences_agree():
    example = running_example()
    network, X, Y, loss = example.network, example.X, example.Y, example.loss
    mean = batch.mean_gradient(batch.per_sample_gradients(network, X, Y, loss))
    expected = autograd_mean_gradient(network, X, Y, loss)
    assert_pairs_close(mean, expected)

    def cost_of_w2(W2):
        params = parameters(network)
        params[1] = (W2, params[1][1])
        return float(np.mean(autograd_losses(params, X, Y, network.activation_names, loss)))

    numeric_w2 = centred_differences(cost_of_w2, network.weights[1])
    np.testing.assert_allclose(mean.weights[1], numeric_w2, rtol=1e-7, atol=1e-10)
    comparison = batch.compare_per_sample_mean_with_vectorized(network, X, Y, loss)
    assert comparison.overall <= 1e-14
    assert relative(flatten(as_pairs(mean)), flatten(expected)) <= 1e-12


def test_derivative_of_the_mean_with_respect_to_each_loss_is_one_over_m():
    losses = np.array([0.3, 0.6, 0.4, 0.5])
    np.testing.assert_allclose(grad(anp.mean)(losses), np.full(4, 0.25))
    np.testing.assert_allclose(centred_differences(np.mean, losses), np.full(4, 0.25), rtol=1e-8)


@settings(max_examples=60, deadline=None)
@given(networks_and_batches())
def test_mean_of_per_sample_gradients_equals_vectorized(case):
    network, X, Y, loss = case
    per_sample = batch.per_sample_gradients(network, X, Y, loss)
    _, vectorized = network.cost_and_gradients(X, Y, loss)
    mean = batch.mean_gradient(per_sample)
    assert_pairs_close(mean, as_pairs(vectorized), rtol=1e-9, atol=1e-12)
    for layer in range(network.num_layers):
        np.testing.assert_allclose(per_sample.deltas[layer], vectorized.deltas[layer],
                                   rtol=1e-9, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(networks_and_batches())
def test_mean_of_per_sample_gradients_equals_autograd_of_mean_cost(case):
    network, X, Y, loss = case
    mean = batch.mean_gradient(batch.per_sample_gradients(network, X, Y, loss))
    assert_pairs_close(mean, autograd_mean_gradient(network, X, Y, loss), rtol=1e-8, atol=1e-11)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mean_of_per_sample_gradients_matches_finite_differences(seed):
    rng = np.random.default_rng(seed)
    network = MLP.random([3, 5, 4, 2], ["tanh", "sigmoid", "identity"], rng)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    mean = batch.mean_gradient(batch.per_sample_gradients(network, X, Y, "squared_error"))
    for layer in range(network.num_layers):
        def cost(W, layer=layer):
            weights = list(network.weights)
            weights[layer] = W
            return float(np.mean(np.sum((MLP(weights, network.biases, network.activation_names)
                                         .predict(X) - Y) ** 2, axis=1)))

        numeric = centred_differences(cost, network.weights[layer])
        assert relative(mean.weights[layer], numeric) < 1e-7


def test_deltas_are_per_sample_errors_before_one_over_m():
    example = running_example()
    network, X, Y, loss = example.network, example.X, example.Y, example.loss
    _, grads = network.cost_and_gradients(X, Y, loss)
    forward = network.forward(X)
    names = network.activation_names
    for i in range(X.shape[0]):
        def loss_of_z2(z2, i=i):
            return anp.sum((AUTOGRAD_ACTIVATIONS[names[1]](z2) - Y[i]) ** 2)

        expected = grad(loss_of_z2)(forward.weighted_inputs[1][i])
        np.testing.assert_allclose(grads.deltas[1][i], expected, rtol=1e-12)
    A1 = forward.activations[1]
    sum_of_outer = sum(np.outer(grads.deltas[1][i], A1[i]) for i in range(4))
    np.testing.assert_allclose(sum_of_outer / 4, grads.weights[1], rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# The wrong methods
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("factor", ["g_prime", "activations", "errors"])
def test_running_example_wrong_methods_match_explicit_loops(factor):
    example = running_example()
    network, X, Y, loss = example.network, example.X, example.Y, example.loss
    wrong = WRONG_BY_NAME[factor](network, X, Y, loss)
    assert_pairs_close(wrong, wrong_gradient_by_loops(network, X, Y, {factor}))


def test_running_example_all_factors_first_is_product_of_means():
    example = running_example()
    network, X, Y, loss = example.network, example.X, example.Y, example.loss
    wrong = batch.gradient_averaging_all_factors_first(network, X, Y, loss)
    assert_pairs_close(wrong, wrong_gradient_by_loops(network, X, Y,
                                                      {"errors", "g_prime", "activations"}))
    # entry w_24^[2] of the chapter's table: the product of the three means
    forward = network.forward(X)
    error = 2 * (forward.activations[2][:, 1] - Y[:, 1])
    output = sigmoid(forward.weighted_inputs[1][:, 1])
    slope = output * (1 - output)
    hidden = forward.activations[1][:, 3]
    assert wrong.weights[1][1, 3] == pytest.approx(error.mean() * slope.mean() * hidden.mean(),
                                                   rel=1e-12)


def test_running_example_w24_table_of_the_chapter():
    """The chapter's right and wrong values of dJ/dw_24^[2], recomputed independently."""
    example = running_example()
    network, X, Y, loss = example.network, example.X, example.Y, example.loss
    right = autograd_mean_gradient(network, X, Y, loss)[1][0][1, 3]
    _, grads = network.cost_and_gradients(X, Y, loss)
    assert grads.weights[1][1, 3] == pytest.approx(right, rel=1e-12)
    for factor, method in WRONG_BY_NAME.items():
        by_loops = wrong_gradient_by_loops(network, X, Y, {factor})[1][0][1, 3]
        assert method(network, X, Y, loss).weights[1][1, 3] == pytest.approx(by_loops, rel=1e-12)
        assert abs(by_loops - right) > 1e-5  # a visibly different number at 4-6 decimals


def test_running_example_relative_error_table_of_the_chapter():
    """Each wrong method's relative error (per layer and overall) against autograd's gradient."""
    example = running_example()
    network, X, Y, loss = example.network, example.X, example.Y, example.loss
    truth = autograd_mean_gradient(network, X, Y, loss)
    _, grads = network.cost_and_gradients(X, Y, loss)
    factor_sets = {
        "average g'(z) first": {"g_prime"},
        "average a first": {"activations"},
        "average errors first": {"errors"},
        "average all three first": {"g_prime", "activations", "errors"},
    }
    assert set(batch.WRONG_METHODS) == set(factor_sets)
    for name, method in batch.WRONG_METHODS.items():
        wrong = wrong_gradient_by_loops(network, X, Y, factor_sets[name])
        comparison = batch.compare_gradients(grads, method(network, X, Y, loss))
        assert comparison.weight_errors[1] == pytest.approx(relative(truth[1][0], wrong[1][0]),
                                                            rel=1e-9)
        assert comparison.weight_errors[0] == pytest.approx(relative(truth[0][0], wrong[0][0]),
                                                            rel=1e-9)
        assert comparison.overall == pytest.approx(relative(flatten(truth), flatten(wrong)),
                                                   rel=1e-9)
        assert comparison.overall > 1e-3  # fails any gradient check
    # the prose quotes the overall error of averaging g' first: 0.0243, over twenty times 1e-3
    wrong = wrong_gradient_by_loops(network, X, Y, {"g_prime"})
    assert f"{relative(flatten(truth), flatten(wrong)):.4f}" == "0.0243"


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(1, 5), hidden=st.integers(1, 4))
def test_wrong_methods_match_explicit_loops_on_random_two_layer_networks(seed, m, hidden):
    rng = np.random.default_rng(seed)
    network = MLP.random([3, hidden, 2], ["sigmoid", "sigmoid"], rng)
    X, Y = rng.normal(size=(m, 3)), rng.integers(0, 2, size=(m, 2)).astype(float)
    for factor, method in WRONG_BY_NAME.items():
        assert_pairs_close(method(network, X, Y, "squared_error"),
                           wrong_gradient_by_loops(network, X, Y, {factor}), rtol=1e-9)


@settings(max_examples=40, deadline=None)
@given(networks_and_batches(min_m=1, max_m=1))
def test_every_wrong_method_is_right_for_a_single_sample(case):
    """With m = 1 the mean of a factor is the factor: the mistake hides in single-sample tests."""
    network, X, Y, loss = case
    truth = autograd_mean_gradient(network, X, Y, loss)
    for method in batch.WRONG_METHODS.values():
        assert_pairs_close(method(network, X, Y, loss), truth, rtol=1e-8, atol=1e-11)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("names", [("sigmoid", "sigmoid"), ("tanh", "sigmoid"), ("tanh", "tanh")])
@pytest.mark.parametrize("factor", ["g_prime", "activations", "errors"])
def test_every_wrong_method_is_wrong_on_generic_batches(seed, names, factor):
    rng = np.random.default_rng(seed)
    network = MLP.random([3, 4, 2], list(names), rng, weight_scale=1.0)
    X, Y = rng.normal(size=(5, 3)), rng.integers(0, 2, size=(5, 2)).astype(float)
    truth = autograd_mean_gradient(network, X, Y, "squared_error")
    wrong = WRONG_BY_NAME[factor](network, X, Y, "squared_error")
    assert relative(flatten(as_pairs(wrong)), flatten(truth)) > 1e-4


def test_averaging_g_prime_first_is_harmless_only_when_g_prime_is_constant():
    """A linear network has g' = 1 everywhere: averaging it changes nothing (a degenerate case)."""
    rng = np.random.default_rng(3)
    network = MLP.random([3, 4, 2], ["identity", "identity"], rng)
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    truth = autograd_mean_gradient(network, X, Y, "squared_error")
    assert_pairs_close(batch.gradient_averaging_g_prime_first(network, X, Y, "squared_error"),
                       truth)
    wrong = batch.gradient_averaging_errors_first(network, X, Y, "squared_error")
    assert relative(flatten(as_pairs(wrong)), flatten(truth)) > 1e-3


def test_averaging_activations_first_leaves_bias_gradients_right():
    rng = np.random.default_rng(4)
    network = MLP.random([3, 4, 2], ["sigmoid", "sigmoid"], rng)
    X, Y = rng.normal(size=(6, 3)), rng.integers(0, 2, size=(6, 2)).astype(float)
    truth = autograd_mean_gradient(network, X, Y, "squared_error")
    wrong = batch.gradient_averaging_activations_first(network, X, Y, "squared_error")
    for bias, (_, expected) in zip(wrong.biases, truth):
        np.testing.assert_allclose(bias, expected, rtol=1e-10)


# ---------------------------------------------------------------------------------------------
# Sum instead of mean
# ---------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(networks_and_batches())
def test_summed_gradient_is_m_times_the_mean_gradient(case):
    network, X, Y, loss = case
    m = X.shape[0]
    expected = autograd_gradient(network, X, Y, loss, anp.sum)
    summed_cost, summed = batch.summed_cost_and_gradients(network, X, Y, loss)
    assert_pairs_close(summed, expected, rtol=1e-8, atol=1e-11)
    assert_pairs_close(batch.sum_gradient(batch.per_sample_gradients(network, X, Y, loss)),
                       expected, rtol=1e-8, atol=1e-11)
    mean_expected = autograd_mean_gradient(network, X, Y, loss)
    for (w, b), (mw, mb) in zip(expected, mean_expected):
        np.testing.assert_allclose(w, m * mw, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(b, m * mb, rtol=1e-10, atol=1e-12)
    losses = autograd_losses(parameters(network), X, Y, network.activation_names, loss)
    assert summed_cost == pytest.approx(float(np.sum(losses)), rel=1e-9, abs=1e-12)


def test_running_example_summed_gradient_is_four_times_the_mean():
    example = running_example()
    network, X, Y, loss = example.network, example.X, example.Y, example.loss
    _, summed = batch.summed_cost_and_gradients(network, X, Y, loss)
    mean = autograd_mean_gradient(network, X, Y, loss)
    np.testing.assert_allclose(summed.weights[1] / mean[1][0], np.full((2, 4), 4.0), rtol=1e-10)


def test_running_example_one_over_m_once_never_twice():
    """The chapter's table of the 1/m applied once, never and twice: against autograd's dJ/dW^[2],
    never and twice are both off by the relative error (m - 1)/(m + 1) = 0.60 for m = 4."""
    example = running_example()
    network, X, Y, loss = example.network, example.X, example.Y, example.loss
    m = X.shape[0]
    right = autograd_mean_gradient(network, X, Y, loss)[1][0]
    mean_of_gradients = batch.mean_gradient(batch.per_sample_gradients(network, X, Y, loss))
    _, summed = batch.summed_cost_and_gradients(network, X, Y, loss)
    assert relative(mean_of_gradients.weights[1], right) < 1e-12
    for candidate in (summed.weights[1], mean_of_gradients.weights[1] / m):
        assert relative(candidate, right) == pytest.approx((m - 1) / (m + 1), rel=1e-9)
    assert f"{(m - 1) / (m + 1):.2f}" == "0.60"


def test_learning_rate_for_sum():
    assert batch.learning_rate_for_sum(2.0, 4) == pytest.approx(0.5)
    assert batch.learning_rate_for_sum(0.096, 32) == pytest.approx(0.003)


def test_sum_with_learning_rate_over_m_takes_the_mean_steps():
    X_train, Y_train, _, _ = iris_split()
    start = MLP.random([4, 8, 3], ["sigmoid", "sigmoid"], np.random.default_rng(5))
    m = X_train.shape[0]
    mean_run = batch.train_minibatch_gradient_descent(
        start, X_train, Y_train, "squared_error", 2.0, 30, m, np.random.default_rng(1))
    sum_run = batch.train_minibatch_gradient_descent(
        start, X_train, Y_train, "squared_error", 2.0 / m, 30, m, np.random.default_rng(1),
        reduction="sum")
    same_rate = batch.train_minibatch_gradient_descent(
        start, X_train, Y_train, "squared_error", 2.0, 30, m, np.random.default_rng(1),
        reduction="sum")
    np.testing.assert_allclose(sum_run.train_costs, mean_run.train_costs, rtol=1e-12)
    for w_sum, w_mean in zip(sum_run.network.weights, mean_run.network.weights):
        np.testing.assert_allclose(w_sum, w_mean, rtol=1e-10, atol=1e-12)
    # the same learning rate with the sum: steps m times longer, a different (worse) run
    assert same_rate.train_costs[-1] > 2 * mean_run.train_costs[-1]


def test_one_full_batch_step_equals_a_hand_written_step():
    """train_minibatch_gradient_descent takes W - eta dJ/dW (autograd's dJ/dW), or m times that."""
    example = running_example()
    network, X, Y, loss = example.network, example.X, example.Y, example.loss
    expected = autograd_mean_gradient(network, X, Y, loss)
    for reduction, scale in (("mean", 1.0), ("sum", 4.0)):
        history = batch.train_minibatch_gradient_descent(
            network, X, Y, loss, 0.3, 1, 4, np.random.default_rng(0), reduction=reduction)
        assert history.steps == 1
        for layer, (ew, eb) in enumerate(expected):
            np.testing.assert_allclose(history.network.weights[layer],
                                       network.weights[layer] - 0.3 * scale * ew, rtol=1e-12)
            np.testing.assert_allclose(history.network.biases[layer],
                                       network.biases[layer] - 0.3 * scale * eb, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# Mini-batches and training
# ---------------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(m=st.integers(1, 60), batch_size=st.integers(1, 70), seed=st.integers(0, 2**32 - 1))
def test_minibatches_cover_every_sample_once_per_epoch(m, batch_size, seed):
    X = np.arange(2 * m, dtype=float).reshape(m, 2)
    Y = np.arange(m, dtype=float)
    epoch = list(batch.minibatches(X, Y, batch_size, np.random.default_rng(seed)))
    indices = np.concatenate([b.indices for b in epoch])
    assert sorted(indices.tolist()) == list(range(m))
    sizes = [len(b.indices) for b in epoch]
    assert sizes[:-1] == [batch_size] * (len(sizes) - 1)
    assert sizes[-1] == (m % batch_size or min(batch_size, m))
    assert len(epoch) == -(-m // batch_size)
    for b in epoch:
        np.testing.assert_array_equal(b.X, X[b.indices])
        np.testing.assert_array_equal(b.Y, Y[b.indices])


@settings(max_examples=40, deadline=None)
@given(m=st.integers(1, 60), batch_size=st.integers(1, 60), seed=st.integers(0, 2**32 - 1))
def test_minibatches_drop_last_keeps_only_full_batches(m, batch_size, seed):
    X, Y = np.zeros((m, 1)), np.zeros((m, 1))
    if batch_size > m:
        with pytest.raises(ValueError, match="batch_size must be at most the number of samples"):
            batch.minibatches(X, Y, batch_size, np.random.default_rng(seed), drop_last=True)
        return
    epoch = list(batch.minibatches(X, Y, batch_size, np.random.default_rng(seed), drop_last=True))
    assert [len(b.indices) for b in epoch] == [batch_size] * (m // batch_size)
    indices = np.concatenate([b.indices for b in epoch])
    assert len(set(indices.tolist())) == len(indices)


def test_minibatches_are_reproducible_with_a_seed_and_shuffled():
    X, Y = np.arange(100.0).reshape(50, 2), np.arange(50.0)

    def epochs(seed):
        rng = np.random.default_rng(seed)
        return [[b.indices.tolist() for b in batch.minibatches(X, Y, 8, rng)] for _ in range(3)]

    assert epochs(11) == epochs(11)
    assert epochs(11) != epochs(12)
    first, second, _ = epochs(11)
    assert first != second  # a new shuffle every epoch
    assert np.concatenate(first).tolist() != list(range(50))  # shuffled, not in order


def test_minibatches_returns_copies():
    X, Y = np.arange(12.0).reshape(6, 2), np.arange(6.0).reshape(6, 1)
    X_before, Y_before = X.copy(), Y.copy()
    for b in batch.minibatches(X, Y, 4, np.random.default_rng(0)):
        b.X[...] = -1.0
        b.Y[...] = -1.0
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(Y, Y_before)


def test_training_loop_decreases_the_loss_on_the_chapters_data():
    X_train, Y_train, X_val, Y_val = iris_split()
    start = MLP.random([4, 8, 3], ["sigmoid", "sigmoid"], np.random.default_rng(5))
    weights_before = [w.copy() for w in start.weights]
    history = batch.train_minibatch_gradient_descent(
        start, X_train, Y_train, "squared_error", 0.5, 40, 16, np.random.default_rng(7),
        X_validation=X_val, Y_validation=Y_val)
    assert len(history.train_costs) == len(history.validation_costs) == 41
    assert history.steps == 40 * 7
    assert history.train_costs[-1] < 0.5 * history.train_costs[0]
    assert history.validation_costs[-1] < 0.5 * history.validation_costs[0]
    assert history.train_costs[0] == pytest.approx(
        float(np.mean(np.sum((start.predict(X_train) - Y_train) ** 2, axis=1))))
    final = float(np.mean(np.sum((history.network.predict(X_train) - Y_train) ** 2, axis=1)))
    assert history.train_costs[-1] == pytest.approx(final)
    for before, after in zip(weights_before, start.weights):
        np.testing.assert_array_equal(before, after)  # the caller's network is not trained


def test_training_is_reproducible_with_a_seed():
    X_train, Y_train, _, _ = iris_split()
    start = MLP.random([4, 8, 3], ["sigmoid", "sigmoid"], np.random.default_rng(5))
    runs = [batch.train_minibatch_gradient_descent(start, X_train, Y_train, "squared_error", 0.5,
                                                   5, 16, np.random.default_rng(7))
            for _ in range(2)]
    assert runs[0].train_costs == runs[1].train_costs
    assert runs[0].validation_costs == []


# ---------------------------------------------------------------------------------------------
# Input checks and the caller's arrays
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def example():
    return running_example()


def test_errors_name_the_argument(example):
    net, X, Y, loss = example.network, example.X, example.Y, example.loss
    with pytest.raises(TypeError, match="network must be a backproplib.network.MLP, got list"):
        batch.per_sample_gradients([1, 2], X, Y, loss)
    with pytest.raises(ValueError, match=r"X must have 3 columns .* got shape \(3, 4\)"):
        batch.per_sample_gradients(net, X.T, Y, loss)
    with pytest.raises(ValueError, match=r"Y must have shape \(4, 2\)"):
        batch.summed_cost_and_gradients(net, X, Y[:3], loss)
    with pytest.raises(ValueError, match="unknown loss 'mse'"):
        batch.gradient_averaging_g_prime_first(net, X, Y, "mse")
    with pytest.raises(ValueError, match="X must contain only finite numbers"):
        batch.compare_per_sample_mean_with_vectorized(net, np.full((4, 3), np.nan), Y, loss)
    with pytest.raises(TypeError, match="per_sample must be the PerSampleGradients"):
        batch.mean_gradient(Y)
    with pytest.raises(TypeError, match="per_sample must be the PerSampleGradients"):
        batch.sum_gradient(None)
    with pytest.raises(TypeError, match="reference must be a Gradients object, got dict"):
        batch.compare_gradients({}, net.cost_and_gradients(X, Y, loss)[1])
    _, grads = net.cost_and_gradients(X, Y, loss)
    other = Gradients([w.T for w in grads.weights], grads.biases, grads.deltas)
    with pytest.raises(ValueError, match="reference and other must have the same shapes"):
        batch.compare_gradients(grads, other)
    one_layer = Gradients(grads.weights[:1], grads.biases[:1], grads.deltas[:1])
    with pytest.raises(ValueError, match="same number of layers, got 2 and 1"):
        batch.compare_gradients(grads, one_layer)
    with pytest.raises(ValueError, match="averaged names unknown factor 'slopes'"):
        batch.gradient_averaging_first(net, X, Y, loss, ("slopes",))
    with pytest.raises(TypeError, match="averaged must be a tuple of factor names"):
        batch.gradient_averaging_first(net, X, Y, loss, "g_prime")
    with pytest.raises(ValueError, match="learning_rate must be a positive number, got -1.0"):
        batch.learning_rate_for_sum(-1.0, 4)
    with pytest.raises(TypeError, match="batch_size must be a positive integer, got float 4.0"):
        batch.learning_rate_for_sum(0.1, 4.0)


def test_minibatch_errors_name_the_argument():
    X, Y = np.zeros((5, 2)), np.zeros((5, 1))
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        batch.minibatches(X, Y, 0, rng)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        batch.minibatches(X, Y, 2, 0)
    with pytest.raises(ValueError,
                       match=r"same number of rows .* X of shape \(5, 2\) and Y of shape \(4, 1\)"):
        batch.minibatches(X, Y[:4], 2, rng)
    with pytest.raises(ValueError, match=r"X must be 2-D, got a 1-D array of shape \(5,\)"):
        batch.minibatches(X[:, 0], Y, 2, rng)
    with pytest.raises(ValueError, match="Y must be 1-D or 2-D"):
        batch.minibatches(X, np.zeros((5, 1, 1)), 2, rng)
    with pytest.raises(ValueError, match="X must hold at least one sample"):
        batch.minibatches(np.zeros((0, 2)), np.zeros((0, 1)), 2, rng)
    with pytest.raises(TypeError, match="drop_last must be True or False, got str"):
        batch.minibatches(X, Y, 2, rng, drop_last="yes")


def test_training_errors_name_the_argument(example):
    net, X, Y, loss = example.network, example.X, example.Y, example.loss
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="reduction must be 'mean' or 'sum', got 'average'"):
        batch.train_minibatch_gradient_descent(net, X, Y, loss, 0.1, 1, 2, rng, reduction="average")
    with pytest.raises(ValueError, match="X_validation and Y_validation must be given together"):
        batch.train_minibatch_gradient_descent(net, X, Y, loss, 0.1, 1, 2, rng, X_validation=X)
    with pytest.raises(ValueError, match="learning_rate must be a positive number, got 0"):
        batch.train_minibatch_gradient_descent(net, X, Y, loss, 0, 1, 2, rng)
    with pytest.raises(TypeError, match="epochs must be a positive integer"):
        batch.train_minibatch_gradient_descent(net, X, Y, loss, 0.1, 1.5, 2, rng)
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        batch.train_minibatch_gradient_descent(net, X, Y, loss, 0.1, 1, 2, 42)
    with pytest.raises(ValueError, match=r"Y_validation must have shape \(2, 2\): one row per row of X_validation"):
        batch.train_minibatch_gradient_descent(net, X, Y, loss, 0.1, 1, 2, rng,
                                               X_validation=X[:2], Y_validation=Y)


def test_caller_arrays_and_network_are_unchanged(example):
    net, X, Y, loss = example.network, example.X, example.Y, example.loss
    X_before, Y_before = X.copy(), Y.copy()
    weights_before = [w.copy() for w in net.weights]
    biases_before = [b.copy() for b in net.biases]
    per_sample = batch.per_sample_gradients(net, X, Y, loss)
    batch.mean_gradient(per_sample)
    batch.sum_gradient(per_sample)
    batch.compare_per_sample_mean_with_vectorized(net, X, Y, loss)
    for method in batch.WRONG_METHODS.values():
        method(net, X, Y, loss)
    batch.summed_cost_and_gradients(net, X, Y, loss)
    list(batch.minibatches(X, Y, 3, np.random.default_rng(0)))
    batch.train_minibatch_gradient_descent(net, X, Y, loss, 0.5, 3, 3, np.random.default_rng(0),
                                           X_validation=X, Y_validation=Y, reduction="sum")
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(Y, Y_before)
    for w, w_before in zip(net.weights, weights_before):
        np.testing.assert_array_equal(w, w_before)
    for b, b_before in zip(net.biases, biases_before):
        np.testing.assert_array_equal(b, b_before)


def test_results_do_not_share_memory_with_each_other(example):
    net, X, Y, loss = example.network, example.X, example.Y, example.loss
    per_sample = batch.per_sample_gradients(net, X, Y, loss)
    mean = batch.mean_gradient(per_sample)
    mean.deltas[0][...] = 0.0
    assert np.any(per_sample.deltas[0] != 0.0)


def test_one_output_network_accepts_1d_targets():
    rng = np.random.default_rng(8)
    network = MLP.random([2, 3, 1], ["tanh", "sigmoid"], rng)
    X, y = rng.normal(size=(5, 2)), rng.integers(0, 2, size=5).astype(float)
    per_sample = batch.per_sample_gradients(network, X, y, "binary_cross_entropy")
    expected = autograd_mean_gradient(network, X, y.reshape(5, 1), "binary_cross_entropy")
    assert_pairs_close(batch.mean_gradient(per_sample), expected, rtol=1e-8)
    epoch = list(batch.minibatches(X, y, 2, rng))
    assert [b.Y.shape for b in epoch] == [(2,), (2,), (1,)]


def test_on_epoch_sees_the_network_before_training_and_after_every_epoch():
    from backproplib.batch import train_minibatch_gradient_descent
    from backproplib.network import MLP

    rng = np.random.default_rng(0)
    network = MLP.random([2, 3, 1], ["tanh", "sigmoid"], rng)
    X, Y = rng.normal(size=(10, 2)), rng.uniform(size=(10, 1))
    seen = []
    history = train_minibatch_gradient_descent(
        network, X, Y, "squared_error", 0.5, 3, 4, np.random.default_rng(1),
        on_epoch=lambda model: seen.append(model.cost(X, Y, "squared_error")))
    assert seen == history.train_costs and len(seen) == 4
    with pytest.raises(TypeError, match="on_epoch must be a function of the network, got int"):
        train_minibatch_gradient_descent(network, X, Y, "squared_error", 0.5, 3, 4,
                                         np.random.default_rng(1), on_epoch=3)
