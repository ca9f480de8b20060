import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad, jacobian
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplib import activations, losses
from backproplib.gradcheck import numerical_gradients, relative_error
from backproplib.network import MLP

from .finite_differences import assert_matches_finite_differences
from .reference import reference_softmax_cost


def reference_softmax(z):
    exponentials = anp.exp(z)
    return exponentials / anp.sum(exponentials)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_softmax_and_its_jacobian_match_autograd(n, seed):
    z = np.random.default_rng(seed).normal(scale=3, size=n)
    np.testing.assert_allclose(activations.softmax(z), reference_softmax(z), rtol=1e-12)
    np.testing.assert_allclose(activations.softmax_jacobian(z), jacobian(reference_softmax)(z),
                               rtol=1e-10, atol=1e-15)


def test_softmax_rows_sum_to_one_and_never_overflow():
    z = np.array([[1e3, 0.0, -1e3], [0.0, 0.0, 0.0]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = activations.softmax(z)
        ce = losses.cross_entropy_from_z(z, np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]))
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    np.testing.assert_allclose(a[1], 1 / 3)
    assert ce[0] == pytest.approx(2e3, rel=1e-12) and ce[1] == pytest.approx(np.log(3), rel=1e-12)


def test_cross_entropy_and_derivative_match_autograd():
    rng = np.random.default_rng(0)
    a = rng.dirichlet(np.ones(4))
    y = np.eye(4)[2]
    reference = lambda values: -anp.sum(y * anp.log(values))  # noqa: E731
    assert losses.cross_entropy(a, y) == pytest.approx(float(reference(a)), rel=1e-12)
    np.testing.assert_allclose(losses.cross_entropy_derivative(a, y), grad(reference)(a), rtol=1e-12)
    assert np.isfinite(losses.cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0])))


@settings(max_examples=60, deadline=None)
@given(depth=st.integers(1, 3), width=st.integers(1, 4), classes=st.integers(2, 5),
       m=st.integers(1, 6), loss=st.sampled_from(["cross_entropy", "squared_error"]),
       seed=st.integers(0, 2**32 - 1))
def test_softmax_network_gradients_match_autograd(depth, width, classes, m, loss, seed):
    rng = np.random.default_rng(seed)
    sizes = [width] * depth + [classes]
    names = ["tanh"] * (depth - 1) + ["softmax"]
    network = MLP.random(sizes, names, rng)
    X = rng.normal(size=(m, width))
    Y = np.eye(classes)[rng.integers(0, classes, size=m)]
    cost, grads = network.cost_and_gradients(X, Y, loss)
    assert cost == pytest.approx(float(reference_softmax_cost(network.weights, network.biases,
                                                                names, X, Y, loss)), rel=1e-12)
    count = len(sizes) - 1
    expected = grad(lambda params: reference_softmax_cost(params[:count], params[count:], names, X, Y,
                                                          loss))(network.weights + network.biases)
    for ours, theirs in zip(grads.weights + grads.biases, expected):
        assert relative_error(ours, np.asarray(theirs)) < 1e-8
    numeric = numerical_gradients(network, X, Y, loss)
    for ours, theirs in zip(grads.weights + grads.biases, numeric.weights + numeric.biases):
        assert_matches_finite_differences(ours, theirs, function_scale=cost)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: MLP.random([2, 3, 2], ["softmax", "softmax"], np.random.default_rng(0)), ValueError,
         "activation 'softmax' acts on a whole row, not entry by entry, .* may only be the last activation"),
        (lambda: MLP.random([2, 2], ["sigmoid"], np.random.default_rng(0)).cost(
            np.ones((1, 2)), np.array([[1.0, 0.0]]), "cross_entropy"), ValueError,
         "loss 'cross_entropy' needs a softmax output layer .* the last activation is 'sigmoid'"),
        (lambda: MLP.random([2, 2], ["softmax"], np.random.default_rng(0)).cost(
            np.ones((2, 2)), np.array([[1.0, 0.0], [0.5, 0.2]]), "cross_entropy"), ValueError,
         "each row of Y must sum to 1 for cross_entropy .* row 1 sums to 0.7"),
        (lambda: MLP.random([2, 2], ["softmax"], np.random.default_rng(0)).cost(
            np.ones((1, 2)), np.array([[2.0, -1.0]]), "cross_entropy"), ValueError,
         r"Y must lie in \[0, 1\] for cross-entropy"),
        (lambda: activations.softmax(np.float64(1.0)), ValueError, "z must be a vector or a 2-D array"),
        (lambda: activations.softmax_jacobian(np.ones((2, 2))), ValueError, r"z must be 1-D \(one sample\)"),
    ],
)
def test_softmax_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
