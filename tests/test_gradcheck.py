import numpy as np
import pytest

from backproplib.gradcheck import (
    gradient_check,
    numerical_derivative,
    numerical_gradients,
    relative_error,
)
from backproplib.network import MLP, Gradients


def test_numerical_derivative_of_a_known_function():
    x = np.array([[0.5, -1.0], [2.0, 0.1]])
    # f(x) = sum sin(x_i) x_i^2, f'(x) = cos(x) x^2 + 2 x sin(x)
    numeric = numerical_derivative(lambda v: float(np.sum(np.sin(v) * v**2)), x)
    np.testing.assert_allclose(numeric, np.cos(x) * x**2 + 2 * x * np.sin(x), rtol=1e-8)


def test_centred_difference_error_is_second_order():
    # for f = x^3 the centred error is exactly h^2 (a one-sided one would be about 3 x h)
    x = np.array([1.0])
    for step in (1e-2, 1e-3):
        numeric = numerical_derivative(lambda v: float(v[0] ** 3), x, step=step)
        assert numeric[0] - 3.0 == pytest.approx(step**2, rel=1e-3)


def test_numerical_derivative_does_not_modify_x():
    x = np.array([1.0, 2.0])
    seen = []
    numerical_derivative(lambda v: seen.append(v) or float(v.sum()), x)
    np.testing.assert_array_equal(x, [1.0, 2.0])
    seen[0][0] = 100.0  # the function got copies, so changing them changes nothing
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_relative_error():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([1.0, 0.0]), np.array([1.0, 0.0])) == 0.0
    assert relative_error(np.array([1.0]), np.array([-1.0])) == 1.0
    assert relative_error(np.array([3.0, 4.0]), np.array([3.0, 4.0 + 1e-6])) == pytest.approx(1e-7)
    # scale-free
    assert relative_error(np.array([3e9, 4e9]), np.array([3e9, 4e9 + 1e3])) == pytest.approx(1e-7)


class ForgetsOneOverM(MLP):
    """Backpropagation that forgets the 1/m of the mean: every gradient m times too large."""

    def backward(self, forward_pass, Y, loss):
        grads = super().backward(forward_pass, Y, loss)
        m = forward_pass.activations[0].shape[0]
        return Gradients([m * w for w in grads.weights], [m * b for b in grads.biases], grads.deltas)


class DropsHiddenSlope(MLP):
    """Backpropagation that forgets g'(z) of the hidden layers (uses the identity's slope, 1)."""

    def backward(self, forward_pass, Y, loss):
        names = ["identity"] * (self.num_layers - 1) + self.activation_names[-1:]
        return MLP(self.weights, self.biases, names).backward(forward_pass, Y, loss)


def test_gradient_check_passes_for_backpropagation_and_catches_a_bug():
    rng = np.random.default_rng(0)
    network = MLP.random([3, 4, 2], ["tanh", "sigmoid"], rng)
    X, Y = rng.normal(size=(5, 3)), rng.uniform(size=(5, 2))
    report = gradient_check(network, X, Y, "squared_error")
    assert report.passed and report.max_error < 1e-7
    assert len(report.weight_errors) == 2 and len(report.bias_errors) == 2
    text = str(report)
    assert text.splitlines()[0] == "layer  relative error dJ/dW  relative error dJ/db"
    assert text.endswith("passed (tolerance 1e-07)")  # the book's threshold, appendix C
    # backpropagation that is wrong, run through gradient_check itself: the gradients m = 5 times
    # too large give |5g - g| / (|5g| + |g|) = 4/6 in every layer
    forgets = gradient_check(ForgetsOneOverM(network.weights, network.biases, network.activation_names),
                             X, Y, "squared_error", tolerance=1e-6)
    assert not forgets.passed
    assert forgets.max_error == pytest.approx(4 / 6, rel=1e-6)
    assert all(error == pytest.approx(4 / 6, rel=1e-6) for error in forgets.weight_errors + forgets.bias_errors)
    assert str(forgets).endswith("FAILED (tolerance 1e-06)")
    # a missing g'(z) in the hidden layer spoils layer 1 only; the output layer's gradient is right
    drops = gradient_check(DropsHiddenSlope(network.weights, network.biases, network.activation_names),
                           X, Y, "squared_error")
    assert not drops.passed
    assert drops.weight_errors[0] > 1e-2 and drops.bias_errors[0] > 1e-2
    assert drops.weight_errors[1] < 1e-7 and drops.bias_errors[1] < 1e-7


def test_numerical_gradients_leave_the_network_alone():
    rng = np.random.default_rng(1)
    network = MLP.random([2, 2, 1], ["tanh", "identity"], rng)
    before = [w.copy() for w in network.weights]
    numerical_gradients(network, rng.normal(size=(3, 2)), rng.normal(size=(3, 1)), "squared_error")
    for weight, saved in zip(network.weights, before):
        np.testing.assert_array_equal(weight, saved)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: numerical_derivative(3, np.ones(2)), TypeError, r"function must be callable \(a function that returns one number\), got int"),
        (lambda: numerical_derivative(np.sum, np.ones(2), step=0), ValueError,
         "step must be a positive number, got 0"),
        (lambda: numerical_derivative(np.sum, np.array([np.nan])), ValueError, "x must contain only finite"),
        (lambda: relative_error(np.ones(2), np.ones(3)), ValueError,
         r"first and second must have the same shape, got first of shape \(2,\) and second of shape \(3,\)"),
        (lambda: numerical_gradients("net", np.ones((1, 1)), np.ones((1, 1)), "squared_error"), TypeError,
         "network must be a backproplib.network.MLP, got str"),
        (lambda: gradient_check(MLP.random([1, 1], ["identity"], np.random.default_rng(0)),
                                np.ones((1, 1)), np.ones((1, 1)), "squared_error", tolerance=-1), ValueError,
         "tolerance must be a positive number, got -1"),
    ],
)
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
