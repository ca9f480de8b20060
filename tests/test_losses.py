import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from hypothesis import given, settings
from hypothesis import strategies as st

from backproplib import losses
from backproplib.activations import sigmoid
from backproplib.gradcheck import numerical_derivative

from .finite_differences import assert_matches_finite_differences


def reference_squared_error(a, y):
    return anp.sum((a - y) ** 2)


def reference_bce(a, y):
    return -anp.sum(y * anp.log(a) + (1 - y) * anp.log(1 - a))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_squared_error_and_derivative(n, seed):
    rng = np.random.default_rng(seed)
    a, y = rng.normal(size=n), rng.normal(size=n)
    assert losses.squared_error(a, y) == pytest.approx(float(reference_squared_error(a, y)), rel=1e-12)
    expected = grad(reference_squared_error)(a, y)
    np.testing.assert_allclose(losses.squared_error_derivative(a, y), expected, rtol=1e-12)
    numeric = numerical_derivative(lambda values: losses.squared_error(values, y), a)
    assert_matches_finite_differences(losses.squared_error_derivative(a, y), numeric,
                                      function_scale=losses.squared_error(a, y))


def test_squared_error_has_no_half():
    # the book's C_0 = sum_j (a_j - y_j)^2: a difference of 1 in one output costs exactly 1
    assert losses.squared_error(np.array([1.0, 0.0]), np.array([0.0, 0.0])) == 1.0
    assert losses.squared_error_derivative(np.array([1.0]), np.array([0.0]))[0] == 2.0


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_binary_cross_entropy_and_derivative(n, seed):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.05, 0.95, size=n)
    y = rng.integers(0, 2, size=n).astype(float)
    assert losses.binary_cross_entropy(a, y) == pytest.approx(float(reference_bce(a, y)), rel=1e-12)
    np.testing.assert_allclose(losses.binary_cross_entropy_derivative(a, y), grad(reference_bce)(a, y),
                               rtol=1e-10)
    numeric = numerical_derivative(lambda values: losses.binary_cross_entropy(values, y), a)
    assert_matches_finite_differences(losses.binary_cross_entropy_derivative(a, y), numeric,
                                      function_scale=losses.binary_cross_entropy(a, y))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 6), seed=st.integers(0, 10_000))
def test_cross_entropy_from_z_equals_cross_entropy_of_sigmoid(n, seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(scale=4, size=n)
    y = rng.uniform(0, 1, size=n)
    assert losses.binary_cross_entropy_from_z(z, y) == pytest.approx(
        float(reference_bce(1 / (1 + np.exp(-z)), y)), rel=1e-10)
    # and its derivative with respect to z is a - y
    numeric = numerical_derivative(lambda values: losses.binary_cross_entropy_from_z(values, y), z)
    np.testing.assert_allclose(sigmoid(z) - y, numeric, rtol=1e-6, atol=1e-9)


def test_batches_give_one_loss_per_row():
    a = np.array([[0.2, 0.8], [0.6, 0.4], [0.5, 0.5]])
    y = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    for function in (losses.squared_error, losses.binary_cross_entropy):
        per_row = function(a, y)
        assert per_row.shape == (3,)
        np.testing.assert_allclose(per_row, [function(a[i], y[i]) for i in range(3)])
    assert losses.squared_error_derivative(a, y).shape == (3, 2)


@pytest.mark.parametrize("size", [30.0, 1e2, 1e3])
def test_cross_entropy_is_finite_at_large_z(size):
    z = np.array([-size, size])
    y = np.array([1.0, 0.0])  # confidently wrong on both: the loss is about |z| each
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        value = losses.binary_cross_entropy_from_z(z, y)
        clipped = losses.binary_cross_entropy(sigmoid(z), y)
        slope = losses.binary_cross_entropy_derivative(sigmoid(z), y)
    assert value == pytest.approx(2 * size, rel=1e-12)
    assert np.isfinite(clipped) and np.all(np.isfinite(slope))


def test_cross_entropy_at_exact_zero_and_one_is_finite():
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        value = losses.binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0]))
        slope = losses.binary_cross_entropy_derivative(np.array([0.0, 1.0]), np.array([1.0, 0.0]))
    assert np.isfinite(value) and value > 30
    assert np.all(np.isfinite(slope))


def test_inputs_are_not_modified():
    a = np.array([0.0, 0.3, 1.0])
    y = np.array([1.0, 0.0, 1.0])
    a_before, y_before = a.copy(), y.copy()
    losses.binary_cross_entropy(a, y)
    losses.binary_cross_entropy_derivative(a, y)
    losses.squared_error(a, y)
    np.testing.assert_array_equal(a, a_before)
    np.testing.assert_array_equal(y, y_before)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: losses.squared_error(np.ones(3), np.ones(2)), ValueError,
         r"a and y must have the same shape, got a of shape \(3,\) and y of shape \(2,\)"),
        (lambda: losses.squared_error(np.float64(1.0), np.float64(1.0)), ValueError,
         "a must be a vector .* got a 0-D scalar"),
        (lambda: losses.squared_error(np.array([np.nan]), np.ones(1)), ValueError,
         "a must contain only finite numbers"),
        (lambda: losses.squared_error(np.ones(1), np.array([np.inf])), ValueError,
         "y must contain only finite numbers"),
        (lambda: losses.binary_cross_entropy(np.array([1.2]), np.ones(1)), ValueError,
         r"a must lie in \[0, 1\] for binary cross-entropy, but a\[\(0,\)\] = 1.2"),
        (lambda: losses.binary_cross_entropy(np.array([0.5]), np.array([2.0])), ValueError,
         r"y must lie in \[0, 1\]"),
        (lambda: losses.binary_cross_entropy_from_z(np.array([0.5]), np.array([-1.0])), ValueError,
         r"y must lie in \[0, 1\]"),
        (lambda: losses.binary_cross_entropy_from_z(np.ones(2), np.ones(3)), ValueError,
         "z and y must have the same shape"),
        (lambda: losses.get_loss("hinge"), ValueError,
         "unknown loss 'hinge'; expected one of 'squared_error', 'binary_cross_entropy'"),
        (lambda: losses.get_loss(None), TypeError, "loss must be a string, got NoneType"),
    ],
)
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
