import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from backproplib import activations
from backproplib.gradcheck import numerical_derivative

from .reference import REFERENCE_ACTIVATIONS, elementwise_derivative

NAMES = ["sigmoid", "tanh", "relu", "identity"]

finite_arrays = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=1, max_dims=2, max_side=6),
    elements=st.floats(-8, 8, allow_nan=False),
)


def away_from_kink(z):
    """Move entries away from relu's kink at 0 so that derivatives exist there."""
    return np.where(np.abs(z) < 1e-3, 0.5, z)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=30, deadline=None)
@given(z=finite_arrays)
def test_function_matches_definition(name, z):
    rule = activations.get_activation(name)
    np.testing.assert_allclose(rule.function(z), REFERENCE_ACTIVATIONS[name](z), rtol=1e-12,
                               atol=1e-300)


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=30, deadline=None)
@given(z=finite_arrays)
def test_derivative_matches_autograd(name, z):
    z = away_from_kink(z)
    rule = activations.get_activation(name)
    expected = elementwise_derivative(REFERENCE_ACTIVATIONS[name], z)
    np.testing.assert_allclose(rule.derivative(z), expected, rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_finite_differences(name):
    z = away_from_kink(np.random.default_rng(3).normal(scale=3, size=7))
    rule = activations.get_activation(name)
    numeric = numerical_derivative(lambda values: float(np.sum(rule.function(values))), z)
    np.testing.assert_allclose(rule.derivative(z), numeric, rtol=1e-6, atol=1e-9)


def test_relu_derivative_at_the_kink_is_zero():
    np.testing.assert_array_equal(activations.relu_prime(np.array([-1.0, 0.0, 2.0])), [0, 0, 1])


@pytest.mark.parametrize("name", NAMES)
def test_shapes_and_dtype_are_kept(name):
    rule = activations.get_activation(name)
    z32 = np.linspace(-2, 2, 6, dtype=np.float32).reshape(2, 3)
    for function in (rule.function, rule.derivative):
        result = function(z32)
        assert result.shape == (2, 3)
        assert result.dtype == np.float32


@pytest.mark.parametrize("name", NAMES)
def test_integer_input_becomes_float(name):
    rule = activations.get_activation(name)
    assert rule.function(np.array([1, -2, 3])).dtype == np.float64


@pytest.mark.parametrize("size", [1e2, 1e3, 1e300])
def test_sigmoid_is_stable_for_large_inputs(size):
    z = np.array([-size, -1.0, 0.0, 1.0, size])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        a = activations.sigmoid(z)
        slope = activations.sigmoid_prime(z)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(slope))
    assert a[0] == pytest.approx(0.0, abs=1e-40) and a[-1] == 1.0
    assert a[2] == 0.5 and slope[2] == 0.25


def test_sigmoid_keeps_tiny_values_accurate():
    # sigma(-30) = e^-30 / (1 + e^-30): a naive 1 - sigma(30) would round to 0
    assert activations.sigmoid(np.array([-30.0]))[0] == pytest.approx(np.exp(-30) / (1 + np.exp(-30)),
                                                                     rel=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_input_is_not_modified(name):
    rule = activations.get_activation(name)
    z = np.array([-1.0, 0.5, 2.0])
    before = z.copy()
    rule.function(z)
    rule.derivative(z)
    np.testing.assert_array_equal(z, before)


def test_identity_returns_a_new_array():
    z = np.array([1.0, 2.0])
    result = activations.identity(z)
    result[0] = 99
    assert z[0] == 1.0


@pytest.mark.parametrize(
    "bad, error, message",
    [
        (np.array([1.0, np.nan]), ValueError, r"z must contain only finite numbers, but it holds nan at index \(1,\)"),
        (np.array([np.inf]), ValueError, "z must contain only finite numbers, but it holds inf"),
        ("1.0", TypeError, "z must be an array of numbers, got str"),
        (None, TypeError, "z must be an array of numbers, got NoneType"),
        (np.array(["a"]), TypeError, "z must be an array of numbers, got an array of dtype <U1"),
        (np.array([1 + 2j]), TypeError, "z must hold real numbers"),
        ([[1.0, 2.0], [3.0]], ValueError, "z must be a rectangular array of numbers"),
    ],
)
def test_bad_input_is_named(bad, error, message):
    for name in NAMES:
        rule = activations.get_activation(name)
        with pytest.raises(error, match=message):
            rule.function(bad)
        with pytest.raises(error, match=message):
            rule.derivative(bad)


def test_unknown_activation_name():
    with pytest.raises(ValueError, match="unknown activation 'softplus'; expected one of 'sigmoid', 'tanh', 'relu', 'identity'"):
        activations.get_activation("softplus")
    with pytest.raises(TypeError, match="activation name must be a string, got int 3"):
        activations.get_activation(3)


@pytest.mark.parametrize("name", NAMES)
def test_slope_from_the_activation_equals_the_slope_at_z(name):
    # the MLP multiplies by g'(z) using a = g(z) it already holds; it must be the same number
    z = away_from_kink(np.random.default_rng(7).normal(scale=3, size=(4, 5)))
    rule = activations.get_activation(name)
    gradient = np.random.default_rng(8).normal(size=(4, 5))
    expected = gradient * rule.derivative(z)
    rule.multiply_by_slope(gradient, rule.function(z))
    np.testing.assert_allclose(gradient, expected, rtol=1e-12, atol=1e-300)
